//! The seed corpus ingests to the expected counts, every line is accounted for, and the
//! committed `corpus/seed` is exactly what `stemme ingest` writes today.

use super::*;
use std::collections::BTreeSet;
use stemme::corpus::{SEED_BYTES, SEED_SOURCE};
use stemme::ingest::{ingest_bytes, IngestOptions};

fn seed() -> stemme::ingest::IngestedFile {
    let opts = IngestOptions {
        collection: Some("seed".into()),
        ..Default::default()
    };
    ingest_bytes(SEED_BYTES.to_vec(), SEED_SOURCE, Path::new(SEED_SOURCE), &opts).expect("seed ingests")
}

#[test]
fn seed_has_17_word_cloud_and_71_qa_responses_and_every_line_is_accounted_for() {
    let f = seed();
    let d = &f.data;
    assert_eq!(f.format, "mentimeter-text UTF-8");
    assert_eq!(d.total_lines, 103);
    assert_eq!(d.responses.len(), 88);
    assert_eq!(d.rejects.len(), 0);
    assert_eq!(d.structural_lines, 15);
    let cloud: Vec<_> = d.responses.iter().filter(|r| r.kinds == ["Ordsky"]).collect();
    assert_eq!(cloud.len(), 17);
    assert_eq!(cloud[0].text, "Spennende Komplekst");
    assert_eq!(cloud[0].line, 9);
    assert_eq!(cloud[16].text, "Overveldet");
    assert!(cloud
        .iter()
        .all(|r| r.question == "Ordsky: Hva er dine første refleksjoner?"));
    // The 71 Q&A rows sit on lines 30..=102 except the two blank lines inside the table.
    let qa_lines: BTreeSet<u64> = d
        .responses
        .iter()
        .filter(|r| r.kinds != ["Ordsky"])
        .map(|r| r.line)
        .collect();
    let expected: BTreeSet<u64> = (30..=102).filter(|l| *l != 49 && *l != 67).collect();
    assert_eq!(qa_lines, expected);
    // Lines are distinct and cover 103 minus the structural ones.
    let all: BTreeSet<u64> = d.responses.iter().map(|r| r.line).collect();
    assert_eq!(all.len(), 88);
    assert!(d.balanced());
}

#[test]
fn qa_rows_keep_kind_answer_and_flattened_labels() {
    let f = seed();
    let by_line = |l: u64| {
        f.data
            .responses
            .iter()
            .find(|r| r.line == l)
            .expect("line has a response")
    };
    let r = by_line(30);
    assert_eq!(r.id, "seed-0030");
    assert_eq!(r.text, "Hvordan skal det forankres i alle ledd");
    assert_eq!(r.kinds, ["Spørsmål"]);
    assert_eq!(r.labels, ["Forankring"]);
    assert!(r.answer.starts_with("For den delen av prosjektet"));
    assert!(r.question.starts_with("Question 1: Er det behov/utfordringer"));
    let merged = by_line(62);
    assert_eq!(
        merged.kinds,
        [
            "Spørsmål",
            "Innspill",
            "Innspill/spørsmål",
            "Spørsmål",
            "Innspill"
        ]
    );
    assert_eq!(
        merged.labels,
        ["Metode", "Metode", "Metode", "Metode", "Oppdraget"]
    );
    assert_eq!(merged.main_label(), Some("Metode"));
    assert!(by_line(101).labels.is_empty());
    assert_eq!(by_line(66).answer, "");
}

/// Runs `stemme ingest` on the committed seed original into `<dir>/corpus/seed`.
fn ingest_seed(dir: &Path) {
    let seed_file = repo().join("corpus/seed/original").join(SEED_SOURCE);
    let seed_file = seed_file.to_str().expect("utf-8 path");
    ok_in(
        dir,
        &["ingest", seed_file, "--collection", "seed", "--corpus", "corpus"],
    );
}

#[test]
fn committed_seed_corpus_is_what_ingest_writes() {
    let dir = tempfile::tempdir().expect("temp");
    let corpus = dir.path().join("corpus");
    ingest_seed(dir.path());
    for file in [
        "responses.csv",
        "responses.jsonl",
        "rejects.csv",
        "original/000_979cbf6dc38295de.txt",
    ] {
        let fresh = std::fs::read(corpus.join("seed").join(file)).expect("written");
        let committed = std::fs::read(repo().join("corpus/seed").join(file)).expect("committed");
        assert!(
            fresh == committed,
            "corpus/seed/{file} is stale: re-run `stemme ingest` (see corpus/README.md)"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(corpus.join("seed/manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["counts"]["responses"], 88);
    assert_eq!(manifest["counts"]["total_lines"], 103);
    assert_eq!(
        manifest["inputs"][0]["sha256"],
        stemme::corpus::sha256_hex(SEED_BYTES).as_str()
    );
    // Re-ingesting an unchanged file is idempotent, to the byte.
    let before = std::fs::read(corpus.join("seed/manifest.json")).expect("manifest");
    ingest_seed(dir.path());
    assert_eq!(
        before,
        std::fs::read(corpus.join("seed/manifest.json")).expect("manifest")
    );
}

#[test]
fn responses_csv_round_trips_through_a_csv_reader() {
    let dir = tempfile::tempdir().expect("temp");
    ingest_seed(dir.path());
    let (header, rows) = read_csv(&dir.path().join("corpus/seed/responses.csv"));
    assert_eq!(
        header,
        [
            "id",
            "collection",
            "source",
            "line",
            "question",
            "kinds",
            "answer",
            "labels",
            "text"
        ]
    );
    let f = seed();
    assert_eq!(rows.len(), f.data.responses.len());
    for (row, r) in rows.iter().zip(&f.data.responses) {
        assert_eq!(row[0], r.id);
        assert_eq!(row[8], r.text);
        assert_eq!(row[7], r.labels.join(" | "));
    }
}

#[test]
fn semicolon_windows_1252_csv_with_a_text_column() {
    let dir = tempfile::tempdir().expect("temp");
    let text = "id;kommune;svar\r\n1;Bergen;Kommunen må lytte til innbyggerne i nærmiljøet\r\n2;Oslo;\r\n3;Tromsø;Staten bør ta ansvar for hele landet\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    std::fs::write(dir.path().join("svar.csv"), &bytes).expect("write");
    let out = ok_in(dir.path(), &["ingest", "svar.csv", "--text-column", "svar"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("4 lines = 2 responses + 1 rejected + 1 structural"),
        "{stdout}"
    );
    assert!(stdout.contains("';' windows-1252"), "{stdout}");
    let (header, rows) = read_csv(&dir.path().join("corpus/svar/responses.csv"));
    assert_eq!(header.last().map(String::as_str), Some("meta.kommune"));
    assert_eq!(rows[0][8], "Kommunen må lytte til innbyggerne i nærmiljøet");
    assert_eq!(header[9..], ["meta.id", "meta.kommune"]);
    assert_eq!(rows[1][10], "Tromsø");
    let (_, rejects) = read_csv(&dir.path().join("corpus/svar/rejects.csv"));
    assert_eq!(
        rejects,
        [[
            "svar.csv",
            "",
            "3",
            "empty-text",
            "column \"svar\" is empty",
            "2 | Oslo | "
        ]]
    );
}

#[test]
fn personal_data_is_masked_before_the_corpus() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("p.csv"),
        "svar\nRing meg på 912 34 567 eller skriv til ola@example.no\n",
    )
    .expect("write");
    ok_in(dir.path(), &["ingest", "p.csv"]);
    let (_, rows) = read_csv(&dir.path().join("corpus/p/responses.csv"));
    assert_eq!(rows[0][8], "Ring meg på [tlf] eller skriv til [e-post]");
    let manifest = std::fs::read_to_string(dir.path().join("corpus/p/manifest.json")).expect("manifest");
    assert!(
        manifest.contains("\"phone\": 1") && manifest.contains("\"email\": 1"),
        "{manifest}"
    );
    ok_in(
        dir.path(),
        &["ingest", "p.csv", "--keep-personal", "--collection", "kept"],
    );
    let (_, rows) = read_csv(&dir.path().join("corpus/kept/responses.csv"));
    assert!(rows[0][8].contains("912 34 567"));
}

#[test]
fn mojibake_is_repaired_and_counted() {
    let dir = tempfile::tempdir().expect("temp");
    let good = "Kommunen må høre på innbyggerne";
    let broken: String = encoding_rs::WINDOWS_1252.decode(good.as_bytes()).0.into();
    std::fs::write(
        dir.path().join("m.csv"),
        format!("svar\n{broken}\nHelt vanlig svar her\n"),
    )
    .expect("write");
    let out = ok_in(dir.path(), &["ingest", "m.csv"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("mojibake repaired in 1 texts"));
    let (_, rows) = read_csv(&dir.path().join("corpus/m/responses.csv"));
    assert_eq!(rows[0][8], good);
    assert_eq!(rows[1][8], "Helt vanlig svar her");
    let manifest = std::fs::read_to_string(dir.path().join("corpus/m/manifest.json")).expect("manifest");
    assert!(manifest.contains("\"mojibake_repaired\": 1"), "{manifest}");
}

#[test]
fn rejected_rows_keep_no_personal_data_in_their_excerpts() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "Respondent ID,E-postadresse,Navn,Hva mener du om kommunen?\n\
1,kari@example.no,Kari Nordmann,Kommunen må lytte mer til innbyggerne sine\n\
2,per@example.no,Per Hansen,\n\
3,ola@example.no,Ola Olsen,For mange felt her,ekstra,ring 912 34 567\n";
    std::fs::write(dir.path().join("p.csv"), csv).expect("write");
    ok_in(dir.path(), &["-q", "run", "p.csv", "-k", "1"]);
    ok_in(dir.path(), &["ingest", "p.csv"]);
    for file in [
        "out/report.html",
        "out/report.json",
        "out/report.md",
        "corpus/p/rejects.csv",
        "corpus/p/responses.csv",
    ] {
        let text = std::fs::read_to_string(dir.path().join(file)).expect(file);
        for personal in [
            "example.no",
            "Per Hansen",
            "Ola Olsen",
            "Kari Nordmann",
            "912 34 567",
        ] {
            assert!(!text.contains(personal), "{personal} leaked into {file}");
        }
    }
    let (_, rejects) = read_csv(&dir.path().join("corpus/p/rejects.csv"));
    assert_eq!(rejects.len(), 2, "{rejects:?}");
}
