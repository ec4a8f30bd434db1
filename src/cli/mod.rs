//! Command-line interface: one module per subcommand, each with its arguments and `run`;
//! this module holds the top-level parser and dispatch. Data goes to stdout; progress and
//! messages go to stderr.

mod analyze;
mod corpus;
mod ingest;
mod progress;
mod run;
mod search;

use clap::{Parser, Subcommand};
use progress::Bars;
use stemme::{Error, Result};

const AFTER_HELP: &str = "\
Examples:
  stemme run                              analyse the bundled corpus into out/
  stemme run svar.csv --text-column svar  analyse your own CSV
  stemme search kommune                   finds kommunen, kommunene, kommuner …
  stemme search '\"stille stemmene\"'       a phrase
  stemme search 'metode AND scope:local'  words, AND/OR/NOT and field filters
  stemme search --fuzzy howdan            tolerate typos
  stemme kwic modell                      every occurrence in context
  stemme similar seed-0045                responses like this one
  stemme analyze \"Kommunene må lytte\"     show what the analyzer does to a text";

/// Turn open-ended Norwegian responses into themes, a searchable index and reports that
/// compare local and national concerns.
#[derive(Debug, Parser)]
#[command(name = "stemme", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Worker threads for analysis and clustering (default: all cores). Output is
    /// identical for any number.
    #[arg(short = 'j', long, global = true, value_name = "N")]
    jobs: Option<usize>,
    /// No progress bars or stage messages on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole job: ingest, analyse, cluster into themes, tag local/national scope,
    /// index, and write the reports. With no INPUT, runs on the bundled seed corpus.
    Run(run::RunArgs),
    /// Build only the search index (same inputs and options as `run`).
    Index(run::RunArgs),
    /// Read input files into a reusable corpus folder (responses.csv/jsonl, rejects.csv,
    /// manifest.json with the input's path and checksum).
    Ingest(ingest::IngestArgs),
    /// List the collections of a corpus folder, or export them as one CSV or JSONL file.
    Corpus(corpus::CorpusArgs),
    /// Search the index: words match all their inflections (`kommune` finds `kommunene`)
    /// and the compounds they are part of (`modell` finds `samfunnsmodeller`).
    Search(search::SearchArgs),
    /// The responses most like a given one.
    Similar(search::SimilarArgs),
    /// Keyword in context: every occurrence of a word with the text around it.
    Kwic(search::KwicArgs),
    /// Show what the Norwegian analyzer does to a text: words, stopwords, stems, display forms.
    Analyze(analyze::AnalyzeArgs),
}

/// Runs the parsed command. `Ok(false)` means it ran but found nothing (exit code 1).
pub fn execute(cli: Cli) -> Result<bool> {
    if let Some(jobs) = cli.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .map_err(|e| Error::Usage(format!("cannot start {jobs} threads: {e}")))?;
    }
    let bars = Bars::new(cli.quiet);
    match cli.command {
        Command::Run(args) => run::run(args, true, &bars),
        Command::Index(args) => run::run(args, false, &bars),
        Command::Ingest(args) => ingest::run(args, &bars),
        Command::Corpus(args) => corpus::run(args),
        Command::Search(args) => search::run(args),
        Command::Similar(args) => search::similar(args),
        Command::Kwic(args) => search::kwic(args),
        Command::Analyze(args) => analyze::run(args),
    }
}

/// Leaves `value` to the end of the process rather than dropping it. A command ends once
/// its output is written, and the system then takes back all its memory and mapped files
/// at once, where dropping them would free each allocation and unmap each file one by one
/// (about 0.5 ms of a query on a 1M-response index; tens of millions of allocations after
/// a 1M-response run).
fn leave<T>(value: T) {
    std::mem::forget(value);
}
