//! End-to-end tests: run the `stemme` binary on the bundled corpus and on small fixtures,
//! then read the outputs back and check their content. One module per area; each test
//! works in a fresh temporary folder.

mod browser;
mod cli;
mod compare;
mod exports;
mod formats;
mod fuzz;
mod ingest;
mod outputs;
mod reports;
mod scope_eval;
mod search;
mod sheets;
mod themes;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub fn stemme() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stemme"))
}

/// Runs stemme with `args` in `dir`, returning the output.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    stemme()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("stemme runs")
}

/// Like [`run_in`], asserting success.
pub fn ok_in(dir: &Path, args: &[&str]) -> Output {
    let out = run_in(dir, args);
    assert!(
        out.status.success(),
        "stemme {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

/// The repository root (for the committed corpus).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp dir in which `stemme run` has been run on the bundled corpus (`out/`).
pub fn seed_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    ok_in(dir.path(), &["-q", "run"]);
    dir
}

/// Reads a CSV file into header + rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv opens");
    let header = r.headers().expect("header").iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}
