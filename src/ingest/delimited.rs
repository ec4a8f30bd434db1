//! Delimited tables (CSV, TSV, semicolon files from Norwegian Excel) to a [`Table`]: the
//! delimiter is sniffed from the first lines (or given), quoted fields may span lines,
//! and rows are numbered as a spreadsheet program shows them (one row per record, blank
//! lines included; blank ones are counted, not stored). [`super::wide`] then finds the
//! header and the free-text columns.
//! A record with more than [`limits::MAX_COLUMNS`] fields, or a field over
//! [`limits::MAX_FIELD_BYTES`], stops the read with an error naming the row.

use super::limits;
use super::wide::{Cells, Row, Table};
use crate::error::Result;
use crate::model::Reject;
use std::path::Path;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter whose per-line count (outside quotes) is non-zero and most
/// consistent over the first lines (title lines above the header do not count against
/// it); ties go to the more frequent one.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best = (b',', 0usize, 0usize);
    for &d in &DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let mut freq = std::collections::BTreeMap::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(c).or_insert(0usize) += 1;
        }
        let Some(consistent) = freq.values().copied().max() else {
            continue;
        };
        let total: usize = counts.iter().sum();
        if (consistent, total) > (best.1, best.2) {
            best = (d, consistent, total);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            !quoted && b == delimiter
        })
        .count()
}

/// The human-readable name of a delimiter.
pub fn delimiter_name(delimiter: u8) -> String {
    if delimiter == b'\t' {
        "tab".to_string()
    } else {
        format!("'{}'", delimiter as char)
    }
}

/// Reads delimited `text` into a table of text cells; `path` names the file in errors.
pub fn table(text: &str, delimiter: u8, source: &str, path: &Path) -> Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut table = Table {
        check_width: true,
        ..Table::default()
    };
    // Physical line the next record would start on if no blank line came first.
    let mut next_line = 1u64;
    let mut row = 0u64;
    let mut record = csv::StringRecord::new();
    // (byte offset, line number there): lines are counted once, forward only.
    let bytes = text.as_bytes();
    let mut counted = (0usize, 1u64);
    loop {
        let read = reader.read_record(&mut record);
        // The reader's position is where it began looking, before blank lines it skipped.
        let mut at = record.position().map_or(counted.0 as u64, csv::Position::byte) as usize;
        while bytes.get(at).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            at += 1;
        }
        let at = at.min(bytes.len()).max(counted.0);
        counted.1 += bytes[counted.0..at].iter().filter(|&&b| b == b'\n').count() as u64;
        counted.0 = at;
        let start = counted.1;
        match read {
            Ok(false) => break,
            Ok(true) => {
                // The row this record gets once the blank lines before it are counted.
                let place = || format!("row {}", row + start.saturating_sub(next_line) + 1);
                if record.len() > limits::MAX_COLUMNS {
                    return Err(limits::too_many_columns(path, &place(), record.len() as u64));
                }
                if let Some((i, f)) = record
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.len() > limits::MAX_FIELD_BYTES)
                {
                    return Err(limits::field_too_large(
                        path,
                        &format!("{} field {}", place(), i + 1),
                        f.len(),
                    ));
                }
                // Blank lines before the record: counted, not stored.
                let blanks = start.saturating_sub(next_line);
                row += blanks;
                table.blank_rows += blanks;
                row += 1;
                let spans = 1 + record.iter().map(|f| f.matches('\n').count() as u64).sum::<u64>();
                next_line = start.max(next_line) + spans;
                table.rows.push(Row {
                    number: row,
                    cells: Cells::new(record.iter()),
                });
            }
            Err(e) => {
                row += 1;
                next_line += 1;
                table
                    .rejects
                    .push(Reject::new(source, row, "unreadable-row", e.to_string(), ""));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    let lines = text.lines().count() as u64;
    table.blank_rows += (lines + 1).saturating_sub(next_line);
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t\"x,y\"\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b\n1|2\n"), b'|');
        assert_eq!(sniff_delimiter("a,\"b;c\"\n1,2\n"), b',');
    }

    #[test]
    fn sniffs_past_a_title_line() {
        assert_eq!(sniff_delimiter("Undersøkelse 2024\nid;svar\n1;hei\n"), b';');
    }

    #[test]
    fn numbers_rows_like_a_spreadsheet_with_blank_and_multiline_records() {
        let t = table(
            "a,b\r\n\r\n1,\"to\r\nlinjer\"\r\n2,x\r\n\r\n",
            b',',
            "f.csv",
            Path::new("f.csv"),
        )
        .expect("reads");
        let rows: Vec<(u64, usize)> = t.rows.iter().map(|r| (r.number, r.cells.len())).collect();
        assert_eq!(rows, [(1, 2), (3, 2), (4, 2)]);
        assert_eq!(t.blank_rows, 2, "rows 2 and 5 are blank, counted but not stored");
        assert_eq!(t.rows[1].cells.get(1), Some("to\r\nlinjer"));
        assert!(t.rejects.is_empty());
    }

    #[test]
    fn refuses_a_huge_field_or_too_many_columns_naming_the_row() {
        let big = format!("svar\nkort\n\n\"{}\"\n", "x".repeat(limits::MAX_FIELD_BYTES + 1));
        let err = table(&big, b',', "b.csv", Path::new("b.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("b.csv: row 4 field 1 holds 1.0 MB of text"),
            "{err}"
        );
        let wide = format!("a\n{}\n", ",".repeat(limits::MAX_COLUMNS));
        let err = table(&wide, b',', "w.csv", Path::new("w.csv"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("w.csv: row 2 has 16385 columns"), "{err}");
    }
}
