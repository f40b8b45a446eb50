#!/usr/bin/env bash
# Build the libFuzzer harnesses of tests/fuzz/ with clang (ASan + UBSan,
# leak detection on) and run them. Two modes:
#
#   tools/fuzz.sh [SECONDS] [TARGET...]
#       Short run (CI, default 60 s): replay the committed corpus
#       tests/fuzz/corpus/<target>/ and tests/fuzz/regress/<target>/ once
#       (-runs=0), then fuzz each target for SECONDS into a scratch corpus
#       (build-fuzz/scratch-<target>/) that starts from the committed one.
#       The committed corpus is never written.
#   tools/fuzz.sh --campaign SECONDS [TARGET...]
#       Long run: fuzz each target for SECONDS (one at a time, under nice)
#       from the committed corpus plus run-time seeds (examples/policies and
#       ../shared/corpus/dev for text targets, rules/ for fuzz_rules), then
#       merge (-merge=1) everything into a minimized corpus that replaces
#       tests/fuzz/corpus/<target>/. Entries longer than 200 bytes that
#       share a run of 128+ bytes with a ../shared/corpus document are
#       dropped (no corpus document is committed, whole or in slices), and
#       the largest entries beyond FUZZ_CORPUS_KB (default 1024) per target.
#       A timeout (or a slow-unit report) does not end a campaign when its
#       input, run again alone at the highest priority the user may set,
#       finishes in time (the shared machine was busy or the fuzzer was
#       stopped for a while, not the input slow): it is kept as
#       build-fuzz/crashes/spurious-* and fuzzing goes on for the rest of
#       SECONDS; CPU seconds and executions add up over the runs. The same
#       holds for a timeout while a campaign replays the committed corpus.
#
# Every run uses the dictionary tests/fuzz/dict/<target>.dict, a per-input
# timeout of 1 s and leak detection. Per target it prints CPU seconds,
# executions, exec/s, coverage (cov:, ft:), peak RSS, corpus size, and the
# number of crashes, timeouts, leaks and OOMs found and the slowest input's time (reproducers in
# build-fuzz/crashes/). Each target's outcome ("name OK" or "name FAIL") is
# written to build-fuzz/results.txt; the exit status is non-zero if any
# target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=short
if [ "${1:-}" = --campaign ]; then
    mode=campaign
    shift
    [ $# -ge 1 ] || { echo "usage: $0 --campaign SECONDS [TARGET...]" >&2; exit 2; }
fi
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_analyze fuzz_rules fuzz_normalize fuzz_html)
bash tools/deps.sh clang libclang-rt-14-dev
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzz=true -Dtests=false \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
meson compile -C "$dir" >/dev/null
export GDPRX_RULES="$PWD/rules"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$dir/crashes"
: > "$dir/results.txt"
status=0

# shellcheck disable=SC2317  # called below
# Trims a minimized corpus dir for committing: removes entries longer than
# max_len, those longer than 200 bytes that share a run of 128+ bytes with
# a ../shared/corpus document, then the largest ones until the rest fits in
# budget_kb.
trim_corpus() { # dir, max_len, budget_kb
    python3 - "$1" ../shared/corpus "$2" "$3" <<'PY'
import os, sys
W = 64  # a shared run of 128+ bytes covers two consecutive aligned windows
index = set()
for root, _, files in os.walk(sys.argv[2]):
    for n in files:
        if n.endswith((".txt", ".md", ".html", ".htm")):
            with open(os.path.join(root, n), "rb") as fh:
                b = fh.read()
            index.update(hash(b[i:i + W]) for i in range(len(b) - W + 1))
dropped = 0
for n in sorted(os.listdir(sys.argv[1])):
    p = os.path.join(sys.argv[1], n)
    with open(p, "rb") as fh:
        b = fh.read()
    if len(b) <= 200:
        continue
    hits = [hash(b[i:i + W]) in index for i in range(0, len(b) - W + 1, W)]
    if any(a and c for a, c in zip(hits, hits[1:])):
        os.remove(p)
        dropped += 1
print(f"  dropped {dropped} entries sharing 128+ bytes with ../shared/corpus")
max_len, budget = int(sys.argv[3]), int(sys.argv[4]) * 1024
files = sorted((os.path.getsize(os.path.join(sys.argv[1], n)), n)
               for n in os.listdir(sys.argv[1]))
total = sum(sz for sz, _ in files)
dropped = 0
while files and (total > budget or files[-1][0] > max_len):
    sz, n = files.pop()
    os.remove(os.path.join(sys.argv[1], n))
    total -= sz
    dropped += 1
print(f"  dropped {dropped} entries over {max_len} bytes or the {budget // 1024} KB budget")
PY
}

# shellcheck disable=SC2317
report() { # target, log, time file, stamp
    local t=$1 log=$2 tf=$3 stamp=$4 n
    local cpu
    cpu=$(cut -d' ' -f1 "$tf")
    fstat() { grep -E "^stat::$1:" "$log" | tail -1 | awk '{print $2}'; }
    fsum() { grep -E "^stat::$1:" "$log" | awk '{s += $2} END {print s + 0}'; }
    local covline
    covline=$(grep -E "cov: [0-9]+" "$log" | tail -1 || true)
    printf '  %-16s cpu %ss  execs %s  exec/s %s  cov %s  ft %s  peak_rss %s MB  corpus %s\n' \
        "$t" "$cpu" "$(fsum number_of_executed_units)" \
        "$(fstat average_exec_per_sec)" \
        "$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<< "$covline")" \
        "$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<< "$covline")" \
        "$(fstat peak_rss_mb)" \
        "$(sed -nE 's/.*corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p' <<< "$covline")"
    printf '  %-16s' "$t"
    for kind in crash:crashes timeout:timeouts leak:leaks oom:ooms; do
        n=$(find "$dir/crashes" -name "$t-${kind%%:*}-*" -newer "$stamp" | wc -l)
        printf ' %s %s' "${kind#*:}" "$n"
    done
    echo "  slowest input $(fstat slowest_unit_time_sec) s"
}

# only_spurious TARGET: every finding since $stamp is a timeout or slow
# unit whose input runs in time when run again alone, at the highest
# priority allowed (nice -n -20 needs root; else the same priority): those
# are moved to crashes/spurious-*. Returns 1 if any finding is real.
# shellcheck disable=SC2317  # called below
only_spurious() {
    local t=$1 f
    while IFS= read -r f; do
        case "$f" in
        *"/$t-timeout-"* | *"/$t-slow-unit-"*)
            if nice -n -20 "$bin" -runs=3 "${flags[@]}" "$f" 2>/dev/null; then
                echo "  $t: $(basename "$f") runs in time alone" \
                     "(the machine was busy): fuzzing goes on"
                mv "$f" "$dir/crashes/spurious-$(basename "$f")"
            else
                return 1
            fi ;;
        *) return 1 ;;
        esac
    done < <(find "$dir/crashes" -name "$t-*" -newer "$stamp")
    return 0
}

for t in "${targets[@]}"; do
    bin="$dir/tests/fuzz/$t"
    committed="tests/fuzz/corpus/$t"
    regress="tests/fuzz/regress/$t"
    mkdir -p "$committed"
    case $t in
        fuzz_rules) seeds=(rules/*.yaml rules/lexicon/*.yaml tests/data/bad/*.yaml)
                    max_len=16384 ;;   # 4x the largest made-up seed
        fuzz_html) seeds=(tests/data/html/* ../shared/corpus/html/*.html)
                   max_len=8192 ;;
        *) seeds=(examples/policies/* ../shared/corpus/dev/*.txt ../shared/corpus/dev/*.md)
           max_len=4096 ;;   # long inputs only slow the search down
    esac
    flags=(-timeout=1 -detect_leaks=1 -rss_limit_mb=2048 -max_len="$max_len"
           -dict="tests/fuzz/dict/$t.dict" -print_final_stats=1
           -artifact_prefix="$dir/crashes/$t-")
    stamp="$dir/.stamp-$t"
    touch "$stamp"
    ok=1
    # 1. replay what is committed: every input once, no mutation
    replay_dirs=("$committed")
    [ -d "$regress" ] && replay_dirs+=("$regress")
    rm -rf "$dir/empty-$t" && mkdir -p "$dir/empty-$t"
    if ! "$bin" -runs=0 "${flags[@]}" "$dir/empty-$t" "${replay_dirs[@]}" \
            2> "$dir/$t.replay.log"; then
        # (a campaign's fuzzing runs every committed input again)
        if [ "$mode" = campaign ] && only_spurious "$t"; then
            echo "== $t: a replay timeout was the busy machine; going on"
        else
            ok=0
            echo "== $t: the committed corpus fails on replay"
            tail -40 "$dir/$t.replay.log"
        fi
    fi
    # 2. fuzz
    if [ "$mode" = campaign ]; then
        work="$dir/campaign-$t"
        mkdir -p "$work"
        cp -n "$committed"/* "$work/" 2>/dev/null || true
        for s in "${seeds[@]}"; do
            if [ -f "$s" ]; then cp -n "$s" "$work/" 2>/dev/null || true; fi
        done
        runner=(nice -n 10)
    else
        work="$dir/scratch-$t"
        rm -rf "$work" && mkdir -p "$work"
        cp "$committed"/* "$work/" 2>/dev/null || true
        runner=()
    fi
    echo "== $t ($mode): ${seconds}s"
    : > "$dir/$t.log"
    : > "$dir/$t.time"
    left=$seconds
    while [ "$left" -gt 0 ]; do
        began=$(date +%s)
        if /usr/bin/time -f "%U+%S %M" -a -o "$dir/$t.time" "${runner[@]}" \
                "$bin" -max_total_time="$left" "${flags[@]}" "$work" \
                2>> "$dir/$t.log"; then
            break
        fi
        # A campaign runs niced for an hour on a shared machine: a 1 s
        # timeout can be the machine, not the input. Go on only when every
        # new finding is a timeout whose input runs in time alone.
        spurious=0
        if [ "$mode" = campaign ] && only_spurious "$t"; then
            spurious=1
        fi
        if [ $spurious = 0 ]; then
            ok=0
            tail -40 "$dir/$t.log"
            break
        fi
        left=$((left - ($(date +%s) - began)))
    done
    # CPU seconds of the fuzzing processes: user + system, summed over runs
    awk '{split($1, a, "+"); cpu += a[1] + a[2]; if ($2 > rss) rss = $2}
         END {printf "%.0f %s\n", cpu, rss}' \
        "$dir/$t.time" > "$dir/$t.time.1" 2>/dev/null || echo "? ?" > "$dir/$t.time.1"
    # 3. campaign: minimize committed + new inputs into the committed corpus
    if [ "$mode" = campaign ]; then
        merged="$dir/merged-$t"
        rm -rf "$merged" && mkdir -p "$merged"
        "${runner[@]}" "$bin" -merge=1 "${flags[@]}" "$merged" "$committed" "$work" \
            2> "$dir/$t.merge.log" || { ok=0; tail -20 "$dir/$t.merge.log"; }
        trim_corpus "$merged" "$max_len" "${FUZZ_CORPUS_KB:-1024}"
        if [ -n "$(ls -A "$merged")" ]; then
            rm -f "$committed"/*
            cp "$merged"/* "$committed/"
        fi
        echo "  committed corpus: $(find "$committed" -type f | wc -l) files," \
             "$(cat "$committed"/* | wc -c) bytes"
    fi
    report "$t" "$dir/$t.log" "$dir/$t.time.1" "$stamp"
    if [ $ok = 1 ]; then
        echo "$t OK" >> "$dir/results.txt"
    else
        status=1
        echo "$t FAIL" >> "$dir/results.txt"
    fi
done
exit $status
