/* SPDX-License-Identifier: MIT */
/* Lexicon tables: sorted word lists with values and a hash index, looked up
 * by the language identifier and the attribute extractors; regexes derived
 * from them. */
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int gx_wordtab_add(gx_wordtab *t, const char *word, size_t n, int value)
{
    if (gx_grow(&t->w, &t->cap, t->n + 1, sizeof *t->w) != 0)
        return -1;
    char *w = gx_strndup(word, n);
    if (!w)
        return -1;
    t->w[t->n].word = w;
    t->w[t->n].value = value;
    t->n++;
    return 0;
}

static int cmp_word(const void *a, const void *b)
{
    return strcmp(((const gx_word *)a)->word, ((const gx_word *)b)->word);
}

const gx_word *gx_wordtab_find_sorted(const gx_wordtab *t, const char *word,
                                      size_t n)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *w = t->w[mid].word;
        int c = strncmp(w, word, n);
        if (c == 0 && w[n] != '\0')
            c = 1;
        if (c == 0)
            return &t->w[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Put entry e (whose word has hash h) in the index unless an equal word is
 * there already. */
static void index_put(gx_wordtab *t, const gx_word *e, uint32_t h,
                      size_t len)
{
    size_t mask = t->nslot - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        gx_wordslot *sl = &t->slot[i];
        if (sl->idx == 0) {
            sl->hash = h;
            sl->idx = (uint32_t)(e - t->w) + 1;
            sl->len = (uint32_t)len;
            return;
        }
        if (sl->hash == h && !strcmp(t->w[sl->idx - 1].word, e->word))
            return;
    }
}

/* Index every word by hash, each pointing at the entry binary search finds
 * for it, so that both lookups agree even on duplicate words. */
static void build_index(gx_wordtab *t)
{
    free(t->slot);
    t->slot = NULL;
    t->nslot = t->n_indexed = t->maxlen = 0;
    if (t->n > UINT32_MAX / 4)
        return;
    size_t nslot = 8;
    while (nslot < 2 * t->n)
        nslot *= 2;
    t->slot = calloc(nslot, sizeof *t->slot);
    if (!t->slot)
        return;   /* lookups stay correct, by binary search */
    t->nslot = nslot;
    for (size_t i = 0; i < t->n; i++) {
        size_t len = strlen(t->w[i].word);
        if (len > t->maxlen)
            t->maxlen = len;
        const gx_word *e = gx_wordtab_find_sorted(t, t->w[i].word, len);
        index_put(t, e, gx_word_hash(t->w[i].word, len), len);
    }
    t->n_indexed = t->n;
}

void gx_wordtab_sort(gx_wordtab *t)
{
    if (t->n)
        qsort(t->w, t->n, sizeof *t->w, cmp_word);
    build_index(t);
}

const gx_word *gx_wordtab_find(const gx_wordtab *t, const char *word, size_t n)
{
    if (n && memchr(word, '\0', n))   /* C-string comparison semantics */
        return gx_wordtab_find_sorted(t, word, n);
    return gx_wordtab_find_hashed(t, word, n, gx_word_hash(word, n));
}

static int cmp_len_desc(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    if (lx != ly)
        return lx < ly ? 1 : -1;
    return strcmp(x, y);
}

char *gx_wordtab_regex(const gx_wordtab *t)
{
    const char **words = malloc((t->n ? t->n : 1) * sizeof *words);
    if (!words)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        words[i] = t->w[i].word;
    qsort(words, t->n, sizeof *words, cmp_len_desc);
    gx_buf b = {0};
    gx_buf_adds(&b, "(?:");
    for (size_t i = 0; i < t->n; i++) {
        if (i)
            gx_buf_addc(&b, '|');
        for (const char *p = words[i]; *p; p++) {
            if (strchr("\\^$.|?*+()[]{}", *p))
                gx_buf_addc(&b, '\\');
            gx_buf_addc(&b, *p);
        }
    }
    if (!t->n)
        gx_buf_adds(&b, "(*FAIL)");
    gx_buf_addc(&b, ')');
    free(words);
    return gx_buf_take(&b, NULL);
}

void gx_wordtab_free(gx_wordtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->w[i].word);
    free(t->w);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

void gx_spanset_free(gx_spanset *ss)
{
    for (size_t k = 0; k < ss->n; k++) {
        pcre2_code_free(ss->re[k]);
        if (ss->lits)
            free(ss->lits[k]);
    }
    free(ss->re);
    free(ss->lits);
    free(ss->n_lits);
    ss->re = NULL;
    ss->lits = NULL;
    ss->n_lits = NULL;
    ss->n = 0;
}


void gx_lexicon_free(gx_lexicon *lx)
{
    gx_wordtab_free(&lx->stopwords);
    gx_wordtab_free(&lx->numbers);
    gx_wordtab_free(&lx->units);
    gx_wordtab_free(&lx->halves);
    gx_wordtab_free(&lx->joiners);
    gx_wordtab_free(&lx->phrases);
    gx_wordtab_free(&lx->num_abbrevs);
    pcre2_code_free(lx->neg_cues);
    gx_spanset_free(&lx->neg_ignore);
    gx_spanset_free(&lx->neg_breaks);
    gx_spanset_free(&lx->neg_except);
    gx_prefilter_free(&lx->neg_pf);
    pcre2_code_free(lx->clause_split);
    if (lx->sentences)
        ubrk_close(lx->sentences);
    if (lx->sentences_plain)
        ubrk_close(lx->sentences_plain);
    memset(lx, 0, sizeof *lx);
}

int gx_wordtab_union_bits(gx_wordtab *all, const gx_wordtab *const *tabs,
                          int n)
{
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < tabs[k]->n; i++) {
            const char *w = tabs[k]->w[i].word;
            if (gx_wordtab_add(all, w, strlen(w), 1 << k) != 0)
                return -1;
        }
    if (!all->n)
        return 0;
    qsort(all->w, all->n, sizeof *all->w, cmp_word);
    size_t o = 0;   /* equal words are adjacent: keep one, bits OR-ed */
    for (size_t i = 1; i < all->n; i++) {
        if (!strcmp(all->w[i].word, all->w[o].word)) {
            all->w[o].value |= all->w[i].value;
            free(all->w[i].word);
        } else {
            all->w[++o] = all->w[i];
        }
    }
    all->n = o + 1;
    gx_wordtab_sort(all);
    return 0;
}
