//! Output safety: stemme deletes or replaces only folders it wrote, and a run that is
//! killed at any moment leaves an output folder that is whole (the old version or the new).

use super::*;

/// A folder of a user's own files, with a `meta.json` like many projects have.
fn user_folder(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("photos")).expect("dir");
    std::fs::write(dir.join("meta.json"), "{\"mine\": true}").expect("write");
    std::fs::write(dir.join("photos/hytta.jpg"), b"\xff\xd8jpeg").expect("write");
    std::fs::write(dir.join("report.html"), "<p>my own report</p>").expect("write");
    dir
}

fn assert_untouched(dir: &Path) {
    assert_eq!(
        std::fs::read(dir.join("photos/hytta.jpg")).expect("photo"),
        b"\xff\xd8jpeg"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("meta.json")).expect("meta"),
        "{\"mine\": true}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("report.html")).expect("report"),
        "<p>my own report</p>"
    );
}

#[test]
fn index_and_out_never_replace_a_folder_stemme_did_not_write() {
    let tmp = tempfile::tempdir().expect("temp");
    let project = user_folder(tmp.path(), "project");
    for args in [
        &["run", "--index", "project"][..],
        &["index", "--index", "project"][..],
        &["run", "-o", "project"][..],
    ] {
        let out = run_in(tmp.path(), args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("project") && err.contains("left alone"),
            "{args:?}: {err}"
        );
        assert_untouched(&project);
    }
    // A tantivy index that stemme did not write is not replaced either.
    let tantivy = tmp.path().join("theirs");
    std::fs::create_dir_all(&tantivy).expect("dir");
    std::fs::write(tantivy.join("meta.json"), "{\"segments\":[]}").expect("write");
    let out = run_in(tmp.path(), &["-q", "run", "-o", "o", "--index", "theirs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(tantivy.join("meta.json").exists());
}

#[test]
fn reruns_replace_their_own_outputs_and_leave_no_temporaries() {
    let tmp = tempfile::tempdir().expect("temp");
    ok_in(tmp.path(), &["-q", "run"]);
    ok_in(tmp.path(), &["-q", "run", "--index", "idx"]);
    ok_in(tmp.path(), &["-q", "run", "--index", "idx"]);
    let out = tmp.path().join("out");
    assert!(out.join("stemme-output.json").exists());
    assert!(out.join("report.json").exists() && tmp.path().join("idx/stemme-index.json").exists());
    let hidden: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stemme-new"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    let hits = ok_in(tmp.path(), &["search", "kommune", "--index", "idx", "-n", "1"]);
    assert!(!hits.stdout.is_empty());
}
