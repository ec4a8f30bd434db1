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
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["stem"], "kommun");
    assert_eq!(rows[1]["stopword"], true);
    assert_eq!(rows[2]["stem"], "spenn");
    assert_eq!(rows[2]["display"], "spennende");
    assert_eq!(rows[3]["scope"], "local");
    assert_eq!(rows[3]["evidence"][0], "Kommunene: local (kommune)");
}

#[test]
fn analyze_shows_the_scope_and_its_evidence() {
    let out = ok_in(
        Path::new("."),
        &["analyze", "I stedet for staten må Bergen kommune ta ansvaret"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("scope: both"), "{text}");
    for line in [
        "staten: national (stat)",
        "Bergen: local (place: kommune)",
        "kommune: local (kommune)",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
}

#[test]
fn a_scope_lexicon_adds_markers_and_a_bad_one_names_file_and_row() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "svar\nVelforeningen trenger en møteplass\nHytta ligger i Myrkdalen\nSpennende\n";
    std::fs::write(dir.path().join("s.csv"), csv).expect("write");
    std::fs::write(
        dir.path().join("mine.txt"),
        "local\tvelforening\nplace\tMyrkdalen\n",
    )
    .expect("write");
    ok_in(
        dir.path(),
        &[
            "-q",
            "run",
            "s.csv",
            "--text-column",
            "svar",
            "--scope-lexicon",
            "mine.txt",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("out/responses.csv"));
    let scope = header.iter().position(|h| h == "scope").expect("scope");
    let scopes: Vec<&str> = rows.iter().map(|r| r[scope].as_str()).collect();
    assert_eq!(scopes, ["local", "local", "unspecified"]);
    std::fs::write(
        dir.path().join("mine.txt"),
        "local\tvelforening\nlokal\tgrendelag\n",
    )
    .expect("write");
    let bad = run_in(
        dir.path(),
        &[
            "-q",
            "run",
            "s.csv",
            "--text-column",
            "svar",
            "--scope-lexicon",
            "mine.txt",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("mine.txt, row 2") && err.contains("lokal"), "{err}");
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

#[test]
fn scope_column_must_exist_maps_values_strictly_and_empty_cells_fall_back_to_the_markers() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "nivå,svar\nnasjonal,Vi trenger bedre veier i hele landet\n,Lokalsamfunnet trenger en møteplass\nregional,Kommunen må lytte mer til oss\nB,Staten og kommunen må samarbeide\nregional,Fylket bør ta ansvar for bussen\n";
    std::fs::write(dir.path().join("s.csv"), csv).expect("write");
    let missing = run_in(
        dir.path(),
        &["run", "s.csv", "--text-column", "svar", "--scope-column", "nope"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nivå"));
    let out = ok_in(
        dir.path(),
        &[
            "-q",
            "run",
            "s.csv",
            "--text-column",
            "svar",
            "--scope-column",
            "nivå",
            "-k",
            "1",
        ],
    );
    let (header, rows) = read_csv(&dir.path().join("out/responses.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (scope, evidence) = (col("scope"), col("scope_evidence"));
    let scopes: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[scope].as_str(), r[evidence].as_str()))
        .collect();
    // The input's own columns are kept, as meta.<column>.
    let levels: Vec<&str> = rows.iter().map(|r| r[col("meta.nivå")].as_str()).collect();
    assert_eq!(levels[0], "nasjonal");
    assert_eq!(
        scopes,
        [
            ("national", "column nivå=nasjonal"),
            ("local", "Lokalsamfunnet: local (lokal)"),
            ("unspecified", "column nivå=regional (not a scope value)"),
            ("unspecified", "column nivå=B (not a scope value)"),
            ("unspecified", "column nivå=regional (not a scope value)"),
        ]
    );
    // Unknown values are reported with their counts, in the summary and the report.
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("decided by column nivå for 4, by the marker lexicon for 1"),
        "{summary}"
    );
    assert!(summary.contains("\"regional\" ×2, \"B\" ×1"), "{summary}");
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).expect("md");
    assert!(md.contains("decided by the column `nivå` for 4 responses and by the marker lexicon for 1"));
    assert!(
        md.contains("3 responses have values that are not a scope (\"regional\" 2, \"B\" 1)"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).expect("json"))
            .expect("parses");
    let decision = &json["comparison"]["scope_decision"];
    assert_eq!(decision["by_column"], 4);
    assert_eq!(
        decision["unknown_values"][0],
        serde_json::json!({"value": "regional", "count": 2})
    );
}

#[test]
fn metadata_columns_are_searched_by_a_plain_key_and_unknown_ones_are_an_error() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "Kommune,Alder gruppe,svar\nLom,18-29,Vi trenger flere møteplasser for unge\nVågå,30-49,Kommunen må lytte mer til innbyggerne\n";
    std::fs::write(dir.path().join("m.csv"), csv).expect("write");
    ok_in(
        dir.path(),
        &["-q", "run", "m.csv", "--text-column", "svar", "-k", "1"],
    );
    let out = ok_in(
        dir.path(),
        &["search", "meta.kommune:lom AND meta.alder_gruppe:18-29", "--json"],
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2, "one hit and the summary");
    assert_eq!(
        lines[1]["facets"]["meta.kommune"][0],
        serde_json::json!(["Lom", 1])
    );
    let unknown = run_in(dir.path(), &["search", "meta.fylke:innlandet"]);
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("meta.alder_gruppe") && err.contains("meta.kommune"),
        "{err}"
    );
}
