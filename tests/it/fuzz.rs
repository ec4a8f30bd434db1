//! Property tests (proptest) over what takes untrusted text: the query parser, through the
//! library's search on a real index, and the analyzer. A query of any text must give hits,
//! no hits or a query error (exit codes 0, 1, 2), never a panic or an index error; the
//! analyzer must never panic and its offsets must be char boundaries of the text.
//!
//! Cases per property: [`DEFAULT_CASES`] in a normal test run (a few seconds), or
//! `PROPTEST_CASES` (e.g. `PROPTEST_CASES=100000 cargo test --release fuzz`) for a longer
//! run. Failing inputs are shrunk and printed.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use stemme::analyze::{nfc, word_offsets, Analyzer};
use stemme::index::{SearchOptions, Searcher};
use stemme::Error;

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 2_000;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Pieces of query syntax, words and odd characters, to be joined into queries.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "AND",
            "OR",
            "NOT",
            "&&",
            "||",
            "(",
            ")",
            "\"",
            "'",
            "+",
            "-",
            "*",
            ":",
            "^2",
            "~",
            "[",
            "]",
            "{",
            "}",
            " TO ",
            ">=",
            "<",
            "\\",
            "/",
            "scope:",
            "kind:",
            "theme:",
            "line:",
            "line:[1 TO 9]",
            "meta.kommune:",
            "meta.",
            "meta.x:",
            "id:",
            "question:",
            "Wars:",
            "kommunen",
            "tverr-kommunalt",
            "O'Rourke",
            "hvordan",
            "og",
            "e-post",
            "samarbeid",
            "bussen",
            "æøå",
            "\u{301}",
            "\u{202e}",
            "\u{1b}[31m",
            "\u{0}",
            "🙂",
            "1",
            "99999999999999999999999",
        ])
        .prop_map(String::from),
        "[a-zæøå]{1,8}",
        any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec((piece(), prop::sample::select(vec!["", " ", "  "])), 0..12).prop_map(
            |parts| {
                parts
                    .into_iter()
                    .flat_map(|(p, sep)| [p, sep.to_string()])
                    .collect()
            }
        ),
        any::<String>(),
    ]
}

/// The exit code `stemme search` would give for a search result.
fn exit_code(result: &stemme::Result<stemme::index::SearchResult>) -> Result<u8, String> {
    match result {
        Ok(r) if r.total > 0 => Ok(0),
        Ok(_) => Ok(1),
        Err(Error::Query { .. }) => Ok(2),
        Err(other) => Err(format!("not a query error: {other}")),
    }
}

#[test]
fn any_query_gives_hits_none_or_a_query_error() {
    let searcher = Searcher::open(super::search::typed_index(), &Analyzer::norwegian()).expect("index opens");
    let mut runner = TestRunner::new(config());
    let codes = std::cell::Cell::new([0usize; 3]);
    runner
        .run(
            &(query(), any::<bool>(), prop::option::of(1u8..=2)),
            |(q, any, fuzzy)| {
                let options = SearchOptions { limit: 5, any, fuzzy };
                let code = exit_code(&searcher.search(&q, &options)).map_err(TestCaseError::fail)?;
                let mut counts = codes.get();
                counts[usize::from(code)] += 1;
                codes.set(counts);
                Ok(())
            },
        )
        .expect("every query is answered");
    let codes = codes.get();
    println!("queries by exit code 0/1/2: {codes:?}");
    assert!(
        codes[0] > 0 && codes[1] > 0,
        "the strategies reach hits and misses: {codes:?}"
    );
}

#[test]
fn the_analyzer_never_panics_and_offsets_are_char_boundaries() {
    let analyzer = Analyzer::norwegian();
    let text = prop_oneof![
        any::<String>(),
        "[a-zA-ZæøåÆØÅäöé0-9 .,;:'\"_/\\-\u{300}-\u{36f}\u{a0}\u{2009}\n\t🙂]{0,80}",
    ];
    let mut runner = TestRunner::new(config());
    runner
        .run(&text, |text| {
            let normalized = nfc(&text);
            let analysed = analyzer.analyze(&text);
            let offsets: Vec<_> = word_offsets(&text).collect();
            prop_assert_eq!(offsets.len(), analysed.iter().count());
            for range in offsets {
                prop_assert!(
                    range.start < range.end && range.end <= normalized.len(),
                    "{range:?}"
                );
                prop_assert!(
                    normalized.is_char_boundary(range.start) && normalized.is_char_boundary(range.end),
                    "{range:?} in {normalized:?}"
                );
            }
            Ok(())
        })
        .expect("the analyzer handles any text");
}
