//! CSV tables for spreadsheets and R/Python: one row per response (with theme and scope),
//! one per theme (with its scope split, small cells suppressed), one per grouping × group × theme (`groups.csv`),
//! one per distinctive word of a group (`keyness.csv`). Every cell goes through
//! [`excel_safe`], so a response that starts like a formula stays text in a spreadsheet.

use super::{Report, ScopeCell};
use crate::analysis::{meta_columns, Analysis, Row};
use crate::corpus::{csv_error, LIST_SEPARATOR};
use crate::csv_cell::excel_safe;
use crate::error::{Error, Result};
use crate::scope::Scope;
use crate::themes::Unclassified;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes one record with every cell made safe to open in a spreadsheet ([`excel_safe`]).
fn write_safe<W: Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> Result<()> {
    w.write_record(cells.into_iter().map(|c| excel_safe(c.as_ref()).into_owned()))
        .map_err(csv_error)
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(csv_error)
}

/// `responses.csv`, one row per response: id, collection, source, line, question, text,
/// theme, scope and its evidence, kinds, labels, why the response has no theme (empty when
/// it has one; the codes of `report.json`'s `unclassified_reasons`), then every metadata column of the input
/// as `meta.<column>` (the union of all inputs' columns, in name order; empty where a
/// response's input has no such column).
pub fn write_responses(path: &Path, a: &Analysis) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let columns = meta_columns(&a.rows);
    let mut header: Vec<String> = [
        "id",
        "collection",
        "source",
        "line",
        "question",
        "text",
        "theme_id",
        "theme",
        "scope",
        "scope_evidence",
        "kinds",
        "labels",
        "unclassified_reason",
    ]
    .map(String::from)
    .to_vec();
    header.extend(columns.iter().map(|c| format!("meta.{c}")));
    let mut w = csv::Writer::from_writer(Vec::new());
    write_safe(&mut w, &header)?;
    out.write_all(&finish(w)?).map_err(|e| Error::io(path, e))?;
    // Blocks of rows are formatted in parallel and written in order, a batch of blocks at
    // a time, so the file is the same for any thread count and no more than a batch is
    // held in memory.
    for (b, batch) in a.rows.chunks(RESPONSE_BLOCK * RESPONSE_BATCH).enumerate() {
        let first = b * RESPONSE_BLOCK * RESPONSE_BATCH;
        let blocks: Vec<Vec<u8>> = batch
            .par_chunks(RESPONSE_BLOCK)
            .enumerate()
            .map(|(c, rows)| response_rows(a, first + c * RESPONSE_BLOCK, rows, &columns))
            .collect::<Result<_>>()?;
        for block in blocks {
            out.write_all(&block).map_err(|e| Error::io(path, e))?;
        }
    }
    out.flush().map_err(|e| Error::io(path, e))
}

/// Rows of `responses.csv` formatted in one piece, and pieces formatted at once.
const RESPONSE_BLOCK: usize = 4_096;
const RESPONSE_BATCH: usize = 16;

/// The lines of `responses.csv` for `rows`, the rows of the analysis from `first` on.
fn response_rows(a: &Analysis, first: usize, rows: &[Row], columns: &BTreeSet<&str>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Cells are borrowed from the rows, written one by one: no copy of any text.
    for (i, row) in (first..).zip(rows) {
        let r = &row.response;
        let (line, theme_id) = (r.line.to_string(), row.theme.unwrap_or(0).to_string());
        let (evidence, kinds, labels) = (
            row.scope.evidence.join(LIST_SEPARATOR),
            r.kinds.join(LIST_SEPARATOR),
            r.labels.join(LIST_SEPARATOR),
        );
        let cells = [
            &*r.id,
            &r.collection,
            &r.source,
            &line,
            &r.question,
            &r.text,
            &theme_id,
            a.theme_label(row),
            row.scope.scope.as_str(),
            &evidence,
            &kinds,
            &labels,
            a.themes.reason(i).map_or("", Unclassified::as_str),
        ];
        let meta = columns.iter().map(|c| r.meta.get(c).unwrap_or_default());
        for cell in cells.into_iter().chain(meta) {
            w.write_field(excel_safe(cell).as_ref()).map_err(csv_error)?;
        }
        w.write_record(None::<&[u8]>).map_err(csv_error)?;
    }
    finish(w)
}

/// `themes.csv`: one row per theme (and the unclassified bucket) with its responses per
/// scope, as the `scope` grouping shows them: a cell of a suppressed group, or under
/// `--min-cell`, is left empty.
pub fn themes(report: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_safe(
        &mut w,
        [
            "theme_id",
            "label",
            "size",
            "local",
            "national",
            "both",
            "unspecified",
            "quote_ids",
        ],
    )?;
    for (id, label, size) in report.theme_rows() {
        let quotes = report
            .themes
            .iter()
            .find(|t| t.id == id)
            .map(|t| {
                t.quotes
                    .iter()
                    .map(|q| q.id.as_str())
                    .collect::<Vec<_>>()
                    .join(LIST_SEPARATOR)
            })
            .unwrap_or_default();
        let mut record = vec![id.to_string(), label.to_string(), size.to_string()];
        record.extend(
            Scope::ALL
                .iter()
                .map(|&scope| match report.scope_cell(scope, id) {
                    ScopeCell::Shown { n, .. } => n.to_string(),
                    ScopeCell::Suppressed => String::new(),
                }),
        );
        record.push(quotes);
        write_safe(&mut w, &record)?;
    }
    finish(w)
}

/// A fraction with four decimals; empty when absent (suppressed or untestable).
fn fraction(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| format!("{x:.4}"))
}

/// A p-value: six decimals, or scientific notation below 0.0001 so small values keep
/// their size.
fn p_value(x: Option<f64>) -> String {
    match x {
        None => String::new(),
        Some(p) if p > 0.0 && p < 1e-4 => format!("{p:.3e}"),
        Some(p) => format!("{p:.6}"),
    }
}

fn count(x: Option<usize>) -> String {
    x.map_or_else(String::new, |n| n.to_string())
}

/// `groups.csv`: one row per grouping × group × theme, shares and bounds as fractions;
/// suppressed rows leave counts, shares, bounds and tests empty.
pub fn groups(report: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_safe(
        &mut w,
        [
            "grouping",
            "group",
            "theme_id",
            "theme",
            "n",
            "group_n",
            "share",
            "ci_low",
            "ci_high",
            "adj_residual",
            "p_adj",
            "suppressed",
        ],
    )?;
    for g in &report.comparison.groupings {
        for c in &g.cells {
            write_safe(
                &mut w,
                [
                    g.name.as_str(),
                    &c.group,
                    &c.theme_id.to_string(),
                    &c.theme,
                    &count(c.n),
                    &count(c.group_n),
                    &fraction(c.share),
                    &fraction(c.ci_low),
                    &fraction(c.ci_high),
                    &c.adj_residual.map_or_else(String::new, |z| format!("{z:.3}")),
                    &p_value(c.p_adj),
                    if c.suppressed { "true" } else { "false" },
                ],
            )?;
        }
    }
    finish(w)
}

/// `keyness.csv`: the words distinctive of each group against the rest of its grouping
/// (adjusted p below the report's alpha), strongest first.
pub fn keyness(report: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_safe(
        &mut w,
        [
            "grouping",
            "group",
            "word",
            "stem",
            "n_group",
            "n_rest",
            "g2",
            "log_ratio",
            "p_adj",
        ],
    )?;
    for g in &report.comparison.groupings {
        for group in &g.groups {
            for k in &group.keyness {
                write_safe(
                    &mut w,
                    [
                        g.name.as_str(),
                        &group.name,
                        &k.word,
                        &k.stem,
                        &k.n_group.to_string(),
                        &k.n_rest.to_string(),
                        &format!("{:.3}", k.g2),
                        &format!("{:.3}", k.log_ratio),
                        &p_value(Some(k.p_adj)),
                    ],
                )?;
            }
        }
    }
    finish(w)
}
