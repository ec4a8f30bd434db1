//! Times the themes stage alone on a large corpus: reads a CSV with a `text` column (the
//! generated corpus of `../shared/bench/gen_corpus.py`), analyses it in parallel as
//! `stemme run` does, then times `find_themes` with the default options (or the method
//! given) and prints one JSON line with the timings and what was found.
//!
//! `cargo run --release --example themes_scale -- corpus_1M.csv [mixture|kmeans|nmf] [-j N]`

use serde_json::json;
use std::time::Instant;
use stemme::analyze::Vocabulary;
use stemme::model::Response;
use stemme::row::Row;
use stemme::themes::{find_themes, ThemeMethod, ThemeOptions};

fn main() {
    if let Err(e) = run() {
        eprintln!("themes_scale: {e}");
        std::process::exit(2);
    }
}

/// CPU time of this process (user + system) from /proc (Linux, 100 ticks per second);
/// on a shared machine it says more than wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: themes_scale CORPUS.csv [METHOD] [-j N]")?;
    let method = args
        .get(1)
        .filter(|a| !a.starts_with('-'))
        .map(|m| ThemeMethod::parse(m).ok_or(format!("unknown method {m}")))
        .transpose()?
        .unwrap_or_default();
    if let Some(j) = args.iter().position(|a| a == "-j").and_then(|i| args.get(i + 1)) {
        let threads: usize = j.parse().map_err(|e| format!("-j: {e}"))?;
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| e.to_string())?;
    }
    let started = Instant::now();
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let text_col = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .position(|h| h == "text")
        .ok_or("no text column")?;
    let mut responses = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{path}: {e}"))?;
        responses.push(Response {
            id: format!("r{i}").into(),
            collection: "bench".into(),
            source: path.as_str().into(),
            line: i as u64 + 2,
            question: "".into(),
            kinds: Default::default(),
            answer: Default::default(),
            labels: Default::default(),
            text: record.get(text_col).unwrap_or_default().into(),
            meta: Default::default(),
        });
    }
    let read = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let (rows, words) = Row::analyse_all(responses);
    let vocabulary = Vocabulary::new(&words);
    let analyse = started.elapsed().as_secs_f64();
    let options = ThemeOptions {
        method,
        ..ThemeOptions::default()
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let model = find_themes(&rows, &words, &vocabulary, &options, &|_| false, &stemme::Silent);
    let themes = started.elapsed().as_secs_f64();
    let themes_cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let sized: usize = model.themes.iter().map(|t| t.size).sum();
    assert_eq!(sized + model.unclassified(), rows.len());
    println!(
        "{}",
        json!({
            "responses": rows.len(),
            "threads": rayon::current_num_threads(),
            "method": method.as_str(),
            "read_s": read,
            "analyse_s": analyse,
            "themes_s": themes,
            "themes_cpu_s": themes_cpu,
            "k": model.k,
            "features": model.features,
            "unclassified": model.unclassified(),
            "stability": model.choice.stability,
            "runs": model.choice.runs,
            "warnings": model.choice.warnings,
            "labels": model.themes.iter().map(|t| &t.label).collect::<Vec<_>>(),
        })
    );
    Ok(())
}
