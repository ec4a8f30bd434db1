#!/usr/bin/env python3
"""Search latency, process start included: runs `stemme search` on a fixed set of typical
queries (single words, two words, phrases, field filters, an exclusion, JSON output, fuzzy
matching), alternating the binaries given run by run so that a shared machine's load falls
on each alike, and prints per query the median wall time of each binary, then over all
runs the p50 and p90 wall time and the mean user and system CPU time, in milliseconds.
On a loaded machine the CPU time (user + system) is the steadier figure: it is printed
per query too, after the wall times.

    benches/search_latency.py INDEX [RUNS] BINARY[@INDEX]...
    benches/search_latency.py /tmp/s1m/index 30 target/release/stemme /tmp/stemme-old
    benches/search_latency.py - 30 target/release/stemme@/tmp/new/index /tmp/old@/tmp/old/index

A binary written BINARY@INDEX searches its own index (versions of different index
layouts each need an index built by their own binary); the others search INDEX.

On a machine others are using, the wall times mostly measure waiting for a core; run the
script with a real-time priority (as root: `chrt -f 10 benches/search_latency.py ...`, which
the searches inherit) to measure them as on an idle machine, and compare binaries only
within one run.

Build the index first, e.g. `stemme run /tmp/stemme-bench/corpus_1M.csv --text-column text
-o /tmp/s1m` (the corpus comes from benches/race.sh). Needs only python3 (Linux: wait4).
"""
import os
import statistics
import sys
import time

QUERIES = [
    ["kommune"], ["skole"], ["helse"], ["buss"], ["klima"], ["barnehage"], ["eldreomsorg"],
    ["skole kommune"], ["buss tilbud"], ['"de stille stemmene"'], ['"kvalitet på skolen"'],
    ["meta.kommune:bergen"], ["meta.kommune:oslo skole"], ["scope:local helse"],
    ["innkjøp OR anskaffelse"], ["--", "metode -workshop"], ["--json", "kommune"],
    ["--json", "meta.kommune:tromsø klima"], ["--fuzzy", "Howdan"], ["--fuzzy=1", "kommne"],
]
WARMUP = 3


def once(target, default_index, query, devnull):
    """Wall, user and system milliseconds of one search (children included)."""
    binary, _, index = target.partition("@")
    index = index or default_index
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(binary, [binary, "search", "--index", index] + query)
    _, _, usage = os.wait4(pid, 0)
    return (time.perf_counter() - start) * 1000, usage.ru_utime * 1000, usage.ru_stime * 1000


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    index = sys.argv[1]
    runs = int(sys.argv[2]) if sys.argv[2].isdigit() else 30
    binaries = sys.argv[3:] if sys.argv[2].isdigit() else sys.argv[2:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    pooled = {b: [] for b in binaries}
    for query in QUERIES:
        for b in binaries:
            for _ in range(WARMUP):
                once(b, index, query, devnull)
        results = {b: [] for b in binaries}
        for _ in range(runs):
            for b in binaries:
                results[b].append(once(b, index, query, devnull))
        medians = "  ".join(f"{statistics.median(r[0] for r in results[b]):6.1f}" for b in binaries)
        cpu = "  ".join(f"{statistics.median(r[1] + r[2] for r in results[b]):6.1f}" for b in binaries)
        print(f"{' '.join(query)[:40]:40s} wall {medians}   cpu {cpu}")
        for b in binaries:
            pooled[b] += results[b]
    for b in binaries:
        wall = [r[0] for r in pooled[b]]
        print(
            f"{b}: p50 {statistics.median(wall):.1f}  p90 {percentile(wall, 0.9):.1f}  "
            f"user {statistics.mean(r[1] for r in pooled[b]):.1f}  "
            f"sys {statistics.mean(r[2] for r in pooled[b]):.1f}  "
            f"cpu p50 {statistics.median(r[1] + r[2] for r in pooled[b]):.1f}  (runs: {len(wall)})"
        )


if __name__ == "__main__":
    main()
