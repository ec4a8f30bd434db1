#!/usr/bin/env python3
"""Scores stemme's themes and a scikit-learn baseline against human topic labels.

For every labelled set in tests/data/themes/ (id, label, text; see its README for sources,
licences and the tuning/held-out split) this script runs, with the same seeds:

- the baseline a researcher writes in ten lines: words (regex \\w+, lowercased) without
  the Snowball Norwegian stopwords (stemme's stopwords/nb.txt and nn.txt, which extend
  Snowball's list), Snowball Norwegian stems (PyStemmer), scikit-learn TfidfVectorizer
  and KMeans (k-means++, n_init=10) at the gold number of topics;
- stemme's methods (mixture, k-means, NMF) through the `themes_eval` example, at the gold
  number of topics and with the number chosen automatically.

Agreement with the human labels is scored by scikit-learn for both sides (NMI and AMI
with arithmetic normalisation, ARI); stemme's unclassified responses count as one more
cluster. Figures are means over the seeds. Output: a Markdown table on stdout and all
runs as JSON (--json FILE).

    python benches/themes_eval/evaluate.py --sets heldout     # or heldout2 (the second round)
    python benches/themes_eval/evaluate.py --sets tuning --stemme-args "--beta 0.05"
    python benches/themes_eval/evaluate.py --sets tuning --methods mixture --seeds 1,2,3,4,5,6,7,8,9,10

Needs numpy, scikit-learn and PyStemmer (../shared/bench/requirements.txt) and a release
build of the example: cargo build --release --example themes_eval.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import Stemmer
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import (adjusted_mutual_info_score, adjusted_rand_score,
                             normalized_mutual_info_score)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "themes"
SETS = {
    "tuning": ["sib_nob_tuning", "norsid_tuning"],
    "heldout": ["sib_nob_heldout", "norsid_test"],
    "heldout2": ["norsid_test_rest", "sib_nno_heldout", "sib_nob_rest"],
}
SEEDS = [1, 2, 3, 4, 5]
METHODS = ["mixture", "kmeans", "nmf"]


def read_set(name):
    rows = []
    with open(DATA / f"{name}.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            _id, label, text = line.rstrip("\n").split("\t")
            rows.append((label, text))
    return rows


def stopwords():
    words = set()
    for name in ("nb.txt", "nn.txt"):
        for line in (ROOT / "stopwords" / name).read_text(encoding="utf-8").splitlines():
            word = line.split("#")[0].strip()
            if word:
                words.add(word)
    return words


def baseline(texts, k, seed, stop, stemmer):
    def analyse(text):
        words = [w for w in re.findall(r"\w+", text.lower()) if w not in stop]
        return stemmer.stemWords(words)

    tfidf = TfidfVectorizer(analyzer=analyse)
    x = tfidf.fit_transform(texts)
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)


def scores(gold, pred):
    return {
        "nmi": normalized_mutual_info_score(gold, pred),
        "ami": adjusted_mutual_info_score(gold, pred),
        "ari": adjusted_rand_score(gold, pred),
    }


def run_stemme(name, k, exe, methods, seeds, extra):
    cmd = [str(exe), str(DATA / f"{name}.tsv"), "--methods", ",".join(methods),
           "--ks", f"{k},auto", "--seeds", ",".join(map(str, seeds))] + extra
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def mean(runs, key):
    return statistics.mean(r[key] for r in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", choices=["tuning", "heldout", "heldout2", "all"], default="heldout")
    ap.add_argument("--stemme-args", default="", help="extra flags for themes_eval")
    ap.add_argument("--exe", default=None, help="themes_eval binary")
    ap.add_argument("--methods", default=",".join(METHODS), help="stemme methods to run")
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="seeds, comma-separated")
    ap.add_argument("--json", default=None, help="write every run here")
    args = ap.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = Path(args.exe) if args.exe else target / "release" / "examples" / "themes_eval"
    names = sum(SETS.values(), []) if args.sets == "all" else SETS[args.sets]
    methods = args.methods.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    stop, stemmer = stopwords(), Stemmer.Stemmer("norwegian")
    everything = []
    print("| set | n | gold k | method | k asked | k found | NMI | AMI | ARI | unclassified |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        rows = read_set(name)
        gold = [label for label, _ in rows]
        texts = [text for _, text in rows]
        k = len(set(gold))
        base = []
        for seed in seeds:
            pred = baseline(texts, k, seed, stop, stemmer)
            base.append({"method": "sklearn-tfidf-kmeans", "seed": seed, "k": k,
                         **scores(gold, pred)})
        line = lambda m, asked, found, runs, uncl: print(
            f"| {name} | {len(rows)} | {k} | {m} | {asked} | {found} | "
            f"{mean(runs, 'nmi'):.3f} | {mean(runs, 'ami'):.3f} | {mean(runs, 'ari'):.3f} | {uncl} |")
        line("scikit-learn baseline", k, k, base, 0)
        everything += [{"set": name, **b} for b in base]
        runs = run_stemme(name, k, exe, methods, seeds, args.stemme_args.split())
        for r in runs:
            r.update(scores(gold, r["assignment"]))
            r["set"] = name
            r["gold_k"] = k
        for method in methods:
            for asked in (k, None):
                sel = [r for r in runs if r["method"] == method and r["k_requested"] == asked]
                found = "/".join(str(r["k"]) for r in sel)
                uncl = round(statistics.mean(r["unclassified"] for r in sel))
                line(f"stemme {method}", asked or "auto", found, sel, uncl)
        everything += [{key: v for key, v in r.items() if key != "assignment"} for r in runs]
        sys.stdout.flush()
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
