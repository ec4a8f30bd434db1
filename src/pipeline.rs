//! The batch job that ties the stages together: ingest → analyze → scope and themes →
//! compare → reports → index (the reports first, since the index releases the word table
//! they read). The binary's `run` and `index` commands call this; it never prints
//! (progress goes through [`Progress`]).

use crate::analysis::{Analysis, FileSummary, Row};
use crate::analyze::Vocabulary;
use crate::compare::{cases, compare, CaseStems, CompareOptions};
use crate::corpus::{self, SEED_BYTES, SEED_COLLECTION, SEED_SOURCE};
use crate::error::{Error, Result};
use crate::index;
use crate::ingest::{self, IngestOptions, IngestedFile};
use crate::model::Reject;
use crate::output::{self, Kind, Staged};
use crate::report;
use crate::scope::ScopeTagger;
use crate::themes::{find_themes, progress_units, ThemeOptions};
use crate::Progress;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What `stemme run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Input files; empty means the bundled seed corpus.
    pub inputs: Vec<PathBuf>,
    pub ingest: IngestOptions,
    /// Metadata column that overrides the scope lexicon.
    pub scope_column: Option<String>,
    /// The analyst's scope lexicon, read after the bundled one (`--scope-lexicon`).
    pub scope_lexicon: Option<PathBuf>,
    pub themes: ThemeOptions,
    /// Groupings to compare and the small-cell threshold.
    pub compare: CompareOptions,
    /// Output folder for the reports and tables.
    pub out: PathBuf,
    /// Folder of the search index.
    pub index_dir: PathBuf,
    /// Write the report files (false for `stemme index`).
    pub reports: bool,
    /// Exports written with the reports, in the same output unit.
    pub exports: report::Exports,
}

/// Reads the inputs (or the bundled seed): files are ingested, collection folders read
/// back as stored. Collection names of files are made unique.
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
        if path.is_dir() {
            // A stored collection: ids, metadata and masking stay as they were stored.
            let file = corpus::read_collection(path)?;
            if !taken.insert(file.collection.clone()) {
                return Err(Error::input(
                    path,
                    format!("collection {:?} is given twice", file.collection),
                ));
            }
            files.push(file);
            continue;
        }
        let mut file = ingest::ingest_path(path, options)?;
        let base = file.collection.clone();
        let mut n = 1;
        while !taken.insert(file.collection.clone()) {
            n += 1;
            file.collection = format!("{base}-{n}");
        }
        if file.collection != base {
            let collection = crate::model::Shared::from(file.collection.as_str());
            for r in &mut file.data.responses {
                r.collection = collection.clone();
                // Keep the row/column suffix of the id; only the collection prefix changes.
                let suffix = r.id.strip_prefix(base.as_str()).unwrap_or_default();
                r.id = format!("{}{suffix}", file.collection).into();
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

/// Analyses ingested files into rows: tokens and vocabulary, scope, themes and the
/// comparison. The responses move out of the files into the rows; the files keep their counts.
pub fn analyse(
    mut files: Vec<IngestedFile>,
    tagger: &ScopeTagger,
    theme_options: &ThemeOptions,
    compare_options: &CompareOptions,
    progress: &dyn Progress,
) -> Result<Analysis> {
    let summaries: Vec<FileSummary> = files.iter().map(FileSummary::new).collect();
    let names: Vec<String> = files.iter().map(|f| f.source.clone()).collect();
    // The input files' bytes (kept for `--keep-original`) are not needed here: free them
    // before the rows are built, so they do not add to the largest moment of the run.
    for file in &mut files {
        file.bytes = Vec::new();
    }
    // Each response becomes its row straight away (a file's responses are freed as they
    // move), and the stages fill the rows in place: no stage holds a second copy.
    let mut rows: Vec<Row> = Vec::with_capacity(files.iter().map(|f| f.data.responses.len()).sum());
    let mut rejects: Vec<Reject> = Vec::new();
    for file in files {
        rows.extend(file.data.responses.into_iter().map(|r| Row::new(r, Vec::new())));
        rejects.extend(file.data.rejects);
    }
    if rows.is_empty() {
        return Err(Error::Usage(format!(
            "no responses could be read from {} ({} rows rejected); see the reasons with `stemme ingest`",
            names.join(", "),
            rejects.len()
        )));
    }
    if let Some(column) = tagger.column() {
        require_column(&rows, column, "--scope-column")?;
    }
    if let Some(column) = &theme_options.from_column {
        require_column(&rows, column, "--themes-from")?;
    }

    progress.stage("analyze", rows.len() as u64);
    let words = Row::analyse(&mut rows, &|n| progress.advance(n));
    let vocabulary = Vocabulary::new(&words);
    progress.finish(&format!(
        "{} responses, {} distinct words, {} distinct stems",
        rows.len(),
        words.len(),
        vocabulary.len()
    ));

    progress.stage("scope", rows.len() as u64);
    let scope_words = tagger.words(&words);
    rows.par_iter_mut().for_each(|row| {
        row.scope = tagger.tag(&row.response, &row.tokens, &scope_words);
    });
    drop(scope_words);
    progress.finish("tagged local / national / both / unspecified");

    progress.stage("themes", progress_units(rows.len(), theme_options));
    let themes = find_themes(
        &rows,
        &words,
        &vocabulary,
        theme_options,
        &|stem: &str| tagger.is_marker_stem(stem),
        progress,
    );
    for (row, theme) in rows.iter_mut().zip(&themes.assignment) {
        row.theme = theme.map(|t| t as u32);
    }
    progress.finish(&format!(
        "{} themes, {} unclassified",
        themes.themes.len(),
        themes.unclassified()
    ));

    let compare_options = CompareOptions {
        scope_column: tagger.column().map(str::to_string),
        ..compare_options.clone()
    };
    progress.stage("compare", 1);
    let stems = CaseStems::new(&rows, &words);
    let comparison = compare(
        &cases(&rows, &stems),
        &|s| words.stem(s),
        &themes,
        &vocabulary,
        tagger,
        &compare_options,
    )?;
    progress.advance(1);
    let names: Vec<&str> = comparison.groupings.iter().map(|g| g.name.as_str()).collect();
    progress.finish(&format!("grouped by {}", names.join(", ")));
    Ok(Analysis {
        files: summaries,
        rows,
        rejects,
        words,
        vocabulary,
        themes,
        comparison,
    })
}

/// Fails with the list of metadata columns when no response has `column`.
fn require_column(rows: &[Row], column: &str, flag: &str) -> Result<()> {
    if rows.iter().any(|r| r.response.meta.contains_key(column)) {
        return Ok(());
    }
    let columns: BTreeSet<&str> = rows.iter().flat_map(|r| r.response.meta.keys()).collect();
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

/// Runs the whole job and writes into `options.out`. Returns the analysis for the summary,
/// without its word table and vocabulary (released while the index is built).
///
/// Outputs are switched in whole (see [`crate::output`]): the reports folder, with the
/// index when it lies inside it, is one unit; an index elsewhere is a second unit, switched
/// in first. A failed or killed run leaves the previous outputs as they were.
pub fn run(options: &RunOptions, progress: &dyn Progress) -> Result<Arc<Analysis>> {
    let reports = options
        .reports
        .then(|| Staged::begin(&options.out, Kind::Reports))
        .transpose()?;
    // The index inside the reports folder is written into the staged folder; elsewhere it
    // is staged on its own.
    let index_target = output::absolute(&options.index_dir)?;
    let inside = match &reports {
        Some(r) => match index_target.strip_prefix(r.target()) {
            Ok(rel) if rel.as_os_str().is_empty() => {
                return Err(Error::Usage(format!(
                    "--index {} is the output folder itself; give the index a folder of its own",
                    options.index_dir.display()
                )))
            }
            Ok(rel) => Some(r.path().join(rel)),
            Err(_) => None,
        },
        None => None,
    };
    let index_stage = match inside {
        Some(_) => None,
        None => Some(Staged::begin(&options.index_dir, Kind::Index)?),
    };
    let index_dir = match (&inside, &index_stage) {
        (Some(dir), _) => dir.clone(),
        (None, Some(stage)) => stage.path().to_path_buf(),
        (None, None) => options.index_dir.clone(),
    };

    progress.stage("ingest", options.inputs.len().max(1) as u64);
    let files = load_inputs(&options.inputs, &options.ingest)?;
    progress.finish(&format!("{} file(s)", files.len()));
    let tagger = ScopeTagger::new(options.scope_column.clone(), options.scope_lexicon.as_deref())?;
    let analysis = analyse(files, &tagger, &options.themes, &options.compare, progress)?;

    // The reports first: they read the word table, which the index does not need (it packs
    // the words' terms and releases the table, see [`index::build`]).
    if let Some(stage) = &reports {
        progress.stage("report", 1);
        report::write_all(stage.path(), &analysis, &options.exports)?;
        progress.finish("reports written");
    }

    progress.stage("index", analysis.rows.len() as u64);
    let analysis = index::build(&index_dir, analysis, progress)?;
    if let Some(stage) = index_stage {
        stage.commit()?;
    }
    progress.finish("index written");

    if let Some(stage) = reports {
        stage.commit()?;
    }
    Ok(analysis)
}
