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
    pub collection: Shared,
    /// File name of the original input.
    pub source: Shared,
    /// 1-based physical line (text exports) or record row (CSV, header = row 1).
    pub line: u64,
    /// The question or slide the response answers.
    pub question: Shared,
    /// Kind given by the export (`Spørsmål`, `Innspill`, `Forslag`, `Ordsky`, …); several
    /// when merged spreadsheet rows were flattened into one line.
    pub kinds: Rare<[String]>,
    /// The organiser's answer, when the export carries one.
    pub answer: Rare<str>,
    /// Human theme labels (`Tema undergrupper`), one per flattened row.
    pub labels: Rare<[String]>,
    /// The response text, NFC-normalised, personal data masked.
    pub text: Box<str>,
    /// Every other column of the input, by header name. Shared by the responses of one
    /// table row (a wide survey row gives one response per free-text column), so a row's
    /// metadata is held once however many answers it has.
    pub meta: Meta,
}

/// A string that many responses share (their collection, source file and question): held
/// once, each response points to it with 8 bytes. Reads as the string (`&*r.source`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shared(Arc<Box<str>>);

impl std::ops::Deref for Shared {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        self
    }
}

impl std::borrow::Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        self
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Shared {
        Shared(Arc::new(s.into()))
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Shared {
        Shared(Arc::new(s.into_boxed_str()))
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&**self, f)
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shared, D::Error> {
        Ok(String::deserialize(deserializer)?.into())
    }
}

/// A text or list that only some exports fill (a response's kinds, answer and labels), in
/// 8 bytes: no allocation when empty. Reads as the text or list it holds (`&*r.kinds`).
pub struct Rare<T: ?Sized + Empty>(Option<Box<Box<T>>>);

/// What a [`Rare`] holds: a text or a list, which have an empty value.
pub trait Empty: 'static {
    /// The empty value.
    fn empty() -> &'static Self;
    fn is_empty(&self) -> bool;
}

impl Empty for str {
    fn empty() -> &'static str {
        ""
    }

    fn is_empty(&self) -> bool {
        str::is_empty(self)
    }
}

impl<T: 'static> Empty for [T] {
    fn empty() -> &'static [T] {
        &[]
    }

    fn is_empty(&self) -> bool {
        <[T]>::is_empty(self)
    }
}

impl<T: ?Sized + Empty> Default for Rare<T> {
    fn default() -> Self {
        Rare(None)
    }
}

impl<T: ?Sized + Empty> Clone for Rare<T>
where
    Box<T>: Clone,
{
    fn clone(&self) -> Self {
        Rare(self.0.clone())
    }
}

impl<T: ?Sized + Empty + PartialEq> PartialEq for Rare<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: ?Sized + Empty + Eq> Eq for Rare<T> {}

impl<T: ?Sized + Empty> std::ops::Deref for Rare<T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.0 {
            Some(value) => value,
            None => T::empty(),
        }
    }
}

impl<T: ?Sized + Empty> From<Box<T>> for Rare<T> {
    /// Empty when `value` is (no allocation is kept for it).
    fn from(value: Box<T>) -> Self {
        Rare((!Empty::is_empty(&*value)).then(|| Box::new(value)))
    }
}

impl<T: 'static> From<Vec<T>> for Rare<[T]> {
    fn from(value: Vec<T>) -> Self {
        value.into_boxed_slice().into()
    }
}

impl From<String> for Rare<str> {
    fn from(value: String) -> Self {
        value.into_boxed_str().into()
    }
}

impl From<&str> for Rare<str> {
    fn from(value: &str) -> Self {
        Box::<str>::from(value).into()
    }
}

impl<'a, T: 'static> IntoIterator for &'a Rare<[T]> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: ?Sized + Empty + std::fmt::Debug> std::fmt::Debug for Rare<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: ?Sized + Empty + Serialize> Serialize for Rare<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de, T: ?Sized + Empty> Deserialize<'de> for Rare<T>
where
    Box<T>: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rare<T>, D::Error> {
        Ok(Box::<T>::deserialize(deserializer)?.into())
    }
}

/// The metadata of one input row: column name → value, sorted by name. Compact, because
/// a million rows each carry one: the rows of a file are held in one shared table (built
/// by [`MetaTables`]) that lists each distinct value once, a row is a line of 4-byte codes
/// into it, and a `Meta` is the table and the row's number (16 bytes). Serialised as a
/// JSON object.
#[derive(Clone)]
pub struct Meta {
    table: Arc<MetaTable>,
    row: u32,
}

/// Rows of metadata with the same columns.
#[derive(Debug, Default)]
struct MetaTable {
    /// The column names, sorted, each once.
    columns: Arc<[Arc<str>]>,
    /// The distinct values, one after another, and where each ends in `text`.
    text: Box<str>,
    ends: Box<[usize]>,
    /// Per row, per column: the number of its value in `ends`.
    codes: Box<[u32]>,
}

impl MetaTable {
    /// The codes of row `row`, one per column.
    fn row(&self, row: u32) -> &[u32] {
        let n = self.columns.len();
        &self.codes[row as usize * n..(row as usize + 1) * n]
    }

    /// The value numbered `code`.
    fn value(&self, code: u32) -> &str {
        let code = code as usize;
        let start = if code == 0 { 0 } else { self.ends[code - 1] };
        &self.text[start..self.ends[code]]
    }
}

impl Default for Meta {
    /// No metadata (every such row shares one empty table).
    fn default() -> Meta {
        static EMPTY: std::sync::OnceLock<Arc<MetaTable>> = std::sync::OnceLock::new();
        Meta {
            table: Arc::clone(EMPTY.get_or_init(Default::default)),
            row: 0,
        }
    }
}

impl Meta {
    /// The value of `column`, if the row has that column.
    pub fn get(&self, column: &str) -> Option<&str> {
        let i = self.table.columns.binary_search_by(|k| (**k).cmp(column)).ok()?;
        Some(self.table.value(self.table.row(self.row)[i]))
    }

    pub fn contains_key(&self, column: &str) -> bool {
        self.get(column).is_some()
    }

    /// Column names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.table.columns.iter().map(|k| &**k)
    }

    /// (column, value) pairs, sorted by column.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let values = self.table.row(self.row).iter().map(|&c| self.table.value(c));
        self.keys().zip(values)
    }

    pub fn len(&self) -> usize {
        self.table.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.columns.is_empty()
    }

    /// True when both are the very same row's metadata (not merely equal).
    pub fn ptr_eq(a: &Meta, b: &Meta) -> bool {
        Arc::ptr_eq(&a.table, &b.table) && a.row == b.row
    }

    /// A copy with `column` set to `value`.
    pub fn with(&self, column: &str, value: &str) -> Meta {
        let mut pairs: BTreeMap<&str, &str> = self.iter().collect();
        pairs.insert(column, value);
        pairs.into_iter().collect()
    }
}

impl PartialEq for Meta {
    fn eq(&self, other: &Meta) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Meta {}

impl std::fmt::Debug for Meta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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
        let mut tables = MetaTables::default();
        let key = tables.add(pairs);
        tables.finish().meta(key)
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

/// Puts the metadata of `responses` into shared tables, as ingest does (for responses whose
/// metadata was made row by row, such as those read back from a collection). Responses
/// that shared one row's metadata still do.
pub fn tabulate(responses: &mut [Response]) {
    let mut tables = MetaTables::default();
    let mut keys: Vec<MetaKey> = Vec::with_capacity(responses.len());
    for (i, r) in responses.iter().enumerate() {
        let shared = i > 0 && Meta::ptr_eq(&responses[i - 1].meta, &r.meta);
        match keys.last() {
            Some(&last) if shared => keys.push(last),
            _ => keys.push(tables.add(r.meta.iter())),
        }
    }
    let tables = tables.finish();
    for (r, key) in responses.iter_mut().zip(keys) {
        r.meta = tables.meta(key);
    }
}

/// Shares equal strings: the readers of one file give every response the same
/// collection, source and question strings.
#[derive(Debug, Default)]
pub struct Interner {
    strings: FastSet<Shared>,
}

impl Interner {
    /// The shared copy of `s`.
    pub fn get(&mut self, s: &str) -> Shared {
        share(&mut self.strings, s)
    }
}

/// The copy of `s` in `strings` (added when missing).
fn share<T>(strings: &mut FastSet<T>, s: &str) -> T
where
    T: Clone + Eq + std::hash::Hash + std::borrow::Borrow<str> + for<'a> From<&'a str>,
{
    if let Some(shared) = strings.get(s) {
        return shared.clone();
    }
    let shared = T::from(s);
    strings.insert(shared.clone());
    shared
}

/// The metadata of many rows (one file's), built row by row into shared tables: one per
/// list of columns, each distinct value of a column held once. A column whose values are
/// nearly all different (a respondent id, a timestamp) stops being looked up once that is
/// clear: sharing it would only add a table entry per row.
#[derive(Debug, Default)]
pub struct MetaTables {
    /// Shared column names.
    names: FastSet<Arc<str>>,
    tables: Vec<TableBuilder>,
    /// The table being filled for each list of columns.
    open: FastMap<Arc<[Arc<str>]>, usize>,
    /// The layout of the last row's columns: the rows of a table give the same names in
    /// the same order, so one row's sorting serves the next.
    layout: Option<Layout>,
}

/// Where a row's metadata is in the tables of its [`MetaTables`] (see [`MetaSet::meta`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaKey {
    table: u32,
    row: u32,
}

/// The finished tables of a [`MetaTables`].
#[derive(Debug)]
pub struct MetaSet {
    tables: Vec<Arc<MetaTable>>,
}

impl MetaSet {
    /// The metadata of the row that [`MetaTables::add`] gave `key`.
    pub fn meta(&self, key: MetaKey) -> Meta {
        Meta {
            table: Arc::clone(&self.tables[key.table as usize]),
            row: key.row,
        }
    }
}

/// A table being filled.
#[derive(Debug)]
struct TableBuilder {
    columns: Arc<[Arc<str>]>,
    text: String,
    ends: Vec<usize>,
    codes: Vec<u32>,
    rows: u32,
    /// The code of each value that is shared.
    index: FastMap<Box<str>, u32>,
    /// Per column: how its values have been shared.
    sharing: Vec<Sharing>,
}

impl TableBuilder {
    fn new(columns: Arc<[Arc<str>]>) -> TableBuilder {
        TableBuilder {
            sharing: vec![Sharing::default(); columns.len()],
            columns,
            text: String::new(),
            ends: Vec::new(),
            codes: Vec::new(),
            rows: 0,
            index: FastMap::default(),
        }
    }

    /// True when one more row might overflow the 4-byte codes.
    fn full(&self) -> bool {
        self.rows == u32::MAX || self.ends.len() + self.columns.len() > u32::MAX as usize
    }

    /// A new value's code.
    fn push(&mut self, value: &str) -> u32 {
        self.text.push_str(value);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    /// The code of `value` in column `column`: shared, unless the column's values are
    /// distinct.
    fn code(&mut self, column: usize, value: &str) -> u32 {
        if self.sharing[column].distinct() {
            return self.push(value);
        }
        let code = match self.index.get(value) {
            Some(&code) => code,
            None => {
                let code = self.push(value);
                self.index.insert(value.into(), code);
                self.sharing[column].new += 1;
                code
            }
        };
        self.sharing[column].seen += 1;
        code
    }

    fn finish(self) -> MetaTable {
        MetaTable {
            columns: self.columns,
            text: self.text.into(),
            ends: self.ends.into(),
            codes: self.codes.into(),
        }
    }
}

/// Where a row's values go.
#[derive(Debug)]
struct Layout {
    /// The column names as given, in their order.
    names: Vec<Arc<str>>,
    /// The table the rows go to.
    table: usize,
    /// For each of the table's columns, the given pair whose value it takes (the last of
    /// its name).
    pick: Vec<usize>,
}

impl Layout {
    /// True when `names` are the names this layout was made for, in the same order.
    fn fits<'a>(&self, mut names: impl ExactSizeIterator<Item = &'a str>) -> bool {
        names.len() == self.names.len() && self.names.iter().all(|n| names.next() == Some(&**n))
    }
}

/// How often a column's values were new to the table.
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

impl MetaTables {
    /// Adds a row's metadata from pairs (a later pair wins over an earlier one with the
    /// same column); its [`Meta`] is had from the finished tables.
    pub fn add<K: AsRef<str>, V: AsRef<str>>(&mut self, pairs: impl IntoIterator<Item = (K, V)>) -> MetaKey {
        let pairs: Vec<(K, V)> = pairs.into_iter().collect();
        let names = || pairs.iter().map(|(k, _)| k.as_ref());
        let mut layout = match self.layout.take() {
            Some(layout) if layout.fits(names()) => layout,
            _ => self.layout(names()),
        };
        if self.tables[layout.table].full() {
            let columns = Arc::clone(&self.tables[layout.table].columns);
            self.tables.push(TableBuilder::new(Arc::clone(&columns)));
            layout.table = self.tables.len() - 1;
            self.open.insert(columns, layout.table);
        }
        let table = &mut self.tables[layout.table];
        for (column, &i) in layout.pick.iter().enumerate() {
            let code = table.code(column, pairs[i].1.as_ref());
            table.codes.push(code);
        }
        table.rows += 1;
        let key = MetaKey {
            table: layout.table as u32,
            row: table.rows - 1,
        };
        self.layout = Some(layout);
        key
    }

    /// The layout of a row with columns `names`.
    fn layout<'a>(&mut self, names: impl Iterator<Item = &'a str>) -> Layout {
        let names: Vec<Arc<str>> = names.map(|n| share(&mut self.names, n)).collect();
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
        let table = match self.open.get(columns.as_slice()) {
            Some(&table) => table,
            None => {
                let columns: Arc<[Arc<str>]> = columns.into();
                self.tables.push(TableBuilder::new(Arc::clone(&columns)));
                self.open.insert(columns, self.tables.len() - 1);
                self.tables.len() - 1
            }
        };
        Layout { names, table, pick }
    }

    /// The finished tables.
    pub fn finish(self) -> MetaSet {
        MetaSet {
            tables: self.tables.into_iter().map(|t| Arc::new(t.finish())).collect(),
        }
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
    fn tables_share_repeated_values_but_not_a_column_of_distinct_ones() {
        let mut tables = MetaTables::default();
        let keys: Vec<MetaKey> = (0..3000)
            .map(|i| {
                let id = format!("r{i}");
                let place = if i % 2 == 0 { "Bergen" } else { "Oslo" };
                tables.add([("id", id.as_str()), ("kommune", place)])
            })
            .collect();
        let other = tables.add([("kommune", "Oslo"), ("id", "r2999")]);
        let looked_up = tables.tables[0].index.len();
        let set = tables.finish();
        let metas: Vec<Meta> = keys.iter().map(|&k| set.meta(k)).collect();
        for (i, meta) in metas.iter().enumerate() {
            assert_eq!(meta.get("id"), Some(format!("r{i}").as_str()));
            assert_eq!(meta["kommune"], *if i % 2 == 0 { "Bergen" } else { "Oslo" });
        }
        // One table for the one list of columns; every row of the same place has the
        // same code.
        assert_eq!(set.tables.len(), 1);
        let table = &set.tables[0];
        assert_eq!(table.row(0)[1], table.row(2998)[1]);
        // Ids are looked up only while the column is on trial; after it, they are not
        // entered in the index at all (each is stored once, as it comes).
        assert_eq!(looked_up, 2 + Sharing::TRIAL as usize);
        assert_eq!(table.ends.len(), 3001 + 2);
        assert_eq!(metas[2999], set.meta(other));
        assert!(!Meta::ptr_eq(&metas[2999], &set.meta(other)));
        assert!(Meta::ptr_eq(&metas[7], &set.meta(keys[7])));
    }

    #[test]
    fn tables_keep_the_last_of_a_repeated_column_row_after_row() {
        let mut tables = MetaTables::default();
        let mut keys = Vec::new();
        for (first, last) in [("1", "2"), ("3", "4"), ("5", "6")] {
            keys.push(tables.add([("b", "x"), ("a", first), ("a", last)]));
        }
        let other = tables.add([("a", "7"), ("c", "8")]);
        let again = tables.add([("b", "y"), ("a", "9"), ("a", "10")]);
        let set = tables.finish();
        for (key, last) in keys.iter().zip(["2", "4", "6"]) {
            assert_eq!(
                set.meta(*key).iter().collect::<Vec<_>>(),
                [("a", last), ("b", "x")]
            );
        }
        assert_eq!(
            set.meta(other).iter().collect::<Vec<_>>(),
            [("a", "7"), ("c", "8")]
        );
        assert_eq!(
            set.meta(again).iter().collect::<Vec<_>>(),
            [("a", "10"), ("b", "y")]
        );
        assert_eq!(set.tables.len(), 2, "one table per list of columns");
    }

    #[test]
    fn a_rare_field_reads_as_its_value_and_holds_nothing_when_empty() {
        let kinds: Rare<[String]> = vec!["Ordsky".to_string()].into();
        assert_eq!(*kinds, ["Ordsky"]);
        assert_eq!(kinds.iter().count(), 1);
        let none: Rare<[String]> = Vec::new().into();
        assert!(none.0.is_none() && none.is_empty());
        assert!(kinds.clone() == kinds);
        assert_eq!(none, Rare::default());
        let answer: Rare<str> = "Gjort.".into();
        assert_eq!(&*answer, "Gjort.");
        assert!(Rare::<str>::from(String::new()).0.is_none());
        let json = serde_json::to_string(&(&kinds, &answer, &none)).expect("serialises");
        assert_eq!(json, r#"[["Ordsky"],"Gjort.",[]]"#);
        let back: (Rare<[String]>, Rare<str>, Rare<[String]>) = serde_json::from_str(&json).expect("reads");
        assert_eq!(back, (kinds, answer, none));
        assert_eq!(std::mem::size_of::<Rare<str>>(), 8);
    }

    #[test]
    fn metadata_reads_like_a_map() {
        let meta: Meta = [("kommune", "Bergen"), ("alder", ""), ("kommune", "Oslo")]
            .into_iter()
            .collect();
        assert_eq!(meta.len(), 2);
        assert_eq!(meta.get("kommune"), Some("Oslo"));
        assert_eq!(meta.get("alder"), Some(""));
        assert_eq!(meta.get("fylke"), None);
        assert_eq!(meta.keys().collect::<Vec<_>>(), ["alder", "kommune"]);
        let json = serde_json::to_string(&meta).expect("serialises");
        assert_eq!(json, r#"{"alder":"","kommune":"Oslo"}"#);
        let back: Meta = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, meta);
        assert_eq!(meta.with("fylke", "Vestland").get("fylke"), Some("Vestland"));
        assert!(Meta::default().is_empty());
        assert_eq!(Meta::default(), Meta::default());
        assert_eq!(format!("{meta:?}"), r#"{"alder": "", "kommune": "Oslo"}"#);
    }

    #[test]
    fn tabulating_keeps_the_values_and_the_sharing_of_a_row() {
        let meta = |place: &str, id: &str| -> Meta { [("kommune", place), ("id", id)].into_iter().collect() };
        let shared = meta("Bergen", "1");
        let mut responses: Vec<Response> = [shared.clone(), shared, meta("Oslo", "2"), Meta::default()]
            .into_iter()
            .enumerate()
            .map(|(i, meta)| Response {
                id: format!("c-{i}").into(),
                collection: "c".into(),
                source: "s".into(),
                line: i as u64,
                question: "q".into(),
                kinds: Rare::default(),
                answer: Rare::default(),
                labels: Rare::default(),
                text: "t".into(),
                meta,
            })
            .collect();
        let before: Vec<Meta> = responses.iter().map(|r| r.meta.clone()).collect();
        tabulate(&mut responses);
        let after: Vec<Meta> = responses.iter().map(|r| r.meta.clone()).collect();
        assert_eq!(after, before);
        assert!(Meta::ptr_eq(&after[0], &after[1]));
        assert!(!Meta::ptr_eq(&after[1], &after[2]));
        assert!(Arc::ptr_eq(&after[0].table, &after[2].table));
    }
}
