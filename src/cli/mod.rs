//! Command-line interface: the subcommands, their flags and help texts, and how their
//! results are printed. Data goes to stdout; progress and messages go to stderr.

mod progress;

use clap::{Args, Parser, Subcommand};
use progress::Bars;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use stemme::analyze::{words, Analyzer, Vocabulary};
use stemme::corpus;
use stemme::index::Searcher;
use stemme::ingest::IngestOptions;
use stemme::pipeline::{self, Analysis, RunOptions};
use stemme::scope::Scope;
use stemme::themes::ThemeOptions;
use stemme::{Error, Result};

const AFTER_HELP: &str = "\
Examples:
  stemme run                              analyse the bundled corpus into out/
  stemme run svar.csv --text-column svar  analyse your own CSV
  stemme search kommune                   finds kommunen, kommunene, kommuner …
  stemme search '\"stille stemmene\"'       a phrase
  stemme search 'metode AND scope:local'  words, AND/OR/NOT and field filters
  stemme analyze \"Kommunene må lytte\"     show what the analyzer does to a text";

/// Turn open-ended Norwegian responses into themes, a searchable index and reports that
/// compare local and national concerns.
#[derive(Debug, Parser)]
#[command(name = "stemme", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Worker threads for clustering and indexing (default: all cores). Output is
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
    Run(RunArgs),
    /// Build only the search index (same inputs and options as `run`).
    Index(RunArgs),
    /// Read input files into a reusable corpus folder (original, responses.csv/jsonl,
    /// rejects.csv, manifest.json).
    Ingest(IngestArgs),
    /// Search the index: words match all their inflections (`kommune` finds `kommunene`).
    Search(SearchArgs),
    /// Show what the Norwegian analyzer does to a text: words, stopwords, stems, display forms.
    Analyze(AnalyzeArgs),
}

#[derive(Debug, Args)]
struct InputArgs {
    /// Input files: a Mentimeter text export, or a CSV/TSV table with a header row (the
    /// delimiter and encoding are detected). None: the bundled seed corpus.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Column holding the response text in a table (default: the column with the
    /// longest texts).
    #[arg(long, value_name = "NAME")]
    text_column: Option<String>,
    /// Collection name (default: the file name without extension; `seed` for the bundled corpus).
    #[arg(long, value_name = "NAME")]
    collection: Option<String>,
    /// Keep national identity numbers, phone numbers and e-mail addresses in the text
    /// instead of masking them as [fnr], [tlf] and [e-post].
    #[arg(long)]
    keep_personal: bool,
}

impl InputArgs {
    fn ingest_options(&self) -> IngestOptions {
        IngestOptions {
            collection: self.collection.clone(),
            text_column: self.text_column.clone(),
            keep_personal: self.keep_personal,
        }
    }
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output folder for report.html, report.md, report.json and the CSV tables.
    #[arg(short, long, default_value = "out", value_name = "DIR")]
    out: PathBuf,
    /// Index folder (default: OUT/index).
    #[arg(long, value_name = "DIR")]
    index: Option<PathBuf>,
    /// Metadata column that says whether a response is local or national (values such as
    /// local/lokal, national/nasjonal, both/begge); overrides the marker lexicon.
    #[arg(long, value_name = "NAME")]
    scope_column: Option<String>,
    /// Number of themes (default: chosen by mean silhouette between 2 and --max-k).
    #[arg(short, long, value_name = "N")]
    k: Option<usize>,
    /// Largest number of themes tried when choosing k.
    #[arg(long, default_value_t = 12, value_name = "N")]
    max_k: usize,
    /// Seed for clustering; the same seed gives the same themes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Clustering restarts (run in parallel); the best is kept.
    #[arg(long, default_value_t = 8, value_name = "N")]
    restarts: usize,
}

#[derive(Debug, Args)]
struct IngestArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Corpus folder; each input becomes the collection folder CORPUS/<collection>.
    #[arg(long, default_value = "corpus", value_name = "DIR")]
    corpus: PathBuf,
}

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
struct SearchArgs {
    /// The query.
    query: String,
    /// Index folder to search.
    #[arg(long, default_value = "out/index", value_name = "DIR")]
    index: PathBuf,
    /// Number of hits to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    limit: usize,
    /// One JSON object per hit (id, text, source, line, score, snippet, matched, theme,
    /// scope, kinds).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// Text to analyse (several arguments are joined with spaces).
    #[arg(required = true)]
    text: Vec<String>,
    /// One JSON object per word.
    #[arg(long)]
    json: bool,
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
        Command::Run(args) => run(args, true, &bars),
        Command::Index(args) => run(args, false, &bars),
        Command::Ingest(args) => ingest_cmd(args, &bars),
        Command::Search(args) => search(args),
        Command::Analyze(args) => analyze(args),
    }
}

fn run(args: RunArgs, reports: bool, bars: &Bars) -> Result<bool> {
    let index_dir = args.index.clone().unwrap_or_else(|| args.out.join("index"));
    let options = RunOptions {
        inputs: args.input.inputs.clone(),
        ingest: args.input.ingest_options(),
        scope_column: args.scope_column,
        themes: ThemeOptions {
            k: args.k,
            max_k: args.max_k,
            seed: args.seed,
            restarts: args.restarts,
            ..ThemeOptions::default()
        },
        out: args.out.clone(),
        index_dir: index_dir.clone(),
        threads: rayon::current_num_threads(),
        reports,
    };
    let analysis = pipeline::run(&options, bars)?;
    bars.clear();
    print_summary(&analysis, reports.then_some(&args.out), &index_dir);
    Ok(true)
}

fn print_summary(a: &Analysis, out: Option<&PathBuf>, index: &std::path::Path) {
    let mut s = String::new();
    for f in &a.files {
        s.push_str(&format!(
            "{} ({}): {} lines = {} responses + {} rejected + {} structural\n",
            f.source,
            f.format,
            f.data.total_lines,
            f.data.responses.len(),
            f.data.rejects.len(),
            f.data.structural_lines
        ));
        let m = f.masked;
        if m.fnr + m.phone + m.email > 0 {
            s.push_str(&format!(
                "  masked: {} fnr, {} phone, {} e-mail\n",
                m.fnr, m.phone, m.email
            ));
        }
    }
    let t = &a.themes;
    s.push_str(&format!(
        "\n{} themes (k = {}, seed {}), {} unclassified:\n",
        t.themes.len(),
        t.k,
        t.seed,
        t.unclassified()
    ));
    for theme in &t.themes {
        s.push_str(&format!(
            "  {:>2}. {:<45} {:>5}\n",
            theme.id, theme.label, theme.size
        ));
    }
    if let Some(ag) = &t.agreement {
        s.push_str(&format!(
            "agreement with human labels ({} responses): NMI {:.3}, ARI {:.3}, purity {:.3}\n",
            ag.responses, ag.nmi, ag.ari, ag.purity
        ));
    }
    let totals = &a.comparison.scope_totals;
    let scopes: Vec<String> = Scope::ALL
        .iter()
        .zip(totals)
        .map(|(sc, n)| format!("{n} {sc}"))
        .collect();
    s.push_str(&format!("\nscope: {}\n", scopes.join(", ")));
    let terms = |list: &[stemme::compare::Keyness]| {
        list.iter()
            .take(6)
            .map(|k| k.term.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    s.push_str(&format!(
        "  more local:    {}\n",
        terms(&a.comparison.local_terms)
    ));
    s.push_str(&format!(
        "  more national: {}\n",
        terms(&a.comparison.national_terms)
    ));
    if let Some(out) = out {
        s.push_str(&format!(
            "\nwritten: {0}/report.html, {0}/report.md, {0}/report.json, {0}/responses.csv, {0}/themes.csv, {0}/keyness.csv\n",
            out.display()
        ));
    }
    s.push_str(&format!(
        "index:   {}  (try: stemme search kommune --index {})\n",
        index.display(),
        index.display()
    ));
    print!("{s}");
}

fn ingest_cmd(args: IngestArgs, bars: &Bars) -> Result<bool> {
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

fn search(args: SearchArgs) -> Result<bool> {
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

fn analyze(args: AnalyzeArgs) -> Result<bool> {
    let text = stemme::analyze::nfc(&args.text.join(" "));
    let analyzer = Analyzer::norwegian();
    let mut vocabulary = Vocabulary::default();
    let seed = String::from_utf8_lossy(corpus::SEED_BYTES);
    vocabulary.add(&seed, &analyzer.analyze(&seed));
    let tokens = analyzer.analyze(&text);
    vocabulary.add(&text, &tokens);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e| Error::io("<stdout>", e);
    if !args.json {
        writeln!(
            out,
            "{:<4} {:<24} {:<20} {:<20} compound parts",
            "pos", "word", "stem", "display"
        )
        .map_err(io)?;
    }
    for (position, (_, raw)) in words(&text).enumerate() {
        let token = tokens.iter().find(|t| t.position == position);
        let (stem, display) = match token {
            Some(t) => (Some(t.stem.clone()), Some(vocabulary.display(&t.stem))),
            None => (None, None),
        };
        let parts: Vec<&str> = token
            .map(|t| t.parts.iter().map(|p| p.word.as_str()).collect())
            .unwrap_or_default();
        if args.json {
            let v = serde_json::json!({"position": position, "word": raw, "stopword": token.is_none(), "stem": stem, "display": display, "parts": parts});
            writeln!(out, "{v}").map_err(io)?;
        } else {
            let stem = stem.unwrap_or_else(|| "(stopword)".into());
            writeln!(
                out,
                "{:<4} {:<24} {:<20} {:<20} {}",
                position,
                raw,
                stem,
                display.unwrap_or_default(),
                parts.join(" + ")
            )
            .map_err(io)?;
        }
    }
    Ok(true)
}
