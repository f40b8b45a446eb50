/* SPDX-License-Identifier: MIT */
/* Stage 2, language identification by stop-word counts. The word lists are
 * data (lexicon.LANG.stopwords in the rule files), not code. */
#include "langid.h"

static int is_word_byte(unsigned char c)
{
    return (unsigned char)(c - 'a') < 26 || c >= 0x80;
}

/* Count, per language, the words of s[0, n) that are its stop words. Each
 * word is hashed once while it is scanned; words longer than every stop
 * word are not looked up. */
static void count_stopwords(const gdprx_rules *rs, const char *s, size_t n,
                            long hits[GX_NLANG])
{
    const unsigned char *u = (const unsigned char *)s;
    const gx_wordtab *all = &rs->stop_langs;   /* one lookup per word */
    size_t maxlen = all->slot && all->n_indexed == all->n ? all->maxlen
                                                          : SIZE_MAX;
    size_t i = 0;
    while (i < n) {
        while (i < n && !is_word_byte(u[i]))
            i++;
        size_t w = i;
        uint32_t h = GX_WORD_HASH_INIT;
        while (i < n && is_word_byte(u[i]))
            h = gx_word_hash_step(h, u[i++]);
        if (i == w || i - w > maxlen)
            continue;
        const gx_word *e = gx_wordtab_find_hashed(all, s + w, i - w, h);
        for (int l = 0; e && l < GX_NLANG; l++)
            hits[l] += (e->value >> l) & 1;
    }
}

int gx_langid(const gdprx_rules *rs, const char *s, size_t n, int min_hits,
              double margin)
{
    long hits[GX_NLANG] = {0};
    count_stopwords(rs, s, n, hits);
    int best = -1;
    long second = 0;
    for (int l = 0; l < GX_NLANG; l++) {
        if (best < 0 || hits[l] > hits[best]) {
            if (best >= 0 && hits[best] > second)
                second = hits[best];
            best = l;
        } else if (hits[l] > second) {
            second = hits[l];
        }
    }
    if (best < 0 || hits[best] < min_hits || hits[best] == second ||
        (double)hits[best] < margin * (double)second)
        return -1;
    return best;
}
