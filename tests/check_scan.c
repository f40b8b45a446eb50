/* SPDX-License-Identifier: MIT */
/* The one-pass concept scanner: each matching rule by hand, build errors,
 * and agreement with the naive reference on random term sets and texts and
 * on the development corpus. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scan.h"

#define MAX_TERMS 16

/* Terms are '|'-separated; "3:text" gives concept 3 (else the concept is
 * the term's index); term ids are indices. Hits are written
 * "concept:w0-w1:[text]", space-separated. */
static const struct case_ {
    const char *name, *terms, *text, *want;
} cases[] = {
    {"one word", "data", "our data here", "0:1-1:[data]"},
    {"whole words only", "data", "database metadata data_x xdata", ""},
    {"capitals are other bytes", "data", "Data DATA", ""},
    {"prefix matches itself and longer words", "conserv*",
     "conserv conserve conservees conser",
     "0:0-0:[conserv] 0:1-1:[conserve] 0:2-2:[conservees]"},
    {"a word without '*' matches only itself", "conserv", "conserve conserv",
     "0:1-1:[conserv]"},
    {"phrase gaps: space, '-', '\\'', up to 3 bytes", "e mail",
     "e mail, e-mail, e'mail, e - mail, e -'mail",
     "0:0-1:[e mail] 0:2-3:[e-mail] 0:4-5:[e'mail] "
     "0:6-7:[e - mail] 0:8-9:[e -'mail]"},
    {"a 4-byte gap breaks a phrase", "e mail", "e    mail e -- mail", ""},
    {"punctuation and line breaks break a phrase", "personal data",
     "personal. data personal, data personal\ndata personal\r\ndata "
     "personal*data personal/data",
     ""},
    {"term separators do not matter", "e-mail|l'adresse",
     "e mail l adresse",
     "0:0-1:[e mail] 1:2-3:[l adresse]"},
    {"UTF-8 bytes are word bytes", "donn\xc3\xa9" "es|caf*",
     "les donn\xc3\xa9" "es du caf\xc3\xa9 donn\xc3\xa9" "esx donnees",
     "0:1-1:[donn\xc3\xa9" "es] 1:3-3:[caf\xc3\xa9]"},
    {"overlapping hits all reported", "data|personal data|personal",
     "personal data",
     "2:0-0:[personal] 1:0-1:[personal data] 0:1-1:[data]"},
    {"prefix words in a phrase", "person* dat*",
     "personal data personnes datas person. data",
     "0:0-1:[personal data] 0:2-3:[personnes datas]"},
    {"repeated words", "data data", "data data data",
     "0:0-1:[data data] 0:1-2:[data data]"},
    {"three words", "right to erasure", "the right to-erasure right to",
     "0:1-3:[right to-erasure]"},
    {"duplicates of one concept: one hit", "1:dat*|1:data|1:data",
     "data", "1:0-0:[data]"},
    {"same span, other concepts: by concept", "5:data|2:data|5:da*",
     "data", "2:0-0:[data] 5:0-0:[data]"},
    {"phrase and shorter phrase", "1:data|1:data subject|1:data subject*",
     "data subjects", "1:0-0:[data] 1:0-1:[data subjects]"},
    {"shared endings: merged states keep their concepts",
     "1:we keep data|1:us keep data|2:we keep|3:us keep",
     "us keep data, we keep data",
     "3:0-1:[us keep] 1:0-2:[us keep data] 2:3-4:[we keep] "
     "1:3-5:[we keep data]"},
    {"word indices count every word", "keep",
     "  we, 12 we_ keep! keep", "0:3-3:[keep] 0:4-4:[keep]"},
    {"a phrase restarts after a failed word", "a b c", "a b a b c",
     "0:2-4:[a b c]"},
    {"a phrase and a longer one of one concept: both found (a miss reported "
     "in a rule was not the scanner's)", "1:vos informations|1:vos informations de compte"
     "|2:informations|1:vos preferences",
     "vous pouvez modifier vos informations de compte et vos preferences",
     "1:3-4:[vos informations] 1:3-6:[vos informations de compte] "
     "2:4-4:[informations] 1:8-9:[vos preferences]"},
    {"no words", "data", " ,.;\n - ' *", ""},
    {"empty text", "data", "", ""},
};

static size_t parse_terms(const char *spec, char buf[][64], gx_term *t)
{
    size_t n = 0;
    for (const char *p = spec; n < MAX_TERMS; p++) {
        const char *q = strchr(p, '|');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        unsigned concept = (unsigned)n;
        const char *colon = memchr(p, ':', len);
        if (colon) {
            concept = (unsigned)atoi(p);
            len -= (size_t)(colon + 1 - p);
            p = colon + 1;
        }
        snprintf(buf[n], 64, "%.*s", (int)len, p);
        t[n] = (gx_term){buf[n], concept, (uint32_t)n};
        n++;
        if (!q)
            break;
        p = q;
    }
    return n;
}

static int is_word(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
           (u >= '0' && u <= '9') || u == '_' || u >= 0x80;
}

/* Every hit starts where a word starts and ends where a word ends. */
static void check_bounds(const char *name, const char *text,
                         const gx_scan_hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        const gx_scan_hit *x = &h->v[i];
        ck_assert_msg(x->s < x->e && x->w0 <= x->w1 && x->w1 < h->n_words &&
                          is_word(text[x->s]) && is_word(text[x->e - 1]) &&
                          (x->s == 0 || !is_word(text[x->s - 1])) &&
                          !is_word(text[x->e]),
                      "%s: hit %zu has span %u-%u words %u-%u", name, i,
                      x->s, x->e, x->w0, x->w1);
    }
}

static void format_hits(const char *text, const gx_scan_hits *h, char *buf,
                        size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < h->n && n < size; i++) {
        const gx_scan_hit *x = &h->v[i];
        n += (size_t)snprintf(buf + n, size - n, "%s%u:%u-%u:[%.*s]",
                              i ? " " : "", x->concept, x->w0, x->w1,
                              (int)(x->e - x->s), text + x->s);
    }
}

static void expect_same(const char *name, const gx_scan_hits *a,
                        const gx_scan_hits *b)
{
    ck_assert_msg(a->n == b->n && a->n_words == b->n_words,
                  "%s: %zu hits / %u words, naive %zu / %u", name, a->n,
                  a->n_words, b->n, b->n_words);
    for (size_t i = 0; i < a->n; i++) {
        const gx_scan_hit *x = &a->v[i], *y = &b->v[i];
        ck_assert_msg(x->concept == y->concept && x->s == y->s &&
                          x->e == y->e && x->w0 == y->w0 && x->w1 == y->w1,
                      "%s: hit %zu: %u %u-%u, naive %u %u-%u", name, i,
                      x->concept, x->s, x->e, y->concept, y->s, y->e);
    }
}

START_TEST(test_cases)
{
    const struct case_ *c = &cases[_i];
    char buf[MAX_TERMS][64];
    gx_term terms[MAX_TERMS];
    size_t n = parse_terms(c->terms, buf, terms);
    gx_scanner *sc = NULL;
    gdprx_error err;
    ck_assert_msg(gx_scanner_build(&sc, terms, n, &err) == GDPRX_OK, "%s: %s",
                  c->name, err.message);
    gx_scan_hits h = {0}, naive = {0};
    ck_assert_msg(gx_scan(sc, c->text, strlen(c->text), &h) == 0, "%s",
                  c->name);
    char got[1024];
    format_hits(c->text, &h, got, sizeof got);
    ck_assert_msg(!strcmp(got, c->want), "%s: got \"%s\", want \"%s\"",
                  c->name, got, c->want);
    check_bounds(c->name, c->text, &h);
    ck_assert_msg(gx_scan_naive(terms, n, c->text, strlen(c->text), &naive) ==
                      0, "%s: naive", c->name);
    expect_same(c->name, &h, &naive);
    gx_scan_hits_free(&h);
    gx_scan_hits_free(&naive);
    gx_scanner_free(sc);
}
END_TEST

/* Byte offsets and word counts, spelled out once. */
START_TEST(test_offsets)
{
    const char *text = "- we keep your e-mail address, e mail\n";
    const gx_term terms[] = {{"e mail", 7, 1}, {"keep", 3, 9}};
    gx_scanner *sc = NULL;
    ck_assert_int_eq(gx_scanner_build(&sc, terms, 2, NULL), GDPRX_OK);
    gx_scan_hits h = {0};
    for (int round = 0; round < 2; round++) { /* the hits are reusable */
        ck_assert_int_eq(gx_scan(sc, text, strlen(text), &h), 0);
        ck_assert_uint_eq(h.n, 3);
        ck_assert_uint_eq(h.n_words, 8);
        const gx_scan_hit want[] = {{3, 5, 9, 1, 1},
                                    {7, 15, 21, 3, 4},
                                    {7, 31, 37, 6, 7}};
        for (size_t i = 0; i < 3; i++)
            ck_assert_msg(h.v[i].concept == want[i].concept &&
                              h.v[i].s == want[i].s && h.v[i].e == want[i].e &&
                              h.v[i].w0 == want[i].w0 &&
                              h.v[i].w1 == want[i].w1,
                          "hit %zu: %u %u-%u words %u-%u", i,
                          h.v[i].concept, h.v[i].s, h.v[i].e,
                          h.v[i].w0, h.v[i].w1);
    }
    ck_assert_int_eq(gx_scan(sc, text, 0, &h), 0);
    ck_assert_msg(h.n == 0 && h.n_words == 0, "empty text");
    ck_assert_msg(gx_scanner_size(sc) > 0, "size");
    gx_scan_hits_free(&h);
    gx_scanner_free(sc);
}
END_TEST

START_TEST(test_no_terms)
{
    gx_scanner *sc = NULL;
    ck_assert_int_eq(gx_scanner_build(&sc, NULL, 0, NULL), GDPRX_OK);
    gx_scan_hits h = {0};
    ck_assert_int_eq(gx_scan(sc, "some words", 10, &h), 0);
    ck_assert_msg(h.n == 0 && h.n_words == 2, "%zu hits", h.n);
    gx_scan_hits_free(&h);
    gx_scanner_free(sc);
}
END_TEST

static const struct error_case {
    const char *name, *term, *want;
} errors[] = {
    {"empty", "", "term 1 (id 11) \"\": empty term"},
    {"separators only", " - ' ", "empty term"},
    {"lone star", "*", "'*' not at a word end"},
    {"star before a word", "data *keep", "'*' not at a word end"},
    {"star inside a word", "ab*c", "\"ab*c\": '*' not at a word end"},
    {"two stars", "dat**", "'*' not at a word end"},
    {"star after a space", "data *", "'*' not at a word end"},
    {"one-byte prefix", "personal d*",
     "\"personal d*\": prefix shorter than 2 bytes before '*'"},
};

START_TEST(test_errors)
{
    const struct error_case *c = &errors[_i];
    const gx_term terms[] = {{"da*", 0, 10}, {c->term, 0, 11}};
    gx_scanner *sc = NULL;
    gdprx_error err;
    int rc = gx_scanner_build(&sc, terms, 2, &err);
    ck_assert_msg(rc == GDPRX_EINVAL && err.code == GDPRX_EINVAL && !sc,
                  "%s: rc %d", c->name, rc);
    ck_assert_msg(strstr(err.message, c->want) != NULL,
                  "%s: message \"%s\", want \"%s\"", c->name, err.message,
                  c->want);
    ck_assert_int_eq(gx_scanner_build(&sc, terms, 2, NULL), GDPRX_EINVAL);
}
END_TEST

START_TEST(test_null_term)
{
    const gx_term terms[] = {{NULL, 0, 4}};
    gx_scanner *sc = NULL;
    gdprx_error err;
    ck_assert_int_eq(gx_scanner_build(&sc, terms, 1, &err), GDPRX_EINVAL);
    ck_assert_msg(strstr(err.message, "empty term") != NULL, "%s",
                  err.message);
}
END_TEST

/* Phrases that end alike share their states: the same phrases of one
 * concept make a smaller automaton than with a concept each (whose final
 * states differ), and both find the same spans. */
START_TEST(test_shared_endings)
{
    static const char *const words[] = {"we", "us", "they", "you", "one"};
    char buf[3][2][5][32];
    gx_term terms[2][15];
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 3; j++) {
                static const char *const ends[] = {"keep your data",
                                                   "store your data",
                                                   "delete your data"};
                snprintf(buf[j][c][i], sizeof buf[j][c][i], "%s %s",
                         words[i], ends[j]);
                terms[c][i * 3 + j] = (gx_term){
                    buf[j][c][i], c ? (uint32_t)(i * 3 + j) : 0u,
                    (uint32_t)(i * 3 + j)};
            }
    gx_scanner *one = NULL, *many = NULL;
    ck_assert_int_eq(gx_scanner_build(&one, terms[0], 15, NULL), GDPRX_OK);
    ck_assert_int_eq(gx_scanner_build(&many, terms[1], 15, NULL), GDPRX_OK);
    /* the minimal automata, counted by hand (transitions after a first
     * word): with one concept, the root, one state after any of the five
     * first words, one after any verb, one after "your", one after "data"
     * (5 states; 3 + 1 + 1 transitions); with a concept a term, the 15
     * paths share their first word only (1 + 5 + 15 * 3 states; 15 * 3
     * transitions) */
    size_t states, trans;
    gx_scanner_shape(one, &states, &trans);
    ck_assert_msg(states == 5 && trans == 5, "one concept: %zu states, %zu "
                  "transitions", states, trans);
    gx_scanner_shape(many, &states, &trans);
    ck_assert_msg(states == 51 && trans == 45, "15 concepts: %zu states, "
                  "%zu transitions", states, trans);
    ck_assert_msg(gx_scanner_size(one) < gx_scanner_size(many),
                  "one concept %zu bytes, 15 concepts %zu",
                  gx_scanner_size(one), gx_scanner_size(many));
    const char *text = "they store your data and you delete your data";
    gx_scan_hits a = {0}, b = {0};
    ck_assert_int_eq(gx_scan(one, text, strlen(text), &a), 0);
    ck_assert_int_eq(gx_scan(many, text, strlen(text), &b), 0);
    ck_assert_uint_eq(a.n, 2);
    ck_assert_uint_eq(b.n, 2);
    for (size_t i = 0; i < 2; i++)
        ck_assert_msg(a.v[i].s == b.v[i].s && a.v[i].e == b.v[i].e &&
                          a.v[i].concept == 0,
                      "hit %zu", i);
    ck_assert_uint_eq(b.v[0].concept, 2 * 3 + 1);
    ck_assert_uint_eq(b.v[1].concept, 3 * 3 + 2);
    gx_scan_hits_free(&a);
    gx_scan_hits_free(&b);
    gx_scanner_free(one);
    gx_scanner_free(many);
}
END_TEST

/* ---- random term sets and texts ------------------------------------------ */

static uint32_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 16);
}

static const char *const rwords[] = {
    "a", "ab", "abc", "abd", "abcd", "b", "ba", "bab", "c", "x\xc3\xa9",
    "x\xc3\xa9z", "xy", "_1", "10",
};
static const char *const rstars[] = {"ab*", "abc*", "ba*", "x\xc3*", "xy*",
                                     "ab*", "10*"};
static const char *const rseps[] = {" ", " ", " ", "-", "'", "  ", " - ",
                                    "    ", ", ", ".", "\n", "*", "--'",
                                    "-- '"};

static void random_term(uint64_t *seed, char *buf, size_t size)
{
    size_t n = 1 + next_rand(seed) % 3, len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && len < size; k++) {
        const char *w = next_rand(seed) % 4
                            ? rwords[next_rand(seed) % N(rwords)]
                            : rstars[next_rand(seed) % N(rstars)];
        const char *sep = (const char *[]){" ", "-", "'"}[next_rand(seed) % 3];
        len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? sep : "",
                                w);
    }
}

static size_t random_text(uint64_t *seed, char *buf, size_t size)
{
    size_t n = next_rand(seed) % 30, len = 0;
    if (next_rand(seed) % 2)
        len += (size_t)snprintf(buf, size, "%s", rseps[next_rand(seed) % 4]);
    for (size_t k = 0; k < n && len < size; k++) {
        const char *sep = next_rand(seed) % 3 ? " " :
                                                rseps[next_rand(seed) % N(rseps)];
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                rwords[next_rand(seed) % N(rwords)], sep);
    }
    return len < size ? len : size - 1;
}

START_TEST(test_random_equivalence)
{
    uint64_t seed = 0x5eed2024cafef00dull;
    size_t total = 0, phrases = 0;
    for (int it = 0; it < 10000; it++) {
        char buf[MAX_TERMS][64], text[1024], name[32];
        gx_term terms[MAX_TERMS];
        size_t n = 1 + next_rand(&seed) % MAX_TERMS;
        for (size_t i = 0; i < n; i++) {
            random_term(&seed, buf[i], sizeof buf[i]);
            terms[i] = (gx_term){buf[i], next_rand(&seed) % 4,
                                 next_rand(&seed) % 8};
        }
        size_t len = random_text(&seed, text, sizeof text);
        snprintf(name, sizeof name, "iteration %d", it);
        gx_scanner *sc = NULL;
        gdprx_error err;
        ck_assert_msg(gx_scanner_build(&sc, terms, n, &err) == GDPRX_OK,
                      "%s: %s", name, err.message);
        gx_scan_hits a = {0}, b = {0};
        ck_assert_int_eq(gx_scan(sc, text, len, &a), 0);
        ck_assert_int_eq(gx_scan_naive(terms, n, text, len, &b), 0);
        expect_same(name, &a, &b);
        total += a.n;
        for (size_t i = 0; i < a.n; i++)
            phrases += a.v[i].w1 > a.v[i].w0;
        gx_scan_hits_free(&a);
        gx_scan_hits_free(&b);
        gx_scanner_free(sc);
    }
    ck_assert_msg(total > 20000 && phrases > 2000,
                  "only %zu hits (%zu of several words): the test is too weak",
                  total, phrases);
}
END_TEST

/* ---- the development corpus ---------------------------------------------- */

/* Common privacy words and phrases (en, fr, nl), normalized. */
static const char *const privacy_terms[] = {
    "data", "personal data", "personal information", "personal*", "privacy",
    "privacy policy", "privacy statement", "cookie*", "cookie policy",
    "process*", "processing of personal data", "controller", "processor*",
    "data controller", "data protection", "data protection officer", "dpo",
    "consent", "withdraw* your consent", "legitimate interest*",
    "legal obligation", "contract", "performance of a contract", "purpose*",
    "retain*", "retention", "retention period", "stor*", "keep", "kept",
    "delet*", "eras*", "right to erasure", "right of access", "access",
    "rectif*", "portab*", "data portability", "object*", "right to object",
    "restrict*", "restriction of processing", "complain*",
    "supervisory authority", "lodge a complaint", "third part*",
    "third countr*", "transfer*", "outside the eu", "european union",
    "european economic area", "eea", "standard contractual clauses",
    "adequacy decision", "share*", "sell", "sold", "disclos*", "recipient*",
    "service provider*", "partner*", "advertis*", "marketing", "newsletter*",
    "analytic*", "google analytics", "ip address*", "e-mail", "email",
    "e-mail address", "email address", "phone number", "telephone number",
    "name", "address", "date of birth", "location", "location data", "device*",
    "identifier*", "account", "profil*", "automated decision*",
    "security", "encrypt*", "breach*", "child*", "under 16", "years", "months",
    "contact us", "gdpr", "general data protection regulation", "law*",
    "health data", "sensitive data", "special categories", "anonymi*",
    "pseudonym*", "aggregat*", "app", "application", "website", "user*",
    "donnees", "donnees personnelles", "donnees a caractere personnel",
    "traitement", "traitement des donnees", "responsable du traitement",
    "sous-traitant*", "finalit*", "consentement", "interet legitime",
    "obligation legale", "conserv*", "duree de conservation", "supprim*",
    "effac*", "droit d'acces", "droit de rectification", "droit a l'effacement",
    "droit d'opposition", "droit a la portabilite", "limitation du traitement",
    "reclamation", "cnil", "autorite de controle", "destinataire*",
    "transfert*", "hors de l'union europeenne", "union europeenne",
    "partag*", "prestataire*", "vente", "vendre", "adresse", "adresse e-mail",
    "adresse electronique", "numero de telephone", "nom", "prenom*",
    "date de naissance", "localisation", "appareil*", "securite",
    "mineur*", "ans", "mois", "nous contacter", ("delegue a la protection des "
    "donnees"), "rgpd", "vie privee", "politique de confidentialite",
    "gegevens", "persoonsgegevens", "persoonlijke gegevens", "verwerk*",
    "verwerking van persoonsgegevens", "verwerkingsverantwoordelijke",
    "verwerker*", "doel*", "toestemming", "gerechtvaardigd belang",
    "wettelijke verplichting", "bewaar*", "bewaartermijn", "verwijder*",
    "recht op inzage", "recht op rectificatie", "recht op vergetelheid",
    "recht op bezwaar", "recht op dataportabiliteit", "klacht*",
    "autoriteit persoonsgegevens", "toezichthouder", "ontvanger*",
    "doorgeven", "doorgegeven", "buiten de europese unie", "europese unie",
    "delen", "gedeeld", "verkopen", "derde*", "derden", "e-mailadres",
    "telefoonnummer", "naam", "adres", "geboortedatum", "locatie*",
    "apparaat", "beveilig*", "kinderen", "jaar", "maanden", "contact",
    "functionaris voor gegevensbescherming", "avg", "privacyverklaring",
    "we", "wij", "nous", "you", "vous", "u", "de", "the", "of the", "van de",
    "de la", "in de", "to the", "for the", "pour", "voor", "and", "et", "en",
};

static void lower_ascii(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

START_TEST(test_corpus_equivalence)
{
    const char *dir = getenv("GDPRX_CORPUS");
    ck_assert_msg(dir != NULL, "GDPRX_CORPUS is not set");
    gx_term terms[N(privacy_terms)];
    for (size_t i = 0; i < N(privacy_terms); i++)
        terms[i] = (gx_term){privacy_terms[i], (uint32_t)(i / 5),
                             (uint32_t)i};
    gx_scanner *sc = NULL;
    gdprx_error err;
    ck_assert_msg(gx_scanner_build(&sc, terms, N(terms), &err) == GDPRX_OK,
                  "%s", err.message);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    size_t files = 0, hits = 0, phrases = 0;
    gx_scan_hits a = {0}, b = {0};
    for (struct dirent *e; (e = readdir(d));) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = e->d_name[0] == '.' ? NULL : read_all(path, &len);
        if (!text)
            continue;
        lower_ascii(text, len);
        ck_assert_int_eq(gx_scan(sc, text, len, &a), 0);
        ck_assert_int_eq(gx_scan_naive(terms, N(terms), text, len, &b), 0);
        expect_same(e->d_name, &a, &b);
        files++;
        hits += a.n;
        for (size_t i = 0; i < a.n; i++)
            phrases += a.v[i].w1 > a.v[i].w0;
        free(text);
    }
    closedir(d);
    ck_assert_msg(files >= 10 && hits >= 10000 && phrases >= 500,
                  "%zu files, %zu hits, %zu of several words", files, hits,
                  phrases);
    gx_scan_hits_free(&a);
    gx_scan_hits_free(&b);
    gx_scanner_free(sc);
}
END_TEST

static Suite *scan_suite(void)
{
    Suite *s = suite_create("scan");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_cases, 0, (int)N(cases));
    tcase_add_test(tc, test_offsets);
    tcase_add_test(tc, test_shared_endings);
    tcase_add_test(tc, test_no_terms);
    tcase_add_test(tc, test_random_equivalence);
    tcase_add_test(tc, test_corpus_equivalence);
    suite_add_tcase(s, tc);
    TCase *te = tcase_create("errors");
    tcase_add_loop_test(te, test_errors, 0, (int)N(errors));
    tcase_add_test(te, test_null_term);
    suite_add_tcase(s, te);
    return s;
}

int main(void) { return run_suite(scan_suite()); }
