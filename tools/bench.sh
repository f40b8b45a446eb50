#!/usr/bin/env bash
# The project's benchmark in one run: builds the current tree (release) and
# the previous engine (git tag engine-v1, in a worktree), runs both on the
# same inputs and prints one table with ratios. Figures only, no assertions.
# Sizes, runs and paths are environment variables: see bench/README.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
MB=${GDPRX_BENCH_MB:-10}                  # size of each per-language input
RUNS=${GDPRX_BENCH_RUNS:-5}               # runs per input, median reported
BIG_MB=${GDPRX_BENCH_BIG_MB:-100}         # single-line input
BIG_TIMEOUT=${GDPRX_BENCH_BIG_TIMEOUT:-300}   # current engine, single line
V1_TIMEOUT=${GDPRX_BENCH_V1_TIMEOUT:-60}  # v1, single line
PY_MB=${GDPRX_BENCH_PY_MB:-0.5}           # python-re input (it is slow:
PY_RUNS=${GDPRX_BENCH_PY_RUNS:-1}         # a throughput, so size matters little)
LAT_KB=${GDPRX_BENCH_LAT_KB:-20}          # latency document size
LAT_RUNS=${GDPRX_BENCH_LAT_RUNS:-50}
THREADS=${GDPRX_BENCH_THREADS:-2}
THREADS_MB=${GDPRX_BENCH_THREADS_MB:-$MB}
CORPUS=${GDPRX_BENCH_CORPUS:-$root/../shared/corpus/dev}
BUILD=${GDPRX_BENCH_BUILD:-$root/build-bench}
V1_TAG=${GDPRX_BENCH_V1_TAG:-engine-v1}
V1_DIR=${GDPRX_BENCH_V1_DIR:-/tmp/gdprx-v1}
BUILDTYPE=release

log() { printf '%s\n' "$*" >&2; }

build_current() {
    log "== building the current tree in $BUILD ($BUILDTYPE)"
    if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" "$root" --buildtype=$BUILDTYPE >/dev/null
    else
        meson configure "$BUILD" -Dbuildtype=$BUILDTYPE >/dev/null
    fi
    meson compile -C "$BUILD" bench_pipeline bench_analyze >/dev/null
}

# The v1 worktree is detached at $V1_TAG; its build dir is its own.
build_v1() {
    local want
    # engine-v1 is 0e65526f (the last commit before the concept scanner);
    # a checkout that lost its tags still finds it by hash.
    want=$(git -C "$root" rev-parse -q --verify "$V1_TAG^{commit}") ||
        want=$(git -C "$root" rev-parse -q --verify "0e65526f^{commit}") ||
        { log "no $V1_TAG tag nor commit 0e65526f: set GDPRX_BENCH_V1_TAG"; exit 1; }
    log "== building $V1_TAG ($want) in $V1_DIR ($BUILDTYPE)"
    if [ ! -e "$V1_DIR/.git" ]; then   # -f: registered, deleted is fine
        git -C "$root" worktree add -f --detach "$V1_DIR" "$want" >/dev/null
    elif [ "$(git -C "$V1_DIR" rev-parse HEAD)" != "$want" ]; then
        git -C "$V1_DIR" checkout --detach "$want" >/dev/null 2>&1
    fi
    if [ ! -f "$V1_DIR/build-bench/build.ninja" ]; then
        meson setup "$V1_DIR/build-bench" "$V1_DIR" --buildtype=$BUILDTYPE \
            -Dtests=false >/dev/null
    fi
    meson compile -C "$V1_DIR/build-bench" bench_analyze >/dev/null
}

# Input files (one per line in $work/<name>.list) for en, fr, nl, mixed.
make_lists() {
    local f
    for lang in en fr nl; do
        : > "$work/$lang.list"
    done
    : > "$work/mixed.list"
    for f in "$CORPUS"/*; do
        case $f in *.json) continue ;; esac
        [ -f "$f" ] || continue
        echo "$f" >> "$work/mixed.list"
        for lang in en fr nl; do
            case $(basename "$f") in *".$lang."*) echo "$f" >> "$work/$lang.list" ;; esac
        done
    done
}

# The dev documents joined by spaces on one line, repeated to >= BIG_MB.
make_single_line() {
    local unit=$work/unit.txt out=$work/single-line.txt
    xargs -d '\n' cat < "$work/mixed.list" | tr '\n\r' '  ' > "$unit"
    printf ' ' >> "$unit"
    local n
    n=$(reps_for "$BIG_MB" "$(stat -c %s "$unit")")
    : > "$out"
    for _ in $(seq "$n"); do cat "$unit"; done >> "$out"
}

# A policy of about LAT_KB: the start of the largest English document, cut
# at a line break.
make_latency_doc() {
    local big
    big=$(xargs -d '\n' ls -S < "$work/en.list" | head -n 1)
    head -c $((LAT_KB * 1024)) "$big" | sed '$d' > "$work/latency.txt"
}

# reps_for MB BYTES: how many copies of BYTES make >= MB megabytes (>= 1).
reps_for() { awk -v mb="$1" -v b="$2" 'BEGIN { n = int(mb * 1e6 / b);
    if (n * b < mb * 1e6) n++; print n < 1 ? 1 : n }'; }

bytes_of() { xargs -d '\n' cat < "$1" | wc -c; }

# value KEY FILE: KEY=value from the RESULT line of FILE.
value() {
    grep '^RESULT ' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "n/a";
    else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0)
    printf "%.2fx", a / b; else print "n/a" }'; }

# Runs CMD under /usr/bin/time; peak RSS (kB) goes to $work/rss.
with_rss() { /usr/bin/time -f '%M' -o "$work/rss" "$@"; }
rss_mb() { awk '/^[0-9]+$/ { printf "%.0f", $1 / 1024 }' "$work/rss"; }

# current NAME LIST: bench_pipeline on the files of LIST; sets cur_*.
current() {
    local out=$work/current-$1.out
    log "== current engine: $1 (>= $MB MB, $RUNS runs)"
    local files
    mapfile -t files < "$2"
    with_rss "$BUILD/bench/bench_pipeline" "$root/rules" "$MB" "$RUNS" \
        "${files[@]}" > "$out"
    cur_mbs=$(value mbs "$out")
    cur_amb=$(value analyze_mbs "$out")
    cur_load=$(value load_ms "$out")
    cur_first=$(value first_load_ms "$out")
    cur_rss=$(rss_mb)
    cur_bytes=$(value bytes "$out")
}

# v1 NAME LIST: engine-v1's bench_analyze, RUNS processes of N repetitions
# (N so that one run reads >= MB); sets v1_mbs (median), v1_load, v1_rss.
v1() {
    local bytes n out=$work/v1-$1.out
    bytes=$(bytes_of "$2")
    n=$(reps_for "$MB" "$bytes")
    log "== $V1_TAG engine: $1 ($n x $bytes bytes, $RUNS runs)"
    : > "$out"
    local rss=0 files
    mapfile -t files < "$2"
    for _ in $(seq "$RUNS"); do
        with_rss "$V1_DIR/build-bench/bench/bench_analyze" "$V1_DIR/rules" \
            "$n" "${files[@]}" >> "$out"
        rss=$(awk -v a="$rss" -v b="$(rss_mb)" 'BEGIN { print (b > a ? b : a) }')
    done
    v1_mbs=$(sed -n 's/.* \([0-9.]*\) MB\/s.*/\1/p' "$out" | median)
    v1_load=$(sed -n 's/.*loaded in \([0-9.]*\) ms.*/\1/p' "$out" | median)
    v1_rss=$rss
}

# python_re NAME LIST: the naive Python `re` engine on the same input, when
# bench/naive_re.py exists (same arguments as bench_pipeline, prints a
# "RESULT ... mbs=..." line); "n/a" otherwise.
python_re() {
    local script=$root/bench/naive_re.py out=$work/python-re-$1.out
    if [ ! -f "$script" ]; then
        echo "n/a"
        return
    fi
    log "== python-re: $1"
    local files
    mapfile -t files < "$2"
    if python3 "$script" "$root/rules" "$PY_MB" "$PY_RUNS" "${files[@]}" \
            > "$out" 2>&1; then
        value mbs "$out"
    else
        echo "failed"
    fi
}

row() { printf '%-22s %9s %13s %9s %7s %10s %9s %9s\n' "$@"; }

run_inputs() {
    for name in en fr nl mixed; do
        [ -s "$work/$name.list" ] || continue
        current "$name" "$work/$name.list"
        v1 "$name" "$work/$name.list"
        local py
        py=$(python_re "$name" "$work/$name.list")
        rows+=("$(row "$name" "$(awk -v b="$cur_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')" \
            "$cur_mbs ($cur_amb)" "$v1_mbs" "$(ratio "$cur_amb" "$v1_mbs")" \
            "$py" "$cur_rss" "$v1_rss")")
        loads_cur+=("$cur_load")
        loads_first+=("$cur_first")
        loads_v1+=("$v1_load")
    done
}

# The single-line input: each engine once, under a hard timeout.
run_single_line() {
    local f=$work/single-line.txt cur v1r size cur_r="" v1_rss=""
    size=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f", b / 1e6 }')
    log "== single line, $size MB: current engine (timeout $BIG_TIMEOUT s)"
    if with_rss timeout "$BIG_TIMEOUT" "$BUILD/bench/bench_pipeline" \
            "$root/rules" 0 1 "$f" > "$work/current-big.out" 2>&1; then
        cur=$(value analyze_mbs "$work/current-big.out")
        cur_r=$(rss_mb)
    else
        cur="> $BIG_TIMEOUT s"
    fi
    log "== single line, $size MB: $V1_TAG engine (timeout $V1_TIMEOUT s)"
    if with_rss timeout "$V1_TIMEOUT" "$V1_DIR/build-bench/bench/bench_analyze" \
            "$V1_DIR/rules" 1 "$f" > "$work/v1-big.out" 2>&1; then
        v1r=$(sed -n 's/.* \([0-9.]*\) MB\/s.*/\1/p' "$work/v1-big.out")
        v1_rss=$(rss_mb)
    else
        v1r="> $V1_TIMEOUT s"
    fi
    rows+=("$(row "single line" "$size" "$cur" "$v1r" "$(ratio "$cur" "$v1r")" \
        "n/a" "${cur_r:-n/a}" "${v1_rss:-n/a}")")
}

run_latency() {
    local f=$work/latency.txt
    log "== latency: $(stat -c %s "$f") bytes, $LAT_RUNS analyses"
    "$BUILD/bench/bench_pipeline" "$root/rules" 0 "$LAT_RUNS" "$f" \
        > "$work/current-lat.out"
    lat_cur=$(awk -v w="$(value ms_wall "$work/current-lat.out")" \
        -v o="$(value ms_output "$work/current-lat.out")" \
        'BEGIN { printf "%.2f", w - o }')   # analyze only, as v1's figure
    "$V1_DIR/build-bench/bench/bench_analyze" "$V1_DIR/rules" "$LAT_RUNS" "$f" \
        > "$work/v1-lat.out"
    lat_v1=$(sed -n 's/.*, \([0-9.]*\) ms\/doc.*/\1/p' "$work/v1-lat.out")
    lat_bytes=$(stat -c %s "$f")
}

# Fresh processes that only load the rule set, alternating one load thread
# and the default (2): the first load of each is what a CLI run pays.
run_load_threads() {
    log "== rule-set load: 1 load thread vs the default, $RUNS processes each"
    local one=() def=() i
    for ((i = 0; i < RUNS; i++)); do
        "$BUILD/bench/bench_pipeline" --load 1 "$root/rules" > "$work/load1.out"
        one+=("$(value first_load_ms "$work/load1.out")")
        "$BUILD/bench/bench_pipeline" --load 0 "$root/rules" > "$work/load0.out"
        def+=("$(value first_load_ms "$work/load0.out")")
    done
    load_one=$(printf '%s\n' "${one[@]}" | median)
    load_def=$(printf '%s\n' "${def[@]}" | median)
}

run_threads() {
    log "== $THREADS threads vs 1 (current engine, mixed, >= $THREADS_MB MB)"
    local files
    mapfile -t files < "$work/mixed.list"
    "$BUILD/bench/bench_pipeline" --threads "$THREADS" "$root/rules" \
        "$THREADS_MB" "$RUNS" "${files[@]}" > "$work/threads.out"
    thr_1=$(value mbs_1 "$work/threads.out")
    thr_n=$(value mbs_n "$work/threads.out")
    thr_x=$(value speedup "$work/threads.out")
}

print_table() {
    echo
    echo "gdprx benchmark: current tree $(git -C "$root" describe --always --dirty)" \
         "vs $V1_TAG; $BUILDTYPE builds; $(nproc) CPUs;" \
         "load average $load0 at the start, $(loadavg) at the end"
    echo "MB/s: median of $RUNS runs; current as end-to-end (analyze only);" \
         "ratio = current analyze-only / v1"
    echo
    row "input" "MB" "current MB/s" "v1 MB/s" "ratio" "python-re" "RSS MB" "v1 RSS"
    printf '%s\n' "${rows[@]}"
    echo
    local lc lf lv
    lc=$(printf '%s\n' "${loads_cur[@]}" | median)
    lf=$(printf '%s\n' "${loads_first[@]}" | median)
    lv=$(printf '%s\n' "${loads_v1[@]}" | median)
    # like for like: v1's figure is each process's only load, so it is
    # compared with current's first load in a process (later loads in the
    # same process fault no new pages in and run faster)
    printf 'rule-set load:      current %s ms first in a process (%s ms later loads), v1 %s ms (ratio v1/current-first %s)\n' \
        "$lf" "$lc" "$lv" "$(ratio "$lv" "$lf")"
    printf '                    first in a process: %s ms with 2 load threads, %s ms with 1 (ratio %s)\n' \
        "$load_def" "$load_one" "$(ratio "$load_one" "$load_def")"
    printf 'latency (%s bytes): current %s ms (median of %s), v1 %s ms (mean of %s); ratio v1/current %s\n' \
        "$lat_bytes" "$lat_cur" "$LAT_RUNS" "$lat_v1" "$LAT_RUNS" \
        "$(ratio "$lat_v1" "$lat_cur")"
    printf '%s threads:          current %s MB/s vs %s MB/s on 1 thread: speedup %sx\n' \
        "$THREADS" "$thr_n" "$thr_1" "$thr_x"
    echo "raw outputs: $work"
    awk -v l="$load0" -v n="$(nproc)" 'BEGIN { if (l + 0 > n + 0) print "WARNING: " \
        "the machine was busy (load above the CPU count): figures are noisy" }'
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

main() {
    command -v /usr/bin/time >/dev/null || { log "needs /usr/bin/time"; exit 1; }
    work=${GDPRX_BENCH_WORK:-$BUILD/bench-work}
    mkdir -p "$work"
    build_current
    build_v1
    make_lists
    make_single_line
    make_latency_doc
    rows=() loads_cur=() loads_first=() loads_v1=()
    load0=$(loadavg)
    local t0=$SECONDS
    run_inputs
    run_single_line
    run_latency
    run_load_threads
    run_threads
    print_table
    echo "benchmark time: $((SECONDS - t0)) s"
}

main "$@"
