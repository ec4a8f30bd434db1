//! Document–feature matrix: the analysed responses in, three files out, in a folder:
//! `dfm.mtx` (Matrix Market coordinate format, integer counts; row i is response i,
//! column j is feature j, both 1-based), `docs.csv` (one row per response: its id,
//! provenance, theme, scope and every metadata column) and `features.csv` (one row per
//! feature: the stem, its display form, total count and document frequency).
//!
//! The features are the ones the themes use: content words (stopwords and one-letter or
//! number-only tokens left out) counted by stem, so every inflection counts together,
//! plus the stems of their compound parts, so `samfunnsmodeller` also counts `modell`.
//! Features are sorted by stem, entries by row then column: the same input gives the same
//! bytes. Files are written streaming.

use crate::analysis::{meta_columns, Analysis};
use crate::analyze::StemId;
use crate::corpus::csv_error;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DfmSummary {
    pub docs: usize,
    pub features: usize,
    /// Non-zero cells.
    pub entries: usize,
}

/// Feature counts of each response, by stem id.
fn counts(a: &Analysis) -> Vec<BTreeMap<StemId, u64>> {
    a.rows
        .iter()
        .map(|row| {
            let mut c: BTreeMap<StemId, u64> = BTreeMap::new();
            for t in &row.tokens {
                for &stem in a.words.feature_stems(t.word) {
                    *c.entry(stem).or_default() += 1;
                }
            }
            c
        })
        .collect()
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| Error::io(path, e))
}

/// Writes `dfm.mtx`, `docs.csv` and `features.csv` into `dir` (created if needed).
pub fn write(dir: &Path, a: &Analysis) -> Result<DfmSummary> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let docs = counts(a);
    let mut totals: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for doc in &docs {
        for (&stem, &n) in doc {
            let e = totals.entry(a.words.stem(stem)).or_default();
            e.0 += n;
            e.1 += 1;
        }
    }
    let column: BTreeMap<&str, usize> = totals.keys().enumerate().map(|(j, s)| (*s, j + 1)).collect();
    let entries: usize = docs.iter().map(BTreeMap::len).sum();

    let path = dir.join("dfm.mtx");
    let mut w = create(&path)?;
    let io = |e| Error::io(&path, e);
    writeln!(w, "%%MatrixMarket matrix coordinate integer general").map_err(io)?;
    writeln!(
        w,
        "% stemme document-feature matrix: rows are docs.csv, columns features.csv"
    )
    .map_err(io)?;
    writeln!(w, "{} {} {entries}", docs.len(), totals.len()).map_err(io)?;
    for (i, doc) in docs.iter().enumerate() {
        // Columns are in stem order, not stem-id order: sort each row's entries.
        let mut cells: Vec<(usize, u64)> = doc.iter().map(|(&s, &n)| (column[a.words.stem(s)], n)).collect();
        cells.sort_unstable();
        for (j, n) in cells {
            writeln!(w, "{} {j} {n}", i + 1).map_err(io)?;
        }
    }
    w.flush().map_err(io)?;

    let columns: Vec<&str> = meta_columns(&a.rows).into_iter().collect();
    let path = dir.join("docs.csv");
    let mut w = csv::Writer::from_writer(create(&path)?);
    let mut header = vec![
        "doc",
        "id",
        "collection",
        "source",
        "line",
        "question",
        "theme_id",
        "theme",
        "scope",
    ];
    let meta_names: Vec<String> = columns.iter().map(|c| format!("meta.{c}")).collect();
    header.extend(meta_names.iter().map(String::as_str));
    w.write_record(&header).map_err(csv_error)?;
    for (i, row) in a.rows.iter().enumerate() {
        let r = &row.response;
        let mut rec = vec![
            (i + 1).to_string(),
            r.id.to_string(),
            r.collection.to_string(),
            r.source.to_string(),
            r.line.to_string(),
            r.question.to_string(),
            row.theme.unwrap_or(0).to_string(),
            a.theme_label(row).to_string(),
            row.scope.scope.to_string(),
        ];
        rec.extend(
            columns
                .iter()
                .map(|c| r.meta.get(c).unwrap_or_default().to_string()),
        );
        w.write_record(&rec).map_err(csv_error)?;
    }
    w.flush().map_err(|e| Error::io(&path, e))?;

    let path = dir.join("features.csv");
    let mut w = csv::Writer::from_writer(create(&path)?);
    w.write_record(["column", "feature", "display", "count", "docfreq"])
        .map_err(csv_error)?;
    for (j, (stem, (count, docfreq))) in totals.iter().enumerate() {
        w.write_record([
            (j + 1).to_string(),
            stem.to_string(),
            a.vocabulary.display(stem),
            count.to_string(),
            docfreq.to_string(),
        ])
        .map_err(csv_error)?;
    }
    w.flush().map_err(|e| Error::io(&path, e))?;
    Ok(DfmSummary {
        docs: docs.len(),
        features: totals.len(),
        entries,
    })
}
