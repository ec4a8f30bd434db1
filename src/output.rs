//! Safe output folders: the `-o` folder with the reports, and the search index. stemme
//! deletes or replaces only a folder it provably wrote (one that holds its marker file, with
//! the format's name and version), and refuses any other non-empty folder with a message.
//!
//! A new version is written into a hidden folder beside the target (`.<name>.stemme-new-<pid>`)
//! and switched in as one unit when it is complete: on Linux by exchanging the two folders
//! in one `renameat2(RENAME_EXCHANGE)` call, so there is no moment when the folder is missing
//! or half written; elsewhere by two renames. The files are flushed to disk (fsync) before
//! the switch. A lock file beside the target (`.<name>.stemme-lock`) keeps two processes from
//! writing the same folder at once; hidden folders left by a killed run are removed by the
//! next one. A run that fails or is killed leaves the previous version as it was.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};

/// What a folder holds, as its marker file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The `-o` folder: reports and tables (and the index, when it lies inside).
    Reports,
    /// A search index.
    Index,
}

impl Kind {
    /// The marker file's name inside the folder.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Reports => "stemme-output.json",
            Kind::Index => crate::index::SIDECAR,
        }
    }

    /// The format name written in the marker.
    pub fn format(self) -> &'static str {
        match self {
            Kind::Reports => "stemme-output",
            Kind::Index => "stemme-index",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Reports => "stemme output folder",
            Kind::Index => "stemme index",
        }
    }
}

/// Version of the output folder's layout.
pub const OUTPUT_VERSION: u32 = 1;

/// The marker of a reports folder.
#[derive(Debug, Serialize, Deserialize)]
struct OutputMarker {
    format: String,
    version: u32,
    tool_version: String,
}

/// True when `dir` holds a marker of `kind` that stemme wrote.
pub fn is_marked(dir: &Path, kind: Kind) -> bool {
    let Ok(bytes) = std::fs::read(dir.join(kind.marker())) else {
        return false;
    };
    #[derive(Deserialize)]
    struct Probe {
        format: Option<String>,
        schema_version: Option<u32>,
        responses: Option<u64>,
        meta_columns: Option<Vec<String>>,
    }
    let Ok(probe) = serde_json::from_slice::<Probe>(&bytes) else {
        return false;
    };
    match probe.format {
        Some(format) => format == kind.format(),
        // Indexes written before the marker carried a format name: the sidecar's own fields.
        None => {
            kind == Kind::Index
                && probe.schema_version.is_some()
                && probe.responses.is_some()
                && probe.meta_columns.is_some()
        }
    }
}

/// Files and folders that stemme 0.1 wrote into an output folder before it carried a
/// marker: a folder holding these alone is taken as stemme's.
const UNMARKED_OUTPUT: [&str; 8] = [
    "report.html",
    "report.md",
    "report.json",
    "responses.csv",
    "themes.csv",
    "keyness.csv",
    "index",
    ".index.stemme-lock",
];

/// True when an unmarked folder holds only what an earlier stemme wrote there, with a
/// `report.json` of its own and, if any, a stemme index.
fn is_unmarked_output(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let report_ok = std::fs::read(dir.join("report.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("schema_version").is_some() && v.get("tool_version").is_some());
    report_ok
        && names.iter().all(|n| UNMARKED_OUTPUT.contains(&n.as_str()))
        && (!dir.join("index").exists() || is_marked(&dir.join("index"), Kind::Index))
}

/// A new version of a folder being written beside the old one; [`Staged::commit`]
/// switches it in. Dropped without a commit, it is removed and the old version stays.
#[derive(Debug)]
pub struct Staged {
    kind: Kind,
    target: PathBuf,
    new: PathBuf,
    committed: bool,
    /// Held for the whole write; released when dropped.
    _lock: File,
}

/// `dir` as an absolute path without `.` or `..` parts (the folder need not exist).
pub fn absolute(dir: &Path) -> Result<PathBuf> {
    let absolute = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| Error::io(dir, e))?.join(dir)
    };
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// The folder that holds `dir`, and `dir`'s own name.
fn split(dir: &Path) -> Result<(PathBuf, String)> {
    let clean = absolute(dir)?;
    let name = clean
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Usage(format!("{}: not a folder stemme can write into", dir.display())))?;
    let parent = clean
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::Usage(format!("{}: not a folder stemme can write into", dir.display())))?;
    Ok((parent, name))
}

impl Staged {
    /// Prepares a new version of `dir`. Refuses when `dir` is a file, or a non-empty folder
    /// without `kind`'s marker, or when another process is writing it.
    pub fn begin(dir: &Path, kind: Kind) -> Result<Staged> {
        let (parent, name) = split(dir)?;
        let target = parent.join(&name);
        if target.exists() {
            if !target.is_dir() {
                return Err(Error::Usage(format!(
                    "{}: is a file, not a folder; it is left alone: choose another folder",
                    dir.display()
                )));
            }
            let empty = std::fs::read_dir(&target)
                .map_err(|e| Error::io(&target, e))?
                .next()
                .is_none();
            let ours = is_marked(&target, kind) || (kind == Kind::Reports && is_unmarked_output(&target));
            if !empty && !ours {
                return Err(Error::Usage(format!(
                    "{}: this folder is not empty and is not a {} (it has no {}); stemme writes only into an empty folder or one it wrote, so it is left alone: choose another folder",
                    dir.display(),
                    kind.noun(),
                    kind.marker()
                )));
            }
        }
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let lock_path = parent.join(format!(".{name}.stemme-lock"));
        let Some(lock) = try_lock(&lock_path)? else {
            return Err(Error::Usage(format!(
                "{}: another stemme process is writing this folder; wait for it to finish",
                dir.display()
            )));
        };
        remove_stale(&parent, &name);
        let new = parent.join(format!(".{name}.stemme-new-{}", std::process::id()));
        std::fs::create_dir_all(&new).map_err(|e| Error::io(&new, e))?;
        Ok(Staged {
            kind,
            target,
            new,
            committed: false,
            _lock: lock,
        })
    }

    /// The folder to write the new version into.
    pub fn path(&self) -> &Path {
        &self.new
    }

    /// The folder the new version will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Marks the new version as stemme's (reports folders; an index writes its own
    /// marker), flushes it to disk and switches it in for the old one, which is removed.
    pub fn commit(mut self) -> Result<()> {
        if self.kind == Kind::Reports {
            let marker = OutputMarker {
                format: Kind::Reports.format().to_string(),
                version: OUTPUT_VERSION,
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
            };
            let mut json = serde_json::to_vec_pretty(&marker)
                .map_err(|e| Error::Usage(format!("{}: {e}", Kind::Reports.marker())))?;
            json.push(b'\n');
            let path = self.new.join(Kind::Reports.marker());
            std::fs::write(&path, json).map_err(|e| Error::io(&path, e))?;
        }
        if !is_marked(&self.new, self.kind) {
            return Err(Error::Usage(format!(
                "{}: the new version has no {}; the old one is left as it was",
                self.target.display(),
                self.kind.marker()
            )));
        }
        sync_tree(&self.new)?;
        if self.target.exists() {
            exchange(&self.new, &self.target)?;
            // `new` now holds the old version.
            std::fs::remove_dir_all(&self.new).map_err(|e| Error::io(&self.new, e))?;
        } else {
            std::fs::rename(&self.new, &self.target).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(parent)?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.new);
        }
    }
}

/// Opens (creating it if needed) and locks the lock file `path`; `None` when another
/// process holds the lock. The lock is released when the file is dropped.
pub(crate) fn try_lock(path: &Path) -> Result<Option<File>> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(path, e)),
    }
}

/// Removes hidden folders that a killed run left beside `name` (the caller holds the lock,
/// so no live process is writing them).
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.stemme-new-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let is_ours = file_name
            .strip_prefix(&prefix)
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if is_ours && entry.path().is_dir() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Swaps two folders in one step (Linux), or with two renames elsewhere. Also used by
/// the corpus to swap in a new version of a collection.
pub(crate) fn exchange(a: &Path, b: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())
            .map_err(|e| Error::Usage(format!("{}: {e}", a.display())))?;
        let cb = CString::new(b.as_os_str().as_bytes())
            .map_err(|e| Error::Usage(format!("{}: {e}", b.display())))?;
        // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        // Filesystems without RENAME_EXCHANGE fall back to two renames.
        if !matches!(err.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(Error::io(b, err));
        }
    }
    let aside = a.with_extension("stemme-old");
    std::fs::rename(b, &aside).map_err(|e| Error::io(b, e))?;
    std::fs::rename(a, b).map_err(|e| Error::io(b, e))?;
    std::fs::rename(&aside, a).map_err(|e| Error::io(a, e))
}

/// Flushes every file under `dir` and the folders themselves to disk.
fn sync_tree(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&path, e))?;
        }
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_it_did_not_write() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("project");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("meta.json"), "{}").expect("write");
        std::fs::write(dir.join("photo.jpg"), "jpeg").expect("write");
        for kind in [Kind::Index, Kind::Reports] {
            let err = Staged::begin(&dir, kind).expect_err("refused");
            assert!(err.to_string().contains("left alone"), "{err}");
        }
        assert!(dir.join("photo.jpg").exists() && dir.join("meta.json").exists());
        // A file where a folder should be is refused too.
        let file = tmp.path().join("notes.txt");
        std::fs::write(&file, "mine").expect("write");
        assert!(Staged::begin(&file, Kind::Reports).is_err());
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "mine");
    }

    #[test]
    fn replaces_its_own_folder_as_one_unit_and_cleans_up() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("out");
        let stage = Staged::begin(&dir, Kind::Reports).expect("begin");
        std::fs::write(stage.path().join("report.md"), "one").expect("write");
        stage.commit().expect("commit");
        assert!(is_marked(&dir, Kind::Reports));

        // A stale folder from a killed run is removed by the next one.
        let stale = tmp.path().join(".out.stemme-new-999999");
        std::fs::create_dir_all(stale.join("index")).expect("stale");
        let stage = Staged::begin(&dir, Kind::Reports).expect("begin again");
        assert!(!stale.exists());
        std::fs::write(stage.path().join("report.md"), "two").expect("write");
        // Until the commit, the old version is what a reader sees.
        assert_eq!(
            std::fs::read_to_string(dir.join("report.md")).expect("read"),
            "one"
        );
        stage.commit().expect("commit");
        assert_eq!(
            std::fs::read_to_string(dir.join("report.md")).expect("read"),
            "two"
        );

        let left: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("stemme-new"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn an_abandoned_version_leaves_the_old_one() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("out");
        let stage = Staged::begin(&dir, Kind::Reports).expect("begin");
        std::fs::write(stage.path().join("report.md"), "one").expect("write");
        stage.commit().expect("commit");
        let stage = Staged::begin(&dir, Kind::Reports).expect("begin");
        let new = stage.path().to_path_buf();
        std::fs::write(new.join("report.md"), "half").expect("write");
        drop(stage);
        assert!(!new.exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("report.md")).expect("read"),
            "one"
        );
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("out");
        let first = Staged::begin(&dir, Kind::Reports).expect("begin");
        let err = Staged::begin(&dir, Kind::Reports).expect_err("locked");
        assert!(err.to_string().contains("another stemme process"), "{err}");
        drop(first);
        Staged::begin(&dir, Kind::Reports).expect("free again");
    }

    #[test]
    fn an_index_marker_must_name_its_format() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join(Kind::Index.marker()), r#"{"format":"other"}"#).expect("write");
        assert!(!is_marked(tmp.path(), Kind::Index));
        std::fs::write(
            tmp.path().join(Kind::Index.marker()),
            r#"{"format":"stemme-index","schema_version":4}"#,
        )
        .expect("write");
        assert!(is_marked(tmp.path(), Kind::Index));
        assert!(!is_marked(tmp.path(), Kind::Reports));
    }
}
