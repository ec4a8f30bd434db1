//! Tables to responses, shared by CSV/TSV and spreadsheets: find the header row (not
//! always row 1: exports often start with a title), recognise a known export, tell the
//! free-text columns from the closed ones (age group, municipality, yes/no) by what they
//! contain, and turn each non-empty free-text cell into one response that keeps the
//! question and every other column as metadata. Personal columns are dropped unless the
//! user keeps them.
//!
//! Every row ends up as exactly one of: kept (gave at least one response), rejected
//! (`empty-text`, `ragged-row`, `duplicate`, `header-not-found`) or structural (title
//! rows above the header, header rows, blank rows).

use super::exports::{self, Export, Hint};
use super::{response_id, IngestOptions, Normalized, Normalizer};
use crate::error::{Error, Result};
use crate::model::{Ingested, MetaKey, MetaTables, Reject};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How many non-blank rows at the top are searched for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// One physical row of a table.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based row number (spreadsheet row, or CSV record counting blank lines).
    pub number: u64,
    pub cells: Cells,
}

/// The cells of a row, their text end to end in one allocation: a table of a million rows
/// is read into two allocations a row rather than one per cell (at a million rows of five
/// cells the table took a third less memory, and the CSV reader, which runs on one thread,
/// a third less time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells {
    text: Box<str>,
    /// Where each cell ends in `text`.
    ends: Box<[usize]>,
}

impl Cells {
    pub fn new<'a, I>(cells: I) -> Cells
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: Clone,
    {
        let cells = cells.into_iter();
        let (count, bytes) = cells.clone().fold((0, 0), |(n, b), c| (n + 1, b + c.len()));
        let mut text = String::with_capacity(bytes);
        let mut ends = Vec::with_capacity(count);
        for cell in cells {
            text.push_str(cell);
            ends.push(text.len());
        }
        Cells {
            text: text.into(),
            ends: ends.into(),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `i`, if the row has it.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// A table as read from a file, before any interpretation.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The sheet the table comes from (spreadsheets only).
    pub sheet: Option<String>,
    pub rows: Vec<Row>,
    /// Blank rows that are not stored in `rows` (a blank row costs nothing: a file of
    /// a million empty lines holds no million rows); they are structural.
    pub blank_rows: u64,
    /// Rows the reader could not read at all; already rejects.
    pub rejects: Vec<Reject>,
    /// Rows must have as many cells as the header (CSV); spreadsheets are rectangular.
    pub check_width: bool,
}

/// Where the responses go and what the user asked for.
pub struct Target<'a> {
    pub collection: &'a str,
    pub source: &'a str,
    pub path: &'a Path,
    pub options: &'a IngestOptions,
}

/// What was found out about a table besides its responses.
#[derive(Debug, Clone, Default)]
pub struct TableInfo {
    /// The recognised export, if any.
    pub export: Option<&'static str>,
    /// Columns read as free text.
    pub text_columns: Vec<String>,
    /// Personal columns that were not copied into the corpus.
    pub dropped_columns: Vec<String>,
}

struct Column {
    /// Unique name: metadata key, and what `--text-column` matches.
    name: String,
    /// The question the column answers.
    question: String,
    hint: Hint,
}

fn is_blank(cells: &Cells) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Distinct non-empty values: a title merged across columns counts once.
fn filled(cells: &Cells) -> usize {
    cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<BTreeSet<_>>()
        .len()
}

/// The header: the first row, among the first non-blank ones, that fills at least 60 %
/// as many distinct cells as most of them do (title rows above it fill one or two, or
/// one merged across) and holds a word.
fn find_header(rows: &[Row]) -> Option<usize> {
    let candidates: Vec<usize> = (0..rows.len())
        .filter(|&i| !is_blank(&rows[i].cells))
        .take(HEADER_SEARCH_ROWS)
        .collect();
    let mut freq: BTreeMap<usize, usize> = BTreeMap::new();
    for &i in &candidates {
        *freq.entry(filled(&rows[i].cells)).or_insert(0) += 1;
    }
    let (typical, _) = freq.into_iter().max_by_key(|&(width, n)| (n, width))?;
    let needed = (typical * 3).div_ceil(5).max(1);
    candidates.into_iter().find(|&i| {
        let cells = &rows[i].cells;
        filled(cells) >= needed && cells.iter().any(|c| c.chars().any(char::is_alphabetic))
    })
}

/// True when the values of a column read as free text: mostly words, three or more on
/// average, and more than half of them different (closed answers repeat).
pub fn is_free_text<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    let v: Vec<&str> = values.map(str::trim).filter(|s| !s.is_empty()).collect();
    if v.is_empty() {
        return false;
    }
    let n = v.len() as f64;
    let lettered = v.iter().filter(|s| s.chars().any(char::is_alphabetic)).count() as f64;
    let words = v.iter().map(|s| s.split_whitespace().count()).sum::<usize>() as f64 / n;
    let distinct = v.iter().collect::<BTreeSet<_>>().len() as f64 / n;
    lettered / n >= 0.5 && words >= 3.0 && distinct > 0.5
}

/// Reads a table into responses.
pub fn read(table: Table, target: &Target, norm: &mut Normalizer) -> Result<(TableInfo, Ingested)> {
    let Target {
        collection,
        source,
        path,
        options,
    } = *target;
    let sheet = table.sheet.as_deref();
    let mut out = Ingested {
        total_lines: table.rows.len() as u64 + table.rejects.len() as u64 + table.blank_rows,
        structural_lines: table.blank_rows,
        rejects: table.rejects,
        ..Ingested::default()
    };
    let rows = table.rows;
    let where_ = || match sheet {
        Some(s) => format!("sheet {s:?}"),
        None => "the table".to_string(),
    };
    if rows.iter().all(|r| is_blank(&r.cells)) && out.rejects.is_empty() {
        return Err(Error::input(path, format!("{} has no rows at all", where_())));
    }
    let Some(h) = find_header(&rows) else {
        for row in &rows {
            if is_blank(&row.cells) {
                out.structural_lines += 1;
            } else {
                let detail =
                    format!("no header row with column names in the first {HEADER_SEARCH_ROWS} rows");
                out.rejects.push(
                    Reject::new(
                        source,
                        row.number,
                        "header-not-found",
                        detail,
                        &row.cells.iter().collect::<Vec<_>>().join(" | "),
                    )
                    .in_sheet(sheet),
                );
            }
        }
        return Ok((TableInfo::default(), out));
    };
    let header: Vec<String> = rows[h].cells.iter().map(clean_header).collect();
    let next: Option<Vec<String>> = rows
        .get(h + 1)
        .map(|r| r.cells.iter().map(str::to_string).collect());
    let export = exports::recognise(&header, next.as_deref());
    let header_rows = export.map_or(1, Export::header_rows);
    let sub: Vec<String> = if header_rows == 2 {
        rows.get(h + 1)
            .map(|r| r.cells.iter().map(clean_header).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // Headers become questions and metadata keys: masked like any text, once the export
    // has been recognised by them.
    let header: Vec<String> = header.iter().map(|c| norm.text(c)).collect();
    let sub: Vec<String> = sub.iter().map(|c| norm.text(c)).collect();
    let columns = columns(&header, &sub, export);
    let first_data = (h + header_rows).min(rows.len());
    out.structural_lines += first_data as u64;
    let mut rows = rows;
    let data = rows.split_off(first_data);
    drop(rows);
    if data.iter().all(|r| is_blank(&r.cells)) {
        return Err(Error::input(
            path,
            format!("{} has a header but no data rows; nothing to read", where_()),
        ));
    }
    let text_cols = choose_text_columns(&columns, &data, options, path)?;
    let respondent = columns.iter().position(|c| c.hint == Hint::Respondent);
    let meta_cols: Vec<usize> = (0..columns.len())
        .filter(|i| !text_cols.contains(i))
        .filter(|&i| options.keep_personal || columns[i].hint != Hint::Personal)
        .collect();
    let info = TableInfo {
        export: export.map(Export::name),
        text_columns: text_cols.iter().map(|&i| columns[i].name.clone()).collect(),
        dropped_columns: columns
            .iter()
            .filter(|c| !options.keep_personal && c.hint == Hint::Personal)
            .map(|c| c.name.clone())
            .collect(),
    };
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let width_checked = |row: &Row| !table.check_width || row.cells.len() == columns.len();
    // What each row's own cells give (its texts normalised and masked) is worked out for
    // a chunk of rows at a time, on every thread; what depends on the rows before it
    // (duplicates, counts, shared strings) follows in row order, so the result is the same
    // for any number of threads. The two overlap: while one chunk's rows are settled in
    // order, the next chunk is prepared.
    let keep_personal = norm.keep_personal;
    let prepare = |row: &Row| -> Option<Prepared> {
        let cell = |i: usize| row.cells.get(i).map_or("", str::trim);
        if is_blank(&row.cells) || !width_checked(row) {
            return None;
        }
        let answers: Vec<(usize, Normalized)> = text_cols
            .iter()
            .filter(|&&i| !cell(i).is_empty())
            .map(|&i| (i, Normalized::new(cell(i), keep_personal)))
            .collect();
        if answers.is_empty() {
            return None;
        }
        let meta = meta_cols
            .iter()
            .map(|&i| Normalized::new(cell(i), keep_personal))
            .collect();
        Some(Prepared { meta, answers })
    };
    out.responses.reserve(data.len());
    // The rows' metadata go into one table, given to the responses once it is complete.
    let mut tables = MetaTables::default();
    let mut metas: Vec<MetaKey> = Vec::with_capacity(data.len());
    // Rows are consumed as they become responses, so the table and the responses are
    // not both held whole.
    let mut data = data.into_iter();
    let mut take_chunk = || -> Vec<Row> { data.by_ref().take(ROWS_PER_CHUNK).collect() };
    let prepare_all = |chunk: &[Row]| -> Vec<Option<Prepared>> { chunk.par_iter().map(prepare).collect() };
    let mut chunk = take_chunk();
    let mut prepared = prepare_all(&chunk);
    let mut settle = |chunk: Vec<Row>, prepared: Vec<Option<Prepared>>| {
        for (row, prepared) in chunk.into_iter().zip(prepared) {
            // The excerpt leaves out personal columns (names, e-mail) unless they are kept;
            // it is built only for a rejected row.
            let reject = |reason: &str, detail: String| {
                let excerpt: Vec<&str> = row
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| {
                        options.keep_personal || columns.get(i).is_none_or(|c| c.hint != Hint::Personal)
                    })
                    .map(|(_, c)| c)
                    .collect();
                Reject::new(source, row.number, reason, detail, &excerpt.join(" | ")).in_sheet(sheet)
            };
            if is_blank(&row.cells) {
                out.structural_lines += 1;
                continue;
            }
            if !width_checked(&row) {
                let detail = format!("{} fields, the header has {}", row.cells.len(), columns.len());
                out.rejects.push(reject("ragged-row", detail));
                continue;
            }
            let cell = |i: usize| row.cells.get(i).map_or("", str::trim);
            if let Some(r) = respondent {
                let id = cell(r);
                if !id.is_empty() {
                    if let Some(first) = seen.get(id) {
                        let detail = format!("respondent {id:?} already answered on row {first}");
                        out.rejects.push(reject("duplicate", detail));
                        continue;
                    }
                    seen.insert(id.to_string(), row.number);
                }
            }
            // Not blank nor ragged: no prepared texts means no free-text cell is filled.
            let Some(Prepared { meta, answers }) = prepared else {
                let names: Vec<String> = text_cols
                    .iter()
                    .map(|&i| format!("{:?}", columns[i].name))
                    .collect();
                let detail = if names.len() == 1 {
                    format!("column {} is empty", names.join(""))
                } else {
                    format!("the free-text columns {} are all empty", names.join(", "))
                };
                out.rejects.push(reject("empty-text", detail));
                continue;
            };
            // One metadata row per table row, shared by the row's responses.
            let values: Vec<(&str, String)> = meta_cols
                .iter()
                .zip(meta)
                .map(|(&i, value)| (columns[i].name.as_str(), norm.accept(value)))
                .collect();
            let meta = tables.add(values);
            out.kept_lines += 1;
            for (i, text) in answers {
                let text = norm.accept(text);
                let mut response =
                    norm.response_of(collection, source, row.number, &columns[i].question, text);
                if text_cols.len() > 1 {
                    response.id = format!("{}-{:02}", response_id(collection, row.number), i + 1).into();
                }
                out.responses.push(response);
                metas.push(meta);
            }
        }
    };
    while !chunk.is_empty() {
        let next = take_chunk();
        let (next_prepared, ()) = rayon::join(|| prepare_all(&next), || settle(chunk, prepared));
        (chunk, prepared) = (next, next_prepared);
    }
    let tables = tables.finish();
    for (response, key) in out.responses.iter_mut().zip(metas) {
        response.meta = tables.meta(key);
    }
    Ok((info, out))
}

/// Rows whose cells are prepared together, on all threads.
const ROWS_PER_CHUNK: usize = 4096;

/// The normalised cells of a row that gives responses: its metadata values (in the order
/// of the metadata columns) and its filled free-text cells (column, text).
struct Prepared {
    meta: Vec<Normalized>,
    answers: Vec<(usize, Normalized)>,
}

fn clean_header(s: &str) -> String {
    crate::analyze::nfc(s.trim().trim_start_matches('\u{feff}').trim())
}

/// Column names (unique, `column N` for empty ones), questions and hints. With two
/// header rows (SurveyMonkey) a question spans the option columns to its right.
fn columns(header: &[String], sub: &[String], export: Option<Export>) -> Vec<Column> {
    let mut taken = BTreeSet::new();
    let mut question = String::new();
    let mut out = Vec::with_capacity(header.len());
    for (i, head) in header.iter().enumerate() {
        let sub_i = sub.get(i).map_or("", String::as_str);
        let (base, q) = if sub.is_empty() {
            (head.clone(), head.clone())
        } else {
            if !head.is_empty() {
                question = head.clone();
            } else if sub_i.is_empty() {
                question.clear();
            }
            let q = if head.is_empty() {
                question.clone()
            } else {
                head.clone()
            };
            let name = match sub_i {
                "" | "Response" => q.clone(),
                s => format!("{q}: {s}"),
            };
            (name, q)
        };
        let base = if base.is_empty() {
            format!("column {}", i + 1)
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 1;
        while !taken.insert(name.clone()) {
            n += 1;
            name = format!("{base} ({n})");
        }
        let hint = match export {
            Some(e) => e.hint(head, sub_i),
            None if exports::is_personal(head) => Hint::Personal,
            None => Hint::Content,
        };
        let question = match export {
            Some(e) => e.question(&q),
            None => q,
        };
        let question = if question.is_empty() {
            name.clone()
        } else {
            question
        };
        out.push(Column { name, question, hint });
    }
    out
}

/// The free-text columns: those the user named, else those the export defines plus the
/// ones whose content reads as free text, else the column with the longest texts.
fn choose_text_columns(
    columns: &[Column],
    data: &[Row],
    options: &IngestOptions,
    path: &Path,
) -> Result<Vec<usize>> {
    let names = || {
        columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !options.text_columns.is_empty() {
        let mut chosen = Vec::new();
        for wanted in &options.text_columns {
            let wanted = wanted.trim();
            let found = columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(wanted))
                .or_else(|| {
                    columns
                        .iter()
                        .position(|c| c.question.eq_ignore_ascii_case(wanted))
                })
                .ok_or_else(|| {
                    Error::input(
                        path,
                        format!("no column named {wanted:?}; the columns are: {}", names()),
                    )
                })?;
            if !chosen.contains(&found) {
                chosen.push(found);
            }
        }
        chosen.sort_unstable();
        return Ok(chosen);
    }
    // Ragged rows (CSV) are rejected later; their cells are in the wrong columns.
    let values = |i: usize| {
        data.iter()
            .filter(|r| r.cells.len() == columns.len())
            .map(move |r| r.cells.get(i).unwrap_or(""))
    };
    let chosen: Vec<usize> = (0..columns.len())
        .filter(|&i| match columns[i].hint {
            Hint::Text => true,
            Hint::Content => is_free_text(values(i)),
            _ => false,
        })
        .collect();
    if !chosen.is_empty() {
        return Ok(chosen);
    }
    let longest = (0..columns.len())
        .filter(|&i| columns[i].hint == Hint::Content)
        .filter(|&i| values(i).any(|v| v.chars().any(char::is_alphabetic)))
        .max_by_key(|&i| {
            (
                values(i).map(|v| v.chars().count()).sum::<usize>(),
                std::cmp::Reverse(i),
            )
        });
    longest.map(|i| vec![i]).ok_or_else(|| {
        Error::input(
            path,
            format!(
                "no column holds free text; name one with --text-column; the columns are: {}",
                names()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    number: i as u64 + 1,
                    cells: Cells::new(r.iter().copied()),
                })
                .collect(),
            ..Table::default()
        }
    }

    /// Reads a table with default options as the file `source`.
    fn read_as(t: Table, source: &str) -> Result<(TableInfo, Ingested)> {
        let options = IngestOptions::default();
        let target = Target {
            collection: "c",
            source,
            path: Path::new(source),
            options: &options,
        };
        read(t, &target, &mut Normalizer::default())
    }

    fn read_default(t: Table) -> (TableInfo, Ingested) {
        read_as(t, "s.xlsx").expect("reads")
    }

    #[test]
    fn tells_free_text_from_closed_answers() {
        assert!(is_free_text(
            ["Vi trenger flere barnehager", "Bedre busstilbud om kvelden"].into_iter()
        ));
        assert!(!is_free_text(["Bergen", "Oslo", "Bergen"].into_iter()));
        assert!(!is_free_text(["18-29 år", "30-49 år", "18-29 år"].into_iter()));
        assert!(!is_free_text(
            [
                "Ja, i stor grad",
                "Ja, i stor grad",
                "Ja, i stor grad",
                "Nei, ikke i det hele tatt"
            ]
            .into_iter()
        ));
        assert!(!is_free_text(
            ["2024-01-02 10:00", "2024-01-03 11:00"].into_iter()
        ));
    }

    #[test]
    fn wide_table_gives_one_response_per_free_text_cell_and_counts_rows() {
        let t = table(&[
            &["Kommuneundersøkelsen 2024", "", "", ""],
            &[],
            &["Respondent", "Kommune", "Hva er bra?", "Hva kan bli bedre?"],
            &[
                "r1",
                "Bergen",
                "Fine turområder rundt byen",
                "Flere bussavganger om kvelden",
            ],
            &["r2", "Oslo", "", "Kortere ventetid på legetime"],
            &["r3", "Bergen", "", ""],
            &["", "", "", ""],
        ]);
        let (info, out) = read_default(t);
        assert_eq!(info.text_columns, ["Hva er bra?", "Hva kan bli bedre?"]);
        let ids: Vec<&str> = out.responses.iter().map(|r| &*r.id).collect();
        assert_eq!(ids, ["c-0004-03", "c-0004-04", "c-0005-04"]);
        assert_eq!(&*out.responses[1].question, "Hva kan bli bedre?");
        assert_eq!(&out.responses[2].meta["Kommune"], "Oslo");
        assert_eq!(&out.responses[2].meta["Respondent"], "r2");
        assert!(!out.responses[0].meta.contains_key("Hva kan bli bedre?"));
        assert_eq!(out.kept_lines, 2);
        assert_eq!(out.rejects.len(), 1);
        assert_eq!(
            (out.rejects[0].reason.as_str(), out.rejects[0].line),
            ("empty-text", 6)
        );
        assert_eq!(out.structural_lines, 4);
        assert_eq!(out.total_lines, 7);
        assert!(out.balanced());
    }

    #[test]
    fn surveymonkey_two_header_rows_and_personal_columns() {
        let t = table(&[
            &[
                "Respondent ID",
                "IP Address",
                "Email Address",
                "Hvor bor du?",
                "Hva savner du?",
                "",
                "",
            ],
            &["", "", "", "Response", "Response", "Annet", "Open-Ended Response"],
            &[
                "11",
                "10.0.0.1",
                "a@b.no",
                "Sentrum",
                "Et bibliotek med lange åpningstider",
                "",
                "noe annet helt",
            ],
            &[
                "12",
                "10.0.0.2",
                "c@d.no",
                "Sentrum",
                "Møteplasser for ungdom i bydelen",
                "Annet",
                "",
            ],
            &[
                "11",
                "10.0.0.1",
                "a@b.no",
                "Sentrum",
                "Et bibliotek med lange åpningstider",
                "",
                "",
            ],
        ]);
        let (info, out) = read_default(t);
        assert_eq!(info.export, Some("surveymonkey"));
        assert_eq!(info.dropped_columns, ["IP Address", "Email Address"]);
        assert_eq!(
            info.text_columns,
            ["Hva savner du?", "Hva savner du?: Open-Ended Response"]
        );
        let texts: Vec<(&str, &str)> = out.responses.iter().map(|r| (&*r.id, &*r.question)).collect();
        assert_eq!(
            texts,
            [
                ("c-0003-05", "Hva savner du?"),
                ("c-0003-07", "Hva savner du?"),
                ("c-0004-05", "Hva savner du?")
            ]
        );
        assert_eq!(&out.responses[0].meta["Hvor bor du?"], "Sentrum");
        assert_eq!(&out.responses[0].meta["Hva savner du?: Annet"], "");
        assert!(out.responses.iter().all(|r| !r.meta.contains_key("IP Address")));
        assert_eq!(out.rejects[0].reason, "duplicate");
        assert_eq!(
            out.rejects[0].detail,
            "respondent \"11\" already answered on row 3"
        );
        assert!(out.balanced());
    }

    #[test]
    fn every_row_of_generated_tables_is_accounted_for() {
        let words = [
            "",
            "",
            "Ja",
            "Bergen",
            "12",
            "Mer lys langs skoleveien om vinteren",
            "r1",
            "Nei takk",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut read_ok = 0;
        for _ in 0..300 {
            let rows: Vec<Vec<&str>> = (0..1 + next(12))
                .map(|_| (0..next(5)).map(|_| words[next(words.len())]).collect())
                .collect();
            let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
            let mut t = table(&refs);
            t.check_width = next(2) == 0;
            if let Ok((_, out)) = read_as(t, "g.csv") {
                assert!(out.balanced(), "{rows:?} {out:?}");
                assert_eq!(out.total_lines, rows.len() as u64);
                read_ok += 1;
            }
        }
        assert!(read_ok > 50, "only {read_ok} tables were read");
    }

    #[test]
    fn numbers_only_table_rejects_rows_as_header_not_found() {
        let (_, out) = read_default(table(&[&["1", "2"], &["3", "4"]]));
        assert!(out.responses.is_empty());
        let reasons: Vec<&str> = out.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, ["header-not-found", "header-not-found"]);
        assert!(out.balanced());
    }
}
