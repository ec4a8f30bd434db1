//! CSV tables for spreadsheets and R/Python: one row per response (with theme and scope),
//! one per theme (with its scope split), one per keyness word.

use super::Report;
use crate::corpus::{csv_error, LIST_SEPARATOR};
use crate::error::Result;

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(csv_error)
}

/// `responses.csv`: id, source, line, text, theme, scope, scope evidence, kinds, labels.
pub fn responses(report: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "source",
        "line",
        "text",
        "theme_id",
        "theme",
        "scope",
        "scope_evidence",
        "kinds",
        "labels",
    ])
    .map_err(csv_error)?;
    for r in &report.responses {
        w.write_record([
            r.id.as_str(),
            &r.source,
            &r.line.to_string(),
            &r.text,
            &r.theme_id.to_string(),
            &r.theme,
            r.scope.as_str(),
            &r.scope_evidence.join(LIST_SEPARATOR),
            &r.kinds.join(LIST_SEPARATOR),
            &r.labels.join(LIST_SEPARATOR),
        ])
        .map_err(csv_error)?;
    }
    finish(w)
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
