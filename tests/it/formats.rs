//! Every input format and quirk the ingest stage promises, each with a small fixture built
//! in the test: spreadsheets (sheet choice, header below row 1, merged cells), the known
//! survey exports with their metadata and personal columns, encodings and delimiters,
//! and broken inputs that must fail clearly and never panic.

use super::sheets::{ods, ods_raw, sheet, xlsx, xlsx_raw, Sheet};
use super::*;
use stemme::ingest::{ingest_bytes, IngestOptions, IngestedFile};

fn ingest(bytes: &[u8], source: &str, options: &IngestOptions) -> stemme::Result<IngestedFile> {
    let opts = IngestOptions {
        collection: Some("c".into()),
        ..options.clone()
    };
    ingest_bytes(bytes.to_vec(), source, Path::new(source), &opts)
}

fn ok(bytes: &[u8], source: &str) -> IngestedFile {
    let f = ingest(bytes, source, &IngestOptions::default()).expect("ingests");
    assert!(f.data.balanced(), "{source}: {:?}", f.data);
    f
}

fn texts(f: &IngestedFile) -> Vec<(&str, &str)> {
    f.data.responses.iter().map(|r| (&*r.id, &*r.text)).collect()
}

fn forms_sheet() -> Sheet<'static> {
    sheet(
        "Skjema1",
        &[
            &[
                "ID",
                "Starttidspunkt",
                "Fullføringstidspunkt",
                "E-postadresse",
                "Navn",
                "Alder",
                "Hva er viktigst for kommunen?",
            ],
            &[
                "1",
                "2024-03-01 10:00",
                "2024-03-01 10:05",
                "ola@example.no",
                "Ola Nordmann",
                "30-49",
                "Flere lærere i skolen og bedre veier",
            ],
            &[
                "2",
                "2024-03-01 11:00",
                "2024-03-01 11:02",
                "kari@example.no",
                "Kari Nordmann",
                "18-29",
                "Ring meg på 912 34 567 om barnehagen",
            ],
            &[
                "3",
                "2024-03-01 12:00",
                "2024-03-01 12:01",
                "per@example.no",
                "Per",
                "30-49",
                "",
            ],
        ],
    )
}

#[test]
fn microsoft_forms_xlsx_maps_metadata_and_drops_personal_columns() {
    let f = ok(&xlsx(&[forms_sheet()]), "skjema.xlsx");
    assert_eq!(f.format, "xlsx sheet \"Skjema1\" (1 of 1) microsoft-forms");
    assert_eq!(f.dropped_columns, ["E-postadresse", "Navn"]);
    assert_eq!(
        texts(&f),
        [
            ("c-0002", "Flere lærere i skolen og bedre veier"),
            ("c-0003", "Ring meg på [tlf] om barnehagen")
        ]
    );
    let r = &f.data.responses[0];
    assert_eq!(&*r.question, "Hva er viktigst for kommunen?");
    let keys: Vec<&str> = r.meta.keys().collect();
    assert_eq!(keys, ["Alder", "Fullføringstidspunkt", "ID", "Starttidspunkt"]);
    assert_eq!(&r.meta["Alder"], "30-49");
    assert_eq!(f.masked.phone, 1);
    let reject = &f.data.rejects[0];
    assert_eq!(
        (reject.sheet.as_str(), reject.line, reject.reason.as_str()),
        ("Skjema1", 4, "empty-text")
    );
    let kept = ingest(
        &xlsx(&[forms_sheet()]),
        "skjema.xlsx",
        &IngestOptions {
            keep_personal: true,
            ..Default::default()
        },
    )
    .expect("ingests");
    assert!(kept.dropped_columns.is_empty());
    assert_eq!(&kept.data.responses[0].meta["E-postadresse"], "ola@example.no");
}

#[test]
fn microsoft_forms_english_csv_is_recognised() {
    let csv = "ID,Start time,Completion time,Email,Name,What should the municipality do?\n7,1/3/24 10:00,1/3/24 10:04,anonymous,,Build more housing for young families\n";
    let f = ok(csv.as_bytes(), "forms.csv");
    assert_eq!(f.format, "delimited ',' UTF-8 microsoft-forms");
    assert_eq!(f.dropped_columns, ["Email", "Name"]);
    assert_eq!(texts(&f), [("c-0002", "Build more housing for young families")]);
    assert_eq!(&f.data.responses[0].meta["ID"], "7");
}

#[test]
fn xlsx_header_below_row_one_merged_cells_and_the_sheet_with_data() {
    let data = Sheet {
        name: "Data",
        rows: vec![
            vec!["Innbyggerundersøkelse 2024", "", ""],
            vec![],
            vec!["Kommune", "Aldersgruppe", "Kommentar"],
            vec!["Bergen", "18-29", "Vi trenger flere møteplasser for ungdom"],
            vec!["", "30-49", "Bussen går for sjelden om kvelden"],
            vec!["Oslo", "30-49", "Det tar for lang tid å få legetime"],
        ],
        merges: vec!["A1:C1", "A4:A5"],
    };
    let book = xlsx(&[sheet("Info", &[&["Eksportert av kommunen"]]), data]);
    let f = ok(&book, "svar.xlsx");
    assert_eq!(f.sheet.as_deref(), Some("Data"));
    assert_eq!(f.format, "xlsx sheet \"Data\" (2 of 2)");
    let rows: Vec<(u64, &str)> = f
        .data
        .responses
        .iter()
        .map(|r| (r.line, &r.meta["Kommune"]))
        .collect();
    assert_eq!(rows, [(4, "Bergen"), (5, "Bergen"), (6, "Oslo")]);
    assert_eq!(&*f.data.responses[0].question, "Kommentar");
    assert_eq!((f.data.total_lines, f.data.structural_lines), (6, 3));
    let err = ingest(
        &book,
        "svar.xlsx",
        &IngestOptions {
            sheet: Some("Ark3".into()),
            ..Default::default()
        },
    )
    .expect_err("no such sheet");
    assert!(err.to_string().contains("the sheets are: Info, Data"), "{err}");
    let err = ingest(
        &book,
        "svar.xlsx",
        &IngestOptions {
            sheet: Some("1".into()),
            ..Default::default()
        },
    )
    .expect_err("the info sheet has no data rows");
    assert!(
        err.to_string()
            .contains("sheet \"Info\" has a header but no data rows"),
        "{err}"
    );
}

#[test]
fn mentimeter_xlsx_voters_sheet_gives_one_response_per_answer() {
    let overview = sheet(
        "Session 1",
        &[
            &["Slide", "Type", "Responses", "Mentimeter export", "x"],
            &["Hva tenker du?", "Word cloud", "3", "a", "b"],
            &["Hva er viktigst?", "Open ended", "2", "c", "d"],
        ],
    );
    let voters = sheet(
        "Voters",
        &[
            &[
                "Date (UTC)",
                "Session",
                "Voter",
                "Hva tenker du?: Answer",
                "Hva er viktigst?: Answer",
            ],
            &["2024-05-02", "1", "v1", "Spennende", "At innbyggerne blir hørt"],
            &["2024-05-02", "1", "v2", "Komplekst", ""],
            &["2024-05-02", "1", "v3", "", ""],
        ],
    );
    let f = ok(&xlsx(&[overview, voters]), "menti.xlsx");
    assert_eq!(f.format, "xlsx sheet \"Voters\" (2 of 2) mentimeter-xlsx");
    assert_eq!(
        texts(&f),
        [
            ("c-0002-04", "Spennende"),
            ("c-0002-05", "At innbyggerne blir hørt"),
            ("c-0003-04", "Komplekst")
        ]
    );
    assert_eq!(&*f.data.responses[1].question, "Hva er viktigst?");
    assert_eq!(&f.data.responses[2].meta["Voter"], "v2");
    assert_eq!(f.data.kept_lines, 2);
    assert_eq!(f.data.rejects[0].reason, "empty-text");
    assert_eq!(f.data.rejects[0].line, 4);
}

#[test]
fn ods_spreadsheet_is_read() {
    let book = ods(&[sheet(
        "Ark1",
        &[
            &["Hvor bor du?", "Hva savner du i nærmiljøet?"],
            &["Nord", "En park med benker og lekeplass"],
            &["Sør", "Trygg skolevei for barna"],
        ],
    )]);
    let f = ok(&book, "svar.ods");
    assert_eq!(f.format, "ods sheet \"Ark1\" (1 of 1)");
    assert_eq!(
        texts(&f),
        [
            ("c-0002", "En park med benker og lekeplass"),
            ("c-0003", "Trygg skolevei for barna")
        ]
    );
    assert_eq!(&f.data.responses[1].meta["Hvor bor du?"], "Sør");
}

#[test]
fn surveymonkey_csv_with_two_header_rows() {
    let csv = "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Hvor bor du?,Hva bør kommunen prioritere?,,\r\n\
,,,,,,,,Response,Skole,Helse,Open-Ended Response\r\n\
1001,5,01/03/2024,01/03/2024,10.0.0.1,,,,Sentrum,Skole,,Bedre vedlikehold av skolebygg\r\n\
1002,5,01/03/2024,01/03/2024,10.0.0.2,,,,Utkant,,Helse,\r\n";
    let f = ok(csv.as_bytes(), "monkey.csv");
    assert_eq!(f.format, "delimited ',' UTF-8 surveymonkey");
    assert_eq!(
        f.dropped_columns,
        ["IP Address", "Email Address", "First Name", "Last Name"]
    );
    assert_eq!(texts(&f), [("c-0003", "Bedre vedlikehold av skolebygg")]);
    let r = &f.data.responses[0];
    assert_eq!(&*r.question, "Hva bør kommunen prioritere?");
    assert_eq!(&r.meta["Hva bør kommunen prioritere?: Skole"], "Skole");
    assert_eq!(&r.meta["Hvor bor du?"], "Sentrum");
    assert_eq!(f.data.structural_lines, 2);
    assert_eq!(f.data.rejects[0].reason, "empty-text");
    assert_eq!(f.data.rejects[0].line, 4);
}

#[test]
fn nettskjema_and_google_forms_metadata() {
    let nett = "$submission_id;$created;$answer_time_ms;Kommune;Hva savner du?\n\
31;2024-04-01T10:00:00;5000;Lom;Et sted å møtes for eldre på dagtid\n\
32;2024-04-01T11:00:00;6000;Vågå;Bedre mobildekning i fjellet\n\
31;2024-04-01T10:00:00;5000;Lom;Et sted å møtes for eldre på dagtid\n";
    let f = ok(nett.as_bytes(), "nettskjema.csv");
    assert_eq!(f.format, "delimited ';' UTF-8 nettskjema");
    assert_eq!(f.data.responses.len(), 2);
    assert_eq!(&f.data.responses[1].meta["$submission_id"], "32");
    assert_eq!(&f.data.responses[1].meta["Kommune"], "Vågå");
    assert_eq!(
        (f.data.rejects[0].reason.as_str(), f.data.rejects[0].line),
        ("duplicate", 4)
    );
    let google = "Tidsmerke,E-postadresse,Hva er bra med kommunen?\n2024/04/01 10:00:00,a@b.no,Naturen og de korte avstandene\n";
    let f = ok(google.as_bytes(), "google.csv");
    assert_eq!(f.format, "delimited ',' UTF-8 google-forms");
    assert_eq!(f.dropped_columns, ["E-postadresse"]);
    assert_eq!(&f.data.responses[0].meta["Tidsmerke"], "2024/04/01 10:00:00");
}

#[test]
fn encodings_and_delimiters_are_detected_or_overridden() {
    let text = "kommune\tsvar\r\nTromsø\tVi må ta vare på nærmiljøet\r\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend(text.replace('\t', "|").as_bytes());
    for (bytes, format) in [
        (le, "delimited tab UTF-16LE"),
        (be, "delimited tab UTF-16BE"),
        (bom8, "delimited '|' UTF-8"),
    ] {
        let f = ok(&bytes, "t.csv");
        assert_eq!(f.format, format);
        assert_eq!(texts(&f), [("c-0002", "Vi må ta vare på nærmiljøet")]);
        assert_eq!(&f.data.responses[0].meta["kommune"], "Tromsø");
    }
    // Latin-1 bytes in a file that is otherwise ASCII: forced as windows-1252.
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("svar,kommune\nGod skole i bygda vår,Ål\n");
    let forced = ingest(
        &latin,
        "l.csv",
        &IngestOptions {
            encoding: Some("iso-8859-1".into()),
            delimiter: Some(b','),
            ..Default::default()
        },
    )
    .expect("ingests");
    assert_eq!(forced.format, "delimited ',' windows-1252");
    assert_eq!(&*forced.data.responses[0].text, "God skole i bygda vår");
    assert_eq!(&forced.data.responses[0].meta["kommune"], "Ål");
}

#[test]
fn ragged_rows_and_multiline_fields_are_reported_with_their_row() {
    let csv =
        "id;svar\r\n1;\"Første linje\r\nandre linje\"\r\n2;for;mange;felt\r\n\r\n3;Helt vanlig svar her\r\n";
    let f = ok(csv.as_bytes(), "r.csv");
    assert_eq!(
        texts(&f),
        [
            ("c-0002", "Første linje\r\nandre linje"),
            ("c-0005", "Helt vanlig svar her")
        ]
    );
    assert_eq!(f.data.rejects[0].reason, "ragged-row");
    assert_eq!(f.data.rejects[0].line, 3);
    assert_eq!(f.data.rejects[0].detail, "4 fields, the header has 2");
    assert_eq!((f.data.total_lines, f.data.structural_lines), (5, 2));
}

#[test]
fn broken_inputs_fail_clearly_or_are_read_without_panic() {
    let book = xlsx(&[forms_sheet()]);
    let truncated = &book[..book.len() / 2];
    let err = ingest(truncated, "t.xlsx", &IngestOptions::default()).expect_err("truncated");
    assert!(err.to_string().contains("damaged or truncated XLSX"), "{err}");
    let garbage: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x8F)
        .collect();
    let err = ingest(&garbage, "g.csv", &IngestOptions::default()).expect_err("garbage");
    assert!(err.to_string().contains("binary file"), "{err}");
    let long = format!("svar\n\"{}\"\n", "ord ".repeat(250_000));
    let f = ok(long.as_bytes(), "long.csv");
    assert_eq!(f.data.responses.len(), 1);
    assert_eq!(
        f.data.responses[0].text.len(),
        "ord ".repeat(250_000).trim().len()
    );
    let huge = format!("svar\n\"{}\"\n", "ord ".repeat(1_300_000));
    let err = ingest(huge.as_bytes(), "huge.csv", &IngestOptions::default()).expect_err("too long");
    assert!(
        err.to_string()
            .starts_with("huge.csv: row 2 field 1 holds 5.0 MB of text, more than the 1.0 MB"),
        "{err}"
    );
    let mut bad_utf8 = b"svar\nGod skole og trygg vei hjem\nH\xF8yt og lavt\n".to_vec();
    bad_utf8.extend(b"Ugyldig \xFF\xFE byte midt i\n");
    let f = ok(&bad_utf8, "bad.csv");
    assert_eq!(f.data.responses.len(), 3);
    assert_eq!(&*f.data.responses[0].text, "God skole og trygg vei hjem");
    for (bytes, says) in [
        (&b""[..], "empty"),
        (&b"svar;kommune\r\n"[..], "no data rows"),
        (&b"\n\n  \n"[..], "no rows"),
    ] {
        let err = ingest(bytes, "x.csv", &IngestOptions::default()).expect_err(says);
        assert!(
            err.to_string().contains(says) && err.to_string().contains("x.csv"),
            "{err}"
        );
    }
    let docx = {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
            .expect("entry");
        std::io::Write::write_all(&mut w, b"<w:document/>").expect("write");
        w.finish().expect("finish").into_inner()
    };
    for (bytes, says) in [
        (docx, "Word document"),
        (b"$FL2@(#) IBM SPSS STATISTICS".to_vec(), "SPSS .sav"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec(), "Excel 97-2003 .xls"),
        (b"\x89PNG\r\n\x1a\n".to_vec(), "an image"),
    ] {
        let err = ingest(&bytes, "u.bin", &IngestOptions::default()).expect_err(says);
        let msg = err.to_string();
        assert!(
            msg.contains(says) && msg.contains("u.bin") && msg.contains("CSV"),
            "{msg}"
        );
    }
}

#[test]
fn several_text_columns_chosen_with_text_column() {
    let csv = "kommune,ros,ris\nBergen,Fine parker,Dårlig vei\nOslo,,Lang kø\n";
    let f = ingest(
        csv.as_bytes(),
        "k.csv",
        &IngestOptions {
            text_columns: vec!["ros".into(), "RIS".into()],
            ..Default::default()
        },
    )
    .expect("ingests");
    assert_eq!(
        texts(&f),
        [
            ("c-0002-02", "Fine parker"),
            ("c-0002-03", "Dårlig vei"),
            ("c-0003-03", "Lang kø")
        ]
    );
    assert_eq!(f.data.kept_lines, 2);
    assert!(f.data.balanced());
}

#[test]
fn cli_ingests_xlsx_idempotently_replaces_changed_files_and_exports_the_corpus() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("skjema.xlsx"), xlsx(&[forms_sheet()])).expect("write");
    let out = ok_in(dir.path(), &["ingest", "skjema.xlsx"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(new): 4 lines = 2 responses + 1 rejected + 1 structural (xlsx sheet \"Skjema1\" (1 of 1) microsoft-forms)"), "{stdout}");
    assert!(
        stdout.contains("personal columns not copied (use --keep-personal to keep): E-postadresse, Navn"),
        "{stdout}"
    );
    let first = std::fs::read(dir.path().join("corpus/skjema/responses.csv")).expect("csv");
    let out = ok_in(dir.path(), &["ingest", "skjema.xlsx"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(unchanged)"));
    assert_eq!(
        first,
        std::fs::read(dir.path().join("corpus/skjema/responses.csv")).expect("csv")
    );
    let (header, rows) = read_csv(&dir.path().join("corpus/skjema/responses.csv"));
    assert_eq!(
        header[9..],
        [
            "meta.Alder",
            "meta.Fullføringstidspunkt",
            "meta.ID",
            "meta.Starttidspunkt"
        ]
    );
    assert!(!header.iter().any(|h| h.contains("E-post") || h.contains("Navn")));
    assert_eq!(rows[1][8], "Ring meg på [tlf] om barnehagen");
    let (rheader, rejects) = read_csv(&dir.path().join("corpus/skjema/rejects.csv"));
    assert_eq!(
        rheader,
        ["source", "sheet", "line", "reason", "detail", "excerpt"]
    );
    assert_eq!(rejects[0][..4], ["skjema.xlsx", "Skjema1", "4", "empty-text"]);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("corpus/skjema/manifest.json")).expect("manifest"),
    )
    .expect("json");
    assert_eq!(manifest["inputs"][0]["sheet"], "Skjema1");
    assert_eq!(manifest["inputs"][0]["dropped_columns"][1], "Navn");
    assert_eq!(manifest["counts"]["kept_lines"], 2);
    assert_eq!(manifest["masked"]["phone"], 1);

    // A changed file replaces the collection, leaving no temporary folders behind.
    std::fs::write(
        dir.path().join("skjema.xlsx"),
        xlsx(&[sheet(
            "Skjema1",
            &[
                &[
                    "ID",
                    "Start time",
                    "Completion time",
                    "Email",
                    "Name",
                    "Hva er viktigst for kommunen?",
                ],
                &[
                    "9",
                    "x",
                    "y",
                    "z@example.no",
                    "Z",
                    "Et nytt svar om kollektivtrafikk",
                ],
            ],
        )]),
    )
    .expect("write");
    let out = ok_in(dir.path(), &["ingest", "skjema.xlsx"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(replaced)"));
    let (_, rows) = read_csv(&dir.path().join("corpus/skjema/responses.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][8], "Et nytt svar om kollektivtrafikk");
    let names: Vec<String> = std::fs::read_dir(dir.path().join("corpus"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != stemme::corpus::LOCK_FILE)
        .collect();
    assert_eq!(names, ["skjema"], "no temporary folders are left");

    std::fs::write(
        dir.path().join("b.csv"),
        "svar;kommune\nMer lys langs veien hjem;Lom\n",
    )
    .expect("write");
    ok_in(dir.path(), &["ingest", "b.csv"]);
    let out = ok_in(dir.path(), &["corpus", "list"]);
    let list = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[1].starts_with("b\t1\t1\t0\t1\t2\t"), "{list}");
    assert!(lines[2].starts_with("skjema\t1\t1\t0\t1\t2\t"), "{list}");
    ok_in(dir.path(), &["corpus", "export", "-o", "all.csv"]);
    let (header, rows) = read_csv(&dir.path().join("all.csv"));
    assert!(header.contains(&"meta.kommune".to_string()) && header.contains(&"meta.ID".to_string()));
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["b-0002", "skjema-0002"]);
    let out = ok_in(
        dir.path(),
        &["corpus", "export", "--format", "jsonl", "--collection", "b"],
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["meta"]["kommune"], "Lom");
}

#[test]
fn strict_fails_on_any_reject_and_nothing_read_fails() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("s.csv"),
        "svar;kommune\nEt svar med mange ord;Lom\n;Vågå\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &["ingest", "s.csv", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--strict: 1 rows rejected (s.csv:3: empty-text)"));
    assert!(!dir.path().join("corpus/s").exists());
    ok_in(dir.path(), &["ingest", "s.csv"]);
    std::fs::write(dir.path().join("n.csv"), "1,2\n3,4\n").expect("write");
    let out = run_in(dir.path(), &["ingest", "n.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("n.csv:1: header-not-found") && err.contains("nothing could be read"),
        "{err}"
    );
}

#[test]
fn damaged_spreadsheets_never_panic() {
    let book = xlsx(&[forms_sheet()]);
    let sheet_ods = ods(&[sheet("Ark1", &[&["svar"], &["Et langt nok svar her"]])]);
    for original in [&book, &sheet_ods] {
        for cut in (1..original.len()).step_by(37) {
            let _ = ingest(&original[..cut], "cut.xlsx", &IngestOptions::default());
        }
        for at in (0..original.len()).step_by(53) {
            let mut flipped = original.clone();
            flipped[at] ^= 0x5A;
            if let Ok(f) = ingest(&flipped, "flip.xlsx", &IngestOptions::default()) {
                assert!(f.data.balanced());
            }
        }
    }
}

#[test]
fn cli_prints_the_guess_and_takes_overrides() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("p.txt"), "a|b\n1|Et svar med flere ord\n").expect("write");
    let out = ok_in(dir.path(), &["ingest", "p.txt"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(delimited '|' UTF-8)"));
    let out = ok_in(
        dir.path(),
        &["ingest", "p.txt", "--delimiter", ";", "--collection", "semi"],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(delimited ';' UTF-8)"));
    let (_, rows) = read_csv(&dir.path().join("corpus/semi/responses.csv"));
    assert_eq!(rows[0][8], "1|Et svar med flere ord");
    let out = run_in(dir.path(), &["ingest", "p.txt", "--encoding", "klingon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("p.txt: unknown encoding \"klingon\""));
}

fn error(bytes: &[u8], source: &str) -> String {
    ingest(bytes, source, &IngestOptions::default())
        .expect_err("refused")
        .to_string()
}

/// `<row r="N"><c r="REF" t="s"><v>I</v></c></row>`: one shared-string cell per row.
fn xlsx_rows(cells: &[(&str, usize)]) -> String {
    cells
        .iter()
        .map(|(reference, i)| {
            let row: String = reference.chars().filter(char::is_ascii_digit).collect();
            format!("<row r=\"{row}\"><c r=\"{reference}\" t=\"s\"><v>{i}</v></c></row>")
        })
        .collect()
}

#[test]
fn a_stray_far_cell_costs_one_row_not_the_whole_sheet() {
    let strings = ["svar".to_string(), "Kommunen må lytte mer".to_string()];
    for (far, rows) in [("XFD1048576", 1_048_576), ("XFD10000", 10_000)] {
        let book = xlsx_raw(&xlsx_rows(&[("A1", 0), ("A2", 1), (far, 1)]), "", &strings);
        assert!(book.len() < 2_000, "a tiny file: {}", book.len());
        let f = ok(&book, "far.xlsx");
        assert_eq!(texts(&f), [("c-0002", "Kommunen må lytte mer")]);
        assert_eq!(f.data.total_lines, rows);
        assert_eq!((f.data.rejects.len(), f.data.rejects[0].line), (1, rows));
    }
    // Far cells on many rows, or a merge across the sheet, are refused before layout.
    let many: Vec<String> = (2..1_000).map(|r| format!("XFD{r}")).collect();
    let cells: Vec<(&str, usize)> = std::iter::once(("A1", 0))
        .chain(many.iter().map(|r| (r.as_str(), 1)))
        .collect();
    let err = error(&xlsx_raw(&xlsx_rows(&cells), "", &strings), "many.xlsx");
    assert!(
        err.starts_with("many.xlsx: sheet \"Ark1\" spans rows 1–999 and columns up to XFD")
            && err.contains("more than the 10000000 stemme reads")
            && err.contains("delete the empty rows and columns"),
        "{err}"
    );
    let merged = xlsx_raw(
        &xlsx_rows(&[("A1", 0), ("A2", 1), ("A10000", 1)]),
        "<mergeCells count=\"1\"><mergeCell ref=\"A1:XFD10000\"/></mergeCells>",
        &strings,
    );
    assert!(error(&merged, "merged.xlsx").contains("spans rows 1–10000 and columns up to XFD"));
}

#[test]
fn a_huge_shared_string_used_by_many_cells_is_refused() {
    let rows: Vec<(String, usize)> = (2..2_002).map(|r| (format!("A{r}"), 1)).collect();
    let refs: Vec<(&str, usize)> = std::iter::once(("A1", 0))
        .chain(rows.iter().map(|(r, i)| (r.as_str(), *i)))
        .collect();
    let sheet_data = xlsx_rows(&refs);
    // One string over the field limit.
    let huge = ["svar".to_string(), "Kommunen må lytte. ".repeat(80_000)];
    let err = error(&xlsx_raw(&sheet_data, "", &huge), "huge.xlsx");
    assert!(
        err.starts_with("huge.xlsx: sheet \"Ark1\" cell A2 holds 1.5 MB of text, more than the 1.0 MB"),
        "{err}"
    );
    // Under the field limit, but 2,000 copies would take 1.2 GB.
    let big = ["svar".to_string(), "Kommunen må lytte. ".repeat(30_000)];
    let book = xlsx_raw(&sheet_data, "", &big);
    assert!(book.len() < 100_000, "{}", book.len());
    let err = error(&book, "big.xlsx");
    assert!(
        err.contains("the cells take more than 64.") && err.contains("one value repeated in very many cells"),
        "{err}"
    );
}

#[test]
fn repeated_ods_cells_are_refused_and_empty_padding_costs_nothing() {
    let cell = |text: &str| {
        format!("<table:table-cell office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>")
    };
    let header = format!("<table:table-row>{}</table:table-row>", cell("svar"));
    let bomb = ods_raw(&format!(
        "{header}<table:table-row table:number-rows-repeated=\"99999\"><table:table-cell table:number-columns-repeated=\"1000\" office:value-type=\"string\"><text:p>Kommunen må lytte</text:p></table:table-cell></table:table-row>"
    ));
    assert!(bomb.len() < 1_000, "{}", bomb.len());
    let err = error(&bomb, "bomb.ods");
    assert!(err.contains("one value repeated in very many cells"), "{err}");
    let wide = ods_raw(&format!(
        "{header}<table:table-row><table:table-cell table:number-columns-repeated=\"20000\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>"
    ));
    assert!(error(&wide, "wide.ods").contains("row 2 of sheet \"Ark1\" has 20000 columns"));
    // LibreOffice pads a sheet with empty repeated rows and cells.
    let padded = ods_raw(&format!(
        "{header}<table:table-row>{}<table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row><table:table-row table:number-rows-repeated=\"1048574\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>",
        cell("Et svar &amp; en tanke<text:s text:c=\"2\"/>her")
    ));
    let f = ok(&padded, "padded.ods");
    assert_eq!(texts(&f), [("c-0002", "Et svar & en tanke  her")]);
    assert_eq!(f.data.total_lines, 2);
    // Repeated filled rows are read as rows.
    let repeated = ods_raw(&format!(
        "{header}<table:table-row table:number-rows-repeated=\"3\">{}</table:table-row>",
        cell("Samme svar tre ganger")
    ));
    assert_eq!(ok(&repeated, "rep.ods").data.responses.len(), 3);
    // A cell merged down over two rows fills both, as in XLSX.
    let merged = ods_raw(&format!(
        "<table:table-row>{}{}</table:table-row><table:table-row><table:table-cell table:number-rows-spanned=\"2\" office:value-type=\"string\"><text:p>Nord</text:p></table:table-cell>{}</table:table-row><table:table-row><table:covered-table-cell/>{}</table:table-row>",
        cell("Hvor bor du?"),
        cell("svar"),
        cell("En park med benker og lekeplass"),
        cell("Trygg skolevei for barna")
    ));
    let f = ok(&merged, "merged.ods");
    let places: Vec<&str> = f.data.responses.iter().map(|r| &r.meta["Hvor bor du?"]).collect();
    assert_eq!(places, ["Nord", "Nord"]);
}

#[test]
fn binary_garbage_is_refused_as_not_text() {
    let mut seed = 11u64;
    let random: Vec<u8> = (0..1 << 20)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 56) as u8
        })
        .collect();
    let err = error(&random, "random.bin");
    assert!(
        err.starts_with("random.bin: this is not text in any encoding stemme reads (")
            && err.contains("export them as XLSX or CSV (UTF-8)"),
        "{err}"
    );
    let forced = ingest(
        &random,
        "random.bin",
        &IngestOptions {
            encoding: Some("windows-1252".into()),
            delimiter: Some(b'|'),
            ..IngestOptions::default()
        },
    );
    assert!(forced.is_err(), "refused whatever the encoding and delimiter");
}

#[test]
fn a_csv_row_with_too_many_columns_is_refused() {
    let csv = format!("svar\nEt svar\n{}\n", "a,".repeat(20_000));
    let err = error(csv.as_bytes(), "wide.csv");
    assert!(
        err.starts_with("wide.csv: row 3 has 20001 columns, more than the 16384"),
        "{err}"
    );
}

#[test]
fn a_wide_row_keeps_its_metadata_once_for_all_its_answers() {
    let header: Vec<String> = (0..40)
        .map(|c| {
            if c % 2 == 0 {
                format!("Spørsmål {c}")
            } else {
                format!("Bakgrunn {c}")
            }
        })
        .collect();
    let mut csv = header.join(";") + "\n";
    for r in 0..30 {
        let row: Vec<String> = (0..40)
            .map(|c| {
                if c % 2 == 0 {
                    format!("svar nummer {r} på spørsmål {c} her")
                } else {
                    format!("verdi {}", c % 3)
                }
            })
            .collect();
        csv.push_str(&(row.join(";") + "\n"));
    }
    let f = ok(csv.as_bytes(), "wide.csv");
    assert_eq!(f.data.responses.len(), 30 * 20);
    for row in f.data.responses.chunks(20) {
        assert!(row
            .iter()
            .all(|r| stemme::model::Meta::ptr_eq(&r.meta, &row[0].meta)));
        assert_eq!(row[0].meta.len(), 20);
        assert_eq!(&row[0].meta["Bakgrunn 1"], "verdi 1");
    }
    assert!(!stemme::model::Meta::ptr_eq(
        &f.data.responses[0].meta,
        &f.data.responses[20].meta
    ));
}
