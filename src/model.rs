//! The records that flow between stages: a [`Response`] is one open-ended answer with its
//! provenance; a [`Reject`] is an input row that could not become one, with the reason.
//! Ingest produces both; every later stage reads responses only.

use crate::analyze::compound::FastMap;
use crate::analyze::FastSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One open-ended answer, as kept in the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// Stable id: `<collection>-<line>` (zero-padded), the same on every re-run; when one
    /// table row holds several free-text answers, `<collection>-<row>-<column>` with the
    /// 1-based column number (zero-padded to 2 digits).
    pub id: Box<str>,
    /// The collection (corpus folder) the response belongs to.
    pub collection: Arc<str>,
    /// File name of the original input.
    pub source: Arc<str>,
    /// 1-based physical line (text exports) or record row (CSV, header = row 1).
    pub line: u64,
    /// The question or slide the response answers.
    pub question: Arc<str>,
    /// Kind given by the export (`Spørsmål`, `Innspill`, `Forslag`, `Ordsky`, …); several
    /// when merged spreadsheet rows were flattened into one line.
    pub kinds: Box<[String]>,
    /// The organiser's answer, when the export carries one.
    pub answer: Box<str>,
    /// Human theme labels (`Tema undergrupper`), one per flattened row.
    pub labels: Box<[String]>,
    /// The response text, NFC-normalised, personal data masked.
    pub text: Box<str>,
    /// Every other column of the input, by header name. Shared by the responses of one
    /// table row (a wide survey row gives one response per free-text column), so a row's
    /// metadata is held once however many answers it has.
    pub meta: Meta,
}

/// The metadata of one input row: column name → value, sorted by name. Compact, because
/// a million rows each carry one: the sorted column names are one list shared by every
/// row of a file, and a row holds only its values, in one allocation, as shared strings
/// (an [`Interner`] gives every row of a file the same `kommune` and the same `Bergen`).
/// Serialised as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    columns: Arc<[Arc<str>]>,
    /// One per column, in the same order.
    values: Arc<[Arc<str>]>,
}

impl Meta {
    /// The value of `column`, if the row has that column.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.columns
            .binary_search_by(|k| (**k).cmp(column))
            .ok()
            .map(|i| &*self.values[i])
    }

    pub fn contains_key(&self, column: &str) -> bool {
        self.get(column).is_some()
    }

    /// Column names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|k| &**k)
    }

    /// (column, value) pairs, sorted by column.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys().zip(self.values.iter().map(|v| &**v))
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// True when both are the very same row's metadata (not merely equal).
    pub fn ptr_eq(a: &Meta, b: &Meta) -> bool {
        Arc::ptr_eq(&a.values, &b.values) && Arc::ptr_eq(&a.columns, &b.columns)
    }

    /// A copy with `column` set to `value`.
    pub fn with(&self, column: &str, value: &str) -> Meta {
        let mut pairs: BTreeMap<&str, &str> = self.iter().collect();
        pairs.insert(column, value);
        pairs.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Meta {
    type Output = str;

    /// The value of `column`; panics when the row has no such column (tests).
    fn index(&self, column: &str) -> &str {
        self.get(column)
            .unwrap_or_else(|| panic!("no metadata column {column:?}"))
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Meta {
    /// Metadata from pairs; a later pair wins over an earlier one with the same column.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Meta {
        Interner::default().meta(pairs)
    }
}

impl Serialize for Meta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Meta, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(map.into_iter().collect())
    }
}

/// Shares equal strings: the readers of one file make every row's metadata through one
/// interner, so a column name, a repeated value and the list of column names are held once.
/// A column whose values are nearly all different (a respondent id, a timestamp) stops
/// being shared once that is clear: sharing it would only add a table entry per row.
#[derive(Debug, Default)]
pub struct Interner {
    strings: FastSet<Arc<str>>,
    columns: FastSet<Arc<[Arc<str>]>>,
    /// Per column (by the address of its shared name): how its values have been shared.
    sharing: FastMap<usize, Sharing>,
    /// The layout of the last row's columns: the rows of a table give the same names in
    /// the same order, so one row's sorting serves the next.
    layout: Option<Layout>,
}

/// The copy of `s` in `strings` (added when missing), and whether it is new.
fn share(strings: &mut FastSet<Arc<str>>, s: &str) -> (Arc<str>, bool) {
    if let Some(shared) = strings.get(s) {
        return (Arc::clone(shared), false);
    }
    let shared: Arc<str> = s.into();
    strings.insert(Arc::clone(&shared));
    (shared, true)
}

/// Where a row's values go in its [`Meta`].
#[derive(Debug)]
struct Layout {
    /// The column names as given, in their order.
    names: Vec<Arc<str>>,
    /// The shared list of columns: sorted, each once.
    columns: Arc<[Arc<str>]>,
    /// For each of `columns`, the given pair whose value it takes (the last of its name).
    pick: Vec<usize>,
}

impl Layout {
    /// True when `names` are the names this layout was made for, in the same order.
    fn fits<'a>(&self, mut names: impl ExactSizeIterator<Item = &'a str>) -> bool {
        names.len() == self.names.len() && self.names.iter().all(|n| names.next() == Some(&**n))
    }
}

/// How often a column's values were new to the interner.
#[derive(Debug, Default, Clone, Copy)]
struct Sharing {
    seen: u32,
    new: u32,
}

impl Sharing {
    /// Values seen before a column may be judged.
    const TRIAL: u32 = 1024;

    /// True once the column has shown that its values are (more than 7 in 8) distinct.
    fn distinct(self) -> bool {
        self.seen >= Sharing::TRIAL && self.new > self.seen / 8 * 7
    }
}

impl Interner {
    /// The shared copy of `s`.
    pub fn get(&mut self, s: &str) -> Arc<str> {
        share(&mut self.strings, s).0
    }

    /// `value` of the (shared) `column`: shared, unless the column's values are distinct.
    fn value(&mut self, column: &Arc<str>, value: &str) -> Arc<str> {
        // The address identifies the column: column names are shared, and never freed
        // while the interner holds them.
        let key = Arc::as_ptr(column) as *const u8 as usize;
        let sharing = self.sharing.entry(key).or_default();
        if sharing.distinct() {
            return value.into();
        }
        let (shared, new) = share(&mut self.strings, value);
        sharing.seen += 1;
        sharing.new += u32::from(new);
        shared
    }

    /// Metadata from pairs, its strings shared; a later pair wins over an earlier one with
    /// the same column.
    pub fn meta<K: AsRef<str>, V: AsRef<str>>(&mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Meta {
        let pairs: Vec<(K, V)> = pairs.into_iter().collect();
        let names = || pairs.iter().map(|(k, _)| k.as_ref());
        let layout = match self.layout.take() {
            Some(layout) if layout.fits(names()) => layout,
            _ => self.layout(names()),
        };
        let values: Vec<Arc<str>> = layout
            .columns
            .iter()
            .zip(&layout.pick)
            .map(|(column, &i)| self.value(column, pairs[i].1.as_ref()))
            .collect();
        let meta = Meta {
            columns: Arc::clone(&layout.columns),
            values: values.into(),
        };
        self.layout = Some(layout);
        meta
    }

    /// The layout of a row with columns `names`.
    fn layout<'a>(&mut self, names: impl Iterator<Item = &'a str>) -> Layout {
        let names: Vec<Arc<str>> = names.map(|n| self.get(n)).collect();
        let mut order: Vec<usize> = (0..names.len()).collect();
        // Stable: among equal names the last is picked.
        order.sort_by(|&a, &b| names[a].cmp(&names[b]));
        let mut columns: Vec<Arc<str>> = Vec::with_capacity(names.len());
        let mut pick: Vec<usize> = Vec::with_capacity(names.len());
        for i in order {
            if columns.last() == Some(&names[i]) {
                if let Some(last) = pick.last_mut() {
                    *last = i;
                }
            } else {
                columns.push(Arc::clone(&names[i]));
                pick.push(i);
            }
        }
        let columns = match self.columns.get(columns.as_slice()) {
            Some(shared) => Arc::clone(shared),
            None => {
                let shared: Arc<[Arc<str>]> = columns.into();
                self.columns.insert(Arc::clone(&shared));
                shared
            }
        };
        Layout { names, columns, pick }
    }
}

impl Response {
    /// The most frequent human label (first in order of appearance on ties), if any.
    pub fn main_label(&self) -> Option<&str> {
        let mut best: Option<(&str, usize)> = None;
        for label in &self.labels {
            let count = self.labels.iter().filter(|l| *l == label).count();
            if best.is_none_or(|(_, c)| count > c) {
                best = Some((label, count));
            }
        }
        best.map(|(l, _)| l)
    }
}

/// An input row that did not become a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    pub source: String,
    /// The spreadsheet sheet the row is on; empty for text files.
    #[serde(default)]
    pub sheet: String,
    /// 1-based physical line or record row.
    pub line: u64,
    /// Short machine-readable reason code, e.g. `empty-text`, `ragged-row`.
    pub reason: String,
    /// Human-readable detail.
    pub detail: String,
    /// The start of the offending row, for finding it by eye.
    pub excerpt: String,
}

impl Reject {
    /// The file, and the sheet when there is one: `svar.xlsx [Ark1]`.
    pub fn place(&self) -> String {
        if self.sheet.is_empty() {
            self.source.clone()
        } else {
            format!("{} [{}]", self.source, self.sheet)
        }
    }

    /// A reject of the row `raw`. The excerpt is the row's start and the detail the
    /// reason in words, both with national identity numbers, phone numbers and e-mail
    /// addresses masked, always: they only help find the row, and rejects reach the corpus
    /// and the reports. The row is masked whole before it is cut, so a cut never leaves
    /// part of a number.
    pub fn new(source: &str, line: u64, reason: &str, detail: impl Into<String>, raw: &str) -> Self {
        use crate::ingest::mask;
        Reject {
            source: source.to_string(),
            sheet: String::new(),
            line,
            reason: reason.to_string(),
            detail: mask::mask(&detail.into()).0,
            excerpt: mask::excerpt(raw, 80),
        }
    }

    /// The same reject, located on spreadsheet `sheet`.
    pub fn in_sheet(mut self, sheet: Option<&str>) -> Self {
        self.sheet = sheet.unwrap_or_default().to_string();
        self
    }
}

/// The outcome of reading one input file: rows in = kept rows + rejects + structure.
/// A kept row gave at least one response (a wide survey table gives one per free-text
/// cell), so `responses.len() >= kept_lines`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingested {
    pub responses: Vec<Response>,
    pub rejects: Vec<Reject>,
    /// Physical lines/rows that gave at least one response.
    pub kept_lines: u64,
    /// Physical lines/rows that are layout, not data: headers, slide titles, blank lines.
    pub structural_lines: u64,
    /// Every physical line or row the file has.
    pub total_lines: u64,
}

impl Ingested {
    /// True when every line is accounted for: kept + rejected + structural = total, and
    /// every kept line gave at least one response.
    pub fn balanced(&self) -> bool {
        self.kept_lines + self.rejects.len() as u64 + self.structural_lines == self.total_lines
            && self.responses.len() as u64 >= self.kept_lines
            && (self.kept_lines == 0) == self.responses.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_shares_repeated_values_but_not_a_column_of_distinct_ones() {
        let mut interner = Interner::default();
        let metas: Vec<Meta> = (0..3000)
            .map(|i| {
                let id = format!("r{i}");
                let place = if i % 2 == 0 { "Bergen" } else { "Oslo" };
                interner.meta([("id", id.as_str()), ("kommune", place)])
            })
            .collect();
        for (i, meta) in metas.iter().enumerate() {
            assert_eq!(meta.get("id"), Some(format!("r{i}").as_str()));
        }
        let value = |m: &Meta, column: &str| {
            let i = m.columns.iter().position(|c| &**c == column).expect("column");
            Arc::clone(&m.values[i])
        };
        // Every row of the same place holds the same string.
        assert!(Arc::ptr_eq(
            &value(&metas[0], "kommune"),
            &value(&metas[2998], "kommune")
        ));
        // Ids are shared only while the column is on trial; after it, they are not
        // entered in the table at all.
        assert_eq!(interner.strings.len(), 2 + 2 + Sharing::TRIAL as usize);
        assert_eq!(metas[2999], interner.meta([("kommune", "Oslo"), ("id", "r2999")]));
    }

    #[test]
    fn interner_keeps_the_last_of_a_repeated_column_row_after_row() {
        let mut interner = Interner::default();
        for (first, last) in [("1", "2"), ("3", "4"), ("5", "6")] {
            let meta = interner.meta([("b", "x"), ("a", first), ("a", last)]);
            assert_eq!(meta.iter().collect::<Vec<_>>(), [("a", last), ("b", "x")]);
        }
        let other = interner.meta([("a", "7"), ("c", "8")]);
        assert_eq!(other.iter().collect::<Vec<_>>(), [("a", "7"), ("c", "8")]);
        let again = interner.meta([("b", "y"), ("a", "9"), ("a", "10")]);
        assert_eq!(again.iter().collect::<Vec<_>>(), [("a", "10"), ("b", "y")]);
    }
}
