//! The seed corpus ingests to the expected counts, every line is accounted for, and the
//! committed `corpus/seed` is exactly what `stemme ingest` writes today.

use super::*;
use std::collections::BTreeSet;
use std::process::Output;
use stemme::corpus::{SEED_BYTES, SEED_PATH, SEED_SOURCE};
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
    let cloud: Vec<_> = d.responses.iter().filter(|r| *r.kinds == ["Ordsky"]).collect();
    assert_eq!(cloud.len(), 17);
    assert_eq!(&*cloud[0].text, "Spennende Komplekst");
    assert_eq!(cloud[0].line, 9);
    assert_eq!(&*cloud[16].text, "Overveldet");
    assert!(cloud
        .iter()
        .all(|r| &*r.question == "Ordsky: Hva er dine første refleksjoner?"));
    // The 71 Q&A rows sit on lines 30..=102 except the two blank lines inside the table.
    let qa_lines: BTreeSet<u64> = d
        .responses
        .iter()
        .filter(|r| *r.kinds != ["Ordsky"])
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
    assert_eq!(&*r.id, "seed-0030");
    assert_eq!(&*r.text, "Hvordan skal det forankres i alle ledd");
    assert_eq!(*r.kinds, ["Spørsmål"]);
    assert_eq!(*r.labels, ["Forankring"]);
    assert!(r.answer.starts_with("For den delen av prosjektet"));
    assert!(r.question.starts_with("Question 1: Er det behov/utfordringer"));
    let merged = by_line(62);
    assert_eq!(
        *merged.kinds,
        [
            "Spørsmål",
            "Innspill",
            "Innspill/spørsmål",
            "Spørsmål",
            "Innspill"
        ]
    );
    assert_eq!(
        *merged.labels,
        ["Metode", "Metode", "Metode", "Metode", "Oppdraget"]
    );
    assert_eq!(merged.main_label(), Some("Metode"));
    assert!(by_line(101).labels.is_empty());
    assert_eq!(&*by_line(66).answer, "");
}

/// Runs `stemme ingest` on the committed seed input, from the repository root as
/// `corpus/README.md` says, into `<dir>/corpus/seed`.
fn ingest_seed(dir: &Path) -> Output {
    let corpus = dir.join("corpus");
    let corpus = corpus.to_str().expect("utf-8 path");
    ok_in(
        &repo(),
        &["ingest", SEED_PATH, "--collection", "seed", "--corpus", corpus],
    )
}

/// The files of a folder, relative to it, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("folder").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            out.extend(files_in(&e.path()).into_iter().map(|f| format!("{name}/{f}")));
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

fn manifest_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest")).expect("json")
}

#[test]
fn committed_seed_corpus_is_what_ingest_writes() {
    let dir = tempfile::tempdir().expect("temp");
    let corpus = dir.path().join("corpus");
    ingest_seed(dir.path());
    let fresh = corpus.join("seed");
    let committed = repo().join("corpus/seed");
    assert_eq!(
        files_in(&fresh),
        ["manifest.json", "rejects.csv", "responses.csv", "responses.jsonl"],
        "no unmasked copy of the input by default"
    );
    assert_eq!(files_in(&fresh), files_in(&committed));
    for file in ["responses.csv", "responses.jsonl", "rejects.csv"] {
        assert!(
            std::fs::read(fresh.join(file)).expect("written")
                == std::fs::read(committed.join(file)).expect("committed"),
            "corpus/seed/{file} is stale: re-run `stemme ingest` (see corpus/README.md)"
        );
    }
    // The manifest too, but for the date it was first written.
    let (mut fresh_m, mut committed_m) = (manifest_json(&fresh), manifest_json(&committed));
    fresh_m["created"] = serde_json::Value::Null;
    committed_m["created"] = serde_json::Value::Null;
    assert_eq!(fresh_m, committed_m, "corpus/seed/manifest.json is stale");
    assert_eq!(fresh_m["counts"]["responses"], 88);
    assert_eq!(fresh_m["counts"]["total_lines"], 103);
    assert_eq!(fresh_m["schema_version"], 2);
    assert_eq!(fresh_m["inputs"][0]["path"], SEED_PATH);
    assert_eq!(
        fresh_m["inputs"][0]["sha256"],
        stemme::corpus::sha256_hex(SEED_BYTES).as_str()
    );
    // Re-ingesting an unchanged file is idempotent, to the byte.
    let before = std::fs::read(fresh.join("manifest.json")).expect("manifest");
    let out = ingest_seed(dir.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("(unchanged)"));
    assert_eq!(
        before,
        std::fs::read(fresh.join("manifest.json")).expect("manifest")
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
        assert_eq!(row[0], *r.id);
        assert_eq!(row[8], *r.text);
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

/// A small deterministic generator (64-bit LCG) for the generated test sets.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }
}

/// Writes `digits` in one of the ways people write them, by `form`.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0xff10 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

fn fnr_form(rng: &mut Lcg, d: &str) -> String {
    let (a, b) = d.split_at(6);
    match rng.next(11) {
        9 => format!("{a} {} {}", &b[..3], &b[3..]),
        10 => format!("fnr.{d}"),
        0 => d.to_string(),
        1 => format!("{a} {b}"),
        2 => format!("{a}-{b}"),
        3 => format!("{a}\u{a0}{b}"),
        4 => format!("{a}\u{2009}{b}"),
        5 => format!("{}.{}.{} {b}", &a[..2], &a[2..4], &a[4..]),
        6 => full_width(d),
        7 => format!("fnr{d}"),
        _ => format!("{a}\u{2011}{b}"),
    }
}

fn phone_form(rng: &mut Lcg, d: &str) -> String {
    let g = |parts: &[usize], sep: &str| {
        let mut out = Vec::new();
        let mut at = 0;
        for p in parts {
            out.push(&d[at..at + p]);
            at += p;
        }
        out.join(sep)
    };
    match rng.next(22) {
        18 => format!("tel:+47{d}"),
        19 => format!("mob.nr. {}", g(&[3, 2, 3], " ")),
        20 => format!("{d}/{}", g(&[2, 2, 2, 2], " ")),
        21 => format!("+47 {}", g(&[2, 2, 2, 2], ".")),
        0 => d.to_string(),
        1 => g(&[3, 2, 3], " "),
        2 => g(&[2, 2, 2, 2], " "),
        3 => format!("+47 {}", g(&[3, 2, 3], " ")),
        4 => format!("+47{d}"),
        5 => format!("0047 {d}"),
        6 => format!("+47-{}", g(&[3, 2, 3], "-")),
        7 => g(&[3, 2, 3], "-"),
        8 => g(&[2, 2, 2, 2], "."),
        9 => format!("(+47) {d}"),
        10 => format!("47{d}"),
        11 => format!("tlf{d}"),
        12 => format!("tlf. {}", g(&[3, 2, 3], " ")),
        13 => g(&[4, 4], " "),
        14 => g(&[3, 2, 3], "\u{a0}"),
        15 => g(&[2, 2, 2, 2], "\u{2009}"),
        16 => full_width(d),
        _ => format!("+47\u{a0}{}", g(&[2, 2, 2, 2], "\u{a0}")),
    }
}

/// Masking recall per kind and false positives, on 4,000 generated sentences: valid
/// fnr and D-numbers (correct check digits), phone numbers and e-mail addresses in
/// the forms people write them, and sentences with numbers that are not personal
/// (amounts with currency words, dates, times, years, postal codes, organisation and
/// account numbers, invalid fnr). The figures are printed (`--nocapture`).
#[test]
fn masking_recall_and_false_positives_on_generated_sentences() {
    use stemme::ingest::mask::{make_fnr, mask};
    let mut rng = Lcg(2024);
    let before = [
        "Mitt nummer er ",
        "Kontakt meg på ",
        "Du når meg på ",
        "Ring ",
        "Fnr: ",
        "Send svar til ",
        "Spør etter meg (",
        "Jeg har ",
        "",
    ];
    let after = [
        ".",
        " hvis noe er uklart",
        ", takk!",
        ")",
        " – helst etter kl. 16.",
        "",
        "\n",
        " i kveld",
    ];
    let mut stats: Vec<(&str, usize, usize)> = vec![
        ("fnr", 0, 0),
        ("d-number", 0, 0),
        ("phone", 0, 0),
        ("e-mail", 0, 0),
    ];
    let mut misses: Vec<String> = Vec::new();
    let mut sentences = 0;
    for i in 0..3_000 {
        let kind = i % 4;
        let (value, digits_left) = match kind {
            0 | 1 => {
                let fnr = loop {
                    let day = 1 + rng.next(28) + if kind == 1 { 40 } else { 0 };
                    let date = format!("{day:02}{:02}{:02}", 1 + rng.next(12), rng.next(100));
                    if let Some(f) = make_fnr(&date, &format!("{:03}", rng.next(1000))) {
                        break f;
                    }
                };
                (fnr_form(&mut rng, &fnr), fnr[6..].to_string())
            }
            2 => {
                let first = rng.pick(&["2", "3", "4", "5", "6", "7", "9"]);
                let d = format!("{first}{:07}", rng.next(10_000_000));
                (phone_form(&mut rng, &d), d[3..].to_string())
            }
            _ => {
                let user = rng.pick(&[
                    "ola",
                    "kari.nordmann",
                    "Per.Hansen",
                    "åse-marie",
                    "post+svar",
                    "x_y",
                ]);
                let domain = rng.pick(&[
                    "kommune.no",
                    "EXAMPLE.COM",
                    "epost.bergen.kommune.no",
                    "hotmail.com",
                ]);
                (format!("{user}{}@{domain}", rng.next(100)), format!("@{domain}"))
            }
        };
        let text = format!("{}{value}{}", rng.pick(&before), rng.pick(&after));
        sentences += 1;
        let (masked, counts) = mask(&text);
        let counted = [counts.fnr, counts.fnr, counts.phone, counts.email][kind] >= 1;
        let leaked = masked.contains(digits_left.as_str()) || masked.contains(&full_width(&digits_left));
        stats[kind].1 += 1;
        if counted && !leaked {
            stats[kind].2 += 1;
        } else if misses.len() < 20 {
            misses.push(format!("{text:?} → {masked:?}"));
        }
    }
    let negatives: Vec<String> = (0..1_000)
        .map(|_| {
            let n8 = format!("{}{:07}", 2 + rng.next(8), rng.next(10_000_000));
            let fnr = loop {
                if let Some(f) = make_fnr(
                    &format!(
                        "{:02}{:02}{:02}",
                        1 + rng.next(28),
                        1 + rng.next(12),
                        rng.next(100)
                    ),
                    "123",
                ) {
                    break f;
                }
            };
            let bad_fnr = format!("{}{}", &fnr[..10], (fnr.as_bytes()[10] - b'0' + 1) % 10);
            let year = 1990 + rng.next(40);
            match rng.next(16) {
                0 => format!("Prosjektet kostet {n8} kroner i fjor."),
                1 => format!(
                    "Budsjettet er på {} {:03} {:03} kr.",
                    1 + rng.next(99),
                    rng.next(1000),
                    rng.next(1000)
                ),
                2 => format!("NOK {n8} ble bevilget"),
                3 => format!("Rammen er {n8} kr, og {} mill. til drift.", rng.next(500)),
                4 => format!(
                    "Møtet er {:02}.{:02}.{year} kl. {}.00",
                    1 + rng.next(28),
                    1 + rng.next(12),
                    8 + rng.next(10)
                ),
                5 => format!("Frist {year}-{:02}-{:02}", 1 + rng.next(12), 1 + rng.next(28)),
                6 => format!("Fra {year} til {}", year + 1 + rng.next(5)),
                7 => format!(
                    "Åpent kl. {}.00-{}.00 hver dag",
                    8 + rng.next(4),
                    16 + rng.next(6)
                ),
                8 => format!("Postnummer {:04} Oslo", rng.next(10_000)),
                9 => format!(
                    "Org.nr. {} {:03} {:03}",
                    800 + rng.next(200),
                    rng.next(1000),
                    rng.next(1000)
                ),
                10 => format!(
                    "Konto {:04}.{:02}.{:05}",
                    1000 + rng.next(9000),
                    rng.next(100),
                    rng.next(100_000)
                ),
                11 => format!("Nummeret {bad_fnr} er ugyldig"),
                12 => format!(
                    "Det bor {} {:03} innbyggere her",
                    1 + rng.next(99),
                    rng.next(1000)
                ),
                13 => format!(
                    "Dato {year}{:02}{:02} i arkivet",
                    1 + rng.next(12),
                    1 + rng.next(28)
                ),
                14 => format!("{n8} kroner til skole og {} % til helse", rng.next(100)),
                15 if rng.next(2) == 0 => format!("Tilbudet lød på {n8},- eks. mva."),
                _ => format!(
                    "Sak {year}/{:05} og versjon {}.{}.{}",
                    rng.next(100_000),
                    rng.next(10),
                    rng.next(10),
                    rng.next(10)
                ),
            }
        })
        .collect();
    sentences += negatives.len();
    let false_positives: Vec<&String> = negatives.iter().filter(|t| mask(t).0 != **t).collect();
    eprintln!("masking on {sentences} generated sentences:");
    for (kind, n, hit) in &stats {
        eprintln!(
            "  {kind:<9} recall {hit}/{n} = {:.1} %",
            100.0 * *hit as f64 / *n as f64
        );
    }
    eprintln!(
        "  false positives {}/{} = {:.1} % ({:?})",
        false_positives.len(),
        negatives.len(),
        100.0 * false_positives.len() as f64 / negatives.len() as f64,
        false_positives.iter().take(5).collect::<Vec<_>>()
    );
    eprintln!("  misses: {misses:#?}");
    assert!(sentences >= 3_000);
    for (kind, n, hit) in &stats {
        assert!(
            *hit as f64 >= 0.99 * *n as f64,
            "{kind}: {hit}/{n}; misses {misses:#?}"
        );
    }
    assert!(
        false_positives.len() * 100 <= negatives.len(),
        "{false_positives:#?}"
    );
}

#[test]
fn the_corpus_keeps_the_original_only_when_asked_and_warns() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("p.csv"),
        "svar\nRing meg på 912 34 567 hilsen Kari\n",
    )
    .expect("write");
    ok_in(dir.path(), &["ingest", "p.csv"]);
    let coll = dir.path().join("corpus/p");
    assert_eq!(
        files_in(&coll),
        ["manifest.json", "rejects.csv", "responses.csv", "responses.jsonl"]
    );
    let m = manifest_json(&coll);
    assert_eq!(m["inputs"][0]["path"], "p.csv");
    assert_eq!(m["inputs"][0]["bytes"], 41);
    assert!(m["inputs"][0].get("original").is_none());
    for file in files_in(&coll) {
        let text = std::fs::read_to_string(coll.join(&file)).expect("text");
        assert!(!text.contains("912 34 567"), "{file} holds the number");
    }
    let out = ok_in(
        dir.path(),
        &["ingest", "p.csv", "--keep-original", "--collection", "kept"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning:") && err.contains("keeps an unmasked copy of p.csv"),
        "{err}"
    );
    let kept = dir.path().join("corpus/kept");
    assert_eq!(
        std::fs::read(kept.join("original/p.csv")).expect("original"),
        std::fs::read(dir.path().join("p.csv")).expect("input")
    );
    assert_eq!(manifest_json(&kept)["inputs"][0]["original"], true);
}

#[test]
fn a_second_file_with_the_same_name_does_not_replace_the_first() {
    let dir = tempfile::tempdir().expect("temp");
    for (sub, text) in [
        ("a", "Første fil sitt svar her"),
        ("b", "Andre fil sitt svar her"),
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("dir");
        std::fs::write(dir.path().join(sub).join("svar.csv"), format!("svar\n{text}\n")).expect("write");
    }
    ok_in(dir.path(), &["ingest", "a/svar.csv"]);
    let out = run_in(dir.path(), &["ingest", "b/svar.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already holds the collection of another file (a/svar.csv)")
            && err.contains("--collection NAME")
            && err.contains("--replace"),
        "{err}"
    );
    let (_, rows) = read_csv(&dir.path().join("corpus/svar/responses.csv"));
    assert_eq!(rows[0][8], "Første fil sitt svar her");
    // A new version of the same file replaces it; so does --replace for another file.
    std::fs::write(dir.path().join("a/svar.csv"), "svar\nFørste fil med nytt svar\n").expect("write");
    let out = ok_in(dir.path(), &["ingest", "a/svar.csv"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(replaced)"));
    ok_in(dir.path(), &["ingest", "b/svar.csv", "--replace"]);
    let (_, rows) = read_csv(&dir.path().join("corpus/svar/responses.csv"));
    assert_eq!(rows[0][8], "Andre fil sitt svar her");
}

#[test]
fn a_locked_corpus_is_refused_and_stale_temporaries_are_removed() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("s.csv"), "svar\nEt svar om skolen\n").expect("write");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join(".stemme-tmp-s-999999/original")).expect("stale");
    std::fs::create_dir_all(corpus.join(".s.old-4242")).expect("stale, older layout");
    let lock = std::fs::File::create(corpus.join(stemme::corpus::LOCK_FILE)).expect("lock file");
    lock.try_lock().expect("lock");
    let out = run_in(dir.path(), &["ingest", "s.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another stemme is writing to this corpus"), "{err}");
    assert!(!corpus.join("s").exists());
    lock.unlock().expect("unlock");
    ok_in(dir.path(), &["ingest", "s.csv"]);
    let mut names: Vec<String> = std::fs::read_dir(&corpus)
        .expect("corpus")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".stemme-lock", "s"]);
}

#[test]
fn a_replaced_collection_is_never_missing() {
    use stemme::corpus::{Corpus, WriteOptions};
    use stemme::ingest::ingest_bytes;
    let dir = tempfile::tempdir().expect("temp");
    let corpus = Corpus::open(dir.path()).expect("corpus");
    let version = |n: usize| {
        let text = format!("svar\nVersjon {n} av svaret her\n");
        ingest_bytes(
            text.into_bytes(),
            "v.csv",
            Path::new("v.csv"),
            &IngestOptions::default(),
        )
        .expect("ingests")
    };
    corpus
        .write_collection(&version(0), WriteOptions::default())
        .expect("first");
    let manifest = dir.path().join("v/manifest.json");
    let stop = std::sync::atomic::AtomicBool::new(false);
    let missing = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let mut missing = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                missing += usize::from(!manifest.exists());
            }
            missing
        });
        for n in 1..60 {
            corpus
                .write_collection(&version(n), WriteOptions::default())
                .expect("replace");
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        watcher.join().expect("watcher")
    });
    assert_eq!(missing, 0, "the collection was missing {missing} times");
    let (_, rows) = read_csv(&dir.path().join("v/responses.csv"));
    assert_eq!(rows[0][8], "Versjon 59 av svaret her");
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_quoted_and_jsonl_is_faithful() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("f.csv"),
        "svar;kode\n\"=HYPERLINK(\"\"http://x.example\"\",\"\"klikk\"\")\";@SUM(A1)\nVanlig svar om skolen;-12\n=1+1;x;y\n",
    )
    .expect("write");
    ok_in(dir.path(), &["ingest", "f.csv", "--text-column", "svar"]);
    let (_, rows) = read_csv(&dir.path().join("corpus/f/responses.csv"));
    assert_eq!(rows[0][8], "'=HYPERLINK(\"http://x.example\",\"klikk\")");
    assert_eq!(rows[0][9], "'@SUM(A1)");
    assert_eq!(
        (rows[1][8].as_str(), rows[1][9].as_str()),
        ("Vanlig svar om skolen", "-12")
    );
    let (_, rejects) = read_csv(&dir.path().join("corpus/f/rejects.csv"));
    assert_eq!(rejects[0][5], "'=1+1 | x | y");
    let jsonl = std::fs::read_to_string(dir.path().join("corpus/f/responses.jsonl")).expect("jsonl");
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().expect("line")).expect("json");
    assert_eq!(first["text"], "=HYPERLINK(\"http://x.example\",\"klikk\")");
    assert_eq!(first["meta"]["kode"], "@SUM(A1)");
    ok_in(dir.path(), &["corpus", "export", "-o", "all.csv"]);
    let (_, rows) = read_csv(&dir.path().join("all.csv"));
    assert!(rows[0][8].starts_with("'="));
}

#[test]
fn personal_data_is_masked_in_headers_metadata_questions_labels_and_excerpts() {
    use super::sheets::xlsx_raw;
    let fnr = (100..200)
        .find_map(|i| stemme::ingest::mask::make_fnr("010190", &i.to_string()))
        .expect("valid");
    let dir = tempfile::tempdir().expect("temp");
    // An fnr stored as a number (its leading zero dropped), a phone number in a header.
    let book = xlsx_raw(
        &format!(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>{}</v></c><c r=\"B2\" t=\"s\"><v>2</v></c></row>",
            &fnr[1..]
        ),
        "",
        &["Fødselsnummer".into(), "Ring 912 34 567: hva mener du?".into(), "Kommunen må bli bedre på skole".into()],
    );
    std::fs::write(dir.path().join("b.xlsx"), book).expect("write");
    // Mentimeter: a phone number in a slide title, an e-mail address in a label.
    let menti = "Date\n\nQuestion 1: Spørsmål til 41234567?\n\n\tTema\tSvar\tTema undergrupper\n\
Hvordan blir det?\tSpørsmål\tSvar til kari@example.no\tper@example.no\n";
    std::fs::write(dir.path().join("m.txt"), menti).expect("write");
    // A reject whose row is cut in the middle of a number.
    let row = format!("{}ring {}", "ord ".repeat(78), "912 34 567");
    std::fs::write(
        dir.path().join("r.csv"),
        format!("svar;nr\nEt svar her om skolen;1\n{row};2;3\n"),
    )
    .expect("write");
    ok_in(dir.path(), &["ingest", "b.xlsx", "m.txt", "r.csv"]);
    let mut all = String::new();
    for c in ["b", "m", "r"] {
        for file in files_in(&dir.path().join("corpus").join(c)) {
            all.push_str(
                &std::fs::read_to_string(dir.path().join("corpus").join(c).join(file)).expect("text"),
            );
        }
    }
    for personal in [&fnr[1..], "912 34 567", "34 567", "41234567", "example.no"] {
        assert!(!all.contains(personal), "{personal} leaked: {all}");
    }
    let (header, rows) = read_csv(&dir.path().join("corpus/b/responses.csv"));
    assert_eq!(header.last().map(String::as_str), Some("meta.Fødselsnummer"));
    assert_eq!(rows[0][4], "Ring [tlf]: hva mener du?");
    assert_eq!(rows[0].last().map(String::as_str), Some("[fnr]"));
    let (_, rows) = read_csv(&dir.path().join("corpus/m/responses.csv"));
    assert_eq!(rows[0][4], "Question 1: Spørsmål til [tlf]?");
    assert_eq!(
        (rows[0][6].as_str(), rows[0][7].as_str()),
        ("Svar til [e-post]", "[e-post]")
    );
}

/// Cases per property: 256 in the test suite (under a second); set `PROPTEST_CASES`
/// for a longer run by hand (`PROPTEST_CASES=20000 cargo test --release property`).
fn proptest_config() -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// A cell of a generated table: empty, a word or answer, a number, a personal number,
/// a formula, text with quotes, delimiters and line breaks, or any string at all.
fn cell() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just(String::new()),
        proptest::sample::select(vec![
            "Ja",
            "Nei",
            "Bergen",
            "18-29 år",
            "Mer lys langs skoleveien om vinteren",
            "Kommunen må lytte til innbyggerne",
            "ring 912 34 567",
            "ola@example.no",
            "=1+1",
            "\"sitat\", med komma; og semikolon",
            "to\nlinjer",
            "Respondent ID",
            "Voter",
        ])
        .prop_map(String::from),
        any::<u32>().prop_map(|n| n.to_string()),
        any::<String>(),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn property_arbitrary_bytes_never_panic_and_every_row_is_accounted_for(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
        zip in proptest::prelude::any::<bool>(),
    ) {
        // Half of the cases start as a zip container, to reach the spreadsheet readers.
        let bytes = if zip { [b"PK\x03\x04".as_slice(), &bytes].concat() } else { bytes };
        if let Ok(f) = ingest_bytes(bytes, "p.csv", Path::new("p.csv"), &IngestOptions::default()) {
            proptest::prop_assert!(f.data.balanced(), "{:?}", f.data);
        }
    }

    #[test]
    fn property_small_tables_never_panic_and_every_row_is_accounted_for(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..6), 1..12),
        delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'|']),
        spreadsheet in proptest::prelude::any::<bool>(),
    ) {
        let bytes = if spreadsheet {
            let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
            let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
            super::sheets::xlsx(&[super::sheets::sheet("Ark1", &slices)])
        } else {
            let mut w = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(Vec::new());
            for r in &rows {
                w.write_record(r).expect("csv");
            }
            w.into_inner().expect("csv")
        };
        let source = if spreadsheet { "t.xlsx" } else { "t.csv" };
        match ingest_bytes(bytes, source, Path::new(source), &IngestOptions::default()) {
            Ok(f) => {
                proptest::prop_assert!(f.data.balanced(), "{:?}", f.data);
                for r in &f.data.responses {
                    proptest::prop_assert!(!r.text.contains("912 34 567") && !r.text.contains("ola@"));
                }
            }
            Err(e) => proptest::prop_assert!(e.to_string().starts_with(source), "{e}"),
        }
    }

    #[test]
    fn property_masking_never_panics_is_stable_and_excerpts_never_cut_a_number(
        before in proptest::prelude::any::<String>(),
        after in proptest::prelude::any::<String>(),
        max in 1usize..120,
    ) {
        let text = format!("{before} ring 912 34 567 {after}");
        let (masked, counts) = stemme::ingest::mask::mask(&text);
        proptest::prop_assert!(counts.phone >= 1 && !masked.contains("34 567"), "{masked:?}");
        proptest::prop_assert_eq!(stemme::ingest::mask::mask(&masked).0, masked.clone());
        let excerpt = stemme::ingest::mask::excerpt(&text, max);
        // The number's last group may appear only if the surrounding text has it too
        // (`after = "567"` is text, not part of the number).
        let own_567 = before.contains("567") || after.contains("567");
        proptest::prop_assert!(!excerpt.contains("34 567") && (own_567 || !excerpt.contains("567")), "{excerpt:?}");
    }
}
