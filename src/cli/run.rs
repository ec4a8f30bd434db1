//! `stemme run` and `stemme index`: the batch job over the inputs, then a one-screen summary.

use super::ingest::InputArgs;
use super::progress::Bars;
use clap::Args;
use std::path::PathBuf;
use stemme::analysis::Analysis;
use stemme::compare::{CompareOptions, DEFAULT_MIN_CELL, SCOPE_GROUPING};
use stemme::corpus;
use stemme::pipeline::{self, RunOptions};
use stemme::report::Exports;
use stemme::scope::Scope;
use stemme::themes::{ThemeMethod, ThemeOptions};
use stemme::{Error, Result};

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder for report.html, report.md, report.json and the CSV tables.
    #[arg(short, long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Index folder (default: OUT/index).
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Metadata column that says whether a response is local or national (values such as
    /// local/lokal, national/nasjonal, both/begge); overrides the marker lexicon.
    #[arg(long, value_name = "NAME")]
    pub scope_column: Option<String>,
    /// Extra scope markers and place names, in the format of lexicon/scope_markers.txt,
    /// merged with the bundled lists.
    #[arg(long, value_name = "FILE")]
    pub scope_lexicon: Option<PathBuf>,
    /// Compare groups by this column (a metadata column of the input, or `collection` or
    /// `question`): theme shares with intervals and tests, distinctive words, quotes.
    /// Repeat for several; local/national scope is always compared.
    #[arg(long, value_name = "COLUMN")]
    pub compare: Vec<String>,
    /// Groups and cells with fewer responses than this show no counts, shares or quotes,
    /// so that a small group cannot single out a person.
    #[arg(long, default_value_t = DEFAULT_MIN_CELL, value_name = "N")]
    pub min_cell: usize,
    /// Analyse the stored collections of this corpus folder (all, or those named with
    /// --collection) instead of INPUT files.
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Number of themes (default: found by the method, at most --max-k).
    #[arg(short, long, value_name = "N")]
    pub k: Option<usize>,
    /// Most themes allowed when the method chooses their number.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub max_k: usize,
    /// How themes are found: `mixture` (Dirichlet-multinomial mixture, finds its own number
    /// of themes), `kmeans` (spherical k-means, k by silhouette) or `nmf`.
    #[arg(long, default_value = "mixture", value_name = "METHOD", value_parser = parse_method)]
    pub method: ThemeMethod,
    /// Take the themes from this metadata column (an existing coding) instead of finding
    /// them; responses with an empty cell are unclassified.
    #[arg(long, value_name = "COLUMN")]
    pub themes_from: Option<String>,
    /// Seed for clustering; the same seed gives the same themes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Smallest theme: smaller clusters are dissolved into the nearest others.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub min_size: usize,
    /// Independent runs (mixture chains, k-means restarts), in parallel; the best is kept
    /// and their agreement is reported as the themes' stability.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub restarts: usize,
    /// Also write a document–feature matrix into OUT/dfm/ (dfm.mtx in Matrix Market
    /// format, docs.csv, features.csv) for R (Matrix, quanteda) and Python (scipy).
    #[arg(long)]
    pub dfm: bool,
    /// Write the CSV tables for Excel: UTF-8 with BOM, `;` between fields, decimal commas.
    #[arg(long)]
    pub excel: bool,
}

fn parse_method(s: &str) -> std::result::Result<ThemeMethod, String> {
    ThemeMethod::parse(s).ok_or_else(|| format!("unknown method {s:?}: use mixture, kmeans or nmf"))
}

pub fn run(args: RunArgs, reports: bool, bars: &Bars) -> Result<bool> {
    let index_dir = args.index.clone().unwrap_or_else(|| args.out.join("index"));
    let (inputs, ingest) = match &args.corpus {
        Some(dir) => {
            if !args.input.inputs.is_empty() {
                return Err(Error::Usage(
                    "give INPUT files or --corpus DIR, not both (ingest the files into the corpus first)"
                        .into(),
                ));
            }
            // Stored collections are read as they are; only --strict applies to them.
            let options = stemme::ingest::IngestOptions {
                strict: args.input.strict,
                ..Default::default()
            };
            (corpus::collection_dirs(dir, &args.input.collection)?, options)
        }
        None => (args.input.inputs.clone(), args.input.ingest_options()?),
    };
    let options = RunOptions {
        inputs,
        ingest,
        scope_column: args.scope_column,
        scope_lexicon: args.scope_lexicon,
        themes: ThemeOptions {
            method: args.method,
            k: args.k,
            max_k: args.max_k,
            seed: args.seed,
            restarts: args.restarts,
            min_size: args.min_size,
            from_column: args.themes_from,
            ..ThemeOptions::default()
        },
        compare: CompareOptions {
            columns: args.compare,
            min_cell: args.min_cell,
            scope_column: None,
        },
        out: args.out.clone(),
        index_dir: index_dir.clone(),
        reports,
        exports: Exports {
            dfm: args.dfm,
            excel: args.excel,
        },
    };
    let analysis = pipeline::run(&options, bars)?;
    let written = options.exports.files();
    bars.clear();
    print_summary(
        &analysis,
        reports.then_some((&args.out, &written[..])),
        &index_dir,
    );
    super::leave(analysis);
    Ok(true)
}

fn print_summary(a: &Analysis, out: Option<(&PathBuf, &[&str])>, index: &std::path::Path) {
    let mut s = String::new();
    for f in &a.files {
        s.push_str(&format!(
            "{} ({}): {} rows = {} kept + {} rejected + {} structural; {} responses\n",
            f.file, f.format, f.total_lines, f.kept_lines, f.rejects, f.structural_lines, f.responses
        ));
        let m = f.masked;
        if m.fnr + m.phone + m.email > 0 {
            s.push_str(&format!(
                "  masked: {} fnr, {} phone, {} e-mail\n",
                m.fnr, m.phone, m.email
            ));
        }
        if f.repaired > 0 {
            s.push_str(&format!("  mojibake repaired in {} texts (Ã¸ → ø)\n", f.repaired));
        }
    }
    let t = &a.themes;
    s.push_str(&format!(
        "\n{} themes ({}; seed {}), {} unclassified:\n",
        t.themes.len(),
        t.choice.how,
        t.seed,
        a.unclassified()
    ));
    for theme in &t.themes {
        s.push_str(&format!(
            "  {:>2}. {:<45} {:>5}\n",
            theme.id, theme.label, theme.size
        ));
    }
    let reasons: Vec<String> = t
        .unclassified_by_reason()
        .into_iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect();
    if !reasons.is_empty() {
        s.push_str(&format!("  unclassified: {}\n", reasons.join("; ")));
    }
    if let Some(stability) = t.choice.stability {
        s.push_str(&format!(
            "  stability across {} runs: {:.2} (themes found per run: {:?})\n",
            t.choice.runs.len(),
            stability,
            t.choice.runs
        ));
    }
    for w in &t.choice.warnings {
        s.push_str(&format!("  warning: {w}\n"));
    }
    if let Some(ag) = &t.agreement {
        s.push_str(&format!(
            "agreement with human labels ({} responses): NMI {:.3}, AMI {:.3}, ARI {:.3}, purity {:.3}\n",
            ag.responses, ag.nmi, ag.ami, ag.ari, ag.purity
        ));
    }
    let totals = &a.comparison.scope_totals;
    let scopes: Vec<String> = Scope::ALL
        .iter()
        .zip(totals)
        .map(|(sc, n)| format!("{n} {sc}"))
        .collect();
    s.push_str(&format!("\nscope: {}\n", scopes.join(", ")));
    let decision = &a.comparison.scope_decision;
    if let Some(column) = &decision.column {
        s.push_str(&format!(
            "  decided by column {column} for {}, by the marker lexicon for {}\n",
            decision.by_column, decision.by_lexicon
        ));
        if !decision.unknown_values.is_empty() {
            let listed: Vec<String> = decision
                .unknown_values
                .iter()
                .map(|v| format!("{:?} ×{}", v.value, v.count))
                .collect();
            s.push_str(&format!(
                "  not a scope value (counted as unspecified): {}\n",
                listed.join(", ")
            ));
        }
    }
    for g in &a.comparison.groupings {
        if g.name != SCOPE_GROUPING {
            let n = g.groups.len();
            s.push_str(&format!(
                "\n{}: {n} group{}\n",
                g.name,
                if n == 1 { "" } else { "s" }
            ));
        }
        match &g.test {
            Some(t) => s.push_str(&format!(
                "  themes × groups: χ² = {:.1}, df = {}, p = {:.3}; {} significant cells\n",
                t.statistic,
                t.df,
                t.p,
                g.findings.len()
            )),
            None => s.push_str("  themes × groups: no test (too few groups with enough responses)\n"),
        }
        for f in g.findings.iter().take(3) {
            s.push_str(&format!("  {}\n", f.sentence));
        }
        for group in g.groups.iter().filter(|x| !x.suppressed) {
            let words: Vec<&str> = group.keyness.iter().take(6).map(|k| k.word.as_str()).collect();
            s.push_str(&format!(
                "  words of {:<12} {}\n",
                format!("{}:", group.name),
                if words.is_empty() {
                    "(none distinctive)".to_string()
                } else {
                    words.join(", ")
                }
            ));
        }
        for w in &g.warnings {
            s.push_str(&format!("  note: {w}\n"));
        }
    }
    if let Some((out, files)) = out {
        let files: Vec<String> = files.iter().map(|f| format!("{}/{f}", out.display())).collect();
        s.push_str(&format!("\nwritten: {}\n", files.join(", ")));
    }
    s.push_str(&format!(
        "index:   {}  (try: stemme search kommune --index {})\n",
        index.display(),
        index.display()
    ));
    // A closed pipe only means the reader stopped early.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), s.as_bytes());
}
