//! Search over the index that `stemme run` builds: inflections, phrases, boolean
//! operators, field filters, JSON output and exit codes.

use super::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// All JSON lines of a command.
fn json_lines(dir: &Path, args: &[&str]) -> Vec<Value> {
    let out = ok_in(dir, args);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// The hit lines of `stemme search QUERY --json` (the summary line checked and dropped).
fn hits_with(dir: &Path, query: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["search", query, "--json", "--limit", "200"];
    args.extend_from_slice(extra);
    let mut lines = json_lines(dir, &args);
    let summary = lines.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary");
    assert!(lines.iter().all(|l| l["type"] == "hit"));
    assert_eq!(summary["total"].as_u64(), Some(lines.len() as u64));
    lines
}

fn hits(dir: &Path, query: &str) -> Vec<Value> {
    hits_with(dir, query, &[])
}

fn lines(hits: &[Value]) -> BTreeSet<u64> {
    hits.iter().map(|h| h["line"].as_u64().expect("line")).collect()
}

#[test]
fn a_word_finds_its_inflections_and_json_has_the_documented_fields() {
    let dir = seed_run();
    let kommune = hits(dir.path(), "kommune");
    let l = lines(&kommune);
    // kommune (45), kommunen (92, 102), kommunene (37, 99), kommuner (42, 43).
    for line in [45, 92, 102, 37, 99, 42, 43] {
        assert!(l.contains(&line), "kommune should find line {line}: {l:?}");
    }
    let matched: BTreeSet<String> = kommune
        .iter()
        .flat_map(|h| {
            h["matched"]
                .as_array()
                .expect("matched")
                .iter()
                .map(|m| m.as_str().expect("str").to_lowercase())
        })
        .collect();
    for form in ["kommune", "kommunen", "kommunene", "kommuner"] {
        assert!(matched.contains(form), "{form} not highlighted: {matched:?}");
    }
    for h in &kommune {
        for field in ["id", "text", "source", "line", "score", "snippet"] {
            assert!(!h[field].is_null(), "{field} missing in {h}");
        }
        assert!(h["text"]
            .as_str()
            .expect("text")
            .to_lowercase()
            .contains("kommune"));
    }
    let metode = lines(&hits(dir.path(), "metode"));
    assert!(
        metode.contains(&55) || metode.contains(&56),
        "metodene (line 56) should match: {metode:?}"
    );
    assert!(metode.contains(&56));
}

#[test]
fn a_word_finds_the_compounds_it_is_part_of_and_highlights_them() {
    let dir = seed_run();
    let modell = hits(dir.path(), "modell");
    // Every response whose text holds modell, modeller, samfunnsmodeller or samfunnsmodellen.
    assert_eq!(
        lines(&modell),
        BTreeSet::from([41, 47, 53, 58, 62, 66, 70, 75, 78, 90])
    );
    let h66 = modell.iter().find(|h| h["line"] == 66).expect("line 66");
    assert!(
        h66["snippet"]
            .as_str()
            .expect("snippet")
            .contains("**samfunnsmodeller**"),
        "{h66}"
    );
    assert_eq!(lines(&hits(dir.path(), "grense")), BTreeSet::from([44]));
    // A whole-word match ranks above a match through a compound part.
    let kommune: Vec<u64> = hits(dir.path(), "kommune")
        .iter()
        .map(|h| h["line"].as_u64().expect("line"))
        .collect();
    let pos = |line: u64| kommune.iter().position(|&l| l == line).expect("line present");
    assert!(pos(45) < pos(71) && pos(33) < pos(44), "{kommune:?}");
    // Queries are not split: the compound itself stays precise.
    assert_eq!(
        lines(&hits(dir.path(), "samfunnsmodell")),
        BTreeSet::from([41, 66, 70, 75, 78, 90])
    );
}

#[test]
fn phrases_booleans_and_field_filters() {
    let dir = seed_run();
    assert_eq!(
        lines(&hits(dir.path(), "\"stille stemmene\"")),
        BTreeSet::from([37])
    );
    assert_eq!(
        lines(&hits(dir.path(), "kjøpe AND kommuner")),
        BTreeSet::from([42, 43])
    );
    assert_eq!(lines(&hits(dir.path(), "kjøpe -kommuner")), BTreeSet::from([41]));
    assert_eq!(
        lines(&hits(dir.path(), "kjøpe AND NOT kommuner")),
        BTreeSet::from([41])
    );
    assert_eq!(
        lines(&hits(dir.path(), "innkjøp OR kjøpe")),
        BTreeSet::from([40, 41, 42, 43])
    );
    let local = hits(dir.path(), "metode AND scope:local");
    assert!(!local.is_empty());
    assert!(local.iter().all(|h| h["scope"] == "local"));
    let kind = hits(dir.path(), "kind:forslag");
    assert_eq!(lines(&kind), BTreeSet::from([40]));
    let source = hits(dir.path(), "source:000_979cbf6dc38295de.txt AND spennende");
    assert!(source.len() >= 8, "{}", source.len());
    let label = lines(&hits(dir.path(), "label:innkjøp"));
    assert_eq!(label, BTreeSet::from([40, 41, 42, 43]));
}

#[test]
fn fuzzy_matching_finds_typos_and_highlights_the_real_word() {
    let dir = seed_run();
    // `Howdan` is a typo in five responses; `hvordan` is written correctly in many more.
    let exact = lines(&hits(dir.path(), "howdan"));
    assert_eq!(exact, BTreeSet::from([69, 73, 86, 95, 102]));
    let fuzzy = hits_with(dir.path(), "howdan", &["--fuzzy"]);
    let l = lines(&fuzzy);
    assert!(exact.is_subset(&l) && l.contains(&30) && l.contains(&33), "{l:?}");
    let h30 = fuzzy.iter().find(|h| h["line"] == 30).expect("line 30");
    assert!(
        h30["snippet"].as_str().expect("snippet").contains("**Hvordan**"),
        "{h30}"
    );
}

#[test]
fn any_and_all_set_the_default_operator() {
    let dir = seed_run();
    let all = lines(&hits(dir.path(), "kjøpe kommuner"));
    let any = lines(&hits_with(dir.path(), "kjøpe kommuner", &["--any"]));
    assert_eq!(all, BTreeSet::from([42, 43]));
    assert!(any.is_superset(&all) && any.contains(&41) && any.len() > all.len());
    assert_eq!(all, lines(&hits_with(dir.path(), "kjøpe kommuner", &["--all"])));
}

#[test]
fn facets_count_all_matches_by_theme_scope_kind_and_source() {
    let dir = seed_run();
    let mut lines = json_lines(dir.path(), &["search", "kommune", "--json", "--limit", "1"]);
    let summary = lines.pop().expect("summary");
    let total = summary["total"].as_u64().expect("total");
    assert!(total > 1 && lines.len() == 1);
    for facet in ["theme", "scope", "kind", "source"] {
        let values = summary["facets"][facet].as_array().expect(facet);
        let counts: Vec<u64> = values.iter().map(|v| v[1].as_u64().expect("count")).collect();
        let sum: u64 = counts.iter().sum();
        if facet == "kind" {
            assert!(sum >= total, "every match has at least one kind");
        } else {
            assert_eq!(sum, total, "{facet} counts add up to all matches");
        }
    }
    // Each count is the number of matching responses with that value (a response listing
    // a kind twice counts once).
    let all = hits(dir.path(), "kommune");
    for pair in summary["facets"]["kind"].as_array().expect("kind") {
        let kind = pair[0].as_str().expect("value");
        let with = all
            .iter()
            .filter(|h| h["kinds"].as_array().expect("kinds").iter().any(|k| k == kind))
            .count();
        assert_eq!(pair[1].as_u64(), Some(with as u64), "{kind}");
    }
    let text = String::from_utf8_lossy(&ok_in(dir.path(), &["search", "kommune"]).stdout).to_string();
    assert!(
        text.contains(&format!("All {total} matches by")) && text.contains("scope: "),
        "{text}"
    );
}

#[test]
fn similar_finds_responses_sharing_words_and_not_itself() {
    let dir = seed_run();
    let mut similar = json_lines(dir.path(), &["similar", "seed-0045", "--json", "-n", "5"]);
    similar.pop();
    assert_eq!(similar.len(), 5);
    assert!(similar.iter().all(|h| h["id"] != "seed-0045"));
    // Østlandet: line 81 (østlandskommunen) and 98 (Østlandsbyen) share it through compounds.
    let l = lines(&similar);
    assert!(l.contains(&81) && l.contains(&98), "{l:?}");
    let missing = run_in(dir.path(), &["similar", "seed-9999"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn kwic_lists_every_occurrence_with_context() {
    let dir = seed_run();
    let rows = json_lines(dir.path(), &["kwic", "modell", "--json", "-n", "100", "-w", "20"]);
    let keywords: Vec<&str> = rows
        .iter()
        .map(|r| r["keyword"].as_str().expect("keyword"))
        .collect();
    // Ten responses, line 70 twice (modell and samfunnsmodeller).
    assert_eq!(rows.len(), 11, "{keywords:?}");
    assert!(keywords.iter().all(|k| k.to_lowercase().contains("modell")));
    let r70: Vec<&Value> = rows.iter().filter(|r| r["line"] == 70).collect();
    assert_eq!(r70.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r["left"].as_str().expect("left").chars().count() <= 20));
    let text =
        String::from_utf8_lossy(&ok_in(dir.path(), &["kwic", "modell", "-w", "20"]).stdout).to_string();
    assert!(text.contains("[samfunnsmodeller]"), "{text}");
}

#[test]
fn exit_codes_say_found_nothing_or_error() {
    let dir = seed_run();
    let none = run_in(dir.path(), &["search", "fotballbane"]);
    assert_eq!(none.status.code(), Some(1));
    let deep = format!("{}kommune{}", "(".repeat(10_000), ")".repeat(10_000));
    let bad = run_in(dir.path(), &["search", &deep]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("parentheses nested 10000 deep"), "{stderr}");
    assert!(
        stderr.len() < 400,
        "the message shows the start of the query: {stderr}"
    );
    let missing = run_in(dir.path(), &["search", "kommune", "--index", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere"));
}

#[test]
fn a_query_answers_alike_in_a_fork_and_in_a_fresh_start() {
    // Without -j the query runs in a fork of the process; with -j, whose threads are
    // started before the query, in a fresh start of the binary.
    let dir = seed_run();
    for (query, code) in [("kommune", 0), ("fotballbane", 1), ("meta.nosuch:x", 2)] {
        let forked = run_in(dir.path(), &["search", query, "--json"]);
        let started = run_in(dir.path(), &["-j", "2", "search", query, "--json"]);
        assert_eq!(forked.status.code(), Some(code), "{query}");
        assert_eq!(started.status.code(), Some(code), "{query}");
        assert_eq!(forked.stdout, started.stdout, "{query}");
        assert_eq!(forked.stderr, started.stderr, "{query}");
    }
    let found = run_in(dir.path(), &["search", "kommune", "--json"]);
    assert!(String::from_utf8_lossy(&found.stdout).contains("\"type\":\"hit\""));
    let error = run_in(dir.path(), &["search", "meta.nosuch:x"]);
    assert!(String::from_utf8_lossy(&error.stderr).contains("no metadata column meta.nosuch"));
}

#[test]
fn equal_scores_come_in_corpus_order_and_limit_zero_shows_none() {
    let dir = seed_run();
    // A filter alone gives every match the same score: corpus order decides.
    let mut lines = json_lines(dir.path(), &["search", "scope:unspecified", "--json", "-n", "3"]);
    lines.pop();
    let ids: Vec<&str> = lines.iter().map(|h| h["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["seed-0009", "seed-0010", "seed-0011"]);
    let none = json_lines(dir.path(), &["search", "kommune", "--json", "-n", "0"]);
    assert_eq!(none.len(), 1, "only the summary");
    assert!(none[0]["total"].as_u64() > Some(0));
}

#[test]
fn snippets_show_short_texts_whole_and_mark_cuts_in_long_ones() {
    let dir = seed_run();
    let joined = hits(dir.path(), "tverrkommunalt");
    let snippet = joined[0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("**tverr-kommunalt**"), "{snippet}");
    assert!(
        snippet.ends_with("for slike?"),
        "short texts keep their last word and mark: {snippet}"
    );
    // The response on line 62 is 633 characters: the snippet is a fragment around the
    // match, marked where it was cut.
    let long = hits(dir.path(), "systeminnovasjon");
    let snippet = long[0]["snippet"].as_str().expect("snippet");
    assert!(
        snippet.contains("**systeminnovasjon**") && snippet.ends_with(" …"),
        "{snippet}"
    );
    assert!(snippet.chars().count() < 260, "{snippet}");
}

/// Responses written the way people write, with what a terminal must not see.
const TYPED: &str = "id,text,kommune
1,\"Harmy's Despecialized Edition av Star Wars er bedre enn originalen\",Oslo
2,\"O'Rourke sa at tverrkommunalt samarbeid må prioriteres\",Bergen
3,\"Vi trenger mer tverr-kommunalt samarbeid om helse\",Oslo
4,\"Send en e-post til kommunen om bussruta\",Bergen
5,\"Hvordan går det med dere\",Oslo
6,\"Kommunen må lytte til innbyggerne\",Tromsø
7,\"Skolen trenger flere lærere og bedre lokaler\",Oslo
8,\"Fotballbanen bør rustes opp\",Bergen
9,\"Bussen \x1b[31mer rød\x1b[0m og \x07 ringer\x1b]0;tittel\x07 hele dagen\",Tromsø
10,\"Sykehuset er for langt unna, og bussen går sjelden\",Oslo
";

/// An index of [`TYPED`], built once for the tests that read it (never written to).
pub fn typed_index() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-typed");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("typed.csv"), TYPED).expect("fixture written");
        ok_in(
            &dir,
            &["-q", "index", "typed.csv", "--text-column", "text", "-k", "2"],
        );
        dir.join("out/index")
    })
}

/// The ids (csv `id` column) of the responses `query` finds in [`typed_index`].
fn typed_ids(query: &str, extra: &[&str]) -> Vec<String> {
    let index = typed_index().to_str().expect("utf-8 path").to_string();
    let mut args = vec!["search", query, "--json", "-n", "50", "--index", &index];
    args.extend_from_slice(extra);
    let out = run_in(Path::new("."), &args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{query:?}: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .filter(|v| v["type"] == "hit")
        .map(|v| v["line"].as_u64().map(|l| (l - 1).to_string()).expect("line"))
        .collect()
}

#[test]
fn text_typed_as_people_write_it_is_a_query() {
    assert_eq!(typed_ids("O'Rourke", &[]), ["2"]);
    assert_eq!(typed_ids("Harmy's", &[]), ["1"]);
    assert_eq!(typed_ids("Star Wars: Despecialized", &[]), ["1"]);
    assert_eq!(typed_ids("Star:Wars", &[]), ["1"]);
    assert_eq!(typed_ids("hvem:kommunen", &[]), Vec::<String>::new());
    assert_eq!(typed_ids("(kommunen", &[]), ["6", "4"]);
    assert_eq!(typed_ids("\"kommunen", &[]), ["6", "4"]);
    assert_eq!(typed_ids("kommunen)", &[]), ["6", "4"]);
    assert_eq!(
        typed_ids("AND kommunen", &[]),
        Vec::<String>::new(),
        "AND is the word and"
    );
    assert_eq!(typed_ids("kommunen AND", &[]), Vec::<String>::new());
    // Syntax where it is well-formed.
    assert_eq!(typed_ids("kommunen -lytte", &[]), ["4"]);
    assert_eq!(typed_ids("kommunen AND NOT lytte", &[]), ["4"]);
    let mut either = typed_ids("(lytte OR e-post) kommunen", &[]);
    either.sort();
    assert_eq!(either, ["4", "6"]);
    assert_eq!(typed_ids("meta.kommune:tromsø", &[]).len(), 2);
    assert_eq!(
        typed_ids("meta.kommune:(bergen OR tromsø) kommunen", &[]),
        ["6", "4"]
    );
    let mut range = typed_ids("line:[2 TO 4] samarbeid", &[]);
    range.sort();
    assert_eq!(range, ["2", "3"]);
    // An unknown metadata column is still an error, as documented.
    let index = typed_index().to_str().expect("utf-8 path").to_string();
    let out = run_in(
        Path::new("."),
        &["search", "meta.fylke:vestland", "--index", &index],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("meta.kommune"));
}

#[test]
fn a_metadata_match_is_weighed_against_all_metadata_values() {
    // BM25 on a metadata column takes a response's length to be one value and the
    // average to be the number of metadata values per response, all columns together
    // (here 2: `id` and `kommune`), as when the columns were one JSON field: 2 of the 10
    // responses are from Tromsø.
    let index = typed_index().to_str().expect("utf-8 path").to_string();
    let out = ok_in(
        Path::new("."),
        &["search", "meta.kommune:tromsø", "--json", "--index", &index],
    );
    let scores: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .filter(|v| v["type"] == "hit")
        .map(|v| v["score"].as_f64().expect("score"))
        .collect();
    let idf = (1.0f64 + (10.0 - 2.0 + 0.5) / (2.0 + 0.5)).ln();
    let (k1, b) = (1.2, 0.75);
    let shared = idf * (1.0 + k1) / (1.0 + k1 * (1.0 - b + b / 2.0));
    assert_eq!(scores.len(), 2);
    for score in scores {
        // Each column's own average (one value) would give the idf alone.
        assert!((score - shared).abs() < 1e-4, "{score} vs {shared} (idf {idf})");
    }
}

#[test]
fn a_number_in_parentheses_or_quotes_is_scored_as_a_term() {
    // Line numbers are searched in their column, but `line:(3)` and `line:"3"` score as a
    // term query on an indexed line field did: BM25 of a term that 1 of the 10 responses
    // holds, each response having one line number (a length and an average of one), which
    // is the idf alone.
    let index = typed_index().to_str().expect("utf-8 path").to_string();
    let idf = (1.0f64 + (10.0 - 1.0 + 0.5) / (1.0 + 0.5)).ln();
    for (query, lines) in [
        ("line:(3)", vec![3]),
        ("line:\"3\"", vec![3]),
        ("line:(3 OR 5)", vec![3, 5]),
    ] {
        let out = ok_in(Path::new("."), &["search", query, "--json", "--index", &index]);
        let hits: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
            .filter(|v| v["type"] == "hit")
            .collect();
        let found: Vec<u64> = hits.iter().map(|h| h["line"].as_u64().expect("line")).collect();
        assert_eq!(found, lines, "{query}");
        for hit in &hits {
            let score = hit["score"].as_f64().expect("score");
            assert!((score - idf).abs() < 1e-4, "{query}: {score} vs idf {idf}");
        }
    }
}

#[test]
fn hyphenated_words_match_with_and_without_the_hyphen() {
    let mut with = typed_ids("tverr-kommunalt", &[]);
    let mut without = typed_ids("tverrkommunalt", &[]);
    with.sort();
    without.sort();
    assert_eq!(with, ["2", "3"]);
    assert_eq!(without, ["2", "3"]);
    assert_eq!(typed_ids("epost", &[]), ["4"]);
    assert_eq!(typed_ids("e-post", &[]), ["4"]);
    // A quoted phrase stays exact: the joined spelling does not match it.
    assert_eq!(typed_ids("\"tverr kommunalt\"", &[]), ["3"]);
}

#[test]
fn stopwords_do_not_count_in_any_queries_but_phrases_stay_exact() {
    // `hvordan` and `det` are stopwords: response 5 has only them.
    let any = typed_ids("hvordan det kommunen", &["--any"]);
    assert_eq!(any, ["6", "4"]);
    assert_eq!(
        typed_ids("\"hvordan går det\" kommunen", &["--any"]),
        ["5", "6", "4"]
    );
    // A query of stopwords alone still finds them.
    assert_eq!(typed_ids("hvordan det", &["--any"]), ["5"]);
    assert_eq!(typed_ids("hvordan kommunen", &[]), Vec::<String>::new());
}

#[test]
fn deep_and_long_queries_are_answered_or_refused_never_crash() {
    let index = typed_index().to_str().expect("utf-8 path").to_string();
    let cases = [
        (
            format!("{}kommunen{}", "(".repeat(10_000), ")".repeat(10_000)),
            Some(2),
        ),
        ("(".repeat(10_000), Some(1)),
        (format!("{}kommunen", "NOT ".repeat(10_000)), Some(0)),
        (format!("{}kommunen", "-".repeat(10_001)), Some(0)),
        ("kommunen ".repeat(5_000), Some(0)),
        ("\"".repeat(10_001), Some(1)),
    ];
    for (query, code) in cases {
        let out = run_in(Path::new("."), &["search", "--index", &index, "--", &query]);
        assert_eq!(
            out.status.code(),
            code,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn escape_codes_in_responses_do_not_reach_the_terminal_but_json_keeps_them() {
    let index = typed_index().to_str().expect("utf-8 path").to_string();
    for command in ["search", "kwic"] {
        let out = ok_in(Path::new("."), &[command, "bussen", "--index", &index]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("er rød og  ringer"), "{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    }
    let out = ok_in(Path::new("."), &["search", "bussen", "--json", "--index", &index]);
    let raw = String::from_utf8_lossy(&out.stdout);
    assert!(
        raw.contains("\\u001b[31m"),
        "JSON escapes control characters: {raw}"
    );
    let texts: Vec<String> = raw
        .lines()
        .filter_map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON")["text"]
                .as_str()
                .map(String::from)
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("\x1b[31mer rød\x1b[0m og \x07 ringer")),
        "{texts:?}"
    );
}

#[test]
fn a_damaged_index_is_an_error_never_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("index");
    std::fs::create_dir(&copy).expect("copy dir");
    let files: Vec<PathBuf> = std::fs::read_dir(typed_index())
        .expect("index dir")
        .map(|e| e.expect("entry").path())
        .collect();
    let mut errors = 0;
    let mut trials = 0;
    for target in files.iter().filter(|p| {
        p.extension()
            .is_some_and(|e| ["idx", "fast", "store", "term", "pos"].contains(&e.to_str().unwrap_or("")))
    }) {
        let bytes = std::fs::read(target).expect("index file");
        // A dozen positions spread over each file, and its last bytes (the footer).
        let step = (bytes.len() / 12).max(1);
        for at in (0..bytes.len())
            .step_by(step)
            .chain(bytes.len().saturating_sub(8)..bytes.len())
        {
            for f in &files {
                std::fs::copy(f, copy.join(f.file_name().expect("name"))).expect("copied");
            }
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xa5;
            std::fs::write(copy.join(target.file_name().expect("name")), &damaged).expect("written");
            for query in ["kommunen", "\"tverr kommunalt\"", "bussen OR skolen"] {
                let out = run_in(dir.path(), &["search", query, "--index", "index"]);
                let stderr = String::from_utf8_lossy(&out.stderr);
                trials += 1;
                match out.status.code() {
                    Some(0 | 1) => {}
                    Some(2) => {
                        errors += 1;
                        assert!(stderr.contains("rebuild it with `stemme index`"), "{stderr}");
                    }
                    other => panic!("{target:?} byte {at}: exit {other:?}: {stderr}"),
                }
                assert!(!stderr.contains("panicked"), "{stderr}");
            }
        }
    }
    println!("{trials} searches on damaged copies: {errors} reported the damage");
    assert!(trials > 100 && errors > 10, "{trials} trials, {errors} errors");
}

#[test]
fn an_identifier_column_is_searchable_but_not_written_or_counted_as_a_facet() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut csv = String::from("respondent,kommune,svar\n");
    for i in 1..=40 {
        let kommune = if i % 2 == 0 { "Oslo" } else { "Bergen" };
        csv.push_str(&format!(
            "r{i},{kommune},Skolen i kommunen trenger flere lærere nummer {i}\n"
        ));
    }
    std::fs::write(dir.path().join("svar.csv"), csv).expect("write");
    ok_in(
        dir.path(),
        &["run", "svar.csv", "--text-column", "svar", "-o", "out"],
    );
    let sidecar = std::fs::read_to_string(dir.path().join("out/index/stemme-index.json")).expect("sidecar");
    let info: Value = serde_json::from_str(&sidecar).expect("json");
    assert_eq!(info["identifier_columns"], serde_json::json!(["respondent"]));
    let lines = json_lines(
        dir.path(),
        &[
            "search",
            "meta.respondent:r7 skole",
            "--json",
            "--index",
            "out/index",
        ],
    );
    let summary = lines.last().expect("summary");
    assert_eq!(summary["total"], 1);
    assert_eq!(lines[0]["line"], 8);
    assert_eq!(summary["unique_columns"], serde_json::json!(["meta.respondent"]));
    assert_eq!(
        summary["facets"]["meta.kommune"],
        serde_json::json!([["Bergen", 1]])
    );
    assert!(summary["facets"].get("meta.respondent").is_none());
}
