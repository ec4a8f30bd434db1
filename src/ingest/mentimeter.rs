//! Parser for the Mentimeter text export (the seed corpus): slides separated by blank
//! lines, word-cloud slides (`Responses` then one line per participant) and Q&A slides
//! (a tab-separated table whose unnamed first column is the response).
//!
//! Every physical line ends up as exactly one of: a response, a reject, or structure
//! (blank lines, the `Date` line, slide titles, `Responses`, table headers).
//! Word-cloud lines: one line is one participant, so one response; Mentimeter's `_`
//! inside an entry (`bra_start`) is kept in the text and the analyzer splits on it.

use super::Normalizer;
use crate::model::{Ingested, Reject, Response};

/// Kind given to word-cloud responses.
pub const WORD_CLOUD_KIND: &str = "Ordsky";

/// True when `text` looks like a Mentimeter text export rather than a CSV.
pub fn sniff(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let has_slide = text.lines().any(|l| {
        l == "Responses" || l.starts_with("Question ") && l.contains(':') || l.starts_with("Ordsky:")
    });
    (first == "Date" || first.starts_with("Date ")) && has_slide
}

enum State {
    /// Between slides: titles, the date line, blank lines.
    Top,
    /// After `Responses`: one participant per line until a blank line that follows at
    /// least one of them (`seen`).
    Cloud { seen: bool },
    /// Inside a Q&A table with these column names.
    Table(Vec<String>),
}

/// Parses the export. `collection` and `source` name where the responses come from.
pub fn parse(text: &str, collection: &str, source: &str, norm: &mut Normalizer) -> Ingested {
    let mut out = Ingested::default();
    let mut state = State::Top;
    let mut title = String::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index as u64 + 1;
        out.total_lines += 1;
        let trimmed = raw.trim();
        if matches!(state, State::Table(_)) && !trimmed.is_empty() && !raw.contains('\t') {
            state = State::Top;
        }
        match &state {
            _ if trimmed.is_empty() => {
                out.structural_lines += 1;
                if matches!(state, State::Cloud { seen: true }) {
                    state = State::Top;
                }
            }
            State::Top => {
                out.structural_lines += 1;
                if trimmed == "Responses" {
                    state = State::Cloud { seen: false };
                } else if raw.contains('\t') {
                    state = State::Table(raw.split('\t').map(|c| norm.text(c)).collect());
                } else if trimmed != "Date" && !trimmed.starts_with("Date ") {
                    title = norm.text(trimmed);
                }
            }
            State::Cloud { .. } => {
                state = State::Cloud { seen: true };
                let mut response = norm.response(collection, source, line, &title, trimmed);
                response.kinds = vec![WORD_CLOUD_KIND.to_string()].into();
                out.responses.push(response);
                out.kept_lines += 1;
            }
            State::Table(columns) => match table_row(columns, raw, collection, source, line, &title, norm) {
                Ok(response) => {
                    out.responses.push(response);
                    out.kept_lines += 1;
                }
                Err(reject) => out.rejects.push(*reject),
            },
        }
    }
    crate::model::tabulate(&mut out.responses);
    out
}

/// One Q&A row: the unnamed column is the text, `Tema` the kinds, `Svar` the organiser's
/// answer, `Tema undergrupper` the labels; any other column becomes metadata.
fn table_row(
    columns: &[String],
    raw: &str,
    collection: &str,
    source: &str,
    line: u64,
    title: &str,
    norm: &mut Normalizer,
) -> Result<Response, Box<Reject>> {
    let cells: Vec<&str> = raw.split('\t').map(str::trim).collect();
    if cells.len() != columns.len() {
        return Err(Box::new(Reject::new(
            source,
            line,
            "ragged-row",
            format!("{} cells, the table header has {}", cells.len(), columns.len()),
            raw,
        )));
    }
    let mut text = "";
    let mut kinds = Vec::new();
    let mut answer = String::new();
    let mut labels = Vec::new();
    let mut meta = Vec::new();
    for (name, cell) in columns.iter().zip(&cells) {
        let words = |masked: String| masked.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        match name.as_str() {
            "" => text = cell,
            "Tema" => kinds = words(norm.text(cell)),
            "Svar" => answer = norm.text(cell),
            "Tema undergrupper" => labels = words(norm.text(cell)),
            other => {
                meta.push((other, norm.text(cell)));
            }
        }
    }
    if text.is_empty() {
        return Err(Box::new(Reject::new(
            source,
            line,
            "empty-text",
            "the response cell is empty",
            raw,
        )));
    }
    let mut response = norm.response(collection, source, line, title, text);
    response.kinds = kinds.into();
    response.answer = answer.into();
    response.labels = labels.into();
    response.meta = meta.into_iter().collect();
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\nDate\n\nOrdsky: Hva tenker du?\n\nResponses\n\nSpennende bra_start\n Komplekst\n\n\
Question 1: Noe mer?\n\n\tTema\tSvar\tTema undergrupper\nHvordan forankres det?\tSpørsmål\tGjort.\tForankring\n\
\n\tInnspill\t\t\nTo svar i ett\tSpørsmål Innspill\tMottatt\tMetode Metode\nkort\trad\n";

    #[test]
    fn parses_cloud_and_table_and_accounts_for_every_line() {
        assert!(sniff(SAMPLE));
        let out = parse(SAMPLE, "t", "s.txt", &mut Normalizer::default());
        let texts: Vec<&str> = out.responses.iter().map(|r| &*r.text).collect();
        assert_eq!(
            texts,
            [
                "Spennende bra_start",
                "Komplekst",
                "Hvordan forankres det?",
                "To svar i ett"
            ]
        );
        assert_eq!(*out.responses[0].kinds, ["Ordsky"]);
        assert_eq!(&*out.responses[0].question, "Ordsky: Hva tenker du?");
        assert_eq!(*out.responses[2].labels, ["Forankring"]);
        assert_eq!(&*out.responses[2].answer, "Gjort.");
        assert_eq!(*out.responses[3].kinds, ["Spørsmål", "Innspill"]);
        assert_eq!(out.responses[3].main_label(), Some("Metode"));
        assert_eq!(out.responses[3].line, 17);
        let reasons: Vec<&str> = out.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, ["empty-text", "ragged-row"]);
        assert_eq!(out.total_lines, 18);
        assert!(out.balanced());
    }

    #[test]
    fn csv_is_not_mentimeter() {
        assert!(!sniff("id;svar\n1;Hei\n"));
    }
}
