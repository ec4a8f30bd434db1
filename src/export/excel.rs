//! CSV tables for Norwegian Excel: a double-click opens a `.csv` with the Windows
//! code page unless the file starts with a byte-order mark (æøå turn into `Ã¦Ã¸Ã¥`),
//! and splits fields on `;`, since the comma is the decimal separator. So the tables are
//! rewritten as UTF-8 with BOM, `;` between fields, CRLF line ends, decimal commas in
//! numbers (`12,5`), and a `'` before any other text that starts with `=`, `+`, `-` or `@`,
//! which Excel would otherwise run as a formula.

use crate::corpus::csv_error;
use crate::error::{Error, Result};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

const BOM: &str = "\u{feff}";

/// A field as Excel should see it (see the module doc).
fn excel_field(field: &str) -> Cow<'_, str> {
    let number = {
        // A mantissa with an optional exponent (`1.029e-6`).
        let mantissa = match field.split_once(['e', 'E']) {
            Some((m, exp))
                if !exp.is_empty()
                    && exp
                        .trim_start_matches(['-', '+'])
                        .bytes()
                        .all(|b| b.is_ascii_digit()) =>
            {
                m
            }
            _ => field,
        };
        let digits = mantissa.strip_prefix('-').unwrap_or(mantissa);
        let mut parts = digits.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if number {
        return if field.contains('.') {
            Cow::Owned(field.replace('.', ","))
        } else {
            Cow::Borrowed(field)
        };
    }
    if field.starts_with(['=', '+', '-', '@']) {
        return Cow::Owned(format!("'{field}"));
    }
    Cow::Borrowed(field)
}

/// Rewrites the comma-separated UTF-8 CSV at `path` in place for Excel, streaming.
pub fn convert(path: &Path) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::input(path, e.to_string()))?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?);
    file.write_all(BOM.as_bytes()).map_err(|e| Error::io(&tmp, e))?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(file);
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(path, e.to_string()))?;
        w.write_record(record.iter().map(|f| excel_field(f).into_owned()))
            .map_err(csv_error)?;
    }
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_decimal_commas_and_formulas_are_defused() {
        assert_eq!(excel_field("12.345"), "12,345");
        assert_eq!(excel_field("-0.5"), "-0,5");
        assert_eq!(excel_field("42"), "42");
        assert_eq!(excel_field("1.029e-6"), "1,029e-6");
        assert_eq!(excel_field("e-6"), "e-6");
        assert_eq!(excel_field("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(excel_field("-bare tekst"), "'-bare tekst");
        assert_eq!(excel_field("1.2.3"), "1.2.3");
        assert_eq!(excel_field("Bærekraft, æøå"), "Bærekraft, æøå");
        assert_eq!(excel_field(""), "");
    }

    #[test]
    fn converts_in_place_with_bom_semicolons_and_crlf() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "id,text,g2\nseed-1,\"Kommunen må lytte, sa de\",3.5\n").expect("write");
        convert(&path).expect("converts");
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            "\u{feff}id;text;g2\r\nseed-1;Kommunen må lytte, sa de;3,5\r\n"
        );
    }
}
