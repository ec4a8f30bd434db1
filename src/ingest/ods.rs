//! OpenDocument spreadsheets (ODS) read as a stream of cells from `content.xml`, so that
//! repeated rows and cells (`table:number-rows-repeated`, `number-columns-repeated`) cost
//! memory only for the values they really hold: empty repeats are skipped, filled ones
//! are taken one by one against the [`Budget`] and refused when they exceed it. Merged
//! regions (`number-columns-spanned`, `number-rows-spanned`) are reported so the caller
//! can fill them as for XLSX.

use super::limits::{column_name, Budget, MAX_COLUMNS};
use super::spreadsheet::{Merge, Sheet};
use crate::error::{Error, Result};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;

/// Rows an ODS sheet can have (as in LibreOffice and Excel).
const MAX_ROWS: u64 = 1_048_576;

/// Reads every sheet of the ODS file in `bytes`.
pub fn read(bytes: &[u8], path: &Path, budget: &mut Budget) -> Result<Vec<Sheet>> {
    let damaged = |e: &dyn std::fmt::Display| super::spreadsheet::damaged(path, "ODS", e);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    if zip.by_name("META-INF/manifest.xml").is_ok_and(|mut f| {
        let mut s = String::new();
        f.by_ref().take(1 << 20).read_to_string(&mut s).is_ok() && s.contains("encryption-data")
    }) {
        return Err(Error::input(
            path,
            "the spreadsheet is password-protected; open it, remove the password and save it again, or export the responses as CSV (UTF-8)",
        ));
    }
    let content = zip.by_name("content.xml").map_err(|e| damaged(&e))?;
    let mut xml = Reader::from_reader(BufReader::new(content));
    xml.config_mut().check_end_names = false;
    xml.config_mut().expand_empty_elements = true;
    let mut sheets = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) if e.name().as_ref() == "table:table" => {
                let name = attr(&e, "table:name").unwrap_or_else(|| format!("Sheet{}", sheets.len() + 1));
                let sheet = read_table(&mut xml, name, budget, &damaged)?;
                sheets.push(sheet);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(sheets)
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    })
}

fn count(e: &BytesStart, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
        .max(1)
}

type Xml<'z> = Reader<BufReader<zip::read::ZipFile<'z, Cursor<&'z [u8]>>>>;

/// Reads one `table:table` up to its end tag.
fn read_table(
    xml: &mut Xml,
    name: String,
    budget: &mut Budget,
    damaged: &dyn Fn(&dyn std::fmt::Display) -> Error,
) -> Result<Sheet> {
    let mut sheet = Sheet {
        name,
        cells: Vec::new(),
        merges: Vec::new(),
    };
    let mut row: u64 = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                let repeat = count(&e, "table:number-rows-repeated");
                let cells = read_row(xml, &mut sheet, row, budget, damaged)?;
                // Empty repeated rows (LibreOffice pads sheets with a million of them)
                // cost nothing; filled ones are copied, each against the budget.
                if !cells.is_empty() {
                    for r in 0..repeat.min(MAX_ROWS.saturating_sub(row)) {
                        for (col, value) in &cells {
                            let at = row + r;
                            if r > 0 {
                                budget.take_text(value.len(), || place(&sheet.name, at, *col))?;
                            }
                            sheet.cells.push((at as u32, *col, value.clone()));
                        }
                    }
                }
                row = row.saturating_add(repeat);
            }
            Event::End(e) if e.name().as_ref() == "table:table" => return Ok(sheet),
            Event::Eof => return Err(damaged(&"content.xml ends inside a table")),
            _ => {}
        }
    }
}

fn place(sheet: &str, row: u64, col: u32) -> String {
    format!("sheet {sheet:?} cell {}{}", column_name(col), row + 1)
}

/// Reads the cells of one row: its filled cells as (column, text), once (the caller
/// repeats them); merged regions go to the sheet.
fn read_row(
    xml: &mut Xml,
    sheet: &mut Sheet,
    row: u64,
    budget: &mut Budget,
    damaged: &dyn Fn(&dyn std::fmt::Display) -> Error,
) -> Result<Vec<(u32, String)>> {
    let mut cells = Vec::new();
    let mut col: u64 = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::Start(e)
                if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") =>
            {
                let repeat = count(&e, "table:number-columns-repeated");
                let (across, down) = (
                    count(&e, "table:number-columns-spanned"),
                    count(&e, "table:number-rows-spanned"),
                );
                let value = cell_value(xml, &e, budget, &sheet.name, row, col, damaged)?;
                if !value.is_empty() {
                    if col + repeat > MAX_COLUMNS as u64 {
                        return Err(super::limits::too_many_columns(
                            budget.path(),
                            &format!("row {} of sheet {:?}", row + 1, sheet.name),
                            col + repeat,
                        ));
                    }
                    for c in col..col + repeat {
                        if c > col {
                            budget.take_text(value.len(), || place(&sheet.name, row, c as u32))?;
                        }
                        cells.push((c as u32, value.clone()));
                    }
                    if across > 1 || down > 1 {
                        sheet.merges.push(Merge {
                            top: row as u32,
                            left: col as u32,
                            bottom: (row + down - 1).min(MAX_ROWS - 1) as u32,
                            right: (col + across - 1).min(MAX_COLUMNS as u64 - 1) as u32,
                        });
                    }
                }
                col = col.saturating_add(repeat);
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => return Ok(cells),
            Event::Eof => return Err(damaged(&"content.xml ends inside a row")),
            _ => {}
        }
    }
}

/// The text of one cell (its start tag `e` was just read): the typed value from its
/// attributes, else its paragraphs joined by line breaks. Reads up to the cell's end.
fn cell_value(
    xml: &mut Xml,
    e: &BytesStart,
    budget: &mut Budget,
    sheet: &str,
    row: u64,
    col: u64,
    damaged: &dyn Fn(&dyn std::fmt::Display) -> Error,
) -> Result<String> {
    let typed = match attr(e, "office:value-type").as_deref() {
        Some("float" | "percentage" | "currency") => attr(e, "office:value").map(|v| number(&v)),
        Some("date") => attr(e, "office:date-value").map(|v| v.replace('T', " ")),
        Some("time") => attr(e, "office:time-value"),
        Some("boolean") => attr(e, "office:boolean-value"),
        _ => attr(e, "office:string-value"),
    };
    let end = e.name().as_ref().to_string();
    let mut text = String::new();
    let mut paragraphs = 0;
    let mut in_annotation = 0;
    let mut buf = Vec::new();
    let push = |text: &mut String, s: &str| -> Result<()> {
        if text.len() + s.len() > super::limits::MAX_FIELD_BYTES {
            return Err(super::limits::field_too_large(
                budget.path(),
                &place(sheet, row, col as u32),
                text.len() + s.len(),
            ));
        }
        text.push_str(s);
        Ok(())
    };
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| damaged(&e))? {
            Event::End(x) if x.name().as_ref() == end => break,
            Event::Start(x) if x.name().as_ref() == "office:annotation" => in_annotation += 1,
            Event::End(x) if x.name().as_ref() == "office:annotation" => in_annotation -= 1,
            _ if in_annotation > 0 || typed.is_some() => {}
            Event::Start(x) => match x.name().as_ref() {
                "text:p" => {
                    if paragraphs > 0 {
                        push(&mut text, "\n")?;
                    }
                    paragraphs += 1;
                }
                "text:s" => {
                    let n = count(&x, "text:c").min(super::limits::MAX_FIELD_BYTES as u64 + 1);
                    push(&mut text, &" ".repeat(n as usize))?;
                }
                "text:tab" => push(&mut text, "\t")?,
                "text:line-break" => push(&mut text, "\n")?,
                _ => {}
            },
            Event::Text(t) => push(&mut text, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().ok().flatten() {
                    Some(c) => c,
                    None => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => '\u{fffd}',
                    },
                };
                push(&mut text, c.encode_utf8(&mut [0; 4]))?;
            }
            Event::Eof => return Err(damaged(&"content.xml ends inside a cell")),
            _ => {}
        }
    }
    let value = typed.unwrap_or(text);
    budget.take_text(value.len(), || place(sheet, row, col as u32))?;
    Ok(value)
}

/// A number as a spreadsheet shows it: whole numbers without `.0`.
fn number(v: &str) -> String {
    match v.trim().parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Ok(f) => f.to_string(),
        Err(_) => v.to_string(),
    }
}
