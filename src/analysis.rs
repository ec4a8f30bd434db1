//! The analysed corpus of one run: the [`Row`]s (one per response, filled by the stages in
//! turn), the shared word table, the themes and the comparison; the index and every report
//! read it.
//! The per-file summaries keep the counts that the reports cite (rows in = kept +
//! rejected + structural), not the responses, which have moved into the rows.

use crate::analyze::{Vocabulary, Words};
use crate::compare::Comparison;
use crate::ingest::{IngestedFile, MaskCounts};
use crate::model::Reject;
pub use crate::row::Row;
use crate::themes::{Theme, ThemeModel};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;

/// The metadata column names of `rows`, sorted. (Each row names its columns, and most
/// rows name the same few: a set per thread to which a name is added only when it is new,
/// so a million rows cost a look-up each, not a sort of every name.)
pub fn meta_columns(rows: &[Row]) -> BTreeSet<&str> {
    rows.par_iter()
        .fold(BTreeSet::new, |mut columns, row| {
            for column in row.response.meta.keys() {
                if !columns.contains(column) {
                    columns.insert(column);
                }
            }
            columns
        })
        .reduce(BTreeSet::new, |mut a, b| {
            a.extend(b);
            a
        })
}

/// Name shown for responses that belong to no theme.
pub const UNCLASSIFIED: &str = "unclassified";

/// One input file, as the reports describe it.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
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
    /// Texts whose mojibake (`Ã¸` for `ø`) was repaired.
    pub repaired: u64,
}

impl FileSummary {
    pub fn new(file: &IngestedFile) -> FileSummary {
        FileSummary {
            file: file.source.clone(),
            collection: file.collection.clone(),
            format: file.format.clone(),
            sha256: file.sha256.clone(),
            total_lines: file.data.total_lines,
            kept_lines: file.data.kept_lines,
            rejects: file.data.rejects.len() as u64,
            structural_lines: file.data.structural_lines,
            responses: file.data.responses.len() as u64,
            masked: file.masked,
            repaired: file.repaired,
        }
    }
}

/// Every stage's output, kept together so reports can cite any of it.
pub struct Analysis {
    pub files: Vec<FileSummary>,
    pub rows: Vec<Row>,
    pub rejects: Vec<Reject>,
    /// Empty once the index is built ([`crate::index::build`] releases it).
    pub words: Words,
    /// Empty once the index is built, like `words`.
    pub vocabulary: Vocabulary,
    pub themes: ThemeModel,
    pub comparison: Comparison,
}

impl Analysis {
    /// The theme of a row, if it has one.
    pub fn theme_of(&self, row: &Row) -> Option<&Theme> {
        row.theme.and_then(|id| self.themes.themes.get(id as usize - 1))
    }

    /// The label of a row's theme, or `unclassified`.
    pub fn theme_label(&self, row: &Row) -> &str {
        self.theme_of(row).map_or(UNCLASSIFIED, |t| t.label.as_str())
    }

    /// Number of rows in no theme.
    pub fn unclassified(&self) -> usize {
        self.rows.iter().filter(|r| r.theme.is_none()).count()
    }
}
