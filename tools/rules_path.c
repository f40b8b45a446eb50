/* SPDX-License-Identifier: MIT */
/* gdprx tool, the default rule set: which directory to load when --rules is
 * not given. Takes the environment and the executable's own location, gives
 * one path; when none exists, says every place it looked, in order. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"

/* One place of the search: where it comes from and the path (or why it
 * was not tried). */
typedef struct place {
    const char *what;        /* static description */
    char path[PATH_MAX + 64]; /* the directory, or empty */
    const char *skipped;     /* static reason it was not tried, or NULL */
} place;

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of the running executable (from /proc/self/exe), resolved.
 * Returns 0, or -1 when it cannot be told. */
static int exe_dir(char *dir, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if ((size_t)snprintf(dir, size, "%s", exe) >= size)
        return -1;
    return 0;
}

/* Whether the executable lies in the build directory it was built in:
 * only then does the checkout's rules/ belong to it. */
static int runs_from_build_dir(const char *dir)
{
    char built[PATH_MAX];
    if (!realpath(GDPRX_TOOL_BUILD_DIR, built))
        return 0;
    return strcmp(built, dir) == 0;
}

/* Fill the places of the search, in order (GDPRX_RULES is handled before). */
static void list_places(place p[3])
{
    char dir[PATH_MAX];
    int have_dir = exe_dir(dir, sizeof dir) == 0;
    memset(p, 0, 3 * sizeof *p);
    p[0].what = "relative to the executable";
    if (GDPRX_RULES_FROM_BINDIR[0] == '/') /* absolute bindir or datadir */
        snprintf(p[0].path, sizeof p[0].path, "%s", GDPRX_RULES_FROM_BINDIR);
    else if (have_dir)
        snprintf(p[0].path, sizeof p[0].path, "%s/%s", dir,
                 GDPRX_RULES_FROM_BINDIR);
    else
        p[0].skipped = "/proc/self/exe cannot be read";
    /* A tool in its build tree belongs to the checkout it was built from,
     * whatever an older installation under the prefix holds. */
    p[1].what = "the source checkout, for a tool run from its build directory";
    snprintf(p[1].path, sizeof p[1].path, "%s", GDPRX_RULES_SOURCE_DIR);
    if (!have_dir || !runs_from_build_dir(dir))
        p[1].skipped = "not tried: this executable is not in its build "
                       "directory";
    p[2].what = "the installation prefix";
    snprintf(p[2].path, sizeof p[2].path, "%s", GDPRX_RULES_INSTALL_DIR);
}

static void report_not_found(const place p[3])
{
    fprintf(stderr, "gdprx: no rule set found; looked, in order, at:\n"
                    "  1. $GDPRX_RULES: not set\n");
    for (int i = 0; i < 3; i++) {
        fprintf(stderr, "  %d. %s (%s): %s\n", i + 2,
                *p[i].path ? p[i].path : "?", p[i].what,
                p[i].skipped ? p[i].skipped : "no such directory");
    }
    fprintf(stderr, "Set GDPRX_RULES to a rule directory or file, or pass "
                    "--rules PATH.\n");
}

int rules_locate(char **out, const char *given)
{
    const char *env = getenv("GDPRX_RULES");
    const char *chosen = given ? given : env && *env ? env : NULL;
    place p[3];
    if (!chosen) {
        list_places(p);
        for (int i = 0; i < 3 && !chosen; i++)
            if (!p[i].skipped && is_dir(p[i].path))
                chosen = p[i].path;
    }
    if (!chosen) {
        report_not_found(p);
        return EXIT_RULES;
    }
    *out = strdup(chosen);
    if (!*out) {
        fprintf(stderr, "gdprx: %s\n", strerror(ENOMEM));
        return EXIT_RULES;
    }
    return EXIT_OK;
}
