//! Stage: corpus. Ingested files in, a collection folder out, in open formats that R,
//! Python and Excel read directly (layout documented in `corpus/README.md`):
//! `responses.csv` and `responses.jsonl` with the same fields, `rejects.csv`, and
//! `manifest.json` with the input's path, checksum and counts. The input itself is not
//! copied (it holds the personal data the corpus masks) unless the user asks for
//! `original/`. Ids are stable and re-ingesting an unchanged file rewrites byte-identical
//! files; a changed file replaces the folder in one atomic exchange; a corpus is locked
//! while it is written. Collections are listed and exported across the corpus for
//! follow-up studies.

use crate::csv_cell::excel_safe;
use crate::error::{Error, Result};
use crate::ingest::{IngestedFile, MaskCounts};
use crate::model::{Meta, Reject, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Version of the corpus layout and field set (2: the input is recorded by path and
/// checksum, `original/` only on request, CSV cells made safe for spreadsheets).
pub const SCHEMA_VERSION: u32 = 2;

/// File name of the bundled seed corpus (a Mentimeter text export from a KS meeting).
pub const SEED_SOURCE: &str = "000_979cbf6dc38295de.txt";
/// Collection name of the bundled seed corpus.
pub const SEED_COLLECTION: &str = "seed";
/// The bundled seed corpus, embedded so `stemme run` works anywhere without input.
pub const SEED_BYTES: &[u8] = include_bytes!("../corpus/inputs/000_979cbf6dc38295de.txt");
/// Where the bundled seed input lives in the repository.
pub const SEED_PATH: &str = "corpus/inputs/000_979cbf6dc38295de.txt";

/// Separator for list fields (kinds, labels) in CSV cells.
pub const LIST_SEPARATOR: &str = " | ";

/// One input file as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// File name of the input.
    pub file: String,
    /// The input's path as given to `stemme ingest` (relative to where it ran).
    #[serde(default)]
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: String,
    /// The spreadsheet sheet that was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Personal columns (e-mail, name, IP address) that were not copied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_columns: Vec<String>,
    /// True when an unmasked copy of the input is kept in `original/` (`--keep-original`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub original: bool,
}

/// Line accounting: `total_lines = kept_lines + rejects + structural_lines`; a kept line
/// gives one response, or several for a wide table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total_lines: u64,
    #[serde(default)]
    pub kept_lines: u64,
    pub responses: u64,
    pub rejects: u64,
    pub structural_lines: u64,
}

/// `manifest.json` of a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool_version: String,
    /// Date (UTC, `YYYY-MM-DD`) the collection was first written with this input.
    pub created: String,
    pub collection: String,
    pub inputs: Vec<InputRecord>,
    pub counts: Counts,
    pub rejects_by_reason: BTreeMap<String, u64>,
    pub masked: MaskCounts,
    /// Texts whose mojibake (`Ã¸` for `ø`) was repaired at ingest.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mojibake_repaired: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Today's date in UTC as `YYYY-MM-DD` (civil-from-days, no time-zone data needed).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The manifest for an ingested file (`created` = today); `original` when an unmasked
/// copy of the input is kept.
pub fn manifest(file: &IngestedFile, original: bool) -> Manifest {
    let mut rejects_by_reason = BTreeMap::new();
    for r in &file.data.rejects {
        *rejects_by_reason.entry(r.reason.clone()).or_insert(0) += 1;
    }
    Manifest {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        created: today(),
        collection: file.collection.clone(),
        inputs: vec![InputRecord {
            file: file.source.clone(),
            path: file.path.display().to_string(),
            sha256: file.sha256.clone(),
            bytes: file.size,
            format: file.format.clone(),
            sheet: file.sheet.clone(),
            dropped_columns: file.dropped_columns.clone(),
            original,
        }],
        counts: Counts {
            total_lines: file.data.total_lines,
            kept_lines: file.data.kept_lines,
            responses: file.data.responses.len() as u64,
            rejects: file.data.rejects.len() as u64,
            structural_lines: file.data.structural_lines,
        },
        rejects_by_reason,
        masked: file.masked,
        mojibake_repaired: file.repaired,
    }
}

/// Writes `bytes` to a new file at `path` and flushes it to disk.
fn write_synced(path: &Path, fill: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::new(file);
    fill(&mut w)?;
    let file = w.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

/// Flushes a folder's entries (new names, renames) to disk; not possible everywhere.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// What writing a collection did to the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The collection did not exist.
    New,
    /// Same input checksums as before: the same files again.
    Unchanged,
    /// The input changed: the old version was replaced.
    Replaced,
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Written::New => "new",
            Written::Unchanged => "unchanged",
            Written::Replaced => "replaced",
        })
    }
}

/// Reads the manifest of the collection folder `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::input(&path, e.to_string()))
}

/// How a collection is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Keep an unmasked copy of the input in `original/` (off by default: the input
    /// may hold the personal data the corpus masks).
    pub keep_original: bool,
    /// Replace a collection made from another input file of the same name.
    pub replace: bool,
}

/// Name of the lock file in a corpus folder.
pub const LOCK_FILE: &str = ".stemme-lock";
/// Prefix of the temporary folders a write builds collections in.
const TMP_PREFIX: &str = ".stemme-tmp-";

/// A corpus folder opened for writing: holds its lock until dropped, so two processes
/// never write into one corpus at the same time.
#[derive(Debug)]
pub struct Corpus {
    dir: PathBuf,
    _lock: File,
}

impl Corpus {
    /// Opens (creating it if needed) the corpus folder `dir` and locks it; fails at once,
    /// with a message, when another process holds the lock. Temporary folders left by a
    /// killed run are removed.
    pub fn open(dir: &Path) -> Result<Corpus> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let Some(lock) = crate::output::try_lock(&lock_path)? else {
            return Err(Error::input(
                    dir,
                    format!(
                        "another stemme is writing to this corpus (it holds {}); wait until it is done and run again",
                        lock_path.display()
                    ),
                ));
        };
        let corpus = Corpus {
            dir: dir.to_path_buf(),
            _lock: lock,
        };
        corpus.remove_stale()?;
        Ok(corpus)
    }

    /// Removes temporary folders of runs that were killed: ours (`.stemme-tmp-…`) and
    /// those of earlier versions (`.<collection>.tmp-<pid>`, `.<collection>.old-<pid>`).
    /// Safe because the lock is held: no other run is writing here.
    fn remove_stale(&self) -> Result<()> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let old_style = name.starts_with('.')
                && name.rsplit_once(['-']).is_some_and(|(head, pid)| {
                    (head.ends_with(".tmp") || head.ends_with(".old"))
                        && !pid.is_empty()
                        && pid.bytes().all(|b| b.is_ascii_digit())
                });
            if (name.starts_with(TMP_PREFIX) || old_style) && entry.path().is_dir() {
                std::fs::remove_dir_all(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            }
        }
        Ok(())
    }

    /// The corpus folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes (or replaces) the collection folder `<corpus>/<collection>`. An unchanged
    /// input keeps its manifest's `created` date, so the folder is identical. The new
    /// folder is built beside the old one, flushed to disk, and exchanged with it in one
    /// step (Linux `renameat2` with `RENAME_EXCHANGE`; elsewhere two renames), so a
    /// reader sees the old or the new version, never a mix and never none.
    pub fn write_collection(&self, file: &IngestedFile, options: WriteOptions) -> Result<(PathBuf, Written)> {
        let dir = self.dir.join(&file.collection);
        let mut manifest = manifest(file, options.keep_original);
        let mut written = Written::New;
        if dir.exists() {
            let old = read_manifest(&dir).map_err(|_| {
                Error::input(
                    &dir,
                    "exists but is not a stemme collection (no readable manifest.json); it is left alone: choose another --collection or --corpus",
                )
            })?;
            written = Written::Replaced;
            if same_input(&old.inputs, &manifest.inputs) {
                written = Written::Unchanged;
                if old.tool_version == manifest.tool_version {
                    manifest.created = old.created;
                }
            } else if !options.replace && !same_source(&old.inputs, &manifest.inputs) {
                let was = old
                    .inputs
                    .iter()
                    .map(|i| i.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::input(
                    &dir,
                    format!(
                        "already holds the collection of another file ({}); to keep both, give this one its own name with --collection NAME; to replace it, pass --replace",
                        if was.is_empty() { "written by an older stemme" } else { &was }
                    ),
                ));
            }
        }
        let tmp = self
            .dir
            .join(format!("{TMP_PREFIX}{}-{}", file.collection, std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        if options.keep_original {
            let original = tmp.join("original");
            std::fs::create_dir_all(&original).map_err(|e| Error::io(&original, e))?;
            write_synced(&original.join(&file.source), |w| {
                w.write_all(&file.bytes).map_err(|e| Error::io(&original, e))
            })?;
        }
        let data = &file.data;
        write_synced(&tmp.join("responses.csv"), |w| {
            write_responses_csv(w, &data.responses)
        })?;
        write_synced(&tmp.join("responses.jsonl"), |w| {
            write_responses_jsonl(w, &data.responses)
        })?;
        write_synced(&tmp.join("rejects.csv"), |w| write_rejects_csv(w, &data.rejects))?;
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::input(&dir, e.to_string()))?;
        write_synced(&tmp.join("manifest.json"), |w| {
            w.write_all(&json).map_err(|e| Error::io(&dir, e))
        })?;
        sync_dir(&tmp);
        if dir.exists() {
            crate::output::exchange(&tmp, &dir)?;
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        } else {
            std::fs::rename(&tmp, &dir).map_err(|e| Error::io(&dir, e))?;
        }
        sync_dir(&self.dir);
        Ok((dir, written))
    }
}

/// The same input: every recorded field equal but where it was read from.
fn same_input(old: &[InputRecord], new: &[InputRecord]) -> bool {
    let key = |i: &InputRecord| {
        (
            i.file.clone(),
            i.sha256.clone(),
            i.bytes,
            i.format.clone(),
            i.sheet.clone(),
            i.dropped_columns.clone(),
            i.original,
        )
    };
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| key(a) == key(b))
}

/// The same file on disk (a new version of it): the recorded paths name one file.
fn same_source(old: &[InputRecord], new: &[InputRecord]) -> bool {
    let one = |a: &InputRecord, b: &InputRecord| {
        !a.path.is_empty()
            && (a.path == b.path
                || matches!(
                    (std::fs::canonicalize(&a.path), std::fs::canonicalize(&b.path)),
                    (Ok(x), Ok(y)) if x == y
                ))
    };
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| one(a, b))
}

/// The collections of a corpus folder (sub-folders with a manifest), sorted by name.
pub fn list_collections(corpus: &Path) -> Result<Vec<Manifest>> {
    let entries = std::fs::read_dir(corpus).map_err(|e| Error::io(corpus, e))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("manifest.json").is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    dirs.sort();
    dirs.iter().map(|d| read_manifest(d)).collect()
}

/// The responses of one collection folder, read back from `responses.jsonl`.
pub fn read_responses(dir: &Path) -> Result<Vec<Response>> {
    let path = dir.join("responses.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::Row {
                path: path.clone(),
                row: i as u64 + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// The rejects of one collection folder, read back from `rejects.csv`.
pub fn read_rejects(dir: &Path) -> Result<Vec<Reject>> {
    let path = dir.join("rejects.csv");
    let mut reader = csv::Reader::from_path(&path).map_err(|e| Error::input(&path, e.to_string()))?;
    let mut rejects = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        let bad = |message: String| Error::Row {
            path: path.clone(),
            row,
            message,
        };
        let record = record.map_err(|e| bad(e.to_string()))?;
        let field = |k: usize| record.get(k).unwrap_or_default().to_string();
        if record.len() != 6 {
            return Err(bad(format!("expected 6 fields, found {}", record.len())));
        }
        rejects.push(Reject {
            source: field(0),
            sheet: field(1),
            line: field(2)
                .parse()
                .map_err(|_| bad(format!("line {:?} is not a number", field(2))))?,
            reason: field(3),
            detail: field(4),
            excerpt: field(5),
        });
    }
    Ok(rejects)
}

/// True when `path` is a collection folder (it holds a `manifest.json`).
pub fn is_collection(path: &Path) -> bool {
    path.join("manifest.json").is_file()
}

/// Reads a stored collection folder back as an ingested file, for analysis without
/// re-ingest: responses (ids, metadata and masking as stored), rejects and line counts
/// from the collection, the input's checksum from the manifest, and the original bytes
/// from `original/` when the collection keeps them (checked against that checksum, so
/// the report's provenance stays true).
pub fn read_collection(dir: &Path) -> Result<IngestedFile> {
    if !is_collection(dir) {
        return Err(Error::input(
            dir,
            "is a folder but not a stemme collection (no manifest.json): give a collection folder such as corpus/seed, or --corpus DIR",
        ));
    }
    let manifest = read_manifest(dir)?;
    let manifest_path = dir.join("manifest.json");
    let [input] = manifest.inputs.as_slice() else {
        return Err(Error::input(
            &manifest_path,
            format!(
                "lists {} input files; a collection holds one",
                manifest.inputs.len()
            ),
        ));
    };
    let mut bytes = Vec::new();
    if input.original {
        let original = dir.join("original").join(&input.file);
        bytes = std::fs::read(&original).map_err(|e| Error::io(&original, e))?;
        if sha256_hex(&bytes) != input.sha256 {
            return Err(Error::input(
                &original,
                "differs from the checksum in manifest.json: the original was changed after ingest; ingest it again",
            ));
        }
    }
    let mut responses = read_responses(dir)?;
    crate::model::tabulate(&mut responses);
    let rejects = read_rejects(dir)?;
    let counts = manifest.counts;
    if responses.len() as u64 != counts.responses || rejects.len() as u64 != counts.rejects {
        return Err(Error::input(
            &manifest_path,
            format!(
                "counts {} responses and {} rejects, but responses.jsonl has {} and rejects.csv {}",
                counts.responses,
                counts.rejects,
                responses.len(),
                rejects.len()
            ),
        ));
    }
    Ok(IngestedFile {
        collection: manifest.collection,
        source: input.file.clone(),
        path: PathBuf::from(&input.path),
        sha256: input.sha256.clone(),
        size: input.bytes,
        bytes,
        format: input.format.clone(),
        sheet: input.sheet.clone(),
        dropped_columns: input.dropped_columns.clone(),
        data: crate::model::Ingested {
            responses,
            rejects,
            kept_lines: counts.kept_lines,
            structural_lines: counts.structural_lines,
            total_lines: counts.total_lines,
        },
        masked: manifest.masked,
        repaired: manifest.mojibake_repaired,
    })
}

/// The collection folders of `corpus` named in `names`, or all of them when `names` is
/// empty; a name that is not a collection is an error listing the ones there are.
pub fn collection_dirs(corpus: &Path, names: &[String]) -> Result<Vec<PathBuf>> {
    let all: Vec<String> = list_collections(corpus)?
        .into_iter()
        .map(|m| m.collection)
        .collect();
    if names.is_empty() {
        if all.is_empty() {
            return Err(Error::input(corpus, "holds no collections"));
        }
        return Ok(all.iter().map(|n| corpus.join(n)).collect());
    }
    names
        .iter()
        .map(|name| {
            let dir = corpus.join(name);
            if is_collection(&dir) {
                Ok(dir)
            } else {
                Err(Error::input(
                    corpus,
                    format!("has no collection {name:?}; it has: {}", all.join(", ")),
                ))
            }
        })
        .collect()
}

/// A CSV or JSON writing failure (a full disk, a closed pipe) as an error.
pub(crate) fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("writing CSV: {e}"))
}

/// Writes responses as CSV: fixed columns, then one `meta.<name>` column per metadata
/// key; every cell made safe for spreadsheets by [`excel_safe`].
pub fn write_responses_csv(out: impl Write, responses: &[Response]) -> Result<()> {
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    let mut last: Option<&Meta> = None;
    for r in responses {
        // Responses of one row share their metadata: look at each map once.
        if last.is_some_and(|m| Meta::ptr_eq(m, &r.meta)) {
            continue;
        }
        keys.extend(r.meta.keys());
        last = Some(&r.meta);
    }
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "id",
        "collection",
        "source",
        "line",
        "question",
        "kinds",
        "answer",
        "labels",
        "text",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    header.extend(keys.iter().map(|k| format!("meta.{k}")));
    w.write_record(&header).map_err(csv_error)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for r in responses {
        row.clear();
        row.extend([
            r.id.to_string(),
            r.collection.to_string(),
            r.source.to_string(),
            r.line.to_string(),
            r.question.to_string(),
            r.kinds.join(LIST_SEPARATOR),
            r.answer.to_string(),
            r.labels.join(LIST_SEPARATOR),
            r.text.to_string(),
        ]);
        row.extend(keys.iter().map(|k| r.meta.get(k).unwrap_or_default().to_string()));
        w.write_record(row.iter().map(|c| excel_safe(c).into_owned()))
            .map_err(csv_error)?;
    }
    w.flush().map_err(csv_error)
}

/// Writes responses as JSON Lines, one object per response, every text as it is.
pub fn write_responses_jsonl(mut out: impl Write, responses: &[Response]) -> Result<()> {
    for r in responses {
        serde_json::to_writer(&mut out, r).map_err(csv_error)?;
        out.write_all(b"\n").map_err(csv_error)?;
    }
    out.flush().map_err(csv_error)
}

/// Writes rejects as CSV, every cell made safe for spreadsheets.
pub fn write_rejects_csv(out: impl Write, rejects: &[Reject]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["source", "sheet", "line", "reason", "detail", "excerpt"])
        .map_err(csv_error)?;
    for r in rejects {
        let line = r.line.to_string();
        let cells = [&r.source, &r.sheet, &line, &r.reason, &r.detail, &r.excerpt];
        w.write_record(cells.iter().map(|c| excel_safe(c).into_owned()))
            .map_err(csv_error)?;
    }
    w.flush().map_err(csv_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_plausible_date() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.as_str() > "2024-01-01", "{d}");
    }
}
