//! The command line itself: help that teaches, clear errors that name the file, and the
//! analyzer's view of a text.

use super::*;

#[test]
fn help_lists_commands_and_examples() {
    let out = ok_in(Path::new("."), &["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["run", "index", "ingest", "search", "analyze", "Examples:"] {
        assert!(help.contains(word), "{word} missing from --help");
    }
}

#[test]
fn analyze_shows_stems_stopwords_and_display_forms() {
    let out = ok_in(
        Path::new("."),
        &["analyze", "--json", "Kommunene", "er", "spennende"],
    );
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["stem"], "kommun");
    assert_eq!(rows[1]["stopword"], true);
    assert_eq!(rows[2]["stem"], "spenn");
    assert_eq!(rows[2]["display"], "spennende");
}

#[test]
fn unreadable_inputs_fail_with_the_file_name_and_no_panic() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("svar.pdf"), b"%PDF-1.7 binary").expect("write");
    std::fs::write(dir.path().join("tom.csv"), b"").expect("write");
    std::fs::write(dir.path().join("header.csv"), b"id,svar\n").expect("write");
    std::fs::write(
        dir.path().join("garbage.csv"),
        [0xff, 0xfe, 0x00, 0xd8, 0x00, 0x00, 0x80, 0x81],
    )
    .expect("write");
    for (file, says) in [
        ("svar.pdf", "PDF"),
        ("tom.csv", "empty"),
        ("header.csv", "no data rows"),
        ("missing.csv", "missing.csv"),
    ] {
        let out = run_in(dir.path(), &["run", file]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(file) && err.contains(says), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
    let out = run_in(dir.path(), &["run", "garbage.csv"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn unknown_text_column_lists_the_columns() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("s.csv"), "id,svar\n1,hei\n").expect("write");
    let out = run_in(dir.path(), &["run", "s.csv", "--text-column", "tekst"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s.csv") && err.contains("id, svar"), "{err}");
}

#[test]
fn tiny_inputs_with_no_shared_words_run_without_themes() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("two.csv"),
        "svar\nKommunen lytter godt\nStaten bestemmer alt\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("one.csv"), "svar\nja\n").expect("write");
    for file in ["two.csv", "one.csv"] {
        let out_dir = format!("out-{file}");
        let out = ok_in(dir.path(), &["-q", "run", file, "-o", &out_dir]);
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.contains("0 themes"), "{summary}");
    }
}

#[test]
fn collection_names_cannot_reach_outside_the_corpus() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir(dir.path().join("important")).expect("mkdir");
    std::fs::write(dir.path().join("important/file.txt"), "precious").expect("write");
    std::fs::write(
        dir.path().join("a.csv"),
        "svar\nKommunen må lytte mer til innbyggerne\n",
    )
    .expect("write");
    ok_in(
        dir.path(),
        &[
            "ingest",
            "a.csv",
            "--corpus",
            "corpus",
            "--collection",
            "../important",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("important/file.txt")).expect("kept"),
        "precious"
    );
    assert!(dir.path().join("corpus/___important/responses.csv").exists());
    // A folder in the corpus that is not a collection is never replaced.
    std::fs::create_dir_all(dir.path().join("corpus/notes")).expect("mkdir");
    std::fs::write(dir.path().join("corpus/notes/mine.txt"), "mine").expect("write");
    let out = run_in(
        dir.path(),
        &["ingest", "a.csv", "--corpus", "corpus", "--collection", "notes"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a stemme collection"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("corpus/notes/mine.txt")).expect("kept"),
        "mine"
    );
}
