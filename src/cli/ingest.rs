//! `stemme ingest`: input files into corpus collection folders; the input flags that
//! `run` and `index` share.

use super::progress::Bars;
use clap::Args;
use std::path::PathBuf;
use stemme::corpus;
use stemme::ingest::IngestOptions;
use stemme::pipeline;
use stemme::{Error, Result};

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files: a Mentimeter text export, or a CSV/TSV table with a header row (the
    /// delimiter and encoding are detected). None: the bundled seed corpus.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Column holding the response text in a table (default: the column with the
    /// longest texts).
    #[arg(long, value_name = "NAME")]
    pub text_column: Option<String>,
    /// Collection name (default: the file name without extension; `seed` for the bundled corpus).
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
    /// Keep national identity numbers, phone numbers and e-mail addresses in the text
    /// instead of masking them as [fnr], [tlf] and [e-post].
    #[arg(long)]
    pub keep_personal: bool,
}

impl InputArgs {
    pub fn ingest_options(&self) -> IngestOptions {
        IngestOptions {
            collection: self.collection.clone(),
            text_column: self.text_column.clone(),
            keep_personal: self.keep_personal,
        }
    }
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Corpus folder; each input becomes the collection folder CORPUS/<collection>.
    #[arg(long, default_value = "corpus", value_name = "DIR")]
    pub corpus: PathBuf,
}

pub fn run(args: IngestArgs, bars: &Bars) -> Result<bool> {
    if args.input.inputs.is_empty() {
        return Err(Error::Usage("give at least one INPUT file to ingest".into()));
    }
    let files = pipeline::load_inputs(&args.input.inputs, &args.input.ingest_options())?;
    for file in &files {
        let dir = corpus::write_collection(&args.corpus, file)?;
        let d = &file.data;
        println!(
            "{} → {}: {} lines = {} responses + {} rejected + {} structural ({})",
            file.source,
            dir.display(),
            d.total_lines,
            d.responses.len(),
            d.rejects.len(),
            d.structural_lines,
            file.format
        );
        for r in &d.rejects {
            bars.message(&format!("  {}:{}: {} — {}", r.source, r.line, r.reason, r.detail));
        }
    }
    Ok(true)
}
