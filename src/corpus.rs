//! Stage: corpus. Ingested files in, a collection folder out, in open formats that R,
//! Python and Excel read directly (layout documented in `corpus/README.md`):
//! `original/<file>` unchanged, `responses.csv` and `responses.jsonl` with the same
//! fields, `rejects.csv`, and `manifest.json` with checksums and counts. Ids are stable
//! and re-ingesting an unchanged file rewrites byte-identical files; a changed file
//! replaces the folder in one rename. Collections are listed and exported across the
//! corpus for follow-up studies.

use crate::error::{Error, Result};
use crate::ingest::{IngestedFile, MaskCounts};
use crate::model::{Reject, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Version of the corpus layout and field set.
pub const SCHEMA_VERSION: u32 = 1;

/// File name of the bundled seed corpus (a Mentimeter text export from a KS meeting).
pub const SEED_SOURCE: &str = "000_979cbf6dc38295de.txt";
/// Collection name of the bundled seed corpus.
pub const SEED_COLLECTION: &str = "seed";
/// The bundled seed corpus, embedded so `stemme run` works anywhere without input.
pub const SEED_BYTES: &[u8] = include_bytes!("../corpus/seed/original/000_979cbf6dc38295de.txt");

/// Separator for list fields (kinds, labels) in CSV cells.
pub const LIST_SEPARATOR: &str = " | ";

/// One input file as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: String,
    /// The spreadsheet sheet that was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Personal columns (e-mail, name, IP address) that were not copied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_columns: Vec<String>,
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

/// The manifest for an ingested file (`created` = today).
pub fn manifest(file: &IngestedFile) -> Manifest {
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
            sha256: sha256_hex(&file.bytes),
            bytes: file.bytes.len() as u64,
            format: file.format.clone(),
            sheet: file.sheet.clone(),
            dropped_columns: file.dropped_columns.clone(),
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

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
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

/// Writes (or atomically replaces) the collection folder `<corpus>/<collection>`.
/// An unchanged input keeps its manifest's `created` date, so the folder is identical.
/// The new folder is built beside the old one and swapped in with renames, so a reader
/// sees the old or the new version, never a mix.
pub fn write_collection(corpus: &Path, file: &IngestedFile) -> Result<(PathBuf, Written)> {
    let dir = corpus.join(&file.collection);
    let mut manifest = manifest(file);
    let mut written = Written::New;
    if dir.exists() && read_manifest(&dir).is_err() {
        return Err(Error::input(
            &dir,
            "exists but is not a stemme collection (no readable manifest.json); it is left alone: choose another --collection or --corpus",
        ));
    }
    if let Ok(old) = read_manifest(&dir) {
        written = Written::Replaced;
        if old.inputs == manifest.inputs {
            written = Written::Unchanged;
            if old.tool_version == manifest.tool_version {
                manifest.created = old.created;
            }
        }
    }
    let tmp = corpus.join(format!(".{}.tmp-{}", file.collection, std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let original = tmp.join("original");
    std::fs::create_dir_all(&original).map_err(|e| Error::io(&original, e))?;
    write(&original.join(&file.source), &file.bytes)?;
    write(&tmp.join("responses.csv"), &responses_csv(&file.data.responses)?)?;
    write(
        &tmp.join("responses.jsonl"),
        &responses_jsonl(&file.data.responses)?,
    )?;
    write(&tmp.join("rejects.csv"), &rejects_csv(&file.data.rejects)?)?;
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::input(&dir, e.to_string()))?;
    write(&tmp.join("manifest.json"), &json)?;
    if dir.exists() {
        let old = corpus.join(format!(".{}.old-{}", file.collection, std::process::id()));
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(&dir, &old).map_err(|e| Error::io(&dir, e))?;
        std::fs::rename(&tmp, &dir).map_err(|e| Error::io(&dir, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(&tmp, &dir).map_err(|e| Error::io(&dir, e))?;
    }
    Ok((dir, written))
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
/// from the collection, the original bytes from `original/` (checked against the
/// manifest's checksum, so the report's provenance stays true).
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
    let original = dir.join("original").join(&input.file);
    let bytes = std::fs::read(&original).map_err(|e| Error::io(&original, e))?;
    if sha256_hex(&bytes) != input.sha256 {
        return Err(Error::input(
            &original,
            "differs from the checksum in manifest.json: the original was changed after ingest; ingest it again",
        ));
    }
    let responses = read_responses(dir)?;
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

/// A CSV writing failure (only possible on exhausted memory) as an error.
pub(crate) fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("writing CSV: {e}"))
}

/// Responses as CSV: fixed columns, then one `meta.<name>` column per metadata key.
pub fn responses_csv(responses: &[Response]) -> Result<Vec<u8>> {
    let keys: BTreeSet<&str> = responses
        .iter()
        .flat_map(|r| r.meta.keys().map(String::as_str))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
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
    .collect::<Vec<_>>();
    header.extend(keys.iter().map(|k| format!("meta.{k}")));
    w.write_record(&header).map_err(csv_error)?;
    for r in responses {
        let mut row = vec![
            r.id.clone(),
            r.collection.clone(),
            r.source.clone(),
            r.line.to_string(),
            r.question.clone(),
            r.kinds.join(LIST_SEPARATOR),
            r.answer.clone(),
            r.labels.join(LIST_SEPARATOR),
            r.text.clone(),
        ];
        row.extend(keys.iter().map(|k| r.meta.get(*k).cloned().unwrap_or_default()));
        w.write_record(&row).map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

/// Responses as JSON Lines, one object per response.
pub fn responses_jsonl(responses: &[Response]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for r in responses {
        serde_json::to_writer(&mut out, r).map_err(csv_error)?;
        out.push(b'\n');
    }
    Ok(out)
}

/// Rejects as CSV.
pub fn rejects_csv(rejects: &[Reject]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["source", "sheet", "line", "reason", "detail", "excerpt"])
        .map_err(csv_error)?;
    for r in rejects {
        w.write_record([
            &r.source,
            &r.sheet,
            &r.line.to_string(),
            &r.reason,
            &r.detail,
            &r.excerpt,
        ])
        .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
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
