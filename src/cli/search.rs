//! `stemme search`, `stemme similar` and `stemme kwic`: queries over the index, printed for
//! people (snippets, facet counts, aligned concordance lines) or as JSON lines.

use clap::Args;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use stemme::analyze::Analyzer;
use stemme::index::kwic::concordance;
use stemme::index::{SearchOptions, SearchResult, Searcher};
use stemme::{Error, Result};

const QUERY_SYNTAX: &str = "\
Query syntax:
  kommune                 a word, all its inflections, and compounds it is part of
  \"de stille stemmene\"    a phrase
  innkjøp OR anskaffelse  either word (several words mean all of them; see --any)
  metode -workshop        exclude a word (also: NOT)
  scope:local             field filters: scope, theme, kind, label, source, collection,
  kind:spørsmål           id, question, theme_id, line, and meta.<column> for any input column
  line:[30 TO 40]         ranges on numbers";

/// Flags shared by the commands that query an index.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Index folder to search.
    #[arg(long, default_value = "out/index", value_name = "DIR")]
    pub index: PathBuf,
    /// Number of responses to show (default: 10; for kwic: every matching response).
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print JSON lines instead of text (see README: "JSON output").
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = QUERY_SYNTAX)]
pub struct SearchArgs {
    /// The query.
    pub query: String,
    #[command(flatten)]
    pub common: QueryArgs,
    /// Several words match when any of them occurs (default: all must, as with --all).
    #[arg(long, conflicts_with = "all")]
    pub any: bool,
    /// Several words must all occur (the default).
    #[arg(long)]
    pub all: bool,
    /// Match words with typos, up to N edits (default 2 when given without a number):
    /// `Howdan` finds `Hvordan`.
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "2", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub fuzzy: Option<u8>,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// Id of a response (as in responses.csv or search output, e.g. seed-0045).
    pub id: String,
    #[command(flatten)]
    pub common: QueryArgs,
}

#[derive(Debug, Args)]
#[command(after_help = QUERY_SYNTAX)]
pub struct KwicArgs {
    /// The word (or query) whose occurrences to show.
    pub query: String,
    #[command(flatten)]
    pub common: QueryArgs,
    /// Characters of context on each side.
    #[arg(short, long, default_value_t = 40, value_name = "N")]
    pub width: usize,
    /// Match words with typos, up to N edits (default 2 when given without a number).
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "2", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub fuzzy: Option<u8>,
}

fn io(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

fn json_line(out: &mut impl Write, value: &impl Serialize) -> Result<()> {
    let line = serde_json::to_string(value).map_err(|e| Error::Usage(e.to_string()))?;
    writeln!(out, "{line}").map_err(io)
}

/// Prints a result: hits then facets as text, or JSON lines (`"type": "hit"` per hit, then
/// one `"type": "summary"` with the total and the facet counts).
fn print(result: &SearchResult, json: bool) -> Result<bool> {
    let stdout = std::io::stdout();
    let color = !json && stdout.is_terminal();
    let mut out = stdout.lock();
    if json {
        #[derive(Serialize)]
        struct Tagged<'a, T: Serialize> {
            r#type: &'a str,
            #[serde(flatten)]
            value: T,
        }
        for hit in &result.hits {
            json_line(
                &mut out,
                &Tagged {
                    r#type: "hit",
                    value: hit,
                },
            )?;
        }
        let summary =
            serde_json::json!({"query": result.query, "total": result.total, "facets": result.facets});
        json_line(
            &mut out,
            &Tagged {
                r#type: "summary",
                value: summary,
            },
        )?;
        return Ok(result.total > 0);
    }
    writeln!(
        out,
        "{} of {} matching responses for {:?}",
        result.hits.len(),
        result.total,
        result.query
    )
    .map_err(io)?;
    for hit in &result.hits {
        let snippet: String = if color {
            hit.snippet
                .split("**")
                .enumerate()
                .map(|(i, p)| {
                    if i % 2 == 1 {
                        format!("\x1b[1;31m{p}\x1b[0m")
                    } else {
                        p.to_string()
                    }
                })
                .collect()
        } else {
            hit.snippet.clone()
        };
        writeln!(
            out,
            "\n{}  {}:{}  score {:.2}  [{} · {}]",
            hit.id, hit.source, hit.line, hit.score, hit.theme, hit.scope
        )
        .map_err(io)?;
        writeln!(out, "  {}", snippet.replace('\n', " ")).map_err(io)?;
    }
    if result.total > 0 {
        writeln!(out, "\nAll {} matches by", result.total).map_err(io)?;
        for (name, values) in &result.facets {
            let shown: Vec<String> = values.iter().take(8).map(|(v, n)| format!("{v} ({n})")).collect();
            let more = if values.len() > 8 {
                format!(", … {} more", values.len() - 8)
            } else {
                String::new()
            };
            writeln!(out, "  {name}: {}{more}", shown.join(", ")).map_err(io)?;
        }
    }
    Ok(result.total > 0)
}

fn open(common: &QueryArgs) -> Result<Searcher> {
    Searcher::open(&common.index, &Analyzer::norwegian())
}

pub fn run(args: SearchArgs) -> Result<bool> {
    let options = SearchOptions {
        limit: args.common.limit.unwrap_or(10),
        any: args.any,
        fuzzy: args.fuzzy,
    };
    let result = open(&args.common)?.search(&args.query, &options)?;
    print(&result, args.common.json)
}

pub fn similar(args: SimilarArgs) -> Result<bool> {
    let result = open(&args.common)?.similar(&args.id, args.common.limit.unwrap_or(10))?;
    print(&result, args.common.json)
}

pub fn kwic(args: KwicArgs) -> Result<bool> {
    let options = SearchOptions {
        limit: args.common.limit.unwrap_or(usize::MAX),
        any: false,
        fuzzy: args.fuzzy,
    };
    let lines = concordance(&open(&args.common)?, &args.query, &options, args.width)?;
    let mut out = std::io::stdout().lock();
    for l in &lines {
        if args.common.json {
            json_line(&mut out, l)?;
        } else {
            let pad = args.width.saturating_sub(l.left.chars().count());
            writeln!(
                out,
                "{:>14}  {}{}[{}]{}",
                l.id,
                " ".repeat(pad),
                l.left,
                l.keyword,
                l.right
            )
            .map_err(io)?;
        }
    }
    Ok(!lines.is_empty())
}
