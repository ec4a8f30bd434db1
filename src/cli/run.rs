//! `stemme run` and `stemme index`: the batch job over the inputs, then a one-screen summary.

use super::ingest::InputArgs;
use super::progress::Bars;
use clap::Args;
use std::path::PathBuf;
use stemme::pipeline::{self, Analysis, RunOptions};
use stemme::scope::Scope;
use stemme::themes::{ThemeMethod, ThemeOptions};
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
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub restarts: usize,
}

fn parse_method(s: &str) -> std::result::Result<ThemeMethod, String> {
    ThemeMethod::parse(s).ok_or_else(|| format!("unknown method {s:?}: use mixture, kmeans or nmf"))
}

pub fn run(args: RunArgs, reports: bool, bars: &Bars) -> Result<bool> {
    let index_dir = args.index.clone().unwrap_or_else(|| args.out.join("index"));
    let options = RunOptions {
        inputs: args.input.inputs.clone(),
        ingest: args.input.ingest_options(),
        scope_column: args.scope_column,
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
        out: args.out.clone(),
        index_dir: index_dir.clone(),
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
            "{} ({}): {} rows = {} kept + {} rejected + {} structural; {} responses\n",
            f.source,
            f.format,
            f.data.total_lines,
            f.data.kept_lines,
            f.data.rejects.len(),
            f.data.structural_lines,
            f.data.responses.len()
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
        t.unclassified()
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
    // A closed pipe only means the reader stopped early.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), s.as_bytes());
}
