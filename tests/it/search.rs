//! Search over the index that `stemme run` builds: inflections, phrases, boolean
//! operators, field filters, JSON output and exit codes.

use super::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn hits(dir: &Path, query: &str) -> Vec<Value> {
    let out = ok_in(dir, &["search", query, "--json", "--limit", "200"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
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
fn exit_codes_say_found_nothing_or_error() {
    let dir = seed_run();
    let none = run_in(dir.path(), &["search", "fotballbane"]);
    assert_eq!(none.status.code(), Some(1));
    let bad = run_in(dir.path(), &["search", "AND ("]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("query"));
    let missing = run_in(dir.path(), &["search", "kommune", "--index", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere"));
}
