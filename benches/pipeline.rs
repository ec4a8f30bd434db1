//! Benchmarks on a generated corpus of realistic Norwegian responses: responses of the
//! bundled seed recombined deterministically, each with a few words drawn from the bundled
//! Norwegian lexicon with a Zipf-like skew, so the vocabulary grows the way a real corpus's
//! does (tens of thousands of distinct words, many compounds) and the analyzer's per-word
//! work per distinct word is not flattered. Each bench checks its output inside the timed loop so it cannot
//! silently measure nothing.
//!
//! - `analyze-bytes` / `analyze-words`: the full analyzer (compound splitting included)
//!   against two plain split-and-lowercase baselines measured in the same run, on about
//!   11 MB: one that only counts the lowercased words, and one that keeps them with their
//!   offsets in a reused buffer as a tokenizer does; criterion prints MB/s and words/s.
//! - `themes`: TF-IDF + k-means on 5,000 responses with a fixed k.
//!
//! Run: `cargo bench --bench pipeline` (add `-- analyze` for one group).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use stemme::analyze::Analyzer;
use stemme::corpus::{SEED_BYTES, SEED_SOURCE};
use stemme::ingest::{ingest_bytes, IngestOptions};
use stemme::pipeline::analyse;
use stemme::scope::ScopeTagger;
use stemme::themes::{find_themes, ThemeOptions};

/// Lemmas of the bundled lexicon (the compound splitter's word list).
fn lexicon_words() -> Vec<&'static str> {
    include_str!("../lexicon/compound_words.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('@'))
        .filter_map(|l| l.split('\t').next())
        .collect()
}

/// `n` responses, each two or three seed responses joined plus four lexicon words drawn
/// with a Zipf-like skew, chosen by a fixed LCG.
fn corpus(n: usize) -> Vec<String> {
    let lexicon = lexicon_words();
    let seed = ingest_bytes(
        SEED_BYTES.to_vec(),
        SEED_SOURCE,
        std::path::Path::new(SEED_SOURCE),
        &IngestOptions::default(),
    )
    .expect("seed ingests");
    let texts: Vec<&str> = seed.data.responses.iter().map(|r| &*r.text).collect();
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..n)
        .map(|_| {
            let parts = 2 + next() % 2;
            let mut text = (0..parts)
                .map(|_| texts[next() % texts.len()])
                .collect::<Vec<_>>()
                .join(" ");
            for _ in 0..4 {
                let u = (next() % 1_000_000) as f64 / 1_000_000.0;
                let rank = (u.powi(4) * lexicon.len() as f64) as usize;
                text.push(' ');
                text.push_str(lexicon[rank % lexicon.len()]);
            }
            text
        })
        .collect()
}

/// Baseline 1: split and lowercase, counting the words (nothing kept).
fn plain_tokens(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .count()
}

/// Baseline 2: split and lowercase into a reused token buffer with offsets, the shape a
/// tokenizer hands to an index (as the analyzer does).
fn plain_tokens_into(text: &str, out: &mut Vec<(String, std::ops::Range<usize>)>) {
    let base = text.as_ptr() as usize;
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let start = w.as_ptr() as usize - base;
        out.push((w.to_lowercase(), start..start + w.len()));
    }
}

fn analyze(c: &mut Criterion) {
    let texts = corpus(40_000);
    let bytes: usize = texts.iter().map(String::len).sum();
    let analyzer = Analyzer::norwegian();
    let expected_plain: usize = texts.iter().map(|t| plain_tokens(t)).sum();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let expected_full: usize = analyzer
        .analyze_all(&refs, &|_| {})
        .tokens
        .iter()
        .map(Vec::len)
        .sum();
    let distinct: std::collections::HashSet<String> = texts
        .iter()
        .flat_map(|t| {
            t.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
        })
        .collect();
    eprintln!(
        "analyze: {bytes} bytes, {expected_plain} words, {} distinct",
        distinct.len()
    );
    for (name, throughput) in [
        ("analyze-bytes", Throughput::Bytes(bytes as u64)),
        ("analyze-words", Throughput::Elements(expected_plain as u64)),
    ] {
        let mut group = c.benchmark_group(name);
        group.throughput(throughput);
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("plain-split-lowercase", bytes), |b| {
            b.iter(|| {
                let n: usize = texts.iter().map(|t| plain_tokens(black_box(t))).sum();
                assert_eq!(n, expected_plain);
            })
        });
        group.bench_function(BenchmarkId::new("plain-tokenizer", bytes), |b| {
            let mut buf = Vec::new();
            b.iter(|| {
                let mut n = 0;
                for t in &texts {
                    buf.clear();
                    plain_tokens_into(black_box(t), &mut buf);
                    n += buf.len();
                }
                assert_eq!(n, expected_plain);
            })
        });
        // The whole run's analysis: words split in parallel, each distinct word analysed once.
        group.bench_function(BenchmarkId::new("stemme-analyzer", bytes), |b| {
            b.iter(|| {
                let all = analyzer.analyze_all(black_box(&refs), &|_| {});
                let n: usize = all.tokens.iter().map(Vec::len).sum();
                assert_eq!(n, expected_full);
            })
        });
        group.finish();
    }
}

fn themes(c: &mut Criterion) {
    let texts = corpus(5_000);
    let dir = std::path::Path::new("bench.csv");
    let mut csv = String::from("svar\n");
    for t in &texts {
        csv.push('"');
        csv.push_str(&t.replace('"', "\"\""));
        csv.push_str("\"\n");
    }
    let file = ingest_bytes(csv.into_bytes(), "bench.csv", dir, &IngestOptions::default()).expect("ingests");
    let options = ThemeOptions {
        k: Some(10),
        ..ThemeOptions::default()
    };
    let analysis = analyse(
        vec![file],
        &ScopeTagger::bundled(None),
        &options,
        &Default::default(),
        &stemme::Silent,
    )
    .expect("analyses");
    let mut group = c.benchmark_group("themes");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("kmeans-k10", analysis.rows.len()), |b| {
        b.iter(|| {
            let model = find_themes(
                &analysis.rows,
                &analysis.words,
                &analysis.vocabulary,
                &options,
                &|_| false,
                &stemme::Silent,
            );
            let sized: usize = model.themes.iter().map(|t| t.size).sum();
            assert_eq!(sized + model.unclassified(), analysis.rows.len());
        })
    });
    group.finish();
}

criterion_group!(benches, analyze, themes);
criterion_main!(benches);
