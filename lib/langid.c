/* SPDX-License-Identifier: MIT */
/* Stage 2, language identification by stop-word counts. The word lists are
 * data (lexicon.LANG.stopwords in the rule files), not code. */
#include "langid.h"

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || c >= 0x80;
}

int gx_langid(const gdprx_rules *rs, const char *s, size_t n, int min_hits,
              double margin)
{
    long hits[GX_NLANG] = {0};
    size_t i = 0;
    while (i < n) {
        while (i < n && !is_word_byte((unsigned char)s[i]))
            i++;
        size_t w = i;
        while (i < n && is_word_byte((unsigned char)s[i]))
            i++;
        if (i == w)
            continue;
        for (int l = 0; l < GX_NLANG; l++)
            if (gx_wordtab_find(&rs->lex[l].stopwords, s + w, i - w))
                hits[l]++;
    }
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
