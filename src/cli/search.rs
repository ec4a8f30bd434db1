//! `stemme search`: queries over the index, printed for people or as JSON lines.

use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use stemme::analyze::Analyzer;
use stemme::index::Searcher;
use stemme::{Error, Result};

#[derive(Debug, Args)]
#[command(after_help = "\
Query syntax:
  kommune                 a word and all its inflections
  \"de stille stemmene\"    a phrase
  innkjøp OR anskaffelse  either word (several words mean all of them)
  metode -workshop        exclude a word (also: NOT)
  scope:local             field filters: scope, theme, kind, label, source, collection,
  kind:spørsmål           id, question, theme_id, line, and meta.<column> for any input column
  line:[30 TO 40]         ranges on numbers")]
pub struct SearchArgs {
    /// The query.
    pub query: String,
    /// Index folder to search.
    #[arg(long, default_value = "out/index", value_name = "DIR")]
    pub index: PathBuf,
    /// Number of hits to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// One JSON object per hit (id, text, source, line, score, snippet, matched, theme,
    /// scope, kinds).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SearchArgs) -> Result<bool> {
    let searcher = Searcher::open(&args.index, &Analyzer::norwegian())?;
    let result = searcher.search(&args.query, args.limit)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let color = !args.json && stdout.is_terminal();
    let io = |e| Error::io("<stdout>", e);
    if args.json {
        for hit in &result.hits {
            let line = serde_json::to_string(hit).map_err(|e| Error::Usage(e.to_string()))?;
            writeln!(out, "{line}").map_err(io)?;
        }
    } else {
        writeln!(
            out,
            "{} of {} matching responses for {:?}",
            result.hits.len(),
            result.total,
            result.query
        )
        .map_err(io)?;
        for hit in &result.hits {
            let snippet = if color {
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
    }
    Ok(result.total > 0)
}
