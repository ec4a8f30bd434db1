//! Cells made safe to open in a spreadsheet program. Excel, LibreOffice and Google Sheets
//! run a CSV cell that starts with `=`, `+`, `-` or `@` as a formula (and a leading tab
//! or carriage return can hide such a start), so a response written as
//! `=HYPERLINK("http://…","klikk")` or `@SUM(…)` would become a live formula in the
//! analyst's sheet ("CSV injection").
//!
//! The rule, for every cell stemme writes to a CSV file: a cell that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return gets a single quote `'` in front, which
//! spreadsheets show as text and do not evaluate. A plain number (`-12`, `+4.5`,
//! `-1,5`) is left as it is: it is a value, not a formula. Nothing else changes. The
//! JSONL files keep every text byte for byte; read the CSV files with a program, strip
//! a leading `'` from cells that start with `'=`, `'+`, `'-`, `'@`, `'\t` or `'\r`.

use std::borrow::Cow;

/// The cell as it is written to a CSV file: `'` in front when it would start a formula.
pub fn excel_safe(cell: &str) -> Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A sign, digits and at most one decimal point or comma: `-12`, `+4.5`, `-1,5`.
fn is_plain_number(cell: &str) -> bool {
    let Some(rest) = cell.strip_prefix(['+', '-']) else {
        return false;
    };
    let mut seps = 0;
    let mut digits = 0;
    for c in rest.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' | ',' => seps += 1,
            _ => return false,
        }
    }
    digits > 0 && seps <= 1 && rest.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_quoted_and_other_cells_kept() {
        for (cell, safe) in [
            ("=1+1", "'=1+1"),
            (
                "=HYPERLINK(\"http://x\",\"klikk\")",
                "'=HYPERLINK(\"http://x\",\"klikk\")",
            ),
            ("+47 kroner", "'+47 kroner"),
            ("-rett og slett", "'-rett og slett"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-1+2", "'-1+2"),
            ("-", "'-"),
            ("-12", "-12"),
            ("+4.5", "+4.5"),
            ("-1,5", "-1,5"),
            ("Kommunen må lytte", "Kommunen må lytte"),
            ("a=b", "a=b"),
            ("", ""),
            ("'=allerede", "'=allerede"),
        ] {
            assert_eq!(excel_safe(cell), safe, "{cell:?}");
        }
    }
}
