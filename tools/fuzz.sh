#!/usr/bin/env bash
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each for
# SECONDS (default 60) on seed corpora made from the development corpus,
# the example policies and the rule files. Prints each target's final stats;
# exits non-zero if a target finds a crash (the reproducer is left in
# build-fuzz/crashes/). Each target's outcome ("name OK" or "name FAIL") is
# written to build-fuzz/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("${@:-fuzz_analyze fuzz_rules fuzz_normalize fuzz_html}")
bash tools/deps.sh clang libclang-rt-14-dev
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzz=true -Dtests=false \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
meson compile -C "$dir" >/dev/null
export GDPRX_RULES="$PWD/rules"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$dir/crashes"
: > "$dir/results.txt"
status=0
for t in ${targets[*]}; do
    corpus="$dir/corpus-$t"
    mkdir -p "$corpus"
    case $t in
        fuzz_rules) seeds=(rules/*.yaml rules/lexicon/*.yaml tests/data/bad/*.yaml)
                    max_len=65536 ;;
        fuzz_html) seeds=(tests/data/html/* ../shared/corpus/html/*.html)
                   max_len=8192 ;;
        *) seeds=(examples/policies/* ../shared/corpus/dev/*.txt ../shared/corpus/dev/*.md)
           max_len=4096 ;;   # long inputs only slow the search down
    esac
    for s in "${seeds[@]}"; do [ -f "$s" ] && cp -n "$s" "$corpus/" 2>/dev/null || true; done
    echo "== $t: ${seconds}s"
    if "$dir/tests/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
            -max_len="$max_len" -timeout=20 -rss_limit_mb=4096 \
            -artifact_prefix="$dir/crashes/$t-" "$corpus" 2> "$dir/$t.log"; then
        echo "$t OK" >> "$dir/results.txt"
    else
        status=1
        echo "$t FAIL" >> "$dir/results.txt"
        tail -40 "$dir/$t.log"
    fi
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|cov: " "$dir/$t.log" | tail -3
done
exit $status
