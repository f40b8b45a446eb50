/* SPDX-License-Identifier: MIT */
/* Stage 5, concept scan. Term words go into a double-array byte trie whose
 * nodes carry word symbols (exact and '*' prefix); term word sequences go
 * into the minimal automaton over symbols, built term by term in sorted
 * order (phrases that end alike share their states: ~100 K terms of a
 * language make ~5 K states). The text is read once: each word is walked through the byte
 * trie, and the phrase states still alive are carried from word to word
 * while the gap between them joins a phrase. */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

#define NONE UINT32_MAX
#define TAKEN (UINT32_MAX - 1) /* check value of the root cell */
#define MAX_GAP 3              /* bytes between the words of a phrase */
#define HAS_PREFIX 0x80000000u /* cell flags in base's top bits */
#define HAS_EXACT 0x40000000u
#define BASE_MASK 0x3fffffffu

enum { SEP, JOIN, WORD };      /* byte classes */

typedef struct cell {          /* one double-array trie node */
    uint32_t base;             /* child by byte c is cells[base + c] ... */
    uint32_t check;            /* ... when its check is the parent's index;
                                  base's top bits: HAS_PREFIX, HAS_EXACT */
} cell;

typedef struct cell_syms {     /* the word symbols ending at a cell */
    uint32_t exact, prefix;    /* or NONE */
} cell_syms;

typedef struct trans {         /* phrase transition: (state, sym) -> to */
    uint32_t state, sym, to;   /* state NONE: a free slot */
} trans;

typedef struct pstate {        /* one phrase automaton state */
    uint32_t out, n_out;       /* its terms: outs[out, out + n_out) */
    uint32_t kids;             /* nonzero when a longer phrase goes on */
} pstate;

struct gx_scanner {            /* every array owned; never written after build */
    uint8_t cls[256];          /* byte class: SEP, JOIN or WORD */
    cell *cells;               /* byte trie; root is cell 0 */
    cell_syms *syms;           /* [n_cells] */
    size_t n_cells;
    uint8_t *later;            /* [n_syms]: symbol used after a term's first word */
    uint32_t *root_next;       /* [n_syms]: phrase state after one word */
    size_t n_syms;
    trans *tr;                 /* hashed transitions after the first word */
    size_t tmask;              /* table size - 1 (a power of two) */
    uint64_t *bloom;           /* bit set of the transitions' hashes: most */
    size_t bmask;              /* misses end here, in a table that caches well */
    pstate *states;            /* state 0 is the phrase root; the states
                                  are those of the minimal automaton */
    size_t n_states;
    uint32_t *outs;            /* concepts, ascending within a state */
    size_t n_outs;
};

/* ---- words of terms and texts ---------------------------------------- */

static void init_classes(uint8_t *cls)
{
    for (int c = 0; c < 256; c++) {
        int word = gx_word_byte((unsigned char)c);
        int join = c == ' ' || c == '-' || c == '\'';
        cls[c] = word ? WORD : join ? JOIN : SEP;
    }
}

typedef struct tword {         /* one word of a term; points into its text */
    const char *p;
    size_t n;
    int prefix;                /* written with a trailing '*' */
    uint64_t hash;             /* of the bytes and prefix (build only) */
} tword;

typedef struct words {         /* growable; v owned */
    tword *v;
    size_t n, cap;
} words;

/* Split `text` into words. Returns 0, -1 when out of memory, or 1 with
 * *why set when the term is invalid. */
static int split_term(const uint8_t *cls, const char *text, words *w,
                      const char **why)
{
    w->n = 0;
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t most = strlen((const char *)s) / 2 + 1;   /* words at most */
    if (gx_grow(&w->v, &w->cap, most, sizeof *w->v))
        return -1;
    for (size_t i = 0; s[i];) {
        if (cls[s[i]] != WORD) {
            if (s[i] == '*')
                return *why = "'*' not at a word end", 1;
            i++;
            continue;
        }
        size_t b = i;
        uint64_t h = 1469598103934665603ull;   /* FNV-1a, while splitting */
        while (cls[s[i]] == WORD)
            h = (h ^ s[i++]) * 1099511628211ull;
        tword t = {text + b, i - b, s[i] == '*', 0};
        t.hash = (h ^ (uint64_t)t.prefix) ^ ((h ^ (uint64_t)t.prefix) >> 29);
        if (t.prefix && (cls[s[++i]] == WORD || s[i] == '*'))
            return *why = "'*' not at a word end", 1;
        if (t.prefix && t.n < 2)
            return *why = "prefix shorter than 2 bytes before '*'", 1;
        w->v[w->n++] = t;   /* (a word and its separator: 2 bytes) */
    }
    if (w->n == 0)
        return *why = "empty term", 1;
    return 0;
}

/* ---- hits ---------------------------------------------------------------- */

static int add_hit(gx_scan_hits *h, uint32_t concept, size_t s, size_t e,
                   uint32_t w0, uint32_t w1)
{
    if (gx_grow(&h->v, &h->cap, h->n + 1, sizeof *h->v))
        return -1;
    h->v[h->n++] = (gx_scan_hit){concept, (uint32_t)s, (uint32_t)e, w0, w1};
    return 0;
}

static int cmp_hit(const void *pa, const void *pb)
{
    const gx_scan_hit *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    if (a->e != b->e)
        return a->e < b->e ? -1 : 1;
    return (a->concept > b->concept) - (a->concept < b->concept);
}

/* Sort, then keep one hit of each (concept, s, e). */
static void sort_hits(gx_scan_hits *h)
{
    if (h->n > 1)
        qsort(h->v, h->n, sizeof *h->v, cmp_hit);
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++) {
        const gx_scan_hit *p = k ? &h->v[k - 1] : NULL;
        if (p && p->s == h->v[i].s && p->e == h->v[i].e &&
            p->concept == h->v[i].concept)
            continue;
        h->v[k++] = h->v[i];
    }
    h->n = k;
}

void gx_scan_hits_free(gx_scan_hits *h)
{
    if (!h)
        return;
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* ---- build: word symbols ------------------------------------------------ */

typedef struct uword {         /* a distinct term word */
    tword w;
    uint32_t sym;              /* its id, the symbol of its occurrences */
} uword;

static int cmp_uword(const void *pa, const void *pb)
{
    const tword *a = &((const uword *)pa)->w, *b = &((const uword *)pb)->w;
    int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
    if (c)
        return c;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    return a->prefix - b->prefix;
}

typedef struct builder {       /* build-time state; all arrays owned */
    gx_scanner *sc;
    uword *uw;                 /* the distinct words of all terms (sorted
                                  once numbered) */
    size_t n_uw, cap_uw;
    uint32_t *slot;            /* open-addressed uw ids by word hash, NONE
                                  free; [slot_mask + 1] */
    size_t slot_mask;
    uint32_t *first;           /* [n_terms + 1]: term t's words are
                                  order[first[t], first[t + 1]) */
    uint32_t *order;           /* [n_occ]: symbol of each word occurrence,
                                  in term order */
    size_t n_occ, cap_occ;
    size_t *ends;              /* the current term's words: where reading
                                  goes on after each (past a '*') */
    size_t cap_ends;
    size_t cap_cells, cap_syms, first_free, n_trans;
    uint32_t *nf;              /* [n_cells + 1]: a cell at or before the
                                  first free cell at or after i (path-
                                  compressed skips over taken cells) */
    size_t cap_nf;
    uint32_t *sorted;          /* [n_terms]: term indices by word sequence */
    struct open_state *open;   /* [cap_open]: the current path's states */
    size_t cap_open;
    struct mstate *ms;         /* registered states; ms[0]: the root */
    size_t n_ms, cap_ms;
    uint32_t *m_out;           /* their concepts */
    size_t n_mout, cap_mout;
    struct edge *m_kid;        /* their children */
    size_t n_mkid, cap_mkid;
    uint32_t *reg;             /* registered state ids by hash (open
                                  addressing, NONE free); [reg_mask + 1] */
    size_t reg_mask;
} builder;

/* Length of the common beginning of s[0, n) and p[0, n), 8 bytes at a
 * time. */
static size_t common_prefix(const unsigned char *s, const unsigned char *p,
                            size_t n)
{
    size_t k = 0;
    for (uint64_t x, y; k + 8 <= n; k += 8) {
        memcpy(&x, s + k, 8);
        memcpy(&y, p + k, 8);
        if (x != y)
            break;
    }
    while (k < n && s[k] == p[k])
        k++;
    return k;
}

/* (common_prefix, not memcmp: words are short, and the calls cost more
 * than the comparisons.) */
static int same_word(const tword *a, const tword *b)
{
    return a->hash == b->hash && a->n == b->n && a->prefix == b->prefix &&
           common_prefix((const unsigned char *)a->p,
                         (const unsigned char *)b->p, a->n) == a->n;
}

/* The hash of entry i of one of the builder's hashed arrays. */
typedef uint64_t (*hash_of)(const builder *b, size_t i);

/* An open-addressing table of `size` slots (a power of two; empty slots
 * NONE) holding the ids first..n-1, each at its hash's slot or the next
 * free one. Returns NULL when out of memory; the table is the caller's. */
static uint32_t *id_table(const builder *b, size_t size, size_t first,
                          size_t n, hash_of hash)
{
    uint32_t *t = malloc(size * sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < size; i++)
        t[i] = NONE;
    for (size_t i = first; i < n; i++) {
        size_t k = (size_t)hash(b, i) & (size - 1);
        while (t[k] != NONE)
            k = (k + 1) & (size - 1);
        t[k] = (uint32_t)i;
    }
    return t;
}

static uint64_t word_hash(const builder *b, size_t i)
{
    return b->uw[i].w.hash;
}

/* Double the word hash table (or make its first one). */
static int grow_slots(builder *b)
{
    size_t size = b->slot ? 2 * (b->slot_mask + 1) : 1024;
    uint32_t *slot = id_table(b, size, 0, b->n_uw, word_hash);
    if (!slot)
        return -1;
    free(b->slot);
    b->slot = slot;
    b->slot_mask = size - 1;
    return 0;
}

/* The id of word w among the distinct words, added when new. */
static int intern_word(builder *b, const tword *w, uint32_t *id)
{
    if (2 * (b->n_uw + 1) > b->slot_mask + 1 && grow_slots(b))
        return -1;
    size_t k = (size_t)w->hash & b->slot_mask;
    for (uint32_t u; (u = b->slot[k]) != NONE; k = (k + 1) & b->slot_mask)
        if (same_word(&b->uw[u].w, w))
            return *id = u, 0;
    if (b->n_uw == b->cap_uw &&
        gx_grow(&b->uw, &b->cap_uw, b->n_uw + 1, sizeof *b->uw))
        return -1;
    b->uw[b->n_uw] = (uword){*w, (uint32_t)b->n_uw};
    b->slot[k] = (uint32_t)b->n_uw;
    *id = (uint32_t)b->n_uw++;
    return 0;
}

/* Append word `id` of the current term (its w-th), read up to `end`. */
static int push_word(builder *b, uint32_t id, size_t w, size_t end)
{
    if ((b->n_occ == b->cap_occ &&
         gx_grow(&b->order, &b->cap_occ, b->n_occ + 1, sizeof *b->order)) ||
        (w == b->cap_ends &&
         gx_grow(&b->ends, &b->cap_ends, w + 1, sizeof *b->ends)))
        return -1;
    b->order[b->n_occ++] = id;
    b->ends[w] = end;
    return 0;
}

/* Read the words of s from byte i on (a word boundary; the term's first w
 * words are before it) as split_term does. Returns the number of words
 * read in all, -1 when out of memory, or -2 with *why set when the term is
 * invalid. */
static long read_words(builder *b, const unsigned char *s, size_t i,
                       size_t w, const char **why)
{
    const uint8_t *cls = b->sc->cls;
    while (s[i]) {
        if (cls[s[i]] != WORD) {
            if (s[i] == '*')
                return *why = "'*' not at a word end", -2;
            i++;
            continue;
        }
        size_t st = i;
        uint64_t h = 1469598103934665603ull;   /* FNV-1a, as split_term */
        while (cls[s[i]] == WORD)
            h = (h ^ s[i++]) * 1099511628211ull;
        tword t = {(const char *)s + st, i - st, s[i] == '*', 0};
        t.hash = (h ^ (uint64_t)t.prefix) ^ ((h ^ (uint64_t)t.prefix) >> 29);
        if (t.prefix && (cls[s[i + 1]] == WORD || s[i + 1] == '*'))
            return *why = "'*' not at a word end", -2;
        if (t.prefix && t.n < 2)
            return *why = "prefix shorter than 2 bytes before '*'", -2;
        i += (size_t)t.prefix;
        uint32_t id;
        if (intern_word(b, &t, &id) || push_word(b, id, w++, i))
            return -1;
    }
    if (w == 0)
        return *why = "empty term", -2;
    return (long)w;
}

/* How many leading words term s (of n bytes) shares with the previous
 * term p (of n_p bytes), which had n_prev words: those read before a byte
 * where the texts still agree (with the byte after a word and, for a '*'
 * word, the one after it). */
static size_t shared_words(const builder *b, const unsigned char *p,
                           size_t n_p, size_t n_prev, const unsigned char *s,
                           size_t n)
{
    size_t k = common_prefix(s, p, n < n_p ? n : n_p);
    size_t r = 0;
    while (r < n_prev && b->ends[r] + 1 < k)
        r++;
    return r;
}

/* Give every word occurrence of every term its distinct word's id; invalid
 * terms fail with a message. Consecutive terms (expansions of one written
 * term) often begin alike: the words of a common beginning are copied from
 * the previous term, not read again. */
static int collect_words(builder *b, const gx_term *terms, size_t n,
                         gdprx_error *err)
{
    if (!(b->first = malloc((n + 1) * sizeof *b->first)) || grow_slots(b))
        return gx_error_nomem(err);
    const unsigned char *prev = (const unsigned char *)"";
    size_t n_prev = 0, len_prev = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s =
            (const unsigned char *)(terms[i].text ? terms[i].text : "");
        size_t len = strlen((const char *)s);
        size_t r = shared_words(b, prev, len_prev, n_prev, s, len);
        if (r && b->n_occ + r > b->cap_occ &&
            gx_grow(&b->order, &b->cap_occ, b->n_occ + r, sizeof *b->order))
            return gx_error_nomem(err);
        if (r)
            memcpy(b->order + b->n_occ, b->order + b->first[i - 1],
                   r * sizeof *b->order);
        b->first[i] = (uint32_t)b->n_occ;
        b->n_occ += r;
        const char *why = NULL;
        long got = read_words(b, s, r ? b->ends[r - 1] : 0, r, &why);
        if (got == -1)
            return gx_error_nomem(err);
        if (got < 0)
            return gx_error_set(err, GDPRX_EINVAL,
                                "term %zu (id %u) \"%s\": %s", i,
                                (unsigned)terms[i].id, (const char *)s, why);
        prev = s;
        len_prev = len;
        n_prev = (size_t)got;
    }
    b->first[n] = (uint32_t)b->n_occ;
    return 0;
}

/* Sort the distinct words for the byte trie. Each keeps its id, the symbol
 * written in order: the phrase automaton takes any numbering of the words
 * (ranks cost a pass over all word occurrences). */
static void sort_words(builder *b)
{
    if (b->n_uw > 1)
        qsort(b->uw, b->n_uw, sizeof *b->uw, cmp_uword);
    b->sc->n_syms = b->n_uw;
}

/* ---- build: the double-array byte trie --------------------------------- */

static int ensure_cells(builder *b, size_t need)
{
    gx_scanner *sc = b->sc;
    if (need <= sc->n_cells)
        return 0;
    if (gx_grow(&sc->cells, &b->cap_cells, need, sizeof *sc->cells) ||
        gx_grow(&sc->syms, &b->cap_syms, need, sizeof *sc->syms))
        return -1;
    if (gx_grow(&b->nf, &b->cap_nf, need + 1, sizeof *b->nf))
        return -1;
    for (size_t i = sc->n_cells; i < need; i++) {
        sc->cells[i] = (cell){0, NONE};
        sc->syms[i] = (cell_syms){NONE, NONE};
        b->nf[i] = (uint32_t)i;
    }
    b->nf[need] = (uint32_t)need;   /* past the end: free */
    sc->n_cells = need;
    return 0;
}

/* The first free cell at or after t (t <= n_cells; n_cells when none). */
static size_t next_free(builder *b, size_t t)
{
    size_t r = t;
    while (r < b->sc->n_cells && b->nf[r] != r)
        r = b->nf[r];
    while (r < b->sc->n_cells && b->sc->cells[r].check != NONE)
        r++;   /* (a skip that ended on a cell taken since) */
    for (size_t i = t; i < b->sc->n_cells && b->nf[i] != i && i != r;) {
        size_t nx = b->nf[i];
        b->nf[i] = (uint32_t)r;   /* path compression */
        i = nx;
    }
    return r;
}

static void take_cell(builder *b, size_t t, uint32_t owner)
{
    b->sc->cells[t].check = owner;
    b->nf[t] = (uint32_t)(t + 1);
}

static int taken(const gx_scanner *sc, size_t t)
{
    return t < sc->n_cells && sc->cells[t].check != NONE;
}

/* The first base at which every child byte c[0..k) finds a free cell. */
static size_t find_base(builder *b, const unsigned char *c, size_t k)
{
    b->first_free = next_free(b, b->first_free);
    for (size_t t = next_free(b, b->first_free > c[0] ? b->first_free : c[0]);;
         t = next_free(b, t + 1)) {
        if (taken(b->sc, t))
            continue;   /* (t == n_cells: the array grows below) */
        size_t base = t - c[0], j = 1;
        while (j < k && !taken(b->sc, base + c[j]))
            j++;
        if (j == k)
            return base;
    }
}

/* A trie node still to place: node s for the sorted words uw[lo, hi),
 * which share their first d bytes. */
typedef struct pending {
    uint32_t s;
    size_t lo, hi, d;
} pending;

/* Place node p.s's children, then push them (last first, so that they are
 * placed in byte order, depth first, as a recursion would). */
static int place(builder *b, pending p, pending **stack, size_t *n,
                 size_t *cap)
{
    size_t lo = p.lo, hi = p.hi, d = p.d;
    for (; lo < hi && b->uw[lo].w.n == d; lo++) {
        cell_syms *c = &b->sc->syms[p.s];
        if (b->uw[lo].w.prefix)
            c->prefix = b->uw[lo].sym;
        else
            c->exact = b->uw[lo].sym;
        b->sc->cells[p.s].base |= b->uw[lo].w.prefix ? HAS_PREFIX : HAS_EXACT;
    }
    unsigned char bytes[256];
    size_t from[257], k = 0;
    for (size_t i = lo; i < hi; i++) {
        unsigned char ch = (unsigned char)b->uw[i].w.p[d];
        if (k == 0 || bytes[k - 1] != ch) {
            bytes[k] = ch;
            from[k++] = i;
        }
    }
    from[k] = hi;
    if (k == 0)
        return 0;
    size_t base = find_base(b, bytes, k);
    if (base + 256 > BASE_MASK || ensure_cells(b, base + 256) ||
        gx_grow(stack, cap, *n + k, sizeof **stack))
        return -1;
    b->sc->cells[p.s].base |= (uint32_t)base;
    for (size_t j = 0; j < k; j++)
        take_cell(b, base + bytes[j], p.s);
    for (size_t j = k; j-- > 0;)
        (*stack)[(*n)++] = (pending){(uint32_t)(base + bytes[j]), from[j],
                                     from[j + 1], d + 1};
    return 0;
}

/* The byte trie of the words, placed node by node from an explicit stack:
 * a word is as deep as it is long, and rule files may hold long ones (a
 * recursion of a few KB per byte overflowed the stack on a fuzzed file). */
static int build_trie(builder *b)
{
    if (ensure_cells(b, 256))
        return -1;
    take_cell(b, 0, TAKEN);
    pending *stack = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (gx_grow(&stack, &cap, 1, sizeof *stack))
        return -1;
    stack[n++] = (pending){0, 0, b->n_uw, 0};
    while (n && !rc) {
        pending p = stack[--n];
        rc = place(b, p, &stack, &n, &cap);
    }
    free(stack);
    return rc;
}

/* ---- the phrase transitions: hash table and bloom filter ------------------ */

/* Multiplicative hashes of (st, sym); their high halves depend on both. */
static size_t hash_key(uint32_t st, uint32_t sym, size_t mask)
{
    uint64_t key = (uint64_t)st << 32 | sym;
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static size_t bloom_bit(uint32_t st, uint32_t sym, size_t mask)
{
    uint64_t key = (uint64_t)st << 32 | sym;
    return (size_t)((key * 0xC2B2AE3D27D4EB4Full) >> 32) & mask;
}

/* Whether (st, sym) may have a transition (the bloom bit is set). */
static int bloom_has(const gx_scanner *sc, uint32_t st, uint32_t sym)
{
    size_t bit = bloom_bit(st, sym, sc->bmask);
    return (int)(sc->bloom[bit >> 6] >> (bit & 63)) & 1;
}

/* One hash bit per transition in a set of about 16 bits per transition,
 * at most 2^18 bits (32 KiB) so that it stays in cache; a false positive
 * only costs a probe of the table. */
static int build_bloom(gx_scanner *sc, size_t n_trans)
{
    size_t bits = 512;
    while (bits < 16 * n_trans && bits < ((size_t)1 << 18))
        bits *= 2;
    sc->bloom = calloc(bits / 64, sizeof *sc->bloom);
    if (!sc->bloom)
        return -1;
    sc->bmask = bits - 1;
    for (size_t i = 0; i <= sc->tmask; i++) {
        const trans *t = &sc->tr[i];
        if (t->state == NONE)
            continue;
        size_t bit = bloom_bit(t->state, t->sym, sc->bmask);
        sc->bloom[bit >> 6] |= (uint64_t)1 << (bit & 63);
    }
    return 0;
}

/* The slot of (st, sym): its own, or the free one where it would go. */
static const trans *find_slot(const trans *tr, size_t mask, uint32_t st,
                              uint32_t sym)
{
    size_t h = hash_key(st, sym, mask);
    while (tr[h].state != NONE && (tr[h].state != st || tr[h].sym != sym))
        h = (h + 1) & mask;
    return &tr[h];
}

/* ---- build: the minimal automaton, term by term ---------------------------- */

/* The terms' word sequences go into the minimal automaton directly, in
 * sorted order (Daciuk, Mihov, Watson and Watson 2000, "Incremental
 * construction of minimal acyclic finite-state automata", the sorted-input
 * variant): the states along the current term's path stay open; when a term
 * leaves the previous one's path, the states it leaves can get no more
 * children, and each is replaced by its equal among the states registered so
 * far, or registered itself. Equal states report the same concepts and go on
 * by the same words to the same states: they find the same hits. A phrase
 * trie of all terms (77-131 K states per language), minimized afterwards,
 * cost a third of a rule-set load; the minimal automaton has 4-5 K. A state
 * is registered after its children, so a child's number is below its
 * parent's. */

typedef struct edge {          /* a transition by sym to a registered state */
    uint32_t sym, to;
} edge;

typedef struct mstate {        /* a registered state */
    uint32_t out, n_out;       /* its concepts: m_out[out, out + n_out),
                                  ascending */
    uint32_t kid, n_kid;       /* its children: m_kid[kid, kid + n_kid), by
                                  symbol */
    uint64_t hash;             /* of both */
} mstate;

typedef struct open_state {    /* a state on the current path; arrays owned */
    uint32_t *out;             /* its concepts, as the terms come */
    size_t n_out, cap_out;
    edge *kid;                 /* its registered children, by symbol (sorted
                                  terms leave a child before the next one) */
    size_t n_kid, cap_kid;
} open_state;

/* Term indices by number of words (stable): by_len[at[m], at[m + 1]) have
 * m words. at has max + 2 entries; both owned by the caller. */
static int group_by_length(const builder *b, size_t n, size_t max,
                           uint32_t **by_len, size_t **at)
{
    *at = calloc(max + 2, sizeof **at);
    *by_len = malloc((n ? n : 1) * sizeof **by_len);
    if (!*at || !*by_len)
        return -1;
    for (size_t t = 0; t < n; t++)
        (*at)[b->first[t + 1] - b->first[t] + 1]++;
    for (size_t m = 0; m <= max; m++)
        (*at)[m + 1] += (*at)[m];
    size_t *fill = *at;   /* at[m] moves to at[m + 1], then back */
    for (size_t t = 0; t < n; t++)
        (*by_len)[fill[b->first[t + 1] - b->first[t]]++] = (uint32_t)t;
    for (size_t m = max + 1; m > 0; m--)
        fill[m] = fill[m - 1];
    fill[0] = 0;
    return 0;
}

/* Stable sort of terms in[0, k) into out by their word at position p, by
 * counting (cnt: n_syms + 1 entries; key: k entries, the words read once). */
static void count_by_word(const builder *b, const uint32_t *in, size_t k,
                          size_t p, uint32_t *cnt, uint64_t *key,
                          uint32_t *out)
{
    size_t ns = b->sc->n_syms;
    memset(cnt, 0, (ns + 1) * sizeof *cnt);
    for (size_t i = 0; i < k; i++) {
        key[i] = b->order[b->first[in[i]] + p];
        cnt[key[i] + 1]++;
    }
    for (size_t s = 0; s < ns; s++)
        cnt[s + 1] += cnt[s];
    for (size_t i = 0; i < k; i++)
        out[cnt[key[i]]++] = in[i];
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* The same by comparison (key: word, then place in `in`), when there are
 * far fewer terms than symbols: counting costs a pass over all symbols, and
 * a rule set may hold one term of many words. tmp: k entries. */
static void compare_by_word(const builder *b, const uint32_t *in, size_t k,
                            size_t p, uint64_t *tmp, uint32_t *out)
{
    for (size_t i = 0; i < k; i++)
        tmp[i] = (uint64_t)b->order[b->first[in[i]] + p] << 32 | i;
    qsort(tmp, k, sizeof *tmp, cmp_u64);
    for (size_t i = 0; i < k; i++)
        out[i] = in[tmp[i] & 0xffffffffu];
}

/* b->sorted: the terms by word sequence (a prefix first), equal sequences
 * in term order. A radix sort from the last word position to the first:
 * the pass at position p sorts the terms of more than p words, those of
 * exactly p + 1 (whose rest is empty) in front of the others. */
static int sort_terms(builder *b, size_t n)
{
    size_t max = 0, k = 0;
    for (size_t t = 0; t < n; t++)
        if (b->first[t + 1] - b->first[t] > max)
            max = b->first[t + 1] - b->first[t];
    uint32_t *by_len = NULL, *in = malloc((n ? n : 1) * sizeof *in);
    uint32_t *cnt = malloc((b->sc->n_syms + 1) * sizeof *cnt);
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    size_t *at = NULL;
    b->sorted = malloc((n ? n : 1) * sizeof *b->sorted);
    int rc = !in || !cnt || !tmp || !b->sorted ||
             group_by_length(b, n, max, &by_len, &at);
    for (size_t p = max; !rc && p-- > 0;) {
        size_t ending = at[p + 2] - at[p + 1];   /* terms of p + 1 words */
        memcpy(in, by_len + at[p + 1], ending * sizeof *in);
        memcpy(in + ending, b->sorted, k * sizeof *in);
        k += ending;
        if (8 * k < b->sc->n_syms)
            compare_by_word(b, in, k, p, tmp, b->sorted);
        else
            count_by_word(b, in, k, p, cnt, tmp, b->sorted);
    }
    free(by_len);
    free(at);
    free(in);
    free(cnt);
    free(tmp);
    return rc ? -1 : 0;
}

/* Sort o's concepts and keep each once (a state has a few). */
static void settle_concepts(open_state *o)
{
    if (o->n_out < 2)
        return;
    size_t k = 0;
    for (size_t i = 0; i < o->n_out; i++) {
        uint32_t x = o->out[i];
        size_t j = k;
        for (; j > 0 && o->out[j - 1] > x; j--)
            o->out[j] = o->out[j - 1];
        if (j > 0 && o->out[j - 1] == x) {   /* a duplicate: undo */
            memmove(o->out + j, o->out + j + 1, (k - j) * sizeof *o->out);
            continue;
        }
        o->out[j] = x;
        k++;
    }
    o->n_out = k;
}

static uint64_t open_hash(const open_state *o)
{
    uint64_t h = 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < o->n_out; i++)
        h = (h ^ o->out[i]) * 0x9E3779B97F4A7C15ull;
    h = (h ^ 0xFFFFFFFFull) * 0x9E3779B97F4A7C15ull;   /* outputs end */
    for (size_t i = 0; i < o->n_kid; i++) {
        h = (h ^ o->kid[i].sym) * 0x9E3779B97F4A7C15ull;
        h = (h ^ o->kid[i].to) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return h ^ (h >> 32);
}

/* (Loops, not memcmp: the arrays hold one or two entries, and the calls
 * cost more than the comparisons.) */
static int same_as_open(const builder *b, const mstate *s,
                        const open_state *o, uint64_t h)
{
    if (s->hash != h || s->n_out != o->n_out || s->n_kid != o->n_kid)
        return 0;
    /* (indices, not b->m_out + s->out: m_out is NULL while no state has
     * concepts, and NULL + 0 is undefined) */
    for (size_t i = 0; i < o->n_out; i++)
        if (b->m_out[s->out + i] != o->out[i])
            return 0;
    for (size_t i = 0; i < o->n_kid; i++) {
        const edge *kid = &b->m_kid[s->kid + i];
        if (kid->sym != o->kid[i].sym || kid->to != o->kid[i].to)
            return 0;
    }
    return 1;
}

static uint64_t registered_hash(const builder *b, size_t i)
{
    return b->ms[i].hash;
}

/* Double the register (or make its first one); ms[0], the root, is never
 * registered. */
static int grow_reg(builder *b)
{
    size_t size = b->reg ? 2 * (b->reg_mask + 1) : 4096;
    uint32_t *reg = id_table(b, size, 1, b->n_ms, registered_hash);
    if (!reg)
        return -1;
    free(b->reg);
    b->reg = reg;
    b->reg_mask = size - 1;
    return 0;
}

/* Append o as a new registered state; its id is b->n_ms - 1. */
static int add_mstate(builder *b, const open_state *o, uint64_t h)
{
    if (b->n_ms >= NONE - 1 ||
        gx_grow(&b->ms, &b->cap_ms, b->n_ms + 1, sizeof *b->ms) ||
        gx_grow(&b->m_out, &b->cap_mout, b->n_mout + o->n_out,
                sizeof *b->m_out) ||
        gx_grow(&b->m_kid, &b->cap_mkid, b->n_mkid + o->n_kid,
                sizeof *b->m_kid))
        return -1;
    if (o->n_out)   /* (memcpy takes no NULL, even for 0 bytes) */
        memcpy(b->m_out + b->n_mout, o->out, o->n_out * sizeof *o->out);
    if (o->n_kid)
        memcpy(b->m_kid + b->n_mkid, o->kid, o->n_kid * sizeof *o->kid);
    b->ms[b->n_ms++] = (mstate){(uint32_t)b->n_mout, (uint32_t)o->n_out,
                                (uint32_t)b->n_mkid, (uint32_t)o->n_kid, h};
    b->n_mout += o->n_out;
    b->n_mkid += o->n_kid;
    return 0;
}

/* *id: the registered state equal to o, registered now when new; o is
 * emptied for the next state at its depth. */
static int replace_or_register(builder *b, open_state *o, uint32_t *id)
{
    settle_concepts(o);
    if (2 * (b->n_ms + 1) > b->reg_mask + 1 && grow_reg(b))
        return -1;
    uint64_t h = open_hash(o);
    size_t k = (size_t)h & b->reg_mask;
    uint32_t s;
    while ((s = b->reg[k]) != NONE && !same_as_open(b, &b->ms[s], o, h))
        k = (k + 1) & b->reg_mask;
    if (s == NONE) {
        if (add_mstate(b, o, h))
            return -1;
        s = b->reg[k] = (uint32_t)(b->n_ms - 1);
    }
    *id = s;
    o->n_out = o->n_kid = 0;
    return 0;
}

/* Close the previous term's path w[0, m) below depth j: each state, deepest
 * first, is registered and becomes its parent's child. */
static int close_path(builder *b, const uint32_t *w, size_t m, size_t j)
{
    for (size_t d = m; d > j; d--) {
        uint32_t id;
        if (replace_or_register(b, &b->open[d], &id))
            return -1;
        if (d == 1) {
            b->sc->root_next[w[0]] = id;
            continue;
        }
        open_state *p = &b->open[d - 1];
        if (p->n_kid == p->cap_kid &&
            gx_grow(&p->kid, &p->cap_kid, p->n_kid + 1, sizeof *p->kid))
            return -1;
        p->kid[p->n_kid++] = (edge){w[d - 1], id};
    }
    return 0;
}

/* Room for a path of m words; adds `concept` to its last state. */
static int open_path(builder *b, size_t m, uint32_t concept)
{
    if (m + 1 > b->cap_open) {
        size_t old = b->cap_open;
        if (gx_grow(&b->open, &b->cap_open, m + 1, sizeof *b->open))
            return -1;
        memset(b->open + old, 0, (b->cap_open - old) * sizeof *b->open);
    }
    open_state *o = &b->open[m];
    if (o->n_out && o->out[o->n_out - 1] == concept)
        return 0;
    if (o->n_out == o->cap_out &&
        gx_grow(&o->out, &o->cap_out, o->n_out + 1, sizeof *o->out))
        return -1;
    o->out[o->n_out++] = concept;
    return 0;
}

/* The scanner's states, concepts and transition table from the registered
 * states (the root's children are in root_next already). */
static int finish_automaton(builder *b)
{
    gx_scanner *sc = b->sc;
    size_t ns = b->n_ms, n_tr = b->n_mkid, size = 16;
    while (size < 2 * n_tr)
        size *= 2;
    sc->states = malloc(ns * sizeof *sc->states);
    sc->tr = malloc(size * sizeof *sc->tr);
    if (!sc->states || !sc->tr ||
        (!b->m_out && !(b->m_out = malloc(sizeof *b->m_out))))
        return -1;
    for (size_t i = 0; i < size; i++)
        sc->tr[i].state = NONE;
    sc->tmask = size - 1;
    sc->states[0] = (pstate){0, 0, b->n_ms > 1};
    for (uint32_t s = 1; s < ns; s++) {
        const mstate *m = &b->ms[s];
        sc->states[s] = (pstate){m->out, m->n_out, m->n_kid > 0};
        for (uint32_t i = m->kid; i < m->kid + m->n_kid; i++) {
            const edge *e = &b->m_kid[i];
            *(trans *)find_slot(sc->tr, sc->tmask, s, e->sym) =
                (trans){s, e->sym, e->to};
            sc->later[e->sym] = 1;
        }
    }
    sc->n_states = ns;
    sc->outs = b->m_out;
    sc->n_outs = b->n_mout;
    b->m_out = NULL;
    b->n_trans = n_tr;
    return 0;
}

/* The minimal automaton of the terms' word sequences, built in sorted
 * order. */
static int build_minimal(builder *b, const gx_term *terms, size_t n)
{
    gx_scanner *sc = b->sc;
    size_t ns = sc->n_syms ? sc->n_syms : 1;
    sc->root_next = malloc(ns * sizeof *sc->root_next);
    sc->later = calloc(ns, 1);
    if (!sc->root_next || !sc->later || sort_terms(b, n) || grow_reg(b) ||
        gx_grow(&b->ms, &b->cap_ms, 1, sizeof *b->ms))
        return -1;
    for (size_t i = 0; i < sc->n_syms; i++)
        sc->root_next[i] = NONE;
    b->ms[b->n_ms++] = (mstate){0, 0, 0, 0, 0};   /* the root */
    const uint32_t *pw = NULL;
    size_t pm = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t t = b->sorted[i];
        const uint32_t *w = b->order + b->first[t];
        size_t m = b->first[t + 1] - b->first[t], j = 0;
        while (j < m && j < pm && w[j] == pw[j])
            j++;
        if (close_path(b, pw, pm, j) || open_path(b, m, terms[t].concept))
            return -1;
        pw = w;
        pm = m;
    }
    return close_path(b, pw, pm, 0) || finish_automaton(b) ? -1 : 0;
}

/* Release the builder's arrays of the minimal automaton. */
static void free_minimal(builder *b)
{
    for (size_t d = 0; d < b->cap_open; d++) {
        free(b->open[d].out);
        free(b->open[d].kid);
    }
    free(b->open);
    free(b->sorted);
    free(b->ms);
    free(b->m_out);
    free(b->m_kid);
    free(b->reg);
}

int gx_scanner_build(gx_scanner **out, const gx_term *terms, size_t n,
                     gdprx_error *err)
{
    builder b = {0};
    int rc = GDPRX_OK;
    if (n >= NONE || !(b.sc = calloc(1, sizeof *b.sc))) {
        rc = gx_error_nomem(err);
        goto out;
    }
    init_classes(b.sc->cls);
    if ((rc = collect_words(&b, terms, n, err)))
        goto out;
    sort_words(&b);
    if (build_trie(&b) || build_minimal(&b, terms, n) ||
        build_bloom(b.sc, b.n_trans))
        rc = gx_error_nomem(err);
out:
    free(b.uw);
    free(b.slot);
    free(b.ends);
    free(b.nf);
    free(b.first);
    free(b.order);
    free_minimal(&b);
    if (rc) {
        gx_scanner_free(b.sc);
        return rc;
    }
    *out = b.sc;
    return GDPRX_OK;
}

void gx_scanner_shape(const gx_scanner *sc, size_t *states, size_t *trans)
{
    *states = sc->n_states;
    *trans = 0;
    for (size_t i = 0; i <= sc->tmask; i++)
        *trans += sc->tr[i].state != NONE;
}

void gx_scanner_free(gx_scanner *sc)
{
    if (!sc)
        return;
    free(sc->cells);
    free(sc->syms);
    free(sc->later);
    free(sc->root_next);
    free(sc->tr);
    free(sc->bloom);
    free(sc->states);
    free(sc->outs);
    free(sc);
}

size_t gx_scanner_size(const gx_scanner *sc)
{
    if (!sc)
        return 0;
    return sizeof *sc +
           sc->n_cells * (sizeof *sc->cells + sizeof *sc->syms) +
           sc->n_syms * (sizeof *sc->root_next + sizeof *sc->later) +
           (sc->tmask + 1) * sizeof *sc->tr + (sc->bmask + 1) / 8 +
           sc->n_states * sizeof *sc->states + sc->n_outs * sizeof *sc->outs;
}

/* ---- scan ----------------------------------------------------------------- */

typedef struct active {        /* a phrase begun and still going on */
    uint32_t state, w0;
    size_t s;
} active;

typedef struct scratch {       /* per-call buffers; all owned */
    active *cur, *nxt;
    size_t n_cur, n_nxt, cap_cur, cap_nxt;
    uint32_t *sym;
    size_t n_sym, cap_sym;
} scratch;

static int add_symbol(scratch *x, uint32_t sym)
{
    if (x->n_sym == x->cap_sym &&
        gx_grow(&x->sym, &x->cap_sym, x->n_sym + 1, sizeof *x->sym))
        return -1;
    x->sym[x->n_sym++] = sym;
    return 0;
}

/* Read the word at t[*i] (ending at *i on return) and collect its symbols:
 * the prefixes along its walk through the byte trie, then the exact word.
 * Only word bytes have transitions, so a failed one either ends the word
 * or ends the walk (no term word goes on), and the rest is skipped fast. */
static int read_word(const gx_scanner *sc, const unsigned char *t, size_t len,
                     size_t *i, scratch *x)
{
    const cell *c = sc->cells;
    const uint8_t *cls = sc->cls;
    size_t j = *i;
    uint32_t s = 0;
    x->n_sym = 0;
    for (; j < len; j++) {
        uint32_t to = (c[s].base & BASE_MASK) + t[j];
        if (c[to].check != s)
            break;
        s = to;
        if ((c[s].base & HAS_PREFIX) && add_symbol(x, sc->syms[s].prefix))
            return -1;
    }
    if (j < len && cls[t[j]] == WORD) {
        while (++j < len && cls[t[j]] == WORD)
            ;
        *i = j;
        return 0;
    }
    *i = j;
    return c[s].base & HAS_EXACT ? add_symbol(x, sc->syms[s].exact) : 0;
}

static int hit_less(const gx_scan_hit *a, const gx_scan_hit *b)
{
    if (a->s != b->s)
        return a->s < b->s;
    if (a->e != b->e)
        return a->e < b->e;
    return a->concept < b->concept;
}

static int same_hit(const gx_scan_hit *a, const gx_scan_hit *b)
{
    return a->s == b->s && a->e == b->e && a->concept == b->concept;
}

/* Insert x in order, keeping one hit per (concept, s, e).
 * Hits come by end word, so x moves back only past the few hits that start
 * inside its span. */
static int insert_hit(gx_scan_hits *h, const gx_scan_hit *x)
{
    size_t p = h->n;
    while (p > 0 && hit_less(x, &h->v[p - 1]))
        p--;
    if ((p > 0 && same_hit(&h->v[p - 1], x)) ||
        (p < h->n && same_hit(&h->v[p], x)))
        return 0;
    if (h->n == h->cap && gx_grow(&h->v, &h->cap, h->n + 1, sizeof *h->v))
        return -1;
    if (p < h->n)   /* most hits come in order: no call for nothing */
        memmove(&h->v[p + 1], &h->v[p], (h->n - p) * sizeof *h->v);
    h->v[p] = *x;
    h->n++;
    return 0;
}

/* Report the terms of state st for a phrase from (s, w0) to (we, w1), and
 * carry the state to the next word when longer phrases go on from it. */
static int reach(const gx_scanner *sc, uint32_t st, const active *from,
                 size_t we, uint32_t w1, scratch *x, gx_scan_hits *h)
{
    const pstate *p = &sc->states[st];
    for (uint32_t k = 0; k < p->n_out; k++) {
        gx_scan_hit hit = {sc->outs[p->out + k], (uint32_t)from->s,
                           (uint32_t)we, from->w0, w1};
        if (insert_hit(h, &hit))
            return -1;
    }
    if (!p->kids)
        return 0;
    if (x->n_nxt == x->cap_nxt &&
        gx_grow(&x->nxt, &x->cap_nxt, x->n_nxt + 1, sizeof *x->nxt))
        return -1;
    x->nxt[x->n_nxt++] = (active){st, from->w0, from->s};
    return 0;
}

/* Advance the phrases over word w = text[ws, we) with symbols x->sym: new
 * ones start at the root; the carried ones (x->cur) go on when `joined`. */
static int advance(const gx_scanner *sc, size_t ws, size_t we, uint32_t w,
                   int joined, scratch *x, gx_scan_hits *h)
{
    x->n_nxt = 0;
    const active start = {0, w, ws};
    for (size_t k = 0; k < x->n_sym; k++) {
        uint32_t to = sc->root_next[x->sym[k]];
        if (to != NONE && reach(sc, to, &start, we, w, x, h))
            return -1;
    }
    for (size_t k = 0; joined && k < x->n_sym; k++) {
        if (!sc->later[x->sym[k]])
            continue;
        for (size_t i = 0; i < x->n_cur; i++) {
            if (!bloom_has(sc, x->cur[i].state, x->sym[k]))
                continue;
            const trans *t = find_slot(sc->tr, sc->tmask, x->cur[i].state,
                                       x->sym[k]);
            if (t->state != NONE && reach(sc, t->to, &x->cur[i], we, w, x, h))
                return -1;
        }
    }
    active *a = x->cur;
    size_t cap = x->cap_cur;
    x->cur = x->nxt, x->cap_cur = x->cap_nxt, x->n_cur = x->n_nxt;
    x->nxt = a, x->cap_nxt = cap;
    return 0;
}

int gx_scan(const gx_scanner *sc, const char *text, size_t len,
            gx_scan_hits *out)
{
    const unsigned char *t = (const unsigned char *)text;
    const uint8_t *cls = sc->cls;
    scratch x = {0};
    uint32_t w = 0;
    if (len >= UINT32_MAX)   /* hits hold 32-bit offsets */
        return -1;
    out->n = 0;
    /* about one hit per 3-4 bytes of policy text: room for them at once
     * (growing from 8 copied the array a dozen times), bounded for huge
     * texts */
    size_t guess = len / 4 < (1u << 16) ? len / 4 : (1u << 16);
    if (gx_grow(&out->v, &out->cap, guess, sizeof *out->v))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < len && !rc;) {
        size_t g = i;
        int joined = w > 0;
        for (; i < len && cls[t[i]] != WORD; i++)
            joined &= cls[t[i]] == JOIN;
        if (i == len)
            break;
        joined &= i - g <= MAX_GAP;
        size_t ws = i;
        rc = read_word(sc, t, len, &i, &x);
        if (!rc && (x.n_sym || x.n_cur))
            rc = advance(sc, ws, i, w, joined, &x, out);
        w++;
    }
    free(x.cur);
    free(x.nxt);
    free(x.sym);
    out->n_words = w;
    return rc;
}

/* ---- the naive reference ------------------------------------------------- */

typedef struct span {
    size_t s, e;
    int joined;                /* the gap before it joins a phrase */
} span;

static int text_words(const uint8_t *cls, const unsigned char *t, size_t len,
                      span **v, size_t *n)
{
    size_t cap = 0;
    *n = 0;
    for (size_t i = 0; i < len;) {
        size_t g = i;
        while (i < len && cls[t[i]] != WORD)
            i++;
        if (i == len)
            break;
        int joined = *n > 0 && i - g <= MAX_GAP;
        for (size_t j = g; j < i; j++)
            joined = joined && cls[t[j]] == JOIN;
        size_t s = i;
        while (i < len && cls[t[i]] == WORD)
            i++;
        if (gx_grow(v, &cap, *n + 1, sizeof **v))
            return -1;
        (*v)[(*n)++] = (span){s, i, joined};
    }
    return 0;
}

static int word_matches(const tword *w, const char *s, size_t n)
{
    return (w->prefix ? n >= w->n : n == w->n) && !memcmp(w->p, s, w->n);
}

/* Does the term (words tw[0, m)) match at text word i? */
static int term_at(const words *tw, const char *text, const span *v,
                   size_t nv, size_t i)
{
    for (size_t k = 0; k < tw->n; k++) {
        if (i + k >= nv || (k > 0 && !v[i + k].joined) ||
            !word_matches(&tw->v[k], text + v[i + k].s,
                          v[i + k].e - v[i + k].s))
            return 0;
    }
    return 1;
}

int gx_scan_naive(const gx_term *terms, size_t n, const char *text,
                  size_t len, gx_scan_hits *out)
{
    uint8_t cls[256];
    if (len >= UINT32_MAX)
        return -1;
    init_classes(cls);
    span *v = NULL;
    size_t nv = 0;
    words tw = {0};
    int rc = text_words(cls, (const unsigned char *)text, len, &v, &nv);
    out->n = 0;
    for (size_t t = 0; t < n && !rc; t++) {
        const char *why;
        int r = split_term(cls, terms[t].text, &tw, &why);
        if (r)
            rc = r < 0 ? -1 : 0;
        for (size_t i = 0; !r && i < nv && !rc; i++)
            if (term_at(&tw, text, v, nv, i))
                rc = add_hit(out, terms[t].concept, v[i].s, v[i + tw.n - 1].e,
                             (uint32_t)i, (uint32_t)(i + tw.n - 1));
    }
    out->n_words = (uint32_t)nv;
    if (!rc)
        sort_hits(out);
    free(v);
    free(tw.v);
    return rc;
}
