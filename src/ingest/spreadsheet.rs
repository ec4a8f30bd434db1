//! Spreadsheets (XLSX and ODS, read with calamine) to a [`Table`]: pick the sheet
//! (`--sheet`, else Mentimeter's `Voters`, else the one with the most data), turn every
//! cell into text (dates as ISO 8601, whole numbers without `.0`), and fill merged cells
//! (XLSX) with the value of their top-left cell so that a merged question or label
//! reaches every row it covers. Rows are numbered as the spreadsheet shows them.

use super::wide::{Row, Table};
use crate::error::{Error, Result};
use calamine::{Data, Dimensions, Ods, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;

/// One sheet as text cells, with its name and merged regions.
struct Sheet {
    name: String,
    range: calamine::Range<Data>,
    merges: Vec<Dimensions>,
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

/// Opens the workbook in `bytes` and reads every sheet.
fn open(bytes: &[u8], path: &Path) -> Result<(Kind, Vec<Sheet>)> {
    match calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(mut wb) => {
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let range = wb.worksheet_range(&name).map_err(|e| damaged(path, "XLSX", &e))?;
                let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
                sheets.push(Sheet { name, range, merges });
            }
            Ok((Kind::Xlsx, sheets))
        }
        Err(xlsx_err) => match calamine::open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes)) {
            Ok(mut wb) => {
                let mut sheets = Vec::new();
                for name in wb.sheet_names() {
                    let range = wb.worksheet_range(&name).map_err(|e| damaged(path, "ODS", &e))?;
                    sheets.push(Sheet {
                        name,
                        range,
                        merges: Vec::new(),
                    });
                }
                Ok((Kind::Ods, sheets))
            }
            Err(ods_err) => Err(if contains(bytes, b"word/") {
                Error::input(
                    path,
                    "this is a Word document (DOCX), which stemme cannot read; copy the responses into a spreadsheet and save it as XLSX or CSV (UTF-8)",
                )
            } else if contains(bytes, b"ppt/") {
                Error::input(
                    path,
                    "this is a PowerPoint file (PPTX), which stemme cannot read; export the responses from the survey tool as XLSX or CSV (UTF-8)",
                )
            } else if contains(bytes, b"mimetype") && !contains(bytes, b"xl/") {
                damaged(path, "ODS", &ods_err)
            } else {
                damaged(path, "XLSX", &xlsx_err)
            }),
        },
    }
}

fn damaged(path: &Path, what: &str, err: &dyn std::fmt::Display) -> Error {
    Error::input(
        path,
        format!("this looks like a damaged or truncated {what} spreadsheet ({err}); open it in a spreadsheet program and save it again, or export the responses as CSV (UTF-8)"),
    )
}

/// Reads the chosen sheet of a workbook into a table; returns the format and the names of
/// all sheets.
pub fn read(bytes: &[u8], path: &Path, wanted: Option<&str>) -> Result<(Kind, Table, Vec<String>)> {
    let (kind, sheets) = open(bytes, path)?;
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
    let sheet = &sheets[index];
    Ok((kind, table(sheet), names))
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
    let filled = |s: &Sheet| {
        s.range
            .used_cells()
            .filter(|(_, _, c)| !matches!(c, Data::Empty))
            .count()
    };
    if let Some(i) = sheets
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case("Voters") && filled(s) > 0)
    {
        return i;
    }
    let mut best = (0, 0);
    for (i, s) in sheets.iter().enumerate() {
        let n = filled(s);
        if n > best.1 {
            best = (i, n);
        }
    }
    best.0
}

/// The text of one cell.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::Error(e) => e.to_string(),
    }
}

/// The sheet as rows of text, merged regions filled, numbered as the sheet shows them.
fn table(sheet: &Sheet) -> Table {
    let (r0, c0) = sheet.range.start().unwrap_or((0, 0));
    let (r0, c0) = (r0 as usize, c0 as usize);
    let width = c0 + sheet.range.width();
    let mut rows: Vec<Vec<String>> = sheet
        .range
        .rows()
        .map(|cells| {
            let mut row = vec![String::new(); c0];
            row.extend(cells.iter().map(cell_text));
            row
        })
        .collect();
    for m in &sheet.merges {
        let (top, left) = (m.start.0 as usize, m.start.1 as usize);
        let value = match top
            .checked_sub(r0)
            .and_then(|r| rows.get(r))
            .and_then(|r| r.get(left))
        {
            Some(v) if !v.is_empty() => v.clone(),
            _ => continue,
        };
        let bottom = (m.end.0 as usize).min(r0 + rows.len().saturating_sub(1));
        let right = (m.end.1 as usize).min(width.saturating_sub(1));
        for r in top.max(r0)..=bottom {
            for c in left..=right {
                if let Some(cell) = rows.get_mut(r - r0).and_then(|row| row.get_mut(c)) {
                    if cell.is_empty() {
                        cell.clone_from(&value);
                    }
                }
            }
        }
    }
    Table {
        sheet: Some(sheet.name.clone()),
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, cells)| Row {
                number: (r0 + i + 1) as u64,
                cells,
            })
            .collect(),
        blank_before: r0 as u64,
        rejects: Vec::new(),
        check_width: false,
    }
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
        assert_eq!(cell_text(&Data::Float(2024.0)), "2024");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        let dt = calamine::ExcelDateTime::new(45943.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(dt)), "2025-10-13 12:00:00");
        let day = calamine::ExcelDateTime::new(45943.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(day)), "2025-10-13");
    }
}
