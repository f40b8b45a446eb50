/* SPDX-License-Identifier: MIT */
/* Runs a libFuzzer harness without libFuzzer, so any compiler and any
 * sanitizer build can replay what fuzzing found: every argument is a file
 * or a directory of files (not recursive), and each file is passed once to
 * LLVMFuzzerTestOneInput in a buffer of exactly its size. The harness's
 * properties abort on failure; this program fails if it replayed nothing.
 * The meson tests "fuzz-replay-*" run it over tests/fuzz/corpus/<target>/
 * and tests/fuzz/regress/<target>/. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
/* defined by the harnesses that load a fixture (fuzz_analyze) */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Passes the file at path to the harness; returns 0 or -1 if unreadable. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap); /* owned here */
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            unsigned char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    /* an exact-size copy, so that a read past the input is caught */
    unsigned char *exact = malloc(len ? len : 1); /* owned here */
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

/* Replays path (a file, or each regular file of a directory); adds the
 * number of inputs replayed to *count; returns 0 or -1 on an I/O error. */
static int replay_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        if (replay_file(path) != 0)
            return -1;
        ++*count;
        return 0;
    }
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t sz = strlen(path) + strlen(e->d_name) + 2;
        char *p = malloc(sz); /* owned here */
        if (!p) {
            rc = -1;
            break;
        }
        snprintf(p, sz, "%s/%s", path, e->d_name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = replay_file(p);
            if (rc == 0)
                ++*count;
            else
                fprintf(stderr, "replay: cannot read %s\n", p);
        }
        free(p);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (replay_path(argv[i], &count) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
    }
    printf("replayed %zu inputs\n", count);
    return count ? 0 : 1;
}
