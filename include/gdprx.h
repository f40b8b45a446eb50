/* SPDX-License-Identifier: MIT */
/** # gdprx: what a privacy policy states under the GDPR
 *
 *  gdprx reads privacy policies written in English, French or Dutch and
 *  returns typed findings (the vocabulary of docs/taxonomy: type, subtype,
 *  polarity, attributes, GDPR articles) with exact byte offsets into the
 *  caller's original UTF-8 text.
 *
 *  Typical use:
 *
 *      gdprx_rules *rules; gdprx_result *res; gdprx_error err;
 *      if (gdprx_rules_load(&rules, NULL, &err) != GDPRX_OK) { puts(err.message); ... }
 *      if (gdprx_analyze(&res, rules, text, len, NULL, &err) != GDPRX_OK) { ... }
 *      for (size_t i = 0; i < gdprx_result_count(res); i++) {
 *          const gdprx_finding *f = gdprx_result_get(res, i);
 *          printf("%s.%s %zu-%zu\n", f->type, f->subtype, f->start, f->end);
 *      }
 *      gdprx_result_free(res);
 *      gdprx_rules_free(rules);
 *
 *  ## Threads
 *  A `gdprx_rules` is immutable once `gdprx_rules_load()` returns (inside,
 *  a `when` case's regex gets a JIT-compiled copy, published atomically,
 *  after its 64th run: see the README). Any number of threads may call
 *  `gdprx_analyze()` with the same `gdprx_rules` at the same time. A
 *  `gdprx_result`, by contrast, belongs to one thread at a time. The library
 *  keeps no mutable global state. Free a `gdprx_rules` only after every
 *  analysis that uses it has returned.
 *
 *  ## Conventions
 *  Functions that can fail return an `int` holding a `gdprx_status`; their
 *  out-parameters come first and are left unchanged on failure; a
 *  `gdprx_error *err` comes last and may be NULL. Input buffers are never
 *  kept after a call returns and need no NUL terminator.
 */
#ifndef GDPRX_H
#define GDPRX_H

#include <stddef.h>
#include <stdint.h>

#include "gdprx_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define GDPRX_API __declspec(dllexport)
#elif defined(__GNUC__)
#define GDPRX_API __attribute__((visibility("default")))
#else
#define GDPRX_API
#endif

/** ## Errors */

/** Status codes. Values are frozen: never renumbered or reused. */
typedef enum gdprx_status {
    GDPRX_OK = 0,
    GDPRX_ENOMEM = -1,    /* out of memory */
    GDPRX_EINVAL = -2,    /* invalid argument (NULL handle, bad option) */
    GDPRX_EIO = -3,       /* a file could not be read (err->file is set),
                             or an output callback stopped the output
                             (err->offset: the bytes it took before, or
                             the start of the finding it refused) */
    GDPRX_ESYNTAX = -4,   /* YAML or rule schema; err->file/line/column set */
    GDPRX_EPATTERN = -5,  /* PCRE2 rejected a rule pattern; location set */
    GDPRX_EUTF8 = -6,     /* input is not valid UTF-8; err->offset is set */
    GDPRX_ELIMIT = -7,    /* a limit was crossed: input larger than
                             GDPRX_MAX_INPUT, or a rule file beyond one of
                             the gdprx_rules_options limits (then
                             err->file/line/column say where) */
    GDPRX_EINTERNAL = -99 /* a bug in gdprx; please report it */
} gdprx_status;

/** What went wrong, and where. Filled by any function taking one. */
typedef struct gdprx_error {
    int code;          /* a gdprx_status */
    int line, column;  /* 1-based position in `file`; 0 when not applicable */
    long long offset;  /* byte offset in the analyzed text; -1 if not applicable */
    char file[256];    /* rule file involved, or "" */
    char message[768]; /* complete text with location, e.g.
                          "rules/retention.yaml:12:5: unknown key 'severty'"
                          or "input:1043: invalid UTF-8 (truncated sequence)" */
} gdprx_error;

/** A short description of a status code.
 *  Returns: static text, never NULL (unknown codes get "unknown error"). */
GDPRX_API const char *gdprx_strerror(int code);

/** ## Version */

/** The library's version as MAJOR * 10000 + MINOR * 100 + PATCH. Compare it
 *  with GDPRX_VERSION_NUMBER to detect a header/library mismatch. */
GDPRX_API int gdprx_version(void);

/** The library's version as text, e.g. "0.1.0".
 *  Ownership: static text. */
GDPRX_API const char *gdprx_version_string(void);

/** ## Languages */

typedef enum gdprx_lang {
    GDPRX_LANG_AUTO = 0, /* as an option: detect; as a result: unknown */
    GDPRX_LANG_EN = 1,
    GDPRX_LANG_FR = 2,
    GDPRX_LANG_NL = 3
} gdprx_lang;

/** The two-letter code of a language ("en", "fr", "nl"; "" for AUTO).
 *  Ownership: static text. */
GDPRX_API const char *gdprx_lang_code(gdprx_lang lang);

/** ## Rule sets */

/** A compiled rule set; immutable once loaded, shareable between threads. */
typedef struct gdprx_rules gdprx_rules;

/** Load and compile the rules at `path`: a directory (every `*.yaml` file
 *  below it, recursively, in byte order of their paths) or one YAML file.
 *  `path` NULL means the default rule set: `$GDPRX_RULES` if set, else the
 *  directory installed with the library, else the source tree's `rules/`;
 *  when neither directory exists, GDPRX_EIO with a message that lists every
 *  place looked at, in order.
 *  The default limits of gdprx_rules_options apply (see below).
 *  Returns: GDPRX_OK, GDPRX_EIO, GDPRX_ESYNTAX, GDPRX_EPATTERN, GDPRX_ELIMIT
 *  or GDPRX_ENOMEM.
 *  Ownership: *out is the caller's; release it with gdprx_rules_free(). */
GDPRX_API int gdprx_rules_load(gdprx_rules **out, const char *path,
                               gdprx_error *err);

/** Load and compile a rule set from `len` bytes of YAML in memory. `name` is
 *  used in error messages in place of a file name (NULL: "<memory>").
 *  Returns and ownership: as gdprx_rules_load(). */
GDPRX_API int gdprx_rules_load_yaml(gdprx_rules **out, const char *yaml,
                                    size_t len, const char *name,
                                    gdprx_error *err);

/** Limits on what a rule set may hold, checked while it loads. Each is
 *  there so that a hostile or broken rule file fails fast with a located
 *  error instead of taking unbounded time or memory; raise them for larger
 *  rule sets. Sizes and nesting are checked by a linear scan of each file's
 *  bytes before the YAML parser sees them; the counts while the YAML is
 *  turned into rules. A crossed limit fails with GDPRX_ELIMIT at the
 *  file:line:col where it was crossed, naming the option to raise.
 *  (YAML anchors and aliases are always refused, with GDPRX_ESYNTAX: the
 *  rule format does not use them.) */
#define GDPRX_RULES_MAX_FILE_SIZE (1u << 20) /* bytes of one file: 1 MiB
                                               (10x the largest shipped) */
#define GDPRX_RULES_MAX_TOTAL_SIZE (8u << 20) /* bytes of all files: 8 MiB */
#define GDPRX_RULES_MAX_DEPTH 64          /* nested YAML collections */
#define GDPRX_RULES_MAX_RULES 2000        /* rules in the set */
#define GDPRX_RULES_MAX_CONCEPTS 5000     /* concepts in the set */
#define GDPRX_RULES_MAX_TERMS 4096        /* terms of a concept, per language */
#define GDPRX_RULES_MAX_PATTERNS 256      /* patterns and cases of a rule,
                                             per language */
#define GDPRX_RULES_MAX_PATTERN_LEN 16384 /* bytes of a pattern as written */
#define GDPRX_RULES_MAX_EXPANDED_LEN (1u << 20) /* bytes of a pattern once
                                                   its {{macros}} expand */
#define GDPRX_RULES_MAX_EXAMPLES 1024     /* examples of a rule, per language */
#define GDPRX_RULES_THREADS 2             /* threads of a load (not a limit):
                                             more gains little, as the
                                             scanner of the largest language
                                             takes ~45 % of the parallel part */

/** Options of gdprx_rules_load_opts(). Initialize with
 *  gdprx_rules_options_init(); every limit left at 0 takes its default
 *  above. Fields are only ever appended; `size` works as in gdprx_options. */
typedef struct gdprx_rules_options {
    size_t size;             /* sizeof the caller's struct, set by
                                gdprx_rules_options_init(); do not change */
    size_t max_file_size;    /* bytes of one rule file (or of the YAML given
                                to gdprx_rules_load_yaml_opts()) */
    size_t max_total_size;   /* bytes of all the files of the set */
    size_t max_depth;        /* nesting of YAML collections: block
                                (indentation, "- ") and flow ("[", "{");
                                the top-level mapping is depth 1 */
    size_t max_rules;        /* rules in the set */
    size_t max_concepts;     /* concepts in the set */
    size_t max_terms;        /* terms (words and {re: ...}) of one concept
                                in one language */
    size_t max_patterns;     /* patterns plus `when` cases of one rule in
                                one language */
    size_t max_pattern_len;  /* bytes of any regex or term as written:
                                patterns, cases' patterns, section, lead,
                                terms, macros, lexicon cues and splits */
    size_t max_expanded_len; /* bytes of a pattern or macro once its
                                {{macros}} and {{concepts}} are expanded */
    size_t max_examples;     /* examples (match plus no_match) of one rule
                                in one language */
    size_t threads;          /* threads the load may use, the caller's
                                included: 0 means GDPRX_RULES_THREADS; 1
                                loads on the caller's thread only. The
                                concept scanners of the languages and the
                                rule patterns are built in parallel; every
                                thread started is joined before the load
                                returns, and a thread that cannot be
                                started is not an error (its work is done
                                on the caller's thread). Results are the
                                same for every value. */
} gdprx_rules_options;

/** Set the first `size` bytes of `opts` to the defaults (every limit 0,
 *  meaning its GDPRX_RULES_MAX_* default) and opts->size to `size` (at
 *  least the size of this first version; smaller sizes and NULL are
 *  ignored). Call it through gdprx_rules_options_init(opts). */
GDPRX_API void gdprx_rules_options_init_sized(gdprx_rules_options *opts,
                                              size_t size);
#define gdprx_rules_options_init(opts) \
    gdprx_rules_options_init_sized((opts), sizeof *(opts))

/** gdprx_rules_load() with limits: `opts` NULL means every default.
 *  Returns: as gdprx_rules_load(), and GDPRX_ELIMIT when a limit is crossed
 *  (err->file/line/column where), GDPRX_EINVAL for options not set up with
 *  gdprx_rules_options_init().
 *  Ownership: as gdprx_rules_load(); opts is borrowed for the call. */
GDPRX_API int gdprx_rules_load_opts(gdprx_rules **out, const char *path,
                                    const gdprx_rules_options *opts,
                                    gdprx_error *err);

/** gdprx_rules_load_yaml() with limits, as gdprx_rules_load_opts(). */
GDPRX_API int gdprx_rules_load_yaml_opts(gdprx_rules **out, const char *yaml,
                                         size_t len, const char *name,
                                         const gdprx_rules_options *opts,
                                         gdprx_error *err);

/** Release a rule set. Accepts NULL. */
GDPRX_API void gdprx_rules_free(gdprx_rules *rules);

/** Number of rules in the set (0 for NULL). */
GDPRX_API size_t gdprx_rules_count(const gdprx_rules *rules);

/** Pattern `index` of rule `rule_id` in language `lang`: a regex pattern's
 *  source as written (before macro expansion), or, for a case of the rule's
 *  `when`, its conditions ("all [keep, period]; none [cookie]; near 12",
 *  with "; pattern '...'" when it has a regex); NULL if there is no such
 *  rule or pattern. With gdprx_finding.pattern_index this tells which
 *  pattern or case made a finding.
 *  Ownership: borrowed; valid until the rule set is freed. */
GDPRX_API const char *gdprx_rules_pattern(const gdprx_rules *rules,
                                          const char *rule_id,
                                          gdprx_lang lang, size_t index);

/** One rule of a set: a read-only view. Fields are only ever appended. */
typedef struct gdprx_rule_info {
    const char *id;              /* e.g. "retention.period.keep_for" */
    const char *type, *subtype;  /* the taxonomy's identifiers */
    const char *const *articles; /* GDPR article references, e.g. "13(2)(a)" */
    size_t n_articles;
    unsigned langs;              /* bit 1u << (lang - 1) is set for each
                                    gdprx_lang the rule has patterns or cases
                                    in (1: en, 2: fr, 4: nl) */
} gdprx_rule_info;

/** Rule `i` of the set, in load order (files in byte order of their paths,
 *  rules in file order), or NULL when i >= gdprx_rules_count().
 *  Ownership: borrowed; valid until the rule set is freed. */
GDPRX_API const gdprx_rule_info *gdprx_rules_get(const gdprx_rules *rules,
                                                 size_t i);

/** Number of warnings the rule set got when it was compiled: patterns that
 *  may scan a clause without bound ("[\\s\\S]{0,400}", ".*", nested
 *  quantifiers) and cases that must be tried on every clause because none
 *  of their concepts has plain terms. Each names file:line:col. */
GDPRX_API size_t gdprx_rules_warning_count(const gdprx_rules *rules);
/** Warning `i`, or NULL when i >= gdprx_rules_warning_count().
 *  Ownership: borrowed; valid until the rule set is freed. */
GDPRX_API const char *gdprx_rules_warning(const gdprx_rules *rules,
                                          size_t i);

/** Run every example embedded in the rule set (sentences that must match
 *  and must not match each rule, per language).
 *  *out_report receives a human-readable report: one line per failing
 *  example, then one line per rule ("ok" or "FAIL", with counts) when
 *  `verbose` is non-zero, then a summary line "N passed, N failed".
 *  *out_failed receives the number of failing examples.
 *  Returns: GDPRX_OK (even when examples fail), GDPRX_EINVAL, GDPRX_ENOMEM.
 *  Ownership: *out_report is the caller's; release it with gdprx_free(). */
GDPRX_API int gdprx_rules_test(char **out_report, size_t *out_failed,
                               const gdprx_rules *rules, int verbose,
                               gdprx_error *err);

/** ## Analysis */


typedef enum gdprx_polarity {
    GDPRX_AFFIRMED = 0, /* the text says the practice happens (or may) */
    GDPRX_NEGATED = 1   /* the text says it does not happen */
} gdprx_polarity;

/** Option flags for gdprx_options.flags. */
enum {
    /** Read invalid UTF-8 instead of failing with GDPRX_EUTF8: each run of
     *  bytes that start no valid character reads as one U+FFFD, which
     *  separates words (the result carries a warning with their number and
     *  the offset of the first). Offsets still refer to the original bytes;
     *  a finding's `text` then holds the original bytes, which JSON output
     *  shows with each invalid byte replaced by U+FFFD. */
    GDPRX_OPT_REPLACE_INVALID = 1u << 0,
    /** Fill gdprx_finding.concepts: which concepts made each finding's rule
     *  hold, with their text (costs time; off by default). */
    GDPRX_OPT_EXPLAIN = 1u << 1,
    /** Keep no segments in the result (gdprx_result_segment_count() is 0):
     *  for callers that do not read them, ~40 bytes less per heading,
     *  paragraph and clause of the text. Findings are the same. */
    GDPRX_OPT_NO_SEGMENTS = 1u << 2
};

/** Largest input gdprx_analyze() accepts, in bytes (offsets are kept in
 *  32 bits internally). Larger inputs fail with GDPRX_ELIMIT.
 *  Fixed internal bounds (SECURITY.md): a clause is at most 2048 normalized
 *  bytes; the sentence breaker reads a paragraph in windows of 256 KiB, so
 *  a sentence longer than 128 KiB may be cut where a window ends. */
#define GDPRX_MAX_INPUT ((size_t)0x7fffffff)

/** How gdprx_analyze() reads its input. With GDPRX_FORMAT_HTML only the
 *  visible text of the page is analyzed (no script, style, head, hidden
 *  elements, navigation or cookie banner), with the structure its headings,
 *  paragraphs, lists and tables give; findings' offsets still point into
 *  the HTML bytes. AUTO takes HTML when, after an optional BOM and white
 *  space, the text starts with "<!doctype html", "<html", "<head", "<body",
 *  or a block element's start tag with an end tag in the first 4 KB. */
typedef enum gdprx_format {
    GDPRX_FORMAT_AUTO = 0,
    GDPRX_FORMAT_TEXT = 1, /* plain text or Markdown */
    GDPRX_FORMAT_HTML = 2
} gdprx_format;

/** Options of one analysis. Initialize with gdprx_options_init(); fields
 *  are only ever appended, and `size` tells the library which fields the
 *  caller's struct has, so a program built against an older header works
 *  with a newer library and the other way round. */
typedef struct gdprx_options {
    size_t size;       /* sizeof the caller's struct, set by
                          gdprx_options_init(); do not change */
    gdprx_lang lang;   /* GDPRX_LANG_AUTO (default) detects the language */
    const char *types; /* NULL (default): every finding; else a comma-separated
                          list of types or type.subtype, e.g.
                          "retention,right.erasure" (borrowed for the call) */
    unsigned flags;    /* GDPRX_OPT_* bits; 0 by default */
    gdprx_format format; /* GDPRX_FORMAT_AUTO (default): HTML when the text
                            starts as a page or fragment does, else text */
    size_t chunk_size; /* 0 (default): GDPRX_CHUNK_DEFAULT. A text longer
                          than this (in normalized bytes) is segmented and
                          matched in parts of at least this size: see
                          "Chunked analysis" below */
    size_t max_html_tags; /* 0 (default): GDPRX_HTML_TAGS_BASE plus one per
                             GDPRX_HTML_BYTES_PER_TAG bytes of the page. HTML
                             input with more tags ('<' then a letter, '/',
                             '!' or '?') is refused with GDPRX_ELIMIT at the
                             first tag past the limit: gumbo's tree takes
                             ~300-450 bytes per tag, so this bounds the
                             memory of a page of tiny elements */
    size_t max_html_size; /* 0 (default): GDPRX_HTML_SIZE_DEFAULT. HTML
                             input longer than this (in bytes) is refused
                             with GDPRX_ELIMIT at that offset: gumbo builds
                             the page's whole tree, about 5.7 bytes per byte
                             of a page of short paragraphs, which this bounds
                             (text has no such limit below GDPRX_MAX_INPUT) */
} gdprx_options;

/** The default tag limit of HTML input: GDPRX_HTML_TAGS_BASE + len /
 *  GDPRX_HTML_BYTES_PER_TAG (a 1 MB page may hold 102,621 tags; real pages
 *  hold one per 30-100 bytes, far below it; a 20 MB page of "<p>a</p>"
 *  would need 1.5 GB). */
#define GDPRX_HTML_TAGS_BASE ((size_t)100000)
#define GDPRX_HTML_BYTES_PER_TAG ((size_t)400)

/** The default size limit of HTML input, 20 MiB: a page of that size stays
 *  within the memory bound of SECURITY.md (4 x input + 100 MB) on any shape
 *  tried; real policy pages weigh 20 KB to 2 MB. */
#define GDPRX_HTML_SIZE_DEFAULT ((size_t)20 << 20)

/** ## Chunked analysis
 *
 *  Normalization and language identification read the whole text; the
 *  later stages (clauses, concept scan, matching, folding of findings) run
 *  on one part at a time, so their memory is that of one part, not of the
 *  text. A part ends at the first paragraph start, else sentence start,
 *  else clause start inside a sentence (after a ';' or a table's '|', at a
 *  clause_split match of the lexicon, or where an overlong clause is cut),
 *  at or after gdprx_options.chunk_size bytes from its own start, whose
 *  byte before is no letter, digit or '_' (so no word or clause crosses
 *  it); a paragraph is only cut inside when it is longer than that. The
 *  headings, list lead-ins and table header cells its clauses refer to are
 *  read where they are (a long one in windows of about chunk_size bytes).
 *  The findings, segments and warnings are therefore
 *  exactly those of the text analyzed in one part, whatever chunk_size is:
 *  chunking changes memory, never output. A text with no such place (one
 *  run of letters, digits and punctuation without any space or line break)
 *  is one part, however long. */
#define GDPRX_CHUNK_DEFAULT ((size_t)256 << 10) /* 256 KiB */

/** Set the first `size` bytes of `opts` to the defaults and opts->size to
 *  `size` (which must be at least the size of this first version of the
 *  struct; smaller sizes and NULL are ignored). Call it through the macro
 *  gdprx_options_init(opts), which passes sizeof *opts. */
GDPRX_API void gdprx_options_init_sized(gdprx_options *opts, size_t size);
#define gdprx_options_init(opts) \
    gdprx_options_init_sized((opts), sizeof *(opts))

/** The result of one analysis: language, findings, segments, warnings. */
typedef struct gdprx_result gdprx_result;

/** One finding: a read-only view whose strings live as long as the result.
 *  Fields are only ever appended. */
typedef struct gdprx_finding {
    const char *type, *subtype; /* the taxonomy's identifiers */
    gdprx_polarity polarity;
    const char *rule_id;        /* e.g. "retention.period.fixed" */
    size_t start, end;          /* byte offsets into the caller's input, end
                                   exclusive: the matched phrase */
    const char *text;           /* copy of input[start, end), NUL-terminated;
                                   may itself contain NUL bytes: use
                                   text_len (HTML input: see text_len) */
    size_t clause_start, clause_end; /* the clause the phrase is in */
    const char *section;        /* heading of the enclosing section, or NULL */
    const char *duration;       /* ISO 8601 ("P3Y") or NULL */
    const char *duration_max;   /* upper bound of a range, or NULL */
    int age;                    /* minimum age in years, or -1 */
    const char *email;          /* as written in the input, or NULL */
    const char *const *articles;/* GDPR article references */
    size_t n_articles;
    const char *negation_cue;   /* the negation cue found in the clause, as
                                   written in the input, when polarity is
                                   NEGATED because of one; else NULL */
    size_t pattern_index;       /* which of the rule's patterns or cases
                                   matched (0-based): gdprx_rules_pattern() */
    gdprx_lang lang;            /* language of the patterns that matched */
    const char *concepts;       /* with GDPRX_OPT_EXPLAIN, for a rule case
                                   over concepts: the concepts that held,
                                   each with its text as written, e.g.
                                   'keep "stored", period "two years"';
                                   else NULL */
    size_t text_len;            /* bytes of `text`: end - start for text
                                   input; for HTML input, `text` is the
                                   visible text of [start, end) (tags out,
                                   character references decoded, white
                                   space collapsed) and this its length */
} gdprx_finding;

/** Kinds of segments reported by gdprx_result_segment(). */
typedef enum gdprx_segment_kind {
    GDPRX_SEG_HEADING = 1,   /* a section heading */
    GDPRX_SEG_PARAGRAPH = 2, /* a paragraph or list item; carries a language */
    GDPRX_SEG_CLAUSE = 3     /* a clause: the unit rules are matched on */
} gdprx_segment_kind;

typedef struct gdprx_segment {
    gdprx_segment_kind kind;
    size_t start, end;   /* byte offsets into the caller's input */
    gdprx_lang lang;     /* paragraphs: their own detected language (AUTO when
                            too short to tell); others: the document's */
    const char *section; /* heading of the enclosing section, or NULL */
} gdprx_segment;

/** Analyze `len` bytes of UTF-8 `text` with `rules`. `opts` may be NULL for
 *  the defaults. An empty text gives a result with no findings and language
 *  AUTO (or the forced one). NUL and other control characters are read as
 *  spaces. Invalid UTF-8 fails with GDPRX_EUTF8 and err->offset set to the
 *  first bad byte, unless GDPRX_OPT_REPLACE_INVALID is set.
 *  Returns: GDPRX_OK, GDPRX_EINVAL, GDPRX_EUTF8, GDPRX_ELIMIT or GDPRX_ENOMEM;
 *  *out is unchanged on failure.
 *  Ownership: *out is the caller's; release it with gdprx_result_free(). */
GDPRX_API int gdprx_analyze(gdprx_result **out, const gdprx_rules *rules,
                            const char *text, size_t len,
                            const gdprx_options *opts, gdprx_error *err);

/** Release a result. Accepts NULL. */
GDPRX_API void gdprx_result_free(gdprx_result *res);

/** Receives one finding of a streamed analysis (gdprx_analyze_each()):
 *  findings come in the order gdprx_result_get() would give them, `index`
 *  counting them from 0. `f` and every string it points to are valid only
 *  during the call. Returns 0 to go on; anything else stops the analysis. */
typedef int (*gdprx_finding_fn)(void *ctx, const gdprx_finding *f,
                                size_t index);

/** gdprx_analyze(), with the findings handed to each() instead of kept: a
 *  part's findings (see "Chunked analysis") go out as soon as the part is
 *  done, then are dropped, so memory holds the findings of one part
 *  however many the text has. The same findings, in the same order, with
 *  the same offsets and strings as gdprx_analyze() gives.
 *  *out is the rest of the result: language, segments, warnings and the
 *  coverage report, whose finding indices are the `index`es each() saw;
 *  gdprx_result_count() is 0 and gdprx_result_streamed() the number of
 *  findings handed out.
 *  Returns: as gdprx_analyze(), and GDPRX_EINVAL for a NULL each;
 *  GDPRX_EIO when each() returned nonzero (err->offset: that finding's
 *  start). On failure *out is unchanged; findings already handed out stay
 *  handed out.
 *  Ownership: *out is the caller's (gdprx_result_free()); ctx is the
 *  caller's, passed to every call. */
GDPRX_API int gdprx_analyze_each(gdprx_result **out,
                                 const gdprx_rules *rules, const char *text,
                                 size_t len, const gdprx_options *opts,
                                 gdprx_finding_fn each, void *ctx,
                                 gdprx_error *err);

/** The document's language (detected or forced; AUTO if it could not be
 *  told, e.g. an empty input). */
GDPRX_API gdprx_lang gdprx_result_lang(const gdprx_result *res);

/** Number of findings (0 for NULL). Findings are ordered by start offset,
 *  then end, then type and subtype. */
GDPRX_API size_t gdprx_result_count(const gdprx_result *res);

/** Number of findings a streamed analysis (gdprx_analyze_each(),
 *  gdprx_analyze_write_json()) handed out and did not keep; 0 for NULL and
 *  for a result of gdprx_analyze(). */
GDPRX_API size_t gdprx_result_streamed(const gdprx_result *res);

/** Finding `i`, or NULL when i >= gdprx_result_count().
 *  Ownership: borrowed; valid until the result is freed. */
GDPRX_API const gdprx_finding *gdprx_result_get(const gdprx_result *res,
                                                size_t i);

/** Number of segments (headings, paragraphs, clauses) in document order. */
GDPRX_API size_t gdprx_result_segment_count(const gdprx_result *res);

/** Segment `i`, or NULL when out of range. Ownership: borrowed. */
GDPRX_API const gdprx_segment *gdprx_result_segment(const gdprx_result *res,
                                                    size_t i);

/** Number of warnings: conditions that did not stop the analysis, such as a
 *  pattern that hit PCRE2's match limit on one clause (that clause is then
 *  skipped for that rule) or invalid UTF-8 that was replaced. */
GDPRX_API size_t gdprx_result_warning_count(const gdprx_result *res);

/** Warning `i` as text ("rule X: match limit exceeded at byte N"), or NULL.
 *  Ownership: borrowed. */
GDPRX_API const char *gdprx_result_warning(const gdprx_result *res, size_t i);

/** One information item of GDPR Art. 13/14 and whether the document states
 *  it (the document-level coverage report). */
typedef struct gdprx_coverage_item {
    const char *article;     /* "13(1)(a)" ... "13(2)(f)", "14(1)(d)", "14(2)(f)" */
    const char *item;        /* what the article asks for, in English */
    int applicable;          /* 0 when the article's condition does not hold
                                (13(1)(d) without legitimate interest as a
                                basis, 13(2)(c) without consent as a basis) */
    int stated;              /* 1 when at least one finding shows it */
    const size_t *findings;  /* indices (for gdprx_result_get) of those findings */
    size_t n_findings;
    const char *labels;      /* the labels that state the item, space-separated
                                "type" or "type.subtype" (static text) */
    int selected;            /* 1 unless gdprx_options.types was set and no
                                selected rule has one of `labels`: an item
                                outside the selection is not "not stated",
                                it was not looked for (JSON omits it) */
} gdprx_coverage_item;

/** Number of coverage items (0 for NULL); the same list for every result. */
GDPRX_API size_t gdprx_result_coverage_count(const gdprx_result *res);

/** Coverage item `i`, in article order, or NULL when out of range.
 *  Ownership: borrowed; valid until the result is freed. */
GDPRX_API const gdprx_coverage_item *
gdprx_result_coverage(const gdprx_result *res, size_t i);

/** Serialize a result as one JSON object following the output contract
 *  (schema 1): lang, findings with offsets, attrs, rule, text, clause,
 *  section and articles, the Art. 13/14 coverage report, warnings. Deterministic: the same result gives the
 *  same bytes. No newline at the end.
 *  Returns: GDPRX_OK, GDPRX_EINVAL or GDPRX_ENOMEM.
 *  Ownership: *out (NUL-terminated, *out_len bytes without the NUL; out_len
 *  may be NULL) is the caller's; release it with gdprx_free(). */
GDPRX_API int gdprx_result_to_json(char **out, size_t *out_len,
                                   const gdprx_result *res, gdprx_error *err);

/** Receives the next `len` bytes of output (`bytes` is not NUL-terminated
 *  and only valid during the call). Returns 0 to go on; anything else stops
 *  the output. */
typedef int (*gdprx_write_fn)(void *ctx, const char *bytes, size_t len);

/** Stream the JSON of gdprx_result_to_json() through write(): the same
 *  bytes, handed over in pieces of about 64 KB that end after a whole
 *  finding or coverage item, so that a result with many findings goes to a
 *  file or socket without its whole JSON in memory. `ctx` is passed to
 *  every call.
 *  Returns: GDPRX_OK; GDPRX_EINVAL (NULL res or write); GDPRX_EIO when
 *  write() returned nonzero (err->offset: the bytes it took before; nothing
 *  more is written); GDPRX_ENOMEM (what was written so far stays written).
 *  Ownership: res is borrowed; ctx is the caller's. */
GDPRX_API int gdprx_result_write_json(const gdprx_result *res,
                                      gdprx_write_fn write, void *ctx,
                                      gdprx_error *err);

/** Analyze as gdprx_analyze_each() does and stream the result's JSON through
 *  write() as the findings come: the same bytes gdprx_result_write_json()
 *  gives for the result of gdprx_analyze(), with memory for one part's
 *  findings (a text with millions of findings: its JSON is never whole in
 *  memory, nor are its findings). `out` may be NULL; else *out gets the
 *  result without its findings, as gdprx_analyze_each() says.
 *  Returns: as gdprx_analyze(); GDPRX_EINVAL for a NULL write; GDPRX_EIO
 *  when write() returned nonzero (err->offset: the bytes it took before).
 *  After a failure, what was written stays written and is not a whole JSON
 *  object; *out is unchanged.
 *  Ownership: *out is the caller's; ctx is passed to every call. */
GDPRX_API int gdprx_analyze_write_json(gdprx_result **out,
                                       const gdprx_rules *rules,
                                       const char *text, size_t len,
                                       const gdprx_options *opts,
                                       gdprx_write_fn write, void *ctx,
                                       gdprx_error *err);

/** Normalize text as the matcher sees it: NFKC case folding, accents
 *  removed, quotes, apostrophes and dashes unified, runs of horizontal white
 *  space collapsed to one space, line breaks kept as '\n'. A character
 *  whose fold would be longer than the character (U+FDFA, Hangul
 *  syllables, U+00BD) stays as written, so the text never grows. Useful to
 *  write and debug rule patterns. Errors as gdprx_analyze(); with
 *  GDPRX_OPT_REPLACE_INVALID in `flags`, each run of invalid bytes shows as
 *  one U+FFFD.
 *  Ownership: *out (NUL-terminated) is the caller's; free with gdprx_free(). */
GDPRX_API int gdprx_normalize(char **out, size_t *out_len, const char *text,
                              size_t len, unsigned flags, gdprx_error *err);

/** ## Comparing versions
 *
 *  gdprx_diff() compares the findings of two analyses, an older and a newer
 *  version of one policy, statement by statement: findings are paired by
 *  label and content, never by position, so text inserted or moved around
 *  them changes nothing. Pairing, in three passes over findings of the same
 *  type.subtype (each pass only sees findings the earlier ones left):
 *  1. same matched text (as tokens: lower-cased words, punctuation and
 *     white space ignored), polarity, attributes and section: unchanged;
 *  2. same matched text: changed if polarity, attributes or section differ;
 *  3. token-set similarity of the matched texts (|A and B| / |A or B|,
 *     numbers left out: the attributes compare them) at least
 *     min_similarity, best pairs first (ties: same attributes, same
 *     section, then nearest relative position in the document).
 *  Findings left unpaired are removed (old) or added (new). A pair whose
 *  wording differs but whose polarity, attributes and section are equal
 *  is unchanged. Sections are compared as tokens without numbers, so
 *  renumbered headings ("3. Retention" -> "4. Retention") are not moves. */

/** What changed in a pair (bits of gdprx_diff_entry.changes). */
enum {
    GDPRX_DIFF_POLARITY = 1u << 0, /* affirmed <-> negated */
    GDPRX_DIFF_DURATION = 1u << 1, /* duration or duration_max */
    GDPRX_DIFF_AGE = 1u << 2,
    GDPRX_DIFF_EMAIL = 1u << 3,
    GDPRX_DIFF_SECTION = 1u << 4   /* moved to another section */
};

typedef enum gdprx_diff_kind {
    GDPRX_DIFF_ADDED = 1,   /* only in the newer version */
    GDPRX_DIFF_REMOVED = 2, /* only in the older version */
    GDPRX_DIFF_CHANGED = 3  /* in both, with `changes` set */
} gdprx_diff_kind;

/** gdprx_diff_entry's index when there is no finding on that side. */
#define GDPRX_DIFF_NONE ((size_t)-1)

/** One difference: a read-only view. Fields are only ever appended. */
typedef struct gdprx_diff_entry {
    gdprx_diff_kind kind;
    size_t old_index, new_index;      /* for gdprx_result_get() on the older
                                         and newer result; GDPRX_DIFF_NONE
                                         for an added / removed finding */
    const gdprx_finding *old_finding; /* borrowed from the older result, or
                                         NULL when added */
    const gdprx_finding *new_finding; /* borrowed from the newer result, or
                                         NULL when removed */
    unsigned changes;                 /* GDPRX_DIFF_* bits; 0 unless CHANGED */
    double similarity;                /* token-set similarity of the pair's
                                         texts (0..1); 0 unless CHANGED */
} gdprx_diff_entry;

/** Options of gdprx_diff(). Initialize with gdprx_diff_options_init();
 *  fields are only ever appended; `size` works as in gdprx_options. */
typedef struct gdprx_diff_options {
    size_t size;           /* sizeof the caller's struct; do not change */
    double min_similarity; /* pass 3 threshold in (0, 1]; 0 means the
                              default, 0.5 */
} gdprx_diff_options;

/** Set the first `size` bytes of `opts` to the defaults and opts->size to
 *  `size` (smaller sizes and NULL are ignored). Call it through
 *  gdprx_diff_options_init(opts). */
GDPRX_API void gdprx_diff_options_init_sized(gdprx_diff_options *opts,
                                             size_t size);
#define gdprx_diff_options_init(opts) \
    gdprx_diff_options_init_sized((opts), sizeof *(opts))

/** The differences between two results. */
typedef struct gdprx_diff_result gdprx_diff_result;

/** Compare the findings of `older` and `newer` (two gdprx_analyze()
 *  results; analyze both with the same rules and options). `opts` may be
 *  NULL for the defaults. Entries come in the newer document's order,
 *  each removed finding after the new finding its older neighbour was
 *  paired with. The comparison is symmetric: swapping the arguments swaps
 *  added and removed, and old and new in every entry.
 *  Returns: GDPRX_OK, GDPRX_EINVAL (a NULL result, bad options) or
 *  GDPRX_ENOMEM; *out is unchanged on failure.
 *  Ownership: *out is the caller's; release it with gdprx_diff_free(). It
 *  borrows from `older` and `newer` (old_finding, new_finding): free it
 *  before them. */
GDPRX_API int gdprx_diff(gdprx_diff_result **out, const gdprx_result *older,
                         const gdprx_result *newer,
                         const gdprx_diff_options *opts, gdprx_error *err);

/** Release a diff. Accepts NULL. */
GDPRX_API void gdprx_diff_free(gdprx_diff_result *diff);

/** Number of entries (0 for NULL, and when the versions state the same). */
GDPRX_API size_t gdprx_diff_count(const gdprx_diff_result *diff);

/** Entry `i`, or NULL when i >= gdprx_diff_count().
 *  Ownership: borrowed; valid until the diff is freed. */
GDPRX_API const gdprx_diff_entry *gdprx_diff_get(const gdprx_diff_result *diff,
                                                 size_t i);

/** Release text allocated by gdprx. Accepts NULL. */
GDPRX_API void gdprx_free(void *p);

#ifdef __cplusplus
}
#endif
#endif /* GDPRX_H */
