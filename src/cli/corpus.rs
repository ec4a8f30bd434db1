//! `stemme corpus list` and `stemme corpus export`: what a corpus folder holds, and all
//! (or some) of its collections as one CSV or JSONL file for a follow-up study.

use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use stemme::corpus;
use stemme::{Error, Result};

#[derive(Debug, Args)]
pub struct CorpusArgs {
    #[command(subcommand)]
    command: CorpusCommand,
}

#[derive(Debug, Subcommand)]
enum CorpusCommand {
    /// List the collections with their counts (tab-separated, with a header row).
    List {
        /// Corpus folder.
        #[arg(long, default_value = "corpus", value_name = "DIR")]
        corpus: PathBuf,
    },
    /// Write the responses of several collections as one CSV or JSONL file.
    Export {
        /// Corpus folder.
        #[arg(long, default_value = "corpus", value_name = "DIR")]
        corpus: PathBuf,
        /// Collection to export; repeat for several (default: all).
        #[arg(long, value_name = "NAME")]
        collection: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Output file (default: stdout).
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

pub fn run(args: CorpusArgs) -> Result<bool> {
    match args.command {
        CorpusCommand::List { corpus } => {
            let manifests = corpus::list_collections(&corpus)?;
            let mut s = String::from("collection\tresponses\tkept_lines\trejects\tstructural_lines\ttotal_lines\tcreated\tinputs\n");
            for m in &manifests {
                let c = m.counts;
                let inputs: Vec<&str> = m.inputs.iter().map(|i| i.file.as_str()).collect();
                s.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    m.collection,
                    c.responses,
                    c.kept_lines,
                    c.rejects,
                    c.structural_lines,
                    c.total_lines,
                    m.created,
                    inputs.join(", ")
                ));
            }
            print!("{s}");
            Ok(!manifests.is_empty())
        }
        CorpusCommand::Export {
            corpus,
            collection,
            format,
            out,
        } => {
            let manifests = corpus::list_collections(&corpus)?;
            let known: Vec<&str> = manifests.iter().map(|m| m.collection.as_str()).collect();
            for wanted in &collection {
                if !known.contains(&wanted.as_str()) {
                    return Err(Error::Usage(format!(
                        "no collection {wanted:?} in {}; the collections are: {}",
                        corpus.display(),
                        known.join(", ")
                    )));
                }
            }
            let mut responses = Vec::new();
            for name in known
                .iter()
                .filter(|n| collection.is_empty() || collection.iter().any(|c| c == *n))
            {
                responses.extend(corpus::read_responses(&corpus.join(name))?);
            }
            let write = |w: &mut dyn Write| match format {
                Format::Csv => corpus::write_responses_csv(w, &responses),
                Format::Jsonl => corpus::write_responses_jsonl(w, &responses),
            };
            match out {
                Some(path) => {
                    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
                    write(&mut std::io::BufWriter::new(file))?;
                }
                None => write(&mut std::io::stdout().lock())?,
            }
            Ok(!responses.is_empty())
        }
    }
}
