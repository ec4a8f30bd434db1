//! Comparing groups: `--compare COLUMN` and `--min-cell` write `groups.csv` and
//! `keyness.csv` with the documented columns, suppress small groups, and report in every
//! format; a run from a stored corpus collection equals a run from the original file.

use super::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// A survey table: 40 answers from Lom (most about the ferry), 40 from Vågå (most about
/// schools), 3 from Utsira; an age-group column; rows alternate through the answers.
fn survey() -> String {
    let lom = [
        "Ferja må gå oftere om kvelden",
        "Ferjene er for små om sommeren",
        "Vi trenger en ny ferje til øya",
        "Ferja er livsnerven for bygda vår",
        "Billigere ferje for pendlere",
        "Veien er dårlig om vinteren",
        "Biblioteket burde ha åpent lenger",
        "Ferjekaia trenger venterom",
    ];
    let vaga = [
        "Skolen trenger flere lærere",
        "Barnehagen må ha plass til alle",
        "Skolen er for langt unna for mange barn",
        "Vi trenger en ny skole i sentrum",
        "Lærerne på skolen gjør en god jobb",
        "Veien er dårlig om vinteren",
        "Biblioteket burde ha åpent lenger",
        "Skolebussen går for tidlig",
    ];
    let mut csv = String::from("id,kommune,alder,svar\n");
    for i in 0..80 {
        let (kommune, text) = if i % 2 == 0 {
            ("Lom", lom[i / 2 % lom.len()])
        } else {
            ("Vågå", vaga[i / 2 % vaga.len()])
        };
        let alder = ["18-29", "30-49", "50+"][i % 3];
        csv.push_str(&format!("r{i},{kommune},{alder},{text} (svar {i})\n"));
    }
    for i in 80..83 {
        csv.push_str(&format!("r{i},Utsira,50+,Ferja går for sjelden (svar {i})\n"));
    }
    csv
}

/// `stemme run` on the [`survey`] in a fresh folder (three k-means themes, compared by
/// `kommune`), with `extra` arguments; the folder and the run's output.
fn run_survey(extra: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("svar.csv"), survey()).expect("write");
    let mut args = vec![
        "-q",
        "run",
        "svar.csv",
        "--text-column",
        "svar",
        "-k",
        "3",
        "--method",
        "kmeans",
        "--compare",
        "kommune",
    ];
    args.extend_from_slice(extra);
    let out = ok_in(dir.path(), &args);
    (dir, out)
}

#[test]
fn compare_writes_groups_and_keyness_tables_with_suppression() {
    let (dir, out) = run_survey(&["--compare", "alder"]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("kommune: 3 groups"), "{summary}");

    let (header, rows) = read_csv(&dir.path().join("out/groups.csv"));
    assert_eq!(
        header,
        [
            "grouping",
            "group",
            "theme_id",
            "theme",
            "n",
            "group_n",
            "share",
            "ci_low",
            "ci_high",
            "adj_residual",
            "p_adj",
            "suppressed"
        ]
    );
    let themes = 4; // three themes and the unclassified bucket
    let groupings: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let count = |g: &str| groupings.iter().filter(|x| **x == g).count();
    assert_eq!(count("kommune"), 3 * themes);
    assert_eq!(count("alder"), 3 * themes);
    assert_eq!(count("scope"), rows.len() - 6 * themes);
    for r in rows.iter().filter(|r| r[1] == "Utsira") {
        assert_eq!(r[11], "true");
        assert!(
            r[4..11].iter().all(String::is_empty),
            "suppressed row shows nothing: {r:?}"
        );
    }
    let lom: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0] == "kommune" && r[1] == "Lom")
        .collect();
    let total: usize = lom.iter().map(|r| r[4].parse::<usize>().unwrap_or(0)).sum();
    assert!(lom.iter().all(|r| r[5] == "40"));
    for r in lom.iter().filter(|r| r[11] == "false") {
        let f = |k: usize| r[k].parse::<f64>().expect("number");
        assert!(f(7) <= f(6) && f(6) <= f(8), "share inside its interval: {r:?}");
        assert!((f(6) - f(4) / 40.0).abs() < 1e-4);
    }
    assert!(total <= 40);

    let (header, words) = read_csv(&dir.path().join("out/keyness.csv"));
    assert_eq!(
        header,
        [
            "grouping",
            "group",
            "word",
            "stem",
            "n_group",
            "n_rest",
            "g2",
            "log_ratio",
            "p_adj"
        ]
    );
    let ferry = words
        .iter()
        .find(|r| r[0] == "kommune" && r[1] == "Lom" && r[3].starts_with("ferj"))
        .expect("the ferry is distinctive of Lom");
    assert!(ferry[8].parse::<f64>().expect("p") < 0.05);
    assert!(words.iter().any(|r| r[1] == "Vågå" && r[3].starts_with("skol")));
    assert!(!words.iter().any(|r| r[1] == "Utsira"));
    assert!(
        !words.iter().any(|r| r[0] == "alder"),
        "age has nothing distinctive: {words:?}"
    );

    let md = std::fs::read_to_string(dir.path().join("out/report.md")).expect("md");
    let section = md.split("## Compared by kommune").nth(1).expect("section");
    let section = section.split("\n## ").next().expect("section");
    assert!(
        section.contains("| Lom (n = 40) | Utsira (suppressed) | Vågå (n = 40) |"),
        "{section}"
    );
    assert!(section.contains("1 of 3 groups have fewer than 5 responses"));
    assert!(section.contains("Words distinctive of responses with kommune = Lom"));
    assert!(md.contains("Words distinctive of responses with alder = 18-29: none."));
    assert!(!section.contains("**Quotes: Utsira**"));

    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).expect("json"))
            .expect("parses");
    let groupings = json["comparison"]["groupings"].as_array().expect("groupings");
    let names: Vec<&str> = groupings
        .iter()
        .map(|g| g["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["scope", "kommune", "alder"]);
    assert_eq!(groupings[1]["groups"][1]["suppressed"], true);
    assert_eq!(groupings[1]["groups"][1]["n"], Value::Null);
    // Two groups are tested (Utsira is suppressed): each difference is said once.
    let findings = groupings[1]["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        assert!(f["adj_residual"].as_f64() > Some(0.0), "{f}");
        let sentence = f["sentence"].as_str().expect("sentence");
        assert!(
            sentence.contains(" of responses with kommune = ")
                && sentence.contains("%) of responses with kommune = "),
            "{sentence}"
        );
    }
}

#[test]
fn an_unknown_compare_column_is_an_error() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("svar.csv"), survey()).expect("write");
    let out = run_in(
        dir.path(),
        &["run", "svar.csv", "--text-column", "svar", "--compare", "fylke"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fylke") && err.contains("kommune, question"),
        "{err}"
    );
}

#[test]
fn a_run_from_a_corpus_collection_equals_a_run_from_the_original_file() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("svar.csv"), survey()).expect("write");
    let common = ["--text-column", "svar", "-k", "3", "--compare", "kommune"];
    ok_in(dir.path(), &["-q", "ingest", "svar.csv", "--text-column", "svar"]);
    let mut file = vec!["-q", "run", "svar.csv", "-o", "file"];
    file.extend(common);
    ok_in(dir.path(), &file);
    let mut folder = vec!["-q", "run", "corpus/svar", "-o", "folder"];
    folder.extend(common);
    ok_in(dir.path(), &folder);
    let mut named = vec![
        "-q",
        "run",
        "--corpus",
        "corpus",
        "--collection",
        "svar",
        "-o",
        "named",
    ];
    named.extend(common);
    ok_in(dir.path(), &named);
    for out in ["folder", "named"] {
        for f in [
            "report.json",
            "responses.csv",
            "themes.csv",
            "groups.csv",
            "keyness.csv",
            "report.md",
        ] {
            let a = std::fs::read(dir.path().join("file").join(f)).expect("file run");
            let b = std::fs::read(dir.path().join(out).join(f)).expect("corpus run");
            assert!(a == b, "{f} differs between the file run and the {out} run");
        }
    }
    let (_, rows) = read_csv(&dir.path().join("folder/responses.csv"));
    assert_eq!(rows.len(), 83);
    assert_eq!(rows[0][0], "svar-0002");
    // A folder that is not a collection, and an unknown collection name, are errors.
    std::fs::create_dir(dir.path().join("notes")).expect("mkdir");
    let err = run_in(dir.path(), &["run", "notes"]);
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("not a stemme collection"));
    let err = run_in(dir.path(), &["run", "--corpus", "corpus", "--collection", "nope"]);
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("has no collection \"nope\"; it has: svar"));
}

/// The `(group, theme_id)` cells of one grouping in `groups.csv`: `Some(n)` when shown,
/// `None` when suppressed.
fn cells(rows: &[Vec<String>], grouping: &str) -> BTreeMap<(String, String), Option<String>> {
    rows.iter()
        .filter(|r| r[0] == grouping)
        .map(|r| {
            let shown = (r[11] == "false").then(|| r[4].clone());
            ((r[1].clone(), r[2].clone()), shown)
        })
        .collect()
}

/// The HTML of the section that starts with `start`, up to the next `<h2`.
fn section<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("{start} in the page"));
    let rest = &html[from + start.len()..];
    &rest[..rest.find("<h2").unwrap_or(rest.len())]
}

/// The interval chart's track of one cell: its HTML up to the count after it.
fn track<'a>(html: &'a str, group: &str, theme: &str) -> &'a str {
    let at = format!("data-group=\"{group}\" data-theme=\"{theme}\">");
    let from = html
        .find(&at)
        .unwrap_or_else(|| panic!("a track for {group}/{theme}"));
    let start = html[..from].rfind("<div class=\"ci-track").expect("track start");
    let rest = &html[start..];
    let n = rest.find("class=\"bar-n\">").expect("count");
    &rest[..n + rest[n..].find("</span>").expect("count end") + 7]
}

#[test]
fn no_report_format_shows_a_count_or_share_of_a_suppressed_cell() {
    // Six: Utsira (3 responses) is a suppressed group, and cells of 1 to 5 responses in
    // the shown groups are suppressed too.
    let (dir, _) = run_survey(&["--min-cell", "6"]);
    let out = dir.path().join("out");
    let (_, rows) = read_csv(&out.join("groups.csv"));
    let scope = cells(&rows, "scope");
    let kommune = cells(&rows, "kommune");
    assert!(
        scope.values().any(Option::is_none) && scope.values().any(Option::is_some),
        "the fixture has shown and suppressed scope cells: {scope:?}"
    );

    // themes.csv: the scope columns are groups.csv's shown counts, empty where suppressed.
    let (header, themes) = read_csv(&out.join("themes.csv"));
    for t in &themes {
        for (k, group) in ["local", "national", "both", "unspecified"].iter().enumerate() {
            let cell = &t[3 + k];
            match scope.get(&(group.to_string(), t[0].clone())) {
                Some(Some(n)) => assert_eq!(cell, n, "{header:?} {t:?}"),
                Some(None) => assert_eq!(cell, "", "suppressed cell shown in themes.csv: {t:?}"),
                None => assert_eq!(cell, "0", "a scope no response has: {t:?}"),
            }
        }
    }

    // report.json: no unsuppressed table; a suppressed group has no total.
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("json")).expect("json");
    assert!(json["comparison"].get("table").is_none());
    assert!(json["comparison"].get("scope_totals").is_none());
    let groups = json["comparison"]["groupings"][0]["groups"]
        .as_array()
        .expect("scope groups");
    for g in groups {
        let total = &json["scope_totals"][g["name"].as_str().expect("name")];
        assert_eq!(total.is_null(), g["suppressed"] == true, "{g}");
    }

    // report.html: the scope table and chart show no suppressed cell; in every grouping's
    // interval chart a suppressed cell has no bar and says so, a shown one has its share
    // and interval as drawn.
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    let compare = section(&html, "<h2 id=\"compare\">");
    for ((group, theme), shown) in &scope {
        let td = format!("data-group=\"{group}\">");
        let rows: Vec<&str> = compare.split("<tr>").filter(|r| r.contains(&td)).collect();
        assert!(!rows.is_empty());
        let chart = track(compare, group, theme);
        match shown {
            Some(n) => {
                assert!(chart.contains("class=\"ci\""), "{chart}");
                assert!(
                    chart.contains(&format!("<span class=\"bar-n\">{n} · ")),
                    "{chart}"
                );
            }
            None => {
                assert!(
                    chart.contains("ci-track suppressed") && !chart.contains("class=\"ci\""),
                    "{chart}"
                );
                assert!(
                    chart.ends_with("<span class=\"bar-n\">suppressed</span>"),
                    "{chart}"
                );
            }
        }
    }
    let suppressed_tds = compare.matches("<td class=\"n suppressed\"").count();
    let suppressed_scope = scope.iter().filter(|(_, v)| v.is_none()).count();
    assert_eq!(
        suppressed_tds, suppressed_scope,
        "one dash per suppressed scope cell"
    );
    assert!(!compare.contains("title=\"both:") && !compare.contains("title=\"national:"));
    let by_kommune = section(&html, "<h2 id=\"group-kommune\">");
    let (_, groups_rows) = read_csv(&out.join("groups.csv"));
    for r in groups_rows.iter().filter(|r| r[0] == "kommune") {
        let chart = track(by_kommune, &r[1], &r[2]);
        if kommune[&(r[1].clone(), r[2].clone())].is_none() {
            assert!(
                chart.contains("suppressed") && !chart.contains("class=\"ci\""),
                "{chart}"
            );
            continue;
        }
        // The bar's share and interval, in percent of the chart's axis, as groups.csv says.
        let f = |k: usize| r[k].parse::<f64>().expect("number");
        let axis: f64 = by_kommune
            .split("the axis runs from 0 to ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|t| t.parse().ok())
            .expect("axis");
        let at = |x: f64| 100.0 * (x * 100.0 / axis).min(1.0);
        let drawn = |key: &str| -> f64 {
            chart
                .split(key)
                .nth(1)
                .and_then(|t| t.split('%').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("{key} in {chart}"))
        };
        assert!(
            (drawn("ci-share\" style=\"width:") - at(f(6))).abs() < 0.11,
            "{chart} {r:?}"
        );
        assert!((drawn("style=\"left:") - at(f(7))).abs() < 0.11, "{chart} {r:?}");
        let right = drawn("style=\"left:") + drawn(";width:");
        assert!((right - at(f(8))).abs() < 0.21, "{chart} {r:?}");
    }
    assert!(!by_kommune.contains("<h4>responses with kommune = Utsira"));

    // report.md: the suppressed group has a dash in every cell and no count.
    let md = std::fs::read_to_string(out.join("report.md")).expect("md");
    let table = md.split("## Compared by kommune").nth(1).expect("section");
    let utsira = table
        .lines()
        .find(|l| l.starts_with("| theme |"))
        .expect("header")
        .split(" | ")
        .position(|h| h.starts_with("Utsira"))
        .expect("Utsira column");
    for line in table.lines().skip_while(|l| !l.starts_with("|---")).skip(1) {
        if !line.starts_with('|') {
            break;
        }
        assert_eq!(line.split(" | ").nth(utsira).map(str::trim), Some("–"), "{line}");
    }
}
