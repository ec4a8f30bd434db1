#!/usr/bin/env bash
# End-to-end race: `stemme run` against the Python stack a user would pick instead
# (../shared/bench/baseline.py: pandas, PyStemmer, scikit-learn, tantivy-py), on the same
# generated corpus, alternating, in one go. Prints each round's wall time and peak RSS,
# stemme's stage times, the medians and the ratio. Ratios from one run are what count on a
# shared machine; absolute times vary.
#
#   benches/race.sh 100k [ROUNDS]     # or 1M; ROUNDS defaults to 3
#
# Needs: Debian's wnorwegian word list and python3 with venv (the script installs the
# kit's requirements into $BENCH_DIR/env). Scratch files go to $BENCH_DIR
# (default /tmp/stemme-bench), never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:?usage: benches/race.sh 100k|1M [ROUNDS]}
rounds=${2:-3}
kit=${SHARED_BENCH:-../shared/bench}
dir=${BENCH_DIR:-/tmp/stemme-bench}
mkdir -p "$dir"

[ -f /usr/share/dict/bokmaal ] || { echo "install the word list: apt-get install wnorwegian" >&2; exit 2; }
if [ ! -x "$dir/env/bin/python" ]; then
    python3 -m venv "$dir/env"
    "$dir/env/bin/pip" install -q -r "$kit/requirements.txt"
fi
corpus="$dir/corpus_$size.csv"
[ -s "$corpus" ] || "$dir/env/bin/python" "$kit/gen_corpus.py" "$size" -o "$corpus"
cargo build --release --locked -q
bin=target/release/stemme

# Peak RSS (KB) and wall seconds of a command, from /usr/bin/time -v.
measure() {
    local log=$1; shift
    /usr/bin/time -v "$@" >"$log.out" 2>"$log.err"
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.err")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log.err" |
        awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    echo "$wall $rss"
}

echo "corpus: $corpus ($(wc -c <"$corpus") bytes), $(nproc) cores, $rounds rounds"
s_times=(); p_times=()
for r in $(seq 1 "$rounds"); do
    read -r sw srss < <(measure "$dir/stemme" "$bin" run "$corpus" --text-column text -o "$dir/stemme_out")
    read -r pw prss < <(measure "$dir/python" "$dir/env/bin/python" "$kit/baseline.py" "$corpus" --out-dir "$dir/py_out")
    printf 'round %d: stemme %6.2f s %5d MB | python %6.2f s %5d MB\n' "$r" "$sw" $((srss / 1024)) "$pw" $((prss / 1024))
    grep -E '^ *[a-z]+: .*MB\)$' "$dir/stemme.err" | sed 's/^/    stemme /' || true
    s_times+=("$sw"); p_times+=("$pw")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
sm=$(median "${s_times[@]}"); pm=$(median "${p_times[@]}")
awk -v s="$sm" -v p="$pm" 'BEGIN { printf "median: stemme %.2f s, python %.2f s: stemme is %.1fx %s\n", s, p, (s < p ? p / s : s / p), (s < p ? "faster" : "slower") }'
