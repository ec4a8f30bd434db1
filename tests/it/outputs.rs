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

/// A CSV of `n` responses made by recombining the bundled seed's texts (deterministic).
fn generated_csv(dir: &Path, n: usize) -> PathBuf {
    let (_, seed) = read_csv(&repo().join("corpus/seed/responses.csv"));
    let (header, _) = read_csv(&repo().join("corpus/seed/responses.csv"));
    let text = header.iter().position(|h| h == "text").expect("text column");
    let texts: Vec<&str> = seed.iter().map(|r| r[text].as_str()).collect();
    let path = dir.join("mange.csv");
    let mut w = csv::Writer::from_path(&path).expect("csv");
    w.write_record(["svar", "kommune"]).expect("header");
    for i in 0..n {
        let joined = format!("{} {}", texts[i % texts.len()], texts[(i * 7 + 3) % texts.len()]);
        w.write_record([joined.as_str(), ["Bergen", "Vik", "Os"][i % 3]])
            .expect("row");
    }
    w.flush().expect("flush");
    path
}

/// The output folder is one whole version: marked, with every report, a report.json that
/// agrees with responses.csv, and an index that answers with the same number of responses.
fn assert_whole(root: &Path, n: usize) {
    let out = root.join("out");
    assert!(out.join("stemme-output.json").exists(), "marker missing");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json"))
            .expect("report.json parses");
    assert_eq!(report["responses_total"], n);
    for file in ["report.html", "report.md", "themes.csv", "keyness.csv"] {
        assert!(std::fs::metadata(out.join(file)).expect(file).len() > 0, "{file}");
    }
    let (_, rows) = read_csv(&out.join("responses.csv"));
    assert_eq!(rows.len(), n);
    let hits = run_in(
        root,
        &[
            "search",
            "--json",
            "-n",
            "0",
            "svar OR kommune OR modell",
            "--index",
            "out/index",
        ],
    );
    assert!(
        matches!(hits.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&hits.stderr)
    );
}

#[test]
fn runs_killed_at_any_moment_leave_the_output_whole() {
    let tmp = tempfile::tempdir().expect("temp");
    let n = 15_000;
    let csv = generated_csv(tmp.path(), n);
    let csv = csv.to_string_lossy().into_owned();
    let args = ["-q", "run", csv.as_str(), "--text-column", "svar", "-k", "4"];
    let started = std::time::Instant::now();
    ok_in(tmp.path(), &args);
    let full = started.elapsed();
    assert_whole(tmp.path(), n);
    let trials = 8;
    let mut killed = 0;
    for i in 1..=trials {
        let mut child = stemme()
            .current_dir(tmp.path())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(full.mul_f64(i as f64 / (trials + 1) as f64));
        if child.try_wait().expect("wait").is_none() {
            killed += 1;
        }
        child.kill().expect("kill");
        child.wait().expect("reaped");
        assert_whole(tmp.path(), n);
    }
    assert!(
        killed >= trials / 2,
        "only {killed} of {trials} runs were killed mid-way"
    );
    // The next run removes what the killed ones left beside the folder.
    ok_in(tmp.path(), &args);
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("stemme-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_whole(tmp.path(), n);
}
