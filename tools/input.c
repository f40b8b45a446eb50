/* SPDX-License-Identifier: MIT */
/* gdprx tool, input: which documents to analyze (paths, --files-from,
 * directory trees with -r) and reading one document with a size bound.
 * The list is in input order; within a directory, entries are sorted by
 * name so that output is deterministic. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The directories being walked, from the root down: a directory equal to
 * one of them is a loop (through a symbolic link). */
typedef struct ancestor {
    dev_t dev;
    ino_t ino;
    const struct ancestor *up;
} ancestor;

void jobs_free(joblist *jl)
{
    for (size_t i = 0; i < jl->n; i++) {
        free(jl->v[i].path);
        free(jl->v[i].err_msg);
    }
    free(jl->v);
    jl->v = NULL;
    jl->n = jl->cap = 0;
}

/* Append a job; path is copied. Returns 0 or -1 (out of memory). */
static int job_add(joblist *jl, const char *path, long long size,
                   const char *err_code, const char *err_msg)
{
    if (jl->n == jl->cap) {
        size_t cap = jl->cap ? jl->cap * 2 : 64;
        job *v = realloc(jl->v, cap * sizeof *v);
        if (!v)
            return -1;
        jl->v = v;
        jl->cap = cap;
    }
    job *j = &jl->v[jl->n];
    j->path = strdup(path);
    j->err_msg = err_msg ? strdup(err_msg) : NULL;
    j->err_code = err_code;
    j->size = size;
    if (!j->path || (err_msg && !j->err_msg)) {
        free(j->path);
        free(j->err_msg);
        return -1;
    }
    jl->n++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The non-hidden entries of dir, sorted. Returns 0, or -1 with errno. */
static int list_dir(char ***out, size_t *n, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **v = NULL;
    size_t cap = 0, k = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **nv = k < cap ? v : realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
        if (!nv || !(nv[k] = strdup(e->d_name))) {
            v = nv ? nv : v;
            rc = -1;
            errno = ENOMEM;
            break;
        }
        v = nv;
        k++;
    }
    closedir(d);
    if (rc) {
        free_names(v, k);
        return -1;
    }
    qsort(v, k, sizeof *v, cmp_names);
    *out = v;
    *n = k;
    return 0;
}

static int is_loop(const ancestor *a, const struct stat *st)
{
    for (; a; a = a->up)
        if (a->dev == st->st_dev && a->ino == st->st_ino)
            return 1;
    return 0;
}

/* One directory tree being walked: where jobs go, the --glob/--exclude
 * filters, and the length of the root's path (filters with a '/' match the
 * path below the root). */
typedef struct walker {
    joblist *jl;
    const opts *o;
    size_t root_len;
} walker;

static int matches(const char *pattern, const char *path, size_t root_len)
{
    const char *rel = path + root_len;
    while (*rel == '/')
        rel++;
    if (strchr(pattern, '/'))
        return fnmatch(pattern, rel, FNM_PATHNAME) == 0;
    const char *base = strrchr(path, '/');
    return fnmatch(pattern, base ? base + 1 : path, 0) == 0;
}

/* Whether a walked entry passes the filters: no --exclude (nor --glob
 * '!PAT') matches it and, for a file when any --glob is given, one does. */
static int wanted(const walker *w, const char *path, int is_dir)
{
    const opts *o = w->o;
    int any_glob = 0, glob_hit = 0;
    for (int i = 0; i < o->nexcludes; i++)
        if (matches(o->excludes[i], path, w->root_len))
            return 0;
    for (int i = 0; i < o->nglobs; i++) {
        const char *g = o->globs[i];
        if (g[0] == '!') {
            if (matches(g + 1, path, w->root_len))
                return 0;
            continue;
        }
        any_glob = 1;
        glob_hit |= matches(g, path, w->root_len);
    }
    return is_dir || !any_glob || glob_hit;
}

static int walk(const walker *w, const char *dir, const struct stat *st,
                const ancestor *up);

/* One entry of a walked directory: a file becomes a job, a directory is
 * walked, a loop, a special file or a filtered entry is skipped. */
static int walk_entry(const walker *w, const char *path, const ancestor *up)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
        return wanted(w, path, 0) ? job_add(w->jl, path, -1, "io", msg) : 0;
    }
    if (!wanted(w, path, S_ISDIR(st.st_mode)))
        return 0;
    if (S_ISDIR(st.st_mode)) {
        if (is_loop(up, &st)) {
            fprintf(stderr, "gdprx: %s: file system loop, skipped\n", path);
            return 0;
        }
        return walk(w, path, &st, up);
    }
    if (S_ISREG(st.st_mode))
        return job_add(w->jl, path, (long long)st.st_size, NULL, NULL);
    return 0;
}

static int walk(const walker *w, const char *dir, const struct stat *st,
                const ancestor *up)
{
    ancestor me = {st->st_dev, st->st_ino, up};
    char **names;
    size_t n;
    if (list_dir(&names, &n, dir) != 0) {
        if (errno == ENOMEM)
            return -1;
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", dir, strerror(errno));
        return job_add(w->jl, dir, -1, "io", msg);
    }
    int rc = 0;
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    for (size_t i = 0; !rc && i < n; i++) {
        size_t len = dl + strlen(names[i]) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = -1;
            break;
        }
        snprintf(p, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        rc = walk_entry(w, p, &me);
        free(p);
    }
    free_names(names, n);
    return rc;
}

/* A path given by the user: a directory is walked with -r (its entries
 * filtered by --glob/--exclude); anything else, directories without -r
 * included, is a job whose reading tells. */
static int add_path(joblist *jl, const char *path, const opts *o)
{
    struct stat st;
    if (strcmp(path, "-") && stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode) && o->recursive) {
            walker w = {jl, o, strlen(path)};
            return walk(&w, path, &st, NULL);
        }
        return job_add(jl, path, S_ISREG(st.st_mode) ? (long long)st.st_size
                                                      : -1, NULL, NULL);
    }
    return job_add(jl, path, -1, NULL, NULL);
}

/* Read the whole list (a path list is small next to the documents). */
#define MAX_LIST ((size_t)256 << 20)
static char *read_list(const char *name, size_t *len)
{
    read_error e;
    char *text;
    if (doc_read(&text, len, name, MAX_LIST, &e) != 0) {
        fprintf(stderr, "gdprx: --files-from %s\n", e.message);
        return NULL;
    }
    return text;
}

/* Paths one a line (CR LF too), or NUL-separated when the list holds a
 * NUL; empty entries are skipped. */
static int add_list(joblist *jl, const char *name, const opts *o)
{
    size_t len;
    char *text = read_list(name, &len);
    if (!text)
        return EXIT_INPUT;
    int sep = memchr(text, '\0', len) ? '\0' : '\n';
    int rc = 0;
    for (size_t i = 0; !rc && i < len;) {
        char *s = text + i, *e = memchr(s, sep, len - i);
        size_t n = e ? (size_t)(e - s) : len - i;
        i += n + 1;
        if (sep == '\n' && n && s[n - 1] == '\r')
            n--;
        s[n] = '\0';
        if (n)
            rc = add_path(jl, s, o);
    }
    free(text);
    if (rc)
        fprintf(stderr, "gdprx: out of memory listing the documents\n");
    return rc ? EXIT_INPUT : EXIT_OK;
}

int jobs_collect(joblist *out, const opts *o, const char *const *paths,
                 int npaths)
{
    joblist jl = {0};
    int rc = EXIT_OK;
    for (int i = 0; !rc && i < npaths; i++)
        if (add_path(&jl, paths[i], o) != 0) {
            fprintf(stderr, "gdprx: out of memory listing the documents\n");
            rc = EXIT_INPUT;
        }
    if (!rc && o->files_from)
        rc = add_list(&jl, o->files_from, o);
    if (rc) {
        jobs_free(&jl);
        return rc;
    }
    *out = jl;
    return EXIT_OK;
}

/* ---- reading one document --------------------------------------------- */

static int fail(read_error *e, const char *code, const char *name,
                const char *what)
{
    e->code = code;
    snprintf(e->message, sizeof e->message, "%s: %s", name, what);
    return -1;
}

static int fail_too_large(read_error *e, const char *name, size_t max)
{
    char what[128];
    snprintf(what, sizeof what, "larger than %zu bytes (--max-size)", max);
    return fail(e, "too_large", name, what);
}

/* Read fd to its end, or until more than max bytes came. */
static int read_fd(char **text, size_t *len, int fd, const char *name,
                   size_t max, size_t hint, read_error *e)
{
    size_t cap = hint < max ? hint + 1 : max + 1, n = 0;
    if (cap < 65536)
        cap = 65536 < max + 1 ? 65536 : max + 1;
    char *buf = malloc(cap + 1);
    if (!buf)
        return fail(e, "nomem", name, "out of memory");
    for (;;) {
        if (n == cap) {
            if (n > max)
                break;
            size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                return fail(e, "nomem", name, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            free(buf);
            return fail(e, saved == EISDIR ? "is_directory" : "io", name,
                        strerror(saved));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        free(buf);
        return fail_too_large(e, name, max);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int doc_read(char **text, size_t *len, const char *path, size_t max,
             read_error *e)
{
    int is_stdin = !strcmp(path, "-");
    const char *name = is_stdin ? "<stdin>" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(e, "io", name, strerror(errno));
    struct stat st;
    size_t hint = 0;
    int rc = 0;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        rc = fail(e, "is_directory", name,
                  "is a directory (-r analyzes the files below it)");
    else if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if ((unsigned long long)st.st_size > max)
            rc = fail_too_large(e, name, max);
        hint = (size_t)st.st_size;
    }
    if (!rc)
        rc = read_fd(text, len, fd, name, max, hint, e);
    if (!is_stdin)
        close(fd);
    return rc;
}
