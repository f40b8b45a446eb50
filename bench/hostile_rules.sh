#!/bin/sh
# Hostile rule files: for each shape, the time and peak memory of
# `gdprx rules check DIR` on a directory holding that one file, its exit
# status and the first line it printed. A measurement, not a test (the
# limits themselves are tested in tests/check_limits.c). Prints a Markdown
# table. Goal (issue 12): each hostile shape rejected in < 0.1 s and
# < 50 MB, with a located error.
#
# Wall time includes waiting for a CPU on a busy machine; CPU time is
# user + system.
#
# usage: bench/hostile_rules.sh [GDPRX_TOOL]   (default build/tools/gdprx)
#        HOSTILE_TIMEOUT=SECONDS (default 30) stops a shape that hangs.
set -eu
tool=${1:-build/tools/gdprx}
timeout_s=${HOSTILE_TIMEOUT:-30}
[ -x "$tool" ] || { echo "no executable $tool" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time" >&2; exit 2; }
work=$(mktemp -d /tmp/gdprx-hostile-rules.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Write shape SHAPE into the file DIR/FILE (python3, standard library
# only: the shapes are easier to say there).
make_shape() {
    mkdir -p "$work/$1"
    python3 - "$2" "$work/$1/$3" <<'EOF'
import sys
name, path = sys.argv[1], sys.argv[2]
N = 100_000
RULE = ("- id: retention.period.r%d\n  type: retention\n  subtype: period\n"
        "  patterns: {en: ['keep'], fr: ['conserv'], nl: ['bewaar']}\n")
def shape():
    if name == "flow-seq-closed":   return "rules: " + "[" * N + "]" * N + "\n"
    if name == "flow-seq-unclosed": return "rules: " + "[" * N + "\n"
    if name == "flow-map-closed":   return "rules: " + "{a: " * N + "b" + "}" * N + "\n"
    if name == "flow-map-unclosed": return "rules: " + "{" * N + "\n"
    if name == "flow-after-quote":  # a quote the pre-scan misreads
        return "lexicon: a\n  'b\nrules: " + "[" * N + "\n"
    if name == "block-map-deep":    # 1,400 levels of indentation (1 MB)
        return "".join(" " * i + "k%d:\n" % i for i in range(1400))
    if name == "block-seq-compact": return "rules:\n" + "- " * N + "x\n"
    if name == "huge-50MB":
        return "rules:\n" + "".join(RULE % i for i in range(50_000_000 // 120))
    if name == "just-under-1MiB":   # the largest file the default accepts
        out, n = ["rules:\n"], 7
        while n < (1 << 20) - 200:
            out.append("  - x%d\n" % n); n += len(out[-1])
        return "".join(out)
    if name == "billion-laughs":
        s = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in range(1, 10):
            s += "a%d: &a%d [%s]\n" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9))
        return s
    if name == "250k-aliases":
        return "a: &a x\nb: [" + ", ".join(["*a"] * 250_000) + "]\n"
    if name == "macro-bomb":        # each macro uses the next one 10 times
        s = "macros:\n  en:\n"
        for i in range(15):
            s += "    m%d: '%s'\n" % (i, "{{m%d}}" % (i + 1) * 10)
        return s + "    m15: 'x'\n"
    if name.startswith("too-many-rules"):  # 2,001 rules in two files
        part = range(1000) if name.endswith("1") else range(1000, 2001)
        return "rules:\n" + "".join(RULE % i for i in part)
    if name == "long-pattern":      # one 500 KB pattern
        return ("rules:\n" + (RULE % 0).replace("'keep'", "'" + "k" * 500_000 + "'"))
    raise SystemExit("unknown shape " + name)
open(path, "w").write(shape())
EOF
}

printf '| shape | size (bytes) | exit | wall (s) | CPU (s) | peak RSS (MB) | first line |\n'
printf '|---|---|---|---|---|---|---|\n'
for shape in flow-seq-closed flow-seq-unclosed flow-map-closed \
             flow-map-unclosed flow-after-quote block-map-deep \
             block-seq-compact huge-50MB just-under-1MiB billion-laughs \
             250k-aliases macro-bomb too-many-rules long-pattern; do
    if [ "$shape" = too-many-rules ]; then
        make_shape "$shape" too-many-rules1 a.yaml
        make_shape "$shape" too-many-rules2 b.yaml
    else
        make_shape "$shape" "$shape" rules.yaml
    fi
    size=$(cat "$work/$shape"/*.yaml | wc -c)
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        timeout "$timeout_s" "$tool" rules check "$work/$shape" \
        > "$work/out" 2>&1
    code=$?
    set -e
    read -r wall user sys kb <<EOT
$(tail -n 1 "$work/time")
EOT
    cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
    [ "$code" = 124 ] && first="timed out after ${timeout_s} s" ||
        first=$(head -n 1 "$work/out" | sed "s|$work/||" | cut -c 1-110)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$shape" "$size" \
        "$code" "$wall" "$cpu" "$((kb / 1024))" "$first"
    rm -rf "${work:?}/$shape"
done
