//! Reports: content of the Markdown, JSON, HTML and CSV outputs; determinism across
//! thread counts; HTML escaping of hostile text.

use super::*;
use serde_json::Value;

#[test]
fn reports_are_byte_identical_with_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("temp");
    ok_in(dir.path(), &["-q", "-j", "1", "run", "-o", "one"]);
    ok_in(dir.path(), &["-q", "-j", "2", "run", "-o", "two"]);
    for file in [
        "report.json",
        "report.md",
        "report.html",
        "responses.csv",
        "themes.csv",
        "groups.csv",
        "keyness.csv",
    ] {
        let a = std::fs::read(dir.path().join("one").join(file)).expect("one");
        let b = std::fs::read(dir.path().join("two").join(file)).expect("two");
        assert!(a == b, "{file} differs between -j 1 and -j 2");
    }
}

#[test]
fn json_report_accounts_for_every_response_and_has_themes_and_agreement() {
    let dir = seed_run();
    let r: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).expect("json"))
        .expect("parses");
    assert_eq!(r["schema_version"], 4);
    assert_eq!(r["responses_total"], 88);
    // The rows are in the file the report names, not in report.json.
    assert!(r.get("responses").is_none());
    assert_eq!(r["responses_file"], "responses.csv");
    let (_, rows) = read_csv(
        &dir.path()
            .join("out")
            .join(r["responses_file"].as_str().expect("file")),
    );
    assert_eq!(rows.len(), 88);
    let themes = r["themes"].as_array().expect("themes");
    assert!(themes.len() >= 2);
    let in_themes: u64 = themes.iter().map(|t| t["size"].as_u64().expect("size")).sum();
    assert_eq!(in_themes + r["unclassified"].as_u64().expect("n"), 88);
    for t in themes {
        let label = t["label"].as_str().expect("label");
        assert!(!label.is_empty());
        assert!(
            !label.split(" · ").any(|w| w == "spenn"),
            "labels use display forms: {label}"
        );
        assert!(
            t["size"].as_u64() >= Some(3),
            "themes below the minimum size are dissolved"
        );
        let quotes = t["quotes"].as_array().expect("quotes");
        assert!(!quotes.is_empty() && quotes.len() <= 3);
    }
    // The word-cloud's most common answer forms a theme labelled with its display form.
    assert!(themes
        .iter()
        .any(|t| t["label"].as_str().expect("label").contains("spennende")));
    let agreement = &r["agreement"];
    assert!(agreement["nmi"].as_f64().expect("nmi") > 0.0);
    assert!(agreement["ari"].is_number());
    // Scope totals: a count per group, null for a group under --min-cell (on the seed,
    // national and both); the shown ones and the suppressed groups' sizes make 88.
    let scopes = &r["scope_totals"];
    let shown: u64 = ["local", "national", "both", "unspecified"]
        .iter()
        .filter_map(|s| scopes[s].as_u64())
        .sum();
    assert!(scopes["local"].as_u64() > Some(0) && scopes["national"].is_null());
    assert!(shown < 88 && shown + 4 * 2 >= 88, "{scopes}");
}

#[test]
fn reports_give_the_evidence_for_the_number_of_themes_and_why_answers_are_unclassified() {
    let dir = tempfile::tempdir().expect("temp");
    // A ceiling of two themes is reached: the reports must say so.
    ok_in(dir.path(), &["-q", "run", "--max-k", "2", "-o", "out"]);
    let out = dir.path().join("out");
    let r: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("json")).expect("parses");
    let choice = &r["theme_choice"];
    assert_eq!(choice["k"], 2, "{choice}");
    assert_eq!(choice["runs"].as_array().expect("runs").len(), 8, "{choice}");
    let stability = choice["stability"].as_f64().expect("stability");
    assert!((0.0..=1.0).contains(&stability), "{choice}");
    let ceiling = "The number of themes reached the ceiling (2)";
    let warnings = choice["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.starts_with(ceiling))),
        "{choice}"
    );
    // Every unclassified response has its reason counted; the seed's one-word answers are
    // among them.
    let reasons = r["unclassified_reasons"].as_array().expect("reasons");
    let counted: u64 = reasons.iter().map(|u| u["responses"].as_u64().expect("n")).sum();
    assert_eq!(counted, r["unclassified"].as_u64().expect("unclassified"));
    assert!(reasons.iter().any(|u| u["reason"] == "too-short"), "{reasons:?}");
    // responses.csv gives the reason per response, and only where there is no theme.
    let (header, rows) = read_csv(&out.join("responses.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (theme_id, reason) = (col("theme_id"), col("unclassified_reason"));
    for u in reasons {
        let code = u["reason"].as_str().expect("code");
        let n = rows.iter().filter(|r| r[reason] == code).count() as u64;
        assert_eq!(Some(n), u["responses"].as_u64(), "{code}");
    }
    assert!(rows.iter().all(|r| (r[theme_id] == "0") != r[reason].is_empty()));
    let one_word = rows
        .iter()
        .find(|r| r[5] == "Overveldet")
        .expect("a one-word answer");
    assert_eq!(one_word[reason], "too-short");

    let md = std::fs::read_to_string(out.join("report.md")).expect("md");
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    assert!(md.contains("Number of themes: 2 (") && md.contains("Stability across 8 independent runs"));
    assert!(md.contains(&format!("- **Warning:** {ceiling}")), "{md}");
    assert!(html.contains(&format!("<strong>Warning:</strong> {ceiling}")));
    let why = format!("Unclassified: {} responses: ", r["unclassified"]);
    assert!(md.contains(&why) && html.contains(&why));
    assert!(md.contains(", AMI ") && html.contains(", AMI "));
    for t in r["themes"].as_array().expect("themes") {
        let terms: Vec<&str> = t["terms"]
            .as_array()
            .expect("terms")
            .iter()
            .map(|x| x.as_str().expect("term"))
            .collect();
        assert!((5..=8).contains(&terms.len()), "{t}");
        let line = format!("Terms: {}", terms.join(" · "));
        assert!(md.contains(&line) && html.contains(&line), "{line}");
    }
}

#[test]
fn a_suppressed_scope_group_is_quoted_nowhere() {
    // The seed has one national response: under --min-cell 5, so it is not quoted side
    // by side (nor its group's words or shares shown), in any format.
    let dir = seed_run();
    let out = dir.path().join("out");
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("json")).expect("json");
    let national = r["comparison"]["groupings"][0]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "national")
        .expect("a national group");
    assert_eq!(national["suppressed"], true);
    assert_eq!(r["side_by_side"]["national"].as_array().map(Vec::len), Some(0));
    assert_eq!(r["side_by_side"]["local"].as_array().map(Vec::len), Some(3));
    // The local quotes are the scope grouping's own, suppression-aware ones.
    let local = r["comparison"]["groupings"][0]["groups"][0]["quotes"].clone();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("quotes")
            .iter()
            .map(|q| q["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(&r["side_by_side"]["local"]), ids(&local));

    let (header, rows) = read_csv(&out.join("responses.csv"));
    let scope = header.iter().position(|h| h == "scope").expect("scope column");
    let text = header.iter().position(|h| h == "text").expect("text column");
    let national_texts: Vec<&str> = rows
        .iter()
        .filter(|r| r[scope] == "national")
        .map(|r| r[text].as_str())
        .collect();
    assert_eq!(national_texts.len(), 1);
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    let voices = html
        .split("<h3>National voices</h3>")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("national voices");
    assert!(!voices.contains("<blockquote>"), "{voices}");
    assert!(voices.contains("suppressed"), "{voices}");
    let words = html
        .split("<h3>Words more national</h3>")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("national words");
    assert!(
        words.contains("Suppressed") && !words.contains("<table>"),
        "{words}"
    );
    let md = std::fs::read_to_string(out.join("report.md")).expect("md");
    assert!(md.contains("national suppressed (under 5)"));
    assert!(!md.contains("**Quotes: national**"));
}

#[test]
fn markdown_has_a_real_local_versus_national_section() {
    let dir = seed_run();
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).expect("md");
    let section = md
        .split("## Local and national concerns")
        .nth(1)
        .expect("section exists");
    let section = section.split("\n## ").next().expect("section");
    assert!(section.contains("Scope was decided by the marker lexicon for all 88 responses"));
    // One column per scope group with its size, or marked suppressed when it is too small.
    let header = section
        .lines()
        .find(|l| l.starts_with("| theme |"))
        .expect("table header");
    let group =
        regex::Regex::new(r"\| (local|national|both|unspecified) \((n = (\d+)|suppressed)\)").expect("re");
    let groups: Vec<(String, Option<u64>)> = group
        .captures_iter(header)
        .map(|c| (c[1].to_string(), c.get(3).map(|n| n.as_str().parse().expect("n"))))
        .collect();
    assert_eq!(groups.len(), 4, "{header}");
    let shown: u64 = groups.iter().filter_map(|g| g.1).sum();
    assert!(shown <= 88 && shown > 44, "{header}");
    // Intervals in every shown cell, dashes for suppressed ones, the test and its caveats.
    let cell = regex::Regex::new(r"\| \d+ \(\d+ %, \d+–\d+\)( [↑↓])? \|").expect("re");
    assert!(cell.is_match(section), "{section}");
    assert!(section.contains(" – |"));
    assert!(section.contains("χ² test of theme × group: χ² = "));
    assert!(section.contains("**Note:**"));
    // Words are only called distinctive after correction; otherwise the report says so.
    let words = regex::Regex::new(r"Words distinctive of [^:]+: (none\. None of the \d+ words tested has an adjusted p below 0\.05|[^\n]+)").expect("re");
    assert!(words.is_match(section), "{section}");
    // A significant cell gets its sentence with both shares and intervals.
    let sentence =
        regex::Regex::new(r"is mentioned by \d+ % \(\d+–\d+ %\) of [^\n]+?(against \d+ % \(\d+–\d+ %\)|whose share is withheld)")
            .expect("re");
    if section.contains("Significant differences:") {
        assert!(sentence.is_match(section), "{section}");
    }
    // Quotes come from the corpus, never from a suppressed group.
    for (name, n) in &groups {
        let quotes = format!("**Quotes: {name}**");
        if n.is_none() {
            assert!(!section.contains(&quotes), "{name} is suppressed");
        }
    }
    assert!(section.contains("**Quotes: local**"));
    assert!(section.matches("\n> ").count() >= 2);
}

#[test]
fn responses_csv_has_one_row_per_response_with_theme_and_scope() {
    let dir = seed_run();
    let (header, rows) = read_csv(&dir.path().join("out/responses.csv"));
    assert_eq!(
        header[..10],
        [
            "id",
            "collection",
            "source",
            "line",
            "question",
            "text",
            "theme_id",
            "theme",
            "scope",
            "scope_evidence"
        ]
    );
    assert_eq!(rows.len(), 88);
    let row45 = rows.iter().find(|r| r[3] == "45").expect("line 45");
    assert_eq!(row45[1], "seed");
    assert!(!row45[4].is_empty(), "the question is kept");
    assert_eq!(row45[8], "both");
    assert!(
        row45[9].contains("kommune") && row45[9].contains("landet"),
        "{}",
        row45[9]
    );
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), 88);
}

#[test]
fn html_shows_hostile_text_as_text_and_loads_nothing_from_the_network() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "svar\n\"<script>alert(1)</script> kommunen må lytte\"\n\"<img src=x onerror=alert(2)> staten bestemmer\"\nLokalsamfunnet trenger møteplasser\nNasjonale føringer styrer kommunene\n";
    std::fs::write(dir.path().join("x.csv"), csv).expect("write");
    ok_in(dir.path(), &["-q", "run", "x.csv", "-k", "2"]);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).expect("html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; kommunen må lytte"));
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("Content-Security-Policy"));
    assert!(
        !html.contains("http://")
            || html
                .matches("http://")
                .all(|_| html.contains("http://www.w3.org/2000/svg"))
    );
    assert!(!html.contains("https://"));
    assert_eq!(
        html.matches("<script").count(),
        2,
        "only the data block and the page's own script"
    );
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).expect("md");
    assert!(!md.contains("<script>"));
}

#[test]
fn wide_tables_report_rows_and_responses_separately() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "id,Hva fungerer godt i kommunen?,Hva bør staten gjøre?,kommune\n\
1,Barnehagene i nærmiljøet er gode og nære,Staten må gi mer penger til kommunene,Lom\n\
2,Biblioteket er et godt møtested for alle,Nasjonale regler bør bli enklere for alle,Vågå\n\
3,Lokalsamfunnet har mange frivillige lag,Regjeringen bør satse på distriktene nå,Lom\n";
    std::fs::write(dir.path().join("wide.csv"), csv).expect("write");
    let out = ok_in(dir.path(), &["-q", "run", "wide.csv", "-k", "2"]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("4 rows = 3 kept + 0 rejected + 1 structural; 6 responses"),
        "{summary}"
    );
    let r: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).expect("json"))
        .expect("parses");
    assert_eq!(r["inputs"][0]["kept_lines"], 3);
    assert_eq!(r["inputs"][0]["responses"], 6);
    assert_eq!(r["responses_total"], 6);
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).expect("md");
    assert!(md.contains("| 4 | 3 | 0 | 1 | 6 |"), "{md}");
    // Metadata columns become filters and facets.
    let lom = ok_in(dir.path(), &["search", "meta.kommune:lom", "--json", "-n", "10"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&lom.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 5, "four Lom answers and the summary");
    let facet = &lines[4]["facets"]["meta.kommune"];
    assert_eq!(facet[0], serde_json::json!(["Lom", 4]));
}

#[test]
fn report_csvs_keep_formulas_as_text_for_spreadsheets() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "svar\n\"=HYPERLINK(\"\"http://x\"\",\"\"klikk\"\")\"\n@SUM(A1) er en formel\n-12\nKommunen må lytte\n";
    std::fs::write(dir.path().join("f.csv"), csv).expect("write");
    ok_in(dir.path(), &["-q", "run", "f.csv", "-k", "1"]);
    let (header, rows) = read_csv(&dir.path().join("out/responses.csv"));
    let text = header.iter().position(|h| h == "text").expect("text");
    let texts: Vec<&str> = rows.iter().map(|r| r[text].as_str()).collect();
    assert_eq!(
        texts,
        [
            "'=HYPERLINK(\"http://x\",\"klikk\")",
            "'@SUM(A1) er en formel",
            "-12",
            "Kommunen må lytte"
        ]
    );
}
