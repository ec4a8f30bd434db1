//! Spreadsheets (XLSX read with calamine's streaming cell reader, ODS with [`super::ods`])
//! to a [`Table`]: pick the sheet (`--sheet`, else Mentimeter's `Voters`, else the one
//! with the most data), turn every cell into text (dates as ISO 8601, whole numbers
//! without `.0`, an fnr stored as a number with its leading zero back so it is masked),
//! and fill merged cells with the value of their top-left cell so that a merged question
//! or label reaches every row it covers. Rows are numbered as the spreadsheet shows them.
//!
//! Only filled cells are held while reading, each against the [`Budget`], and a row
//! stores the cells up to its last value: a stray cell at XFD1048576 costs one long row
//! and a million empty ones, not a billion cells. The laid-out size is checked against
//! [`limits::MAX_SHEET_CELLS`] before the rows are built.

use super::limits::{self, Budget};
use super::wide::{Cells, Row, Table};
use crate::error::{Error, Result};
use calamine::{DataRef, Reader, Xlsx, XlsxError};
use std::io::{Cursor, Read};
use std::path::Path;

/// A merged region, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub top: u32,
    pub left: u32,
    pub bottom: u32,
    pub right: u32,
}

/// One sheet as read: its filled cells (0-based row, column, text) and merged regions.
#[derive(Debug)]
pub struct Sheet {
    pub name: String,
    pub cells: Vec<(u32, u32, String)>,
    pub merges: Vec<Merge>,
}

/// The spreadsheet formats stemme reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Ods,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Ods => "ods",
        }
    }
}

/// True for a zip container (XLSX, ODS, DOCX, …).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Refuses a zip whose parts declare more unpacked bytes than [`limits::unzipped_budget`].
fn check_unzipped_size(bytes: &[u8], path: &Path) -> Result<()> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let total: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, |a, b| a.saturating_add(b));
    let budget = limits::unzipped_budget(bytes.len());
    if total > budget {
        return Err(Error::input(
            path,
            format!(
                "the {} file unpacks to {}, more than the {} stemme unpacks (a zip bomb, or a workbook with far more than responses in it); export the responses as CSV (UTF-8)",
                limits::size(bytes.len() as u64),
                limits::size(total),
                limits::size(budget)
            ),
        ));
    }
    Ok(())
}

/// True when the zip's `mimetype` entry names an OpenDocument spreadsheet.
fn is_ods(bytes: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return contains(bytes, b"mimetype") && !contains(bytes, b"xl/");
    };
    let mut mime = String::new();
    zip.by_name("mimetype")
        .is_ok_and(|f| f.take(100).read_to_string(&mut mime).is_ok())
        && mime.trim() == "application/vnd.oasis.opendocument.spreadsheet"
}

/// Opens the workbook in `bytes` and reads every sheet's filled cells.
fn open(bytes: &[u8], path: &Path) -> Result<(Kind, Vec<Sheet>)> {
    check_unzipped_size(bytes, path)?;
    let mut budget = Budget::new(path, bytes.len());
    if is_ods(bytes) {
        return Ok((Kind::Ods, super::ods::read(bytes, path, &mut budget)?));
    }
    match calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(mut wb) => {
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let merges = wb
                    .merge_cells_by_sheet_name(&name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| Merge {
                        top: d.start.0,
                        left: d.start.1,
                        bottom: d.end.0,
                        right: d.end.1,
                    })
                    .collect();
                let cells = match xlsx_cells(&mut wb, &name, path, &mut budget) {
                    Err(CellsError::NotAWorksheet) => continue,
                    Err(CellsError::Xlsx(e)) => return Err(damaged(path, "XLSX", &e)),
                    Err(CellsError::Limit(e)) => return Err(e),
                    Ok(cells) => cells,
                };
                sheets.push(Sheet { name, cells, merges });
            }
            Ok((Kind::Xlsx, sheets))
        }
        Err(xlsx_err) => Err(if contains(bytes, b"word/") {
            Error::input(
                path,
                "this is a Word document (DOCX), which stemme cannot read; copy the responses into a spreadsheet and save it as XLSX or CSV (UTF-8)",
            )
        } else if contains(bytes, b"ppt/") {
            Error::input(
                path,
                "this is a PowerPoint file (PPTX), which stemme cannot read; export the responses from the survey tool as XLSX or CSV (UTF-8)",
            )
        } else {
            damaged(path, "XLSX", &xlsx_err)
        }),
    }
}

enum CellsError {
    NotAWorksheet,
    Xlsx(XlsxError),
    Limit(Error),
}

/// The filled cells of one XLSX sheet, streamed: a shared string is measured against
/// the budget before it is copied.
fn xlsx_cells(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    path: &Path,
    budget: &mut Budget,
) -> std::result::Result<Vec<(u32, u32, String)>, CellsError> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(XlsxError::NotAWorksheet(_)) => return Err(CellsError::NotAWorksheet),
        Err(e) => return Err(CellsError::Xlsx(e)),
    };
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(CellsError::Xlsx)? {
        let (row, col) = cell.get_position();
        let value = cell.get_value();
        let len = match value {
            DataRef::SharedString(s) => s.len(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            DataRef::Empty => continue,
            _ => 32,
        };
        if col as usize >= limits::MAX_COLUMNS {
            let place = format!("row {} of sheet {name:?}", row + 1);
            return Err(CellsError::Limit(limits::too_many_columns(
                path,
                &place,
                col as u64 + 1,
            )));
        }
        budget
            .take_text(len, || {
                format!("sheet {name:?} cell {}{}", limits::column_name(col), row + 1)
            })
            .map_err(CellsError::Limit)?;
        let text = cell_text(value);
        if !text.is_empty() {
            cells.push((row, col, text));
        }
    }
    Ok(cells)
}

pub(super) fn damaged(path: &Path, what: &str, err: &dyn std::fmt::Display) -> Error {
    Error::input(
        path,
        format!("this looks like a damaged or truncated {what} spreadsheet ({err}); open it in a spreadsheet program and save it again, or export the responses as CSV (UTF-8)"),
    )
}

/// Reads the chosen sheet of a workbook into a table; returns the format and the names of
/// all sheets.
pub fn read(bytes: &[u8], path: &Path, wanted: Option<&str>) -> Result<(Kind, Table, Vec<String>)> {
    let (kind, mut sheets) = open(bytes, path)?;
    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
    if sheets.is_empty() {
        return Err(Error::input(path, "the workbook has no sheets"));
    }
    let index = match wanted {
        Some(w) => find_sheet(&names, w).ok_or_else(|| {
            Error::input(
                path,
                format!("no sheet named {w:?}; the sheets are: {}", names.join(", ")),
            )
        })?,
        None => default_sheet(&sheets),
    };
    let sheet = sheets.swap_remove(index);
    Ok((kind, table(sheet, path)?, names))
}

/// A sheet by name (exact, then ignoring case) or by 1-based number.
fn find_sheet(names: &[String], wanted: &str) -> Option<usize> {
    names
        .iter()
        .position(|n| n == wanted)
        .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(wanted.trim())))
        .or_else(|| {
            wanted
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| (1..=names.len()).contains(&n))
                .map(|n| n - 1)
        })
}

/// Mentimeter's `Voters` sheet when it has data, else the sheet with the most filled
/// cells (the first on ties).
fn default_sheet(sheets: &[Sheet]) -> usize {
    if let Some(i) = sheets
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case("Voters") && !s.cells.is_empty())
    {
        return i;
    }
    let mut best = (0, 0);
    for (i, s) in sheets.iter().enumerate() {
        if s.cells.len() > best.1 {
            best = (i, s.cells.len());
        }
    }
    best.0
}

/// The text of one cell. A whole number of 10 digits that is an fnr once its dropped
/// leading zero is put back gets it back, so masking sees the fnr.
pub fn cell_text(cell: &DataRef) -> String {
    let whole = |i: i64| {
        let s = i.to_string();
        if s.len() == 10 && super::mask::is_fnr(&format!("0{s}")) {
            format!("0{s}")
        } else {
            s
        }
    };
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => whole(*i),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => whole(*f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTime(dt) => dt.as_f64().to_string(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// The sheet as rows of text, merged regions filled, numbered as the sheet shows them.
/// Each row holds its cells up to its last value; the laid-out size is checked first.
fn table(sheet: Sheet, path: &Path) -> Result<Table> {
    let Sheet {
        name,
        mut cells,
        merges,
    } = sheet;
    cells.sort_unstable_by_key(|&(r, c, _)| (r, c));
    cells.dedup_by_key(|&mut (r, c, _)| (r, c));
    let Some(&(r0, _, _)) = cells.first() else {
        return Ok(Table {
            sheet: Some(name),
            ..Table::default()
        });
    };
    let last_row = cells.last().map_or(r0, |c| c.0);
    // Width of each row: its last value, or the right edge of a merge that fills it.
    let height = (last_row - r0 + 1) as usize;
    let mut widths = vec![0u32; height];
    for &(r, c, _) in &cells {
        widths[(r - r0) as usize] = c + 1;
    }
    let filled = |r: u32, c: u32| cells.binary_search_by_key(&(r, c), |&(r, c, _)| (r, c)).is_ok();
    let merges: Vec<Merge> = merges
        .into_iter()
        .filter(|m| m.top <= last_row && filled(m.top, m.left))
        .collect();
    for m in &merges {
        for r in m.top.max(r0)..=m.bottom.min(last_row) {
            let w = &mut widths[(r - r0) as usize];
            *w = (*w).max(m.right + 1);
        }
    }
    let laid_out = widths.iter().map(|&w| u64::from(w)).sum::<u64>() + height as u64;
    let right = widths.iter().copied().max().unwrap_or(0);
    let extent = format!(
        "rows {}–{} and columns up to {}",
        r0 + 1,
        last_row + 1,
        limits::column_name(right.saturating_sub(1))
    );
    Budget::new(path, 0).check_cells(&name, laid_out, &extent)?;
    let mut rows: Vec<Vec<String>> = widths.iter().map(|&w| vec![String::new(); w as usize]).collect();
    for (r, c, text) in cells {
        rows[(r - r0) as usize][c as usize] = text;
    }
    for m in &merges {
        let value = rows[(m.top - r0) as usize][m.left as usize].clone();
        for r in m.top.max(r0)..=m.bottom.min(last_row) {
            let row = &mut rows[(r - r0) as usize];
            for c in m.left..=m.right {
                if let Some(cell) = row.get_mut(c as usize) {
                    if cell.is_empty() {
                        cell.clone_from(&value);
                    }
                }
            }
        }
    }
    // Blank rows (no cell, no merge) are counted, not stored.
    let blank = rows.iter().filter(|r| r.is_empty()).count() as u64;
    Ok(Table {
        sheet: Some(name),
        rows: rows
            .into_iter()
            .enumerate()
            .filter(|(_, cells)| !cells.is_empty())
            .map(|(i, cells)| Row {
                number: u64::from(r0) + i as u64 + 1,
                cells: Cells::new(cells.iter().map(String::as_str)),
            })
            .collect(),
        blank_rows: u64::from(r0) + blank,
        rejects: Vec::new(),
        check_width: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sheets_by_name_case_or_number() {
        let names = vec!["Oversikt".to_string(), "Svar".to_string()];
        assert_eq!(find_sheet(&names, "Svar"), Some(1));
        assert_eq!(find_sheet(&names, "svar"), Some(1));
        assert_eq!(find_sheet(&names, "1"), Some(0));
        assert_eq!(find_sheet(&names, "3"), None);
    }

    #[test]
    fn cells_become_plain_text() {
        assert_eq!(cell_text(&DataRef::Float(2024.0)), "2024");
        assert_eq!(cell_text(&DataRef::Float(2.5)), "2.5");
        assert_eq!(cell_text(&DataRef::Int(7)), "7");
        let dt = calamine::ExcelDateTime::new(45943.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&DataRef::DateTime(dt)), "2025-10-13 12:00:00");
        let day = calamine::ExcelDateTime::new(45943.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&DataRef::DateTime(day)), "2025-10-13");
        let fnr = (100..200)
            .find_map(|i| super::super::mask::make_fnr("010190", &i.to_string()))
            .expect("valid");
        let number: i64 = fnr.parse().expect("digits");
        assert_eq!(cell_text(&DataRef::Float(number as f64)), fnr);
        assert_eq!(cell_text(&DataRef::Int(1234567890)), "1234567890");
    }
}
