//! CSV tables for spreadsheets and R/Python: one row per response (with theme and scope),
//! one per theme (with its scope split), one per keyness word.

use super::Report;
use crate::analysis::Analysis;
use crate::corpus::{csv_error, LIST_SEPARATOR};
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(csv_error)
}

/// `responses.csv`, written row by row: id, collection, source, line, question, text,
/// theme, scope and its evidence, kinds, labels, then every metadata column of the input
/// as `meta.<column>` (the union of all inputs' columns, in name order; empty where a
/// response's input has no such column).
pub fn write_responses(path: &Path, a: &Analysis) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let columns: BTreeSet<&str> = a
        .rows
        .iter()
        .flat_map(|r| r.response.meta.keys().map(String::as_str))
        .collect();
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
    ]
    .map(String::from)
    .to_vec();
    header.extend(columns.iter().map(|c| format!("meta.{c}")));
    w.write_record(&header).map_err(csv_error)?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for row in &a.rows {
        let r = &row.response;
        record.clear();
        record.extend([
            r.id.clone(),
            r.collection.clone(),
            r.source.clone(),
            r.line.to_string(),
            r.question.clone(),
            r.text.clone(),
            row.theme.unwrap_or(0).to_string(),
            a.theme_label(row).to_string(),
            row.scope.scope.as_str().to_string(),
            row.scope.evidence.join(LIST_SEPARATOR),
            r.kinds.join(LIST_SEPARATOR),
            r.labels.join(LIST_SEPARATOR),
        ]);
        record.extend(
            columns
                .iter()
                .map(|c| r.meta.get(*c).cloned().unwrap_or_default()),
        );
        w.write_record(&record).map_err(csv_error)?;
    }
    let mut inner = w.into_inner().map_err(csv_error)?;
    inner.flush().map_err(|e| Error::io(path, e))
}

/// `themes.csv`: one row per theme (and the unclassified bucket) with counts per scope.
pub fn themes(report: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "theme_id",
        "label",
        "size",
        "local",
        "national",
        "both",
        "unspecified",
        "quote_ids",
    ])
    .map_err(csv_error)?;
    for row in &report.comparison.table {
        let quotes = report
            .themes
            .iter()
            .find(|t| t.id == row.theme)
            .map(|t| {
                t.quotes
                    .iter()
                    .map(|q| q.id.as_str())
                    .collect::<Vec<_>>()
                    .join(LIST_SEPARATOR)
            })
            .unwrap_or_default();
        let c = row.counts;
        let size: usize = c.iter().sum();
        w.write_record([
            row.theme.to_string(),
            row.label.clone(),
            size.to_string(),
            c[0].to_string(),
            c[1].to_string(),
            c[2].to_string(),
            c[3].to_string(),
            quotes,
        ])
        .map_err(csv_error)?;
    }
    finish(w)
}

/// `keyness.csv`: the words most distinctive of local and of national responses.
pub fn keyness(report: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["side", "term", "stem", "local", "national", "g2", "log_ratio"])
        .map_err(csv_error)?;
    let c = &report.comparison;
    for (side, list) in [("local", &c.local_terms), ("national", &c.national_terms)] {
        for k in list {
            w.write_record([
                side,
                &k.term,
                &k.stem,
                &k.local.to_string(),
                &k.national.to_string(),
                &format!("{:.3}", k.g2),
                &format!("{:.3}", k.log_ratio),
            ])
            .map_err(csv_error)?;
        }
    }
    finish(w)
}
