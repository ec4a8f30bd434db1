//! `stemme run` and `stemme index`: the batch job over the inputs, then a one-screen summary.

use super::ingest::InputArgs;
use super::progress::Bars;
use clap::Args;
use std::path::PathBuf;
use stemme::analysis::Analysis;
use stemme::export;
use stemme::pipeline::{self, RunOptions};
use stemme::scope::Scope;
use stemme::themes::ThemeOptions;
use stemme::Result;

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
    /// Number of themes (default: chosen by mean silhouette between 2 and --max-k).
    #[arg(short, long, value_name = "N")]
    pub k: Option<usize>,
    /// Largest number of themes tried when choosing k.
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub max_k: usize,
    /// Seed for clustering; the same seed gives the same themes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Smallest theme: smaller clusters are dissolved into the nearest others.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub min_size: usize,
    /// Clustering restarts (run in parallel); the best is kept.
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

pub fn run(args: RunArgs, reports: bool, bars: &Bars) -> Result<bool> {
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
            min_size: args.min_size,
            ..ThemeOptions::default()
        },
        out: args.out.clone(),
        index_dir: index_dir.clone(),
        reports,
    };
    let analysis = pipeline::run(&options, bars)?;
    let mut written = vec![
        "report.html",
        "report.md",
        "report.json",
        "responses.csv",
        "themes.csv",
        "keyness.csv",
    ];
    if reports && args.dfm {
        export::dfm::write(&args.out.join("dfm"), &analysis)?;
        written.extend(["dfm/dfm.mtx", "dfm/docs.csv", "dfm/features.csv"]);
    }
    if reports && args.excel {
        for file in written.iter().filter(|f| f.ends_with(".csv")) {
            export::excel::convert(&args.out.join(file))?;
        }
    }
    bars.clear();
    print_summary(
        &analysis,
        reports.then_some((&args.out, &written[..])),
        &index_dir,
    );
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
        "\n{} themes (k = {}, seed {}), {} unclassified:\n",
        t.themes.len(),
        t.k,
        t.seed,
        a.unclassified()
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
