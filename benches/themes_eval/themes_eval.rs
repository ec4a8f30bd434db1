//! stemme's side of the theme evaluation: clusters one labelled set with the given methods,
//! numbers of themes and seeds, and prints one JSON object per run with the theme of every
//! row (0 = unclassified), so that `evaluate.py` scores stemme and the scikit-learn
//! baseline with the same metric code.
//!
//! `cargo run --release --example themes_eval -- SET.tsv --methods mixture,kmeans,nmf
//! --ks 7,auto --seeds 1,2,3` (SET.tsv: id, label, text with a header row). Optional:
//! `--alpha`, `--beta`, `--iterations`, `--min-words`, `--max-k`, `--prefix`, `--restarts`.

use serde_json::json;
use std::collections::BTreeMap;
use stemme::analyze::Vocabulary;
use stemme::model::Response;
use stemme::row::Row;
use stemme::themes::{find_themes, ThemeMethod, ThemeOptions};

fn main() {
    if let Err(e) = run() {
        eprintln!("themes_eval: {e}");
        std::process::exit(2);
    }
}

fn list<T>(value: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    value
        .split(',')
        .map(|v| parse(v.trim()).ok_or_else(|| format!("cannot read {v:?}")))
        .collect()
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: themes_eval SET.tsv [--methods …] [--ks …] [--seeds …]")?;
    let mut flags: BTreeMap<&str, &str> = BTreeMap::new();
    for pair in args[1..].chunks(2) {
        match pair {
            [k, v] if k.starts_with("--") => {
                flags.insert(&k[2..], v);
            }
            _ => return Err(format!("expected --flag value pairs, got {pair:?}")),
        }
    }
    let methods = list(flags.get("methods").unwrap_or(&"mixture"), ThemeMethod::parse)?;
    let ks = list(flags.get("ks").unwrap_or(&"auto"), |v| {
        if v == "auto" {
            Some(None)
        } else {
            v.parse().ok().map(Some)
        }
    })?;
    let seeds = list(flags.get("seeds").unwrap_or(&"42"), |v| v.parse::<u64>().ok())?;
    let mut base = ThemeOptions::default();
    let num = |name: &str| -> Result<Option<f64>, String> {
        flags
            .get(name)
            .map(|v| v.parse::<f64>().map_err(|e| format!("--{name}: {e}")))
            .transpose()
    };
    if let Some(x) = num("alpha")? {
        base.mixture.alpha = x;
    }
    if let Some(x) = num("beta")? {
        base.mixture.beta = x;
    }
    if let Some(x) = num("reference-words")? {
        base.mixture.reference_words = x;
    }
    if let Some(x) = num("iterations")? {
        base.mixture.iterations = x as usize;
    }
    if let Some(x) = num("min-words")? {
        base.min_words = x as usize;
    }
    if let Some(x) = num("max-k")? {
        base.max_k = x as usize;
    }
    if let Some(x) = num("prefix")? {
        base.prefix = x as usize;
    }
    if let Some(x) = num("restarts")? {
        base.restarts = x as usize;
    }

    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut responses = Vec::new();
    for (line, row) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = row.split('\t').collect();
        let [id, label, text] = fields[..] else {
            return Err(format!("{path}:{}: expected 3 tab-separated fields", line + 1));
        };
        responses.push(Response {
            id: id.into(),
            collection: "eval".into(),
            source: path.as_str().into(),
            line: line as u64 + 1,
            question: "".into(),
            kinds: Default::default(),
            answer: Default::default(),
            labels: vec![label.to_string()].into(),
            text: text.into(),
            meta: Default::default(),
        });
    }
    let (rows, words) = Row::analyse_all(responses);
    let vocabulary = Vocabulary::new(&words);
    let space = stemme::themes::features::Space::build(&rows, &words, base.min_words, base.prefix);
    let usable = space.usable();
    let mean_terms = usable
        .iter()
        .map(|&i| space.docs.get(i).len() as f64)
        .sum::<f64>()
        / usable.len().max(1) as f64;
    eprintln!(
        "{path}: {} responses, {} usable, {mean_terms:.2} terms per usable response",
        rows.len(),
        usable.len()
    );
    for &method in &methods {
        for &k in &ks {
            for &seed in &seeds {
                let options = ThemeOptions {
                    method,
                    k,
                    seed,
                    ..base.clone()
                };
                let started = std::time::Instant::now();
                let model = find_themes(&rows, &words, &vocabulary, &options, &|_| false, &stemme::Silent);
                let line = json!({
                    "method": method.as_str(),
                    "k_requested": k,
                    "seed": seed,
                    "k": model.k,
                    "seconds": started.elapsed().as_secs_f64(),
                    "assignment": model.assignment.iter().map(|a| a.unwrap_or(0)).collect::<Vec<_>>(),
                    "unclassified": model.unclassified(),
                    "stability": model.choice.stability,
                    "runs": model.choice.runs,
                    "silhouette": model.choice.silhouette,
                    "warnings": model.choice.warnings,
                    "labels": model.themes.iter().map(|t| &t.label).collect::<Vec<_>>(),
                });
                println!("{line}");
            }
        }
    }
    Ok(())
}
