//! Stage: report. The [`Analysis`] in, files out: `report.json` (the [`Report`] below,
//! with a schema version), `report.md`, a self-contained `report.html`, and CSV tables
//! (`responses.csv`, `themes.csv`, `keyness.csv`). Every format renders the same
//! [`Report`] value, so the numbers agree across them; nothing time-dependent is written,
//! so the same input and seed give byte-identical files.

mod html;
mod markdown;
mod page_index;
mod tables;

use crate::compare::Comparison;
use crate::corpus::sha256_hex;
use crate::error::{Error, Result};
use crate::ingest::MaskCounts;
use crate::model::Reject;
use crate::pipeline::Analysis;
use crate::scope::Scope;
use crate::themes::Agreement;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Version of the `report.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// One input file in the overview.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    pub file: String,
    pub collection: String,
    pub format: String,
    pub sha256: String,
    /// Rows (lines) in = kept + rejected + structural.
    pub total_lines: u64,
    pub kept_lines: u64,
    pub rejects: u64,
    pub structural_lines: u64,
    /// Responses from the kept rows (a wide table gives several per row).
    pub responses: u64,
    pub masked: MaskCounts,
}

/// A response quoted in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub id: String,
    pub text: String,
    pub scope: Scope,
    pub source: String,
    pub line: u64,
}

/// One theme with its quotes and scope split.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeEntry {
    pub id: usize,
    pub label: String,
    pub terms: Vec<String>,
    pub size: usize,
    /// Share of all responses.
    pub share: f64,
    pub quotes: Vec<Quote>,
}

/// How the number of themes was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeChoice {
    pub k: usize,
    pub seed: u64,
    pub features: usize,
    /// Clusters smaller than this were dissolved into the others.
    pub min_size: usize,
    /// Mean silhouette per k tried (empty when k was given).
    pub k_scores: Vec<(usize, f64)>,
}

/// One row of `responses.csv` and of the HTML response list.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRow {
    pub id: String,
    pub source: String,
    pub line: u64,
    pub text: String,
    /// 0 = unclassified.
    pub theme_id: usize,
    pub theme: String,
    pub scope: Scope,
    pub scope_evidence: Vec<String>,
    pub kinds: Vec<String>,
    pub labels: Vec<String>,
    /// Distinct stems of the text, for the HTML search box.
    #[serde(skip)]
    pub stems: Vec<String>,
}

/// Quotes that show the local and the national voice side by side.
#[derive(Debug, Clone, Serialize)]
pub struct SideBySide {
    pub local: Vec<Quote>,
    pub national: Vec<Quote>,
}

/// Everything a report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool_version: String,
    pub inputs: Vec<InputSummary>,
    pub responses_total: usize,
    pub rejects_total: usize,
    /// Responses per scope.
    pub scope_totals: BTreeMap<Scope, usize>,
    pub unclassified: usize,
    pub themes: Vec<ThemeEntry>,
    pub theme_choice: ThemeChoice,
    pub agreement: Option<Agreement>,
    pub comparison: Comparison,
    pub side_by_side: SideBySide,
    pub rejects: Vec<Reject>,
    pub responses: Vec<ResponseRow>,
    /// Lowercased surface word → stem, for the HTML search box.
    #[serde(skip)]
    pub word_stems: BTreeMap<String, String>,
    /// Most frequent words (display form, count), for the word cloud.
    pub top_words: Vec<(String, u64)>,
    /// Search data of the responses listed in `report.html`.
    #[serde(skip)]
    pub page: page_index::PageIndex,
}

impl Report {
    /// Gathers the report from the analysis.
    pub fn new(a: &Analysis) -> Report {
        let quote = |i: usize| Quote {
            id: a.responses[i].id.clone(),
            text: a.responses[i].text.clone(),
            scope: a.scopes[i].scope,
            source: a.responses[i].source.clone(),
            line: a.responses[i].line,
        };
        let n = a.responses.len();
        let themes = a
            .themes
            .themes
            .iter()
            .map(|t| ThemeEntry {
                id: t.id,
                label: t.label.clone(),
                terms: t.terms.clone(),
                size: t.size,
                share: t.size as f64 / n.max(1) as f64,
                quotes: t.quotes.iter().map(|&i| quote(i)).collect(),
            })
            .collect();
        let mut scope_totals = BTreeMap::new();
        for (s, &c) in Scope::ALL.iter().zip(&a.comparison.scope_totals) {
            scope_totals.insert(*s, c);
        }
        let responses: Vec<ResponseRow> = (0..n)
            .map(|i| {
                let r = &a.responses[i];
                let theme = a.themes.theme_of(i);
                let mut stems: Vec<String> = a.tokens[i].iter().map(|t| t.stem.to_string()).collect();
                stems.sort();
                stems.dedup();
                ResponseRow {
                    id: r.id.clone(),
                    source: r.source.clone(),
                    line: r.line,
                    text: r.text.clone(),
                    theme_id: theme.map_or(0, |t| t.id),
                    theme: theme.map_or_else(|| "unclassified".to_string(), |t| t.label.clone()),
                    scope: a.scopes[i].scope,
                    scope_evidence: a.scopes[i].evidence.clone(),
                    kinds: r.kinds.clone(),
                    labels: r.labels.clone(),
                    stems,
                }
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            inputs: a
                .files
                .iter()
                .map(|f| InputSummary {
                    file: f.source.clone(),
                    collection: f.collection.clone(),
                    format: f.format.clone(),
                    sha256: sha256_hex(&f.bytes),
                    total_lines: f.data.total_lines,
                    kept_lines: f.data.kept_lines,
                    responses: f.data.responses.len() as u64,
                    rejects: f.data.rejects.len() as u64,
                    structural_lines: f.data.structural_lines,
                    masked: f.masked,
                })
                .collect(),
            responses_total: n,
            rejects_total: a.rejects.len(),
            scope_totals,
            unclassified: a.themes.unclassified(),
            themes,
            theme_choice: ThemeChoice {
                k: a.themes.k,
                seed: a.themes.seed,
                features: a.themes.features,
                min_size: a.themes.min_size,
                k_scores: a.themes.k_scores.clone(),
            },
            agreement: a.themes.agreement,
            comparison: a.comparison.clone(),
            side_by_side: side_by_side(a, &quote),
            rejects: a.rejects.clone(),
            word_stems: a
                .vocabulary
                .word_to_stem()
                .into_iter()
                .map(|(w, s)| (w.to_string(), s.to_string()))
                .collect(),
            top_words: top_words(a, 40),
            page: page_index::PageIndex::new(a, html::MAX_ROWS),
            responses,
        }
    }
}

/// Up to three local and three national quotes: those with the most scope evidence,
/// then the longest (more to read), then by id.
fn side_by_side(a: &Analysis, quote: &dyn Fn(usize) -> Quote) -> SideBySide {
    let pick = |scope: Scope| -> Vec<Quote> {
        let mut idx: Vec<usize> = (0..a.responses.len())
            .filter(|&i| a.scopes[i].scope == scope)
            .collect();
        idx.sort_by(|&x, &y| {
            a.scopes[y]
                .evidence
                .len()
                .cmp(&a.scopes[x].evidence.len())
                .then(
                    a.responses[y]
                        .text
                        .len()
                        .min(400)
                        .cmp(&a.responses[x].text.len().min(400)),
                )
                .then(a.responses[x].id.cmp(&a.responses[y].id))
        });
        idx.into_iter().take(3).map(quote).collect()
    };
    SideBySide {
        local: pick(Scope::Local),
        national: pick(Scope::National),
    }
}

/// The most frequent content words, by display form.
fn top_words(a: &Analysis, n: usize) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for doc in &a.tokens {
        for t in doc.iter().filter(|t| crate::analyze::is_feature(t)) {
            *counts.entry(&*t.stem).or_default() += 1;
        }
    }
    let mut list: Vec<(&str, u64)> = counts.into_iter().collect();
    list.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    list.into_iter()
        .take(n)
        .map(|(s, c)| (a.vocabulary.display(s), c))
        .collect()
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Writes every report file into `out`.
pub fn write_all(out: &Path, analysis: &Analysis) -> Result<()> {
    let report = Report::new(analysis);
    let mut json =
        serde_json::to_vec_pretty(&report).map_err(|e| Error::Usage(format!("report.json: {e}")))?;
    json.push(b'\n');
    write(&out.join("report.json"), &json)?;
    write(&out.join("report.md"), markdown::render(&report).as_bytes())?;
    write(
        &out.join("report.html"),
        html::render(&report, html::MAX_ROWS).as_bytes(),
    )?;
    write(&out.join("responses.csv"), &tables::responses(&report)?)?;
    write(&out.join("themes.csv"), &tables::themes(&report)?)?;
    write(&out.join("keyness.csv"), &tables::keyness(&report)?)?;
    Ok(())
}

/// Formats a share as a percentage with one decimal.
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}
