//! Delimited tables (CSV, TSV, semicolon files from Norwegian Excel): the delimiter is
//! sniffed from the first lines, row 1 is the header, one column holds the response text
//! (`--text-column`, else the column with the longest texts) and every other column is
//! kept as metadata. Ragged rows and empty texts become rejects, never silent drops.

use super::{IngestOptions, Normalizer};
use crate::error::{Error, Result};
use crate::model::{Ingested, Reject};
use std::path::Path;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter whose per-line count (outside quotes) is non-zero and most
/// consistent over the first lines; ties go to the more frequent one.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best = (b',', 0usize, 0usize);
    for &d in &DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else { continue };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
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

/// Parses a delimited table into responses; returns the delimiter used.
pub fn parse(
    text: &str,
    collection: &str,
    source: &str,
    path: &Path,
    options: &IngestOptions,
    norm: &mut Normalizer,
) -> Result<(u8, Ingested)> {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut out = Ingested::default();
    for (index, record) in reader.records().enumerate() {
        let row = index as u64 + 1;
        match record {
            Ok(r) => records.push((row, r)),
            Err(e) => {
                out.total_lines += 1;
                out.rejects
                    .push(Reject::new(source, row, "unreadable-row", e.to_string(), ""));
            }
        }
    }
    let Some((_, header)) = records.first() else {
        return Err(Error::input(path, "no header row: the table has no rows at all"));
    };
    let header: Vec<String> = header.iter().map(nfc_trim).collect();
    let text_col = match &options.text_column {
        Some(name) => header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::input(
                    path,
                    format!("no column named {name:?}; the columns are: {}", header.join(", ")),
                )
            })?,
        None => guess_text_column(&header, &records[1..])
            .ok_or_else(|| Error::input(path, "the table has a header but no data rows; nothing to read"))?,
    };
    out.total_lines += 1;
    out.structural_lines += 1;
    for (row, record) in &records[1..] {
        out.total_lines += 1;
        let raw = record.iter().collect::<Vec<_>>().join(" | ");
        if record.len() != header.len() {
            let detail = format!("{} fields, the header has {}", record.len(), header.len());
            out.rejects
                .push(Reject::new(source, *row, "ragged-row", detail, &raw));
            continue;
        }
        let text = record.get(text_col).unwrap_or("");
        if text.trim().is_empty() {
            let detail = format!("column {:?} is empty", header[text_col]);
            out.rejects
                .push(Reject::new(source, *row, "empty-text", detail, &raw));
            continue;
        }
        let mut response = norm.response(collection, source, *row, &header[text_col], text);
        for (i, (name, value)) in header.iter().zip(record.iter()).enumerate() {
            if i != text_col {
                response.meta.insert(name.clone(), norm.text(value));
            }
        }
        out.responses.push(response);
    }
    Ok((delimiter, out))
}

fn nfc_trim(s: &str) -> String {
    crate::analyze::nfc(s.trim().trim_start_matches('\u{feff}'))
}

/// The column whose values are longest on average: free text is longer than ids,
/// dates and closed answers.
fn guess_text_column(header: &[String], rows: &[(u64, csv::StringRecord)]) -> Option<usize> {
    if rows.is_empty() {
        return None;
    }
    (0..header.len()).max_by_key(|&i| {
        let total: usize = rows
            .iter()
            .map(|(_, r)| r.get(i).map_or(0, |v| v.chars().count()))
            .sum();
        (total, std::cmp::Reverse(i))
    })
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
    fn reads_text_column_keeps_meta_and_rejects_bad_rows() {
        let csv = "id;kommune;svar\n1;Bergen;Vi trenger flere barnehager i kommunen\n2;Oslo;\n3;Tromsø\n4;Oslo;\"To linjer,\nmed semikolon; inni\"\n";
        let opts = IngestOptions::default();
        let mut norm = Normalizer::default();
        let (d, out) = parse(csv, "c", "f.csv", Path::new("f.csv"), &opts, &mut norm).expect("parses");
        assert_eq!(d, b';');
        assert_eq!(out.responses.len(), 2);
        assert_eq!(out.responses[0].meta["kommune"], "Bergen");
        assert_eq!(out.responses[0].question, "svar");
        assert_eq!(out.responses[1].text, "To linjer,\nmed semikolon; inni");
        let reasons: Vec<(&str, u64)> = out.rejects.iter().map(|r| (r.reason.as_str(), r.line)).collect();
        assert_eq!(reasons, [("empty-text", 3), ("ragged-row", 4)]);
        assert!(out.balanced());
    }

    #[test]
    fn unknown_text_column_names_the_columns() {
        let opts = IngestOptions {
            text_column: Some("tekst".into()),
            ..Default::default()
        };
        let err = parse(
            "a,b\n1,2\n",
            "c",
            "f.csv",
            Path::new("f.csv"),
            &opts,
            &mut Normalizer::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("the columns are: a, b"), "{err}");
    }
}
