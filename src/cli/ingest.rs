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
    /// Input files: XLSX or ODS spreadsheets, CSV/TSV tables, survey exports (Mentimeter,
    /// Microsoft Forms, SurveyMonkey, Nettskjema, Google Forms) or the Mentimeter text
    /// export. The format, delimiter and encoding are detected. None: the bundled seed corpus.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Column holding free-text answers in a table; repeat for several (default: the
    /// columns whose content reads as free text).
    #[arg(long, value_name = "NAME")]
    pub text_column: Vec<String>,
    /// Collection name (default: the file name without extension; `seed` for the bundled
    /// corpus). With `run --corpus DIR`: a stored collection to analyse; repeat for several.
    #[arg(long, value_name = "NAME")]
    pub collection: Vec<String>,
    /// Keep national identity numbers, phone numbers and e-mail addresses in the text
    /// instead of masking them as [fnr], [tlf] and [e-post], and keep the e-mail, name and
    /// IP address columns of survey exports.
    #[arg(long)]
    pub keep_personal: bool,
    /// Spreadsheet sheet to read, by name or 1-based number (default: the one with data).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Text encoding instead of the guess: utf-8, windows-1252, iso-8859-1, utf-16le, utf-16be.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Delimiter instead of the guess: , ; | or tab.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Fail when any row is rejected (nothing is written then).
    #[arg(long)]
    pub strict: bool,
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," | ";" | "|" => Ok(s.as_bytes()[0]),
        _ => Err(format!("{s:?} is not one of , ; | tab")),
    }
}

impl InputArgs {
    /// The options for reading INPUT files; `--collection` names one collection here.
    pub fn ingest_options(&self) -> Result<IngestOptions> {
        if self.collection.len() > 1 {
            return Err(Error::Usage(
                "--collection names the one collection of the input; several are only read from a corpus (run --corpus DIR)".into(),
            ));
        }
        Ok(IngestOptions {
            collection: self.collection.first().cloned(),
            text_columns: self.text_column.clone(),
            keep_personal: self.keep_personal,
            sheet: self.sheet.clone(),
            encoding: self.encoding.clone(),
            delimiter: self.delimiter,
            strict: self.strict,
            keep_bytes: false,
        })
    }
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Corpus folder; each input becomes the collection folder CORPUS/<collection>.
    #[arg(long, default_value = "corpus", value_name = "DIR")]
    pub corpus: PathBuf,
    /// Also keep an unmasked copy of each input in CORPUS/<collection>/original/ (by
    /// default the corpus records only its path and checksum: the input may hold the
    /// personal data the corpus masks).
    #[arg(long)]
    pub keep_original: bool,
    /// Replace a collection made from another input file of the same name (by default
    /// that is an error, so one file never silently takes another's place).
    #[arg(long)]
    pub replace: bool,
}

pub fn run(args: IngestArgs, bars: &Bars) -> Result<bool> {
    if args.input.inputs.is_empty() {
        return Err(Error::Usage("give at least one INPUT file to ingest".into()));
    }
    let ingest = IngestOptions {
        keep_bytes: args.keep_original,
        ..args.input.ingest_options()?
    };
    let files = pipeline::load_inputs(&args.input.inputs, &ingest)?;
    let corpus = corpus::Corpus::open(&args.corpus)?;
    let options = corpus::WriteOptions {
        keep_original: args.keep_original,
        replace: args.replace,
    };
    let mut written = 0;
    for file in &files {
        let d = &file.data;
        for r in &d.rejects {
            let sheet = if r.sheet.is_empty() {
                String::new()
            } else {
                format!("[{}]", r.sheet)
            };
            bars.message(&format!(
                "  {}{sheet}:{}: {} — {}",
                r.source, r.line, r.reason, r.detail
            ));
        }
        if d.responses.is_empty() {
            bars.message(&format!(
                "{}: nothing could be read ({} rows rejected); not written to the corpus",
                file.source,
                d.rejects.len()
            ));
            continue;
        }
        let (dir, status) = corpus.write_collection(file, options)?;
        written += 1;
        if args.keep_original {
            bars.message(&format!(
                "warning: {} keeps an unmasked copy of {}: it may hold national identity numbers, phone numbers and e-mail addresses; share the corpus without original/",
                dir.join("original").display(),
                file.source
            ));
        }
        let responses = if d.responses.len() as u64 == d.kept_lines {
            format!("{} responses", d.kept_lines)
        } else {
            format!("{} kept → {} responses", d.kept_lines, d.responses.len())
        };
        println!(
            "{} → {} ({status}): {} lines = {responses} + {} rejected + {} structural ({})",
            file.source,
            dir.display(),
            d.total_lines,
            d.rejects.len(),
            d.structural_lines,
            file.format
        );
        if !file.dropped_columns.is_empty() {
            println!(
                "  personal columns not copied (use --keep-personal to keep): {}",
                file.dropped_columns.join(", ")
            );
        }
        let m = file.masked;
        if m.fnr + m.phone + m.email > 0 {
            println!("  masked: {} fnr, {} phone, {} e-mail", m.fnr, m.phone, m.email);
        }
        if file.repaired > 0 {
            println!("  mojibake repaired in {} texts (Ã¸ → ø)", file.repaired);
        }
    }
    if written == 0 {
        return Err(Error::Usage(
            "nothing could be read from the input; see the rejected rows above".into(),
        ));
    }
    Ok(true)
}
