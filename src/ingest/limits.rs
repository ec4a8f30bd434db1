//! The limits that keep ingest's memory proportional to its input, checked before
//! anything is allocated for a cell or row: a hostile or broken file (a stray cell at
//! XFD1048576, a cell repeated a billion times in an ODS, one huge shared string used by
//! thousands of XLSX cells, a 200 MB field) is refused with an error that names the file
//! and says what to do, instead of exhausting memory.
//!
//! - one field or cell holds at most [`MAX_FIELD_BYTES`];
//! - a row has at most [`MAX_COLUMNS`] fields (Excel's own limit);
//! - a sheet, once its rows are laid out, has at most [`MAX_SHEET_CELLS`] cells (empty
//!   cells between filled ones included; empty cells after a row's last value are not
//!   stored);
//! - the cells of a workbook take at most [`text_budget`] (8 × the file size + 64 MiB);
//! - the parts of a zip container (XLSX, ODS) unpack to at most [`unzipped_budget`].

use crate::error::{Error, Result};
use std::path::Path;

/// Bytes one field or cell may hold (1 MiB: a long answer is a few KiB).
pub const MAX_FIELD_BYTES: usize = 1 << 20;
/// Fields in one row: Excel's column limit (XFD).
pub const MAX_COLUMNS: usize = 16_384;
/// Cells of a sheet laid out as rows (100,000 respondents × 100 columns).
pub const MAX_SHEET_CELLS: u64 = 10_000_000;

/// Memory the cells of a workbook may take (their text plus [`CELL_COST`] each): 64 MiB
/// plus 8 × the file size (a spreadsheet's text is smaller than its XML; more means
/// cells repeat one value).
pub fn text_budget(file_bytes: usize) -> u64 {
    (64 << 20) + 8 * file_bytes as u64
}

/// Bytes the parts of a zip container may unpack to: 256 MiB, or 50 × the file size
/// (office files compress 5–20×; more is a zip bomb).
pub fn unzipped_budget(file_bytes: usize) -> u64 {
    (256u64 << 20).max(50 * file_bytes as u64)
}

/// What holding one cell costs besides its text: position, string header, allocation.
pub const CELL_COST: u64 = 48;

/// Human-readable byte size: `1.5 MB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// The spreadsheet name of a 0-based column: 0 → `A`, 16383 → `XFD`.
pub fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut name = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        name.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// The error for a field over [`MAX_FIELD_BYTES`] at `place` (`row 7`, `cell B7`).
pub fn field_too_large(path: &Path, place: &str, bytes: usize) -> Error {
    Error::input(
        path,
        format!(
            "{place} holds {} of text, more than the {} stemme reads in one field; if the file is damaged (a missing closing quote joins the rest of a CSV into one field) repair or re-export it, else shorten that field",
            size(bytes as u64),
            size(MAX_FIELD_BYTES as u64)
        ),
    )
}

/// The error for a row with more than [`MAX_COLUMNS`] fields.
pub fn too_many_columns(path: &Path, place: &str, columns: u64) -> Error {
    Error::input(
        path,
        format!(
            "{place} has {columns} columns, more than the {MAX_COLUMNS} stemme reads (as many as Excel has); check the delimiter (--delimiter) or remove the columns that are not needed"
        ),
    )
}

/// What a workbook may still hold: text bytes and laid-out cells.
#[derive(Debug)]
pub struct Budget<'a> {
    path: &'a Path,
    file_bytes: usize,
    text_left: u64,
}

impl<'a> Budget<'a> {
    /// The budget for the file at `path` of `file_bytes` bytes.
    pub fn new(path: &'a Path, file_bytes: usize) -> Self {
        Budget {
            path,
            file_bytes,
            text_left: text_budget(file_bytes),
        }
    }

    /// The file the budget is for.
    pub fn path(&self) -> &'a Path {
        self.path
    }

    /// Takes `bytes` of cell text at `place` (`sheet "Ark1" cell B7`), or fails.
    pub fn take_text(&mut self, bytes: usize, place: impl FnOnce() -> String) -> Result<()> {
        if bytes > MAX_FIELD_BYTES {
            return Err(field_too_large(self.path, &place(), bytes));
        }
        match self.text_left.checked_sub(bytes as u64 + CELL_COST) {
            Some(left) => {
                self.text_left = left;
                Ok(())
            }
            None => Err(Error::input(
                self.path,
                format!(
                    "the cells take more than {} of memory (reached at {}), far more than the {} file itself: one value repeated in very many cells; remove the repeated cells or export the responses as CSV (UTF-8)",
                    size(text_budget(self.file_bytes)),
                    place(),
                    size(self.file_bytes as u64)
                ),
            )),
        }
    }

    /// Checks that a sheet laid out as rows fits [`MAX_SHEET_CELLS`].
    pub fn check_cells(&self, sheet: &str, cells: u64, extent: &str) -> Result<()> {
        if cells <= MAX_SHEET_CELLS {
            return Ok(());
        }
        Err(Error::input(
            self.path,
            format!(
                "sheet {sheet:?} spans {extent}, {cells} cells laid out as rows, more than the {MAX_SHEET_CELLS} stemme reads; a stray value or merged cell far from the table makes a sheet this large: delete the empty rows and columns around the data, or export the responses as CSV (UTF-8)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_as_spreadsheets_show_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn the_text_budget_fails_with_the_place_and_a_remedy() {
        let mut b = Budget::new(Path::new("x.xlsx"), 0);
        assert!(b.take_text(1000, || "cell A1".into()).is_ok());
        let err = b.take_text(MAX_FIELD_BYTES + 1, || "cell B2".into()).unwrap_err();
        assert!(err.to_string().contains("x.xlsx: cell B2 holds 1.0 MB"), "{err}");
        let mut taken = 0;
        let err = loop {
            match b.take_text(MAX_FIELD_BYTES, || "cell C3".into()) {
                Ok(()) => taken += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(taken, 63);
        assert!(err.to_string().contains("one value repeated"), "{err}");
    }
}
