//! Stage: report. The [`Analysis`] in, files out: `report.json` (the [`Report`] below,
//! with a schema version), `report.md`, a self-contained `report.html`, and CSV tables
//! (`responses.csv`, `themes.csv`, `groups.csv`, `keyness.csv`). Every format renders the same
//! [`Report`] value, so the numbers agree across them; nothing time-dependent is written,
//! so the same input and seed give byte-identical files.
//!
//! The report is a summary: its size does not grow with the corpus. The rows themselves
//! (one per response) are written streaming to `responses.csv`, which `report.json` names;
//! the HTML page lists at most [`html::MAX_ROWS`] of them.

mod html;
mod markdown;
mod page_index;
mod tables;

use crate::analysis::{Analysis, FileSummary, Row, UNCLASSIFIED};
use crate::compare::{Comparison, Group, SCOPE_GROUPING};
use crate::error::{Error, Result};
use crate::model::Reject;
use crate::scope::Scope;
use crate::themes::{Agreement, Unclassified};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Version of the `report.json` layout. Version 2: the rows moved out of `report.json`
/// into `responses.csv` (named by `responses_file`). Version 3: `scope_totals` is `null`
/// for a suppressed group, and `comparison` no longer carries the unsuppressed
/// theme × scope `table` (the `scope` grouping's cells hold what may be shown). Version 4:
/// `theme_choice` carries the evidence for the number of themes (`stability`, `runs`,
/// `silhouette`, `sample`) and its `warnings`; `unclassified_reasons` counts why responses
/// have no theme.
pub const SCHEMA_VERSION: u32 = 4;

/// The file that holds one row per response.
pub const RESPONSES_FILE: &str = "responses.csv";

/// One input file in the overview.
pub type InputSummary = FileSummary;

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
    /// The method and how it came to k, in words (`found by a Dirichlet-multinomial mixture …`).
    pub how: String,
    pub k: usize,
    pub seed: u64,
    pub features: usize,
    /// Clusters smaller than this were dissolved into the others.
    pub min_size: usize,
    /// Mean silhouette per k tried (empty when k was given).
    pub k_scores: Vec<(usize, f64)>,
    /// Mean pairwise NMI between independent runs (1 = the same themes every time).
    pub stability: Option<f64>,
    /// Themes found by each independent run.
    pub runs: Vec<usize>,
    /// Mean silhouette of the chosen k (k-means, NMF).
    pub silhouette: Option<f64>,
    /// Responses the model was fitted on.
    pub sample: usize,
    /// Plain-language warnings when the structure is weak; empty when it is clear.
    pub warnings: Vec<String>,
}

/// How many responses have no theme for one reason.
#[derive(Debug, Clone, Serialize)]
pub struct UnclassifiedCount {
    pub reason: Unclassified,
    /// The reason in words.
    pub description: &'static str,
    pub responses: usize,
}

/// One row of the HTML response list.
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
}

/// Quotes that show the local and the national voice side by side: the quotes of the
/// `scope` grouping's two groups (none from a suppressed group).
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
    /// Responses per scope; `null` for a group suppressed as too small (`--min-cell`).
    pub scope_totals: BTreeMap<Scope, Option<usize>>,
    pub unclassified: usize,
    /// Why the unclassified responses have no theme, reason by reason.
    pub unclassified_reasons: Vec<UnclassifiedCount>,
    pub themes: Vec<ThemeEntry>,
    pub theme_choice: ThemeChoice,
    pub agreement: Option<Agreement>,
    pub comparison: Comparison,
    pub side_by_side: SideBySide,
    pub rejects: Vec<Reject>,
    /// The file beside this one with one row per response (all of them).
    pub responses_file: String,
    /// The responses the HTML page lists (the first [`html::MAX_ROWS`]); not in
    /// `report.json`, which refers to `responses_file` instead.
    #[serde(skip)]
    pub responses: Vec<ResponseRow>,
    /// Most frequent words (display form, count), for the word cloud.
    pub top_words: Vec<(String, u64)>,
    /// Search data of the responses listed in `report.html`.
    #[serde(skip)]
    pub page: page_index::PageIndex,
}

impl Report {
    /// Gathers the report from the analysis.
    pub fn new(a: &Analysis) -> Report {
        let quote = |i: usize| {
            let row = &a.rows[i];
            Quote {
                id: row.response.id.to_string(),
                text: row.response.text.to_string(),
                scope: row.scope.scope,
                source: row.response.source.to_string(),
                line: row.response.line,
            }
        };
        let n = a.rows.len();
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
        let listed = &a.rows[..n.min(html::MAX_ROWS)];
        let responses: Vec<ResponseRow> = listed.iter().map(|row| response_row(a, row)).collect();
        Report {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            inputs: a.files.clone(),
            responses_total: n,
            rejects_total: a.rejects.len(),
            scope_totals: scope_totals(&a.comparison),
            unclassified: a.unclassified(),
            unclassified_reasons: a
                .themes
                .unclassified_by_reason()
                .into_iter()
                .map(|(reason, responses)| UnclassifiedCount {
                    reason,
                    description: reason.describe(),
                    responses,
                })
                .collect(),
            themes,
            theme_choice: ThemeChoice {
                how: a.themes.choice.how.clone(),
                k: a.themes.k,
                seed: a.themes.seed,
                features: a.themes.features,
                min_size: a.themes.min_size,
                k_scores: a.themes.k_scores.clone(),
                stability: a.themes.choice.stability,
                runs: a.themes.choice.runs.clone(),
                silhouette: a.themes.choice.silhouette,
                sample: a.themes.choice.sample,
                warnings: a.themes.choice.warnings.clone(),
            },
            agreement: a.themes.agreement,
            comparison: a.comparison.clone(),
            side_by_side: side_by_side(&a.comparison),
            rejects: a.rejects.clone(),
            responses_file: RESPONSES_FILE.to_string(),
            top_words: top_words(a, 40),
            page: page_index::PageIndex::new(a, html::MAX_ROWS),
            responses,
        }
    }
}

/// A row as the HTML page lists it.
fn response_row(a: &Analysis, row: &Row) -> ResponseRow {
    let r = &row.response;
    ResponseRow {
        id: r.id.to_string(),
        source: r.source.to_string(),
        line: r.line,
        text: r.text.to_string(),
        theme_id: row.theme.unwrap_or(0) as usize,
        theme: a.theme_label(row).to_string(),
        scope: row.scope.scope,
        scope_evidence: row.scope.evidence.to_vec(),
        kinds: r.kinds.to_vec(),
        labels: r.labels.to_vec(),
    }
}

/// The scope group of this name, if any response has that scope.
fn scope_group(c: &Comparison, scope: Scope) -> Option<&Group> {
    c.grouping(SCOPE_GROUPING)?
        .groups
        .iter()
        .find(|g| g.name == scope.as_str())
}

/// Responses per scope as the reports may show them: `None` for a suppressed group.
fn scope_totals(c: &Comparison) -> BTreeMap<Scope, Option<usize>> {
    Scope::ALL
        .iter()
        .zip(&c.scope_totals)
        .map(|(&s, &n)| (s, scope_group(c, s).map_or(Some(n), |g| g.n)))
        .collect()
}

/// The local and the national group's quotes (none from a suppressed group).
fn side_by_side(c: &Comparison) -> SideBySide {
    let pick = |scope: Scope| -> Vec<Quote> {
        scope_group(c, scope)
            .map(|g| {
                g.quotes
                    .iter()
                    .map(|q| Quote {
                        id: q.id.clone(),
                        text: q.text.clone(),
                        scope,
                        source: q.source.clone(),
                        line: q.line,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    SideBySide {
        local: pick(Scope::Local),
        national: pick(Scope::National),
    }
}

/// One theme in one scope group as every format may show it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ScopeCell {
    /// Responses of the group in the theme, and their share of the group.
    Shown { n: usize, share: f64 },
    /// The group or the cell is under `--min-cell`: nothing is shown.
    Suppressed,
}

impl Report {
    /// Theme `theme` (0: unclassified) in scope group `scope`, suppression applied. A
    /// scope no response has shows 0.
    pub(crate) fn scope_cell(&self, scope: Scope, theme: usize) -> ScopeCell {
        let cell = self.comparison.grouping(SCOPE_GROUPING).and_then(|g| {
            g.cells
                .iter()
                .find(|c| c.group == scope.as_str() && c.theme_id == theme)
        });
        match cell {
            None => ScopeCell::Shown { n: 0, share: 0.0 },
            Some(c) => match (c.n, c.share) {
                (Some(n), Some(share)) if !c.suppressed => ScopeCell::Shown { n, share },
                _ => ScopeCell::Suppressed,
            },
        }
    }

    /// The evidence for the number of themes, in plain text: how it was chosen, and how
    /// much independent runs agree.
    pub(crate) fn theme_evidence(&self) -> String {
        let c = &self.theme_choice;
        let mut s = format!("Number of themes: {} ({}).", c.k, c.how);
        if let Some(stability) = c.stability {
            let runs: Vec<String> = c.runs.iter().map(usize::to_string).collect();
            s.push_str(&format!(
                " Stability across {} independent runs: {stability:.2} of 1 (mean agreement of their themes, NMI; themes found per run: {}).",
                c.runs.len(),
                runs.join(", ")
            ));
        }
        if let Some(silhouette) = c.silhouette {
            s.push_str(&format!(
                " Mean silhouette: {silhouette:.2} (−1 to 1; above 0.25 is a clear separation)."
            ));
        }
        s.push_str(&format!(" Fitted on {} responses.", c.sample));
        s
    }

    /// Why responses have no theme, as a sentence (`Unclassified: 3 responses: 2 too short
    /// to place (…); 1 empty answer.`); `None` when every response has one.
    pub(crate) fn unclassified_why(&self) -> Option<String> {
        (!self.unclassified_reasons.is_empty()).then(|| {
            let why: Vec<String> = self
                .unclassified_reasons
                .iter()
                .map(|u| format!("{} {}", u.responses, u.description))
                .collect();
            format!(
                "Unclassified: {} responses: {}.",
                self.unclassified,
                why.join("; ")
            )
        })
    }

    /// Agreement with the organiser's labels, as a sentence; `None` without labels.
    pub(crate) fn agreement_sentence(&self) -> Option<String> {
        self.agreement.map(|a| {
            format!(
                "Agreement with the organiser's theme labels ({} labels, {} responses): NMI {:.3}, AMI {:.3}, ARI {:.3}, purity {:.3}.",
                a.human_labels, a.responses, a.nmi, a.ami, a.ari, a.purity
            )
        })
    }

    /// Every theme as (id, label, size), then the unclassified bucket (id 0).
    pub(crate) fn theme_rows(&self) -> Vec<(usize, &str, usize)> {
        self.themes
            .iter()
            .map(|t| (t.id, t.label.as_str(), t.size))
            .chain(std::iter::once((0, UNCLASSIFIED, self.unclassified)))
            .collect()
    }
}

/// The most frequent content words, by display form.
fn top_words(a: &Analysis, n: usize) -> Vec<(String, u64)> {
    let mut counts = vec![0u64; a.words.stem_count()];
    for (id, _) in a.words.iter() {
        if let Some(stem) = a.words.feature_stem(id) {
            counts[stem as usize] += a.words.count(id).count;
        }
    }
    let mut list: Vec<(&str, u64)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(s, &c)| (a.words.stem(s as u32), c))
        .collect();
    list.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    list.into_iter()
        .take(n)
        .map(|(s, c)| (a.vocabulary.display(s), c))
        .collect()
}

/// Outputs written beside the reports, inside the same output folder (so they are
/// switched in with it, whole).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exports {
    /// `dfm/`: the document–feature matrix (`--dfm`).
    pub dfm: bool,
    /// The CSV tables rewritten for Norwegian Excel (`--excel`).
    pub excel: bool,
}

impl Exports {
    /// The files a run writes into its output folder.
    pub fn files(&self) -> Vec<&'static str> {
        let mut files = vec![
            "report.html",
            "report.md",
            "report.json",
            RESPONSES_FILE,
            "themes.csv",
            "groups.csv",
            "keyness.csv",
        ];
        if self.dfm {
            files.extend(["dfm/dfm.mtx", "dfm/docs.csv", "dfm/features.csv"]);
        }
        files
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Writes every report file, and the `exports` asked for, into `out`.
pub fn write_all(out: &Path, analysis: &Analysis, exports: &Exports) -> Result<()> {
    // The rows go to responses.csv while the summary and the page's search data are
    // gathered (on two threads when there are two).
    let (report, responses) = rayon::join(
        || Report::new(analysis),
        || tables::write_responses(&out.join(RESPONSES_FILE), analysis),
    );
    responses?;
    let mut json =
        serde_json::to_vec_pretty(&report).map_err(|e| Error::Usage(format!("report.json: {e}")))?;
    json.push(b'\n');
    write(&out.join("report.json"), &json)?;
    write(&out.join("report.md"), markdown::render(&report).as_bytes())?;
    write(
        &out.join("report.html"),
        html::render(&report, html::MAX_ROWS).as_bytes(),
    )?;
    write(&out.join("themes.csv"), &tables::themes(&report)?)?;
    write(&out.join("groups.csv"), &tables::groups(&report)?)?;
    write(&out.join("keyness.csv"), &tables::keyness(&report)?)?;
    if exports.dfm {
        crate::export::dfm::write(&out.join("dfm"), analysis)?;
    }
    if exports.excel {
        for file in exports.files().iter().filter(|f| f.ends_with(".csv")) {
            crate::export::excel::convert(&out.join(file))?;
        }
    }
    Ok(())
}

/// Formats a share as a percentage with one decimal.
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}
