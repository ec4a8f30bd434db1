//! The batch job that ties the stages together: ingest → analyze → scope and themes →
//! compare → index and reports. The binary's `run` and `index` commands call this; it
//! never prints (progress goes through [`Progress`]).

use crate::analyze::{Analyzer, Token, Vocabulary};
use crate::compare::{compare, Comparison};
use crate::corpus::{SEED_BYTES, SEED_COLLECTION, SEED_SOURCE};
use crate::error::{Error, Result};
use crate::index::{self, IndexInput};
use crate::ingest::{self, IngestOptions, IngestedFile};
use crate::model::{Reject, Response};
use crate::report;
use crate::scope::{ScopeTag, ScopeTagger};
use crate::themes::{find_themes, progress_units, ThemeModel, ThemeOptions};
use crate::Progress;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What `stemme run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Input files; empty means the bundled seed corpus.
    pub inputs: Vec<PathBuf>,
    pub ingest: IngestOptions,
    /// Metadata column that overrides the scope lexicon.
    pub scope_column: Option<String>,
    pub themes: ThemeOptions,
    /// Output folder for the reports and tables.
    pub out: PathBuf,
    /// Folder of the search index.
    pub index_dir: PathBuf,
    /// Write the report files (false for `stemme index`).
    pub reports: bool,
}

/// Every stage's output, kept together so reports can cite any of it.
pub struct Analysis {
    pub files: Vec<IngestedFile>,
    pub responses: Vec<Response>,
    pub rejects: Vec<Reject>,
    pub tokens: Vec<Vec<Token>>,
    pub vocabulary: Vocabulary,
    pub scopes: Vec<ScopeTag>,
    pub themes: ThemeModel,
    pub comparison: Comparison,
}

/// Reads the inputs (or the bundled seed). Collection names are made unique.
pub fn load_inputs(inputs: &[PathBuf], options: &IngestOptions) -> Result<Vec<IngestedFile>> {
    let mut files = Vec::new();
    if inputs.is_empty() {
        let opts = IngestOptions {
            collection: Some(
                options
                    .collection
                    .clone()
                    .unwrap_or_else(|| SEED_COLLECTION.to_string()),
            ),
            ..options.clone()
        };
        files.push(ingest::ingest_bytes(
            SEED_BYTES.to_vec(),
            SEED_SOURCE,
            Path::new(SEED_SOURCE),
            &opts,
        )?);
    }
    let mut taken = BTreeSet::new();
    for path in inputs {
        let mut file = ingest::ingest_path(path, options)?;
        let base = file.collection.clone();
        let mut n = 1;
        while !taken.insert(file.collection.clone()) {
            n += 1;
            file.collection = format!("{base}-{n}");
        }
        if file.collection != base {
            for r in &mut file.data.responses {
                r.collection = file.collection.clone();
                // Keep the row/column suffix of the id; only the collection prefix changes.
                let suffix = r.id.strip_prefix(base.as_str()).unwrap_or_default();
                r.id = format!("{}{suffix}", file.collection);
            }
        }
        files.push(file);
    }
    if options.strict {
        let rejects: Vec<String> = files
            .iter()
            .flat_map(|f| &f.data.rejects)
            .map(|r| format!("{}:{}: {}", r.source, r.line, r.reason))
            .collect();
        if !rejects.is_empty() {
            return Err(Error::Usage(format!(
                "--strict: {} rows rejected ({})",
                rejects.len(),
                rejects.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(files)
}

/// Analyses ingested files: tokens, vocabulary, scope, themes and the comparison.
pub fn analyse(
    files: Vec<IngestedFile>,
    scope_column: Option<String>,
    theme_options: &ThemeOptions,
    progress: &dyn Progress,
) -> Result<Analysis> {
    let responses: Vec<Response> = files
        .iter()
        .flat_map(|f| f.data.responses.iter().cloned())
        .collect();
    let rejects: Vec<Reject> = files
        .iter()
        .flat_map(|f| f.data.rejects.iter().cloned())
        .collect();
    if responses.is_empty() {
        let names: Vec<&str> = files.iter().map(|f| f.source.as_str()).collect();
        return Err(Error::Usage(format!(
            "no responses could be read from {} ({} rows rejected); see the reasons with `stemme ingest`",
            names.join(", "),
            rejects.len()
        )));
    }
    let analyzer = Analyzer::norwegian();
    progress.stage("analyze", responses.len() as u64);
    let tokens: Vec<Vec<Token>> = responses
        .par_iter()
        .map(|r| {
            let t = analyzer.analyze(&r.text);
            progress.advance(1);
            t
        })
        .collect();
    let vocabulary = responses
        .par_iter()
        .zip(&tokens)
        .fold(Vocabulary::default, |mut v, (r, t)| {
            v.add(&r.text, t);
            v
        })
        .reduce(Vocabulary::default, |mut a, b| {
            a.merge(b);
            a
        });
    progress.finish(&format!(
        "{} responses, {} distinct stems",
        responses.len(),
        vocabulary.len()
    ));

    if let Some(column) = &scope_column {
        require_column(&responses, column, "--scope-column")?;
    }
    if let Some(column) = &theme_options.from_column {
        require_column(&responses, column, "--themes-from")?;
    }
    progress.stage("scope", responses.len() as u64);
    let tagger = ScopeTagger::bundled(scope_column);
    let scopes: Vec<ScopeTag> = responses.par_iter().map(|r| tagger.tag(r)).collect();
    progress.finish("tagged local / national / both / unspecified");

    progress.stage("themes", progress_units(responses.len(), theme_options));
    let themes = find_themes(
        &responses,
        &tokens,
        &vocabulary,
        theme_options,
        &|stem: &str| tagger.is_marker(stem),
        progress,
    );
    progress.finish(&format!(
        "{} themes, {} unclassified",
        themes.themes.len(),
        themes.unclassified()
    ));

    let comparison = compare(&tokens, &scopes, &themes, &vocabulary, &tagger);
    Ok(Analysis {
        files,
        responses,
        rejects,
        tokens,
        vocabulary,
        scopes,
        themes,
        comparison,
    })
}

/// Fails with the list of metadata columns when no response has `column`.
fn require_column(responses: &[Response], column: &str, flag: &str) -> Result<()> {
    if responses.iter().any(|r| r.meta.contains_key(column)) {
        return Ok(());
    }
    let columns: BTreeSet<&str> = responses
        .iter()
        .flat_map(|r| r.meta.keys().map(String::as_str))
        .collect();
    let listed: Vec<&str> = columns.into_iter().collect();
    Err(Error::Usage(format!(
        "{flag} {column:?}: no input has this column; the metadata columns are: {}",
        if listed.is_empty() {
            "(none)".to_string()
        } else {
            listed.join(", ")
        }
    )))
}

/// Runs the whole job and writes into `options.out`. Returns the analysis for the summary.
pub fn run(options: &RunOptions, progress: &dyn Progress) -> Result<Analysis> {
    progress.stage("ingest", options.inputs.len().max(1) as u64);
    let files = load_inputs(&options.inputs, &options.ingest)?;
    progress.finish(&format!("{} file(s)", files.len()));
    let analysis = analyse(files, options.scope_column.clone(), &options.themes, progress)?;

    progress.stage("index", analysis.responses.len() as u64);
    let input = IndexInput {
        responses: &analysis.responses,
        tokens: &analysis.tokens,
        scopes: &analysis.scopes,
        themes: &analysis.themes,
    };
    index::build(&options.index_dir, &input, &Analyzer::norwegian())?;
    progress.finish("index written");

    if options.reports {
        std::fs::create_dir_all(&options.out).map_err(|e| Error::io(&options.out, e))?;
        progress.stage("report", 1);
        report::write_all(&options.out, &analysis)?;
        progress.finish("reports written");
    }
    Ok(analysis)
}
