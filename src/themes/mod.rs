//! Stage: themes. Analysed responses in, [`ThemeModel`] out: TF-IDF over the analyzer's
//! stems, spherical k-means (parallel restarts with rayon, fixed seed), k chosen by mean
//! silhouette unless given, labels from each theme's most distinctive stems shown as
//! display forms, representative quotes, and an explicit unclassified bucket for
//! responses with no usable words or too weak a fit. When responses carry human labels,
//! the agreement with them is measured (NMI, ARI, purity).

pub mod agreement;
pub mod kmeans;

pub use agreement::Agreement;

use crate::analyze::{StemId, Vocabulary, Words};
use crate::row::Row;
use crate::Progress;
use kmeans::SparseVec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Clustering settings.
#[derive(Debug, Clone)]
pub struct ThemeOptions {
    /// Number of themes; `None` chooses by silhouette between 2 and `max_k`.
    pub k: Option<usize>,
    pub max_k: usize,
    pub seed: u64,
    pub restarts: usize,
    pub max_iter: usize,
    /// Responses less similar than this to their theme's centre are unclassified.
    pub min_similarity: f32,
    /// Clusters with fewer responses are dissolved into the others (a theme of one or two
    /// answers is noise, not a theme).
    pub min_size: usize,
    /// Quotes per theme.
    pub quotes: usize,
}

impl Default for ThemeOptions {
    fn default() -> Self {
        ThemeOptions {
            k: None,
            max_k: 12,
            seed: 42,
            restarts: 8,
            max_iter: 100,
            min_similarity: 0.05,
            min_size: 3,
            quotes: 3,
        }
    }
}

/// One theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// 1-based, in order of size.
    pub id: usize,
    /// Display forms of the most distinctive terms, joined by ` · `.
    pub label: String,
    /// The distinctive terms (display forms), most distinctive first.
    pub terms: Vec<String>,
    /// Number of responses.
    pub size: usize,
    /// Indices (into the response list) of the representative responses.
    pub quotes: Vec<usize>,
}

/// The clustering of a corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeModel {
    pub themes: Vec<Theme>,
    /// Theme id per response (`None` = unclassified), parallel to the response list.
    pub assignment: Vec<Option<usize>>,
    pub k: usize,
    /// Mean silhouette for each k tried (empty when k was given).
    pub k_scores: Vec<(usize, f64)>,
    pub seed: u64,
    /// Number of terms used as features.
    pub features: usize,
    /// Clusters smaller than this were dissolved into the others.
    pub min_size: usize,
    pub agreement: Option<Agreement>,
}

impl ThemeModel {
    /// The theme of response `i`, if classified.
    pub fn theme_of(&self, i: usize) -> Option<&Theme> {
        self.assignment
            .get(i)
            .copied()
            .flatten()
            .and_then(|id| self.themes.get(id - 1))
    }

    /// Number of unclassified responses.
    pub fn unclassified(&self) -> usize {
        self.assignment.iter().filter(|a| a.is_none()).count()
    }
}

/// TF-IDF feature space: terms with document frequency ≥ 2 and ≤ half the documents.
struct Features {
    terms: Vec<String>,
    vectors: Vec<SparseVec>,
}

/// The feature stems of one row: its feature words' stems and their compound parts'.
fn row_features<'a>(row: &'a Row, words: &'a Words) -> impl Iterator<Item = StemId> + 'a {
    row.tokens
        .iter()
        .flat_map(|t| words.feature_stems(t.word).iter().copied())
}

fn features(rows: &[Row], words: &Words) -> Features {
    let n = rows.len();
    let mut df = vec![0usize; words.stem_count()];
    for row in rows {
        let mut seen: Vec<StemId> = row
            .tokens
            .iter()
            .filter_map(|t| words.feature_stem(t.word))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for s in seen {
            df[s as usize] += 1;
        }
    }
    let max_df = (n / 2).max(2);
    let mut terms: Vec<&str> = (0..words.stem_count())
        .filter(|&s| df[s] >= 2 && df[s] <= max_df)
        .map(|s| words.stem(s as StemId))
        .collect();
    terms.sort_unstable();
    let mut index: Vec<Option<u32>> = vec![None; words.stem_count()];
    for (i, t) in terms.iter().enumerate() {
        if let Some(s) = words.find_stem(t) {
            index[s as usize] = Some(i as u32);
        }
    }
    let idf: Vec<f32> = terms
        .iter()
        .map(|t| {
            let d = words.find_stem(t).map_or(0, |s| df[s as usize]);
            ((1.0 + n as f32) / (1.0 + d as f32)).ln() + 1.0
        })
        .collect();
    let vectors = rows
        .iter()
        .map(|row| {
            let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
            for stem in row_features(row, words) {
                if let Some(i) = index[stem as usize] {
                    *counts.entry(i).or_default() += 1;
                }
            }
            let mut v: SparseVec = counts
                .into_iter()
                .map(|(i, c)| (i, (1.0 + (c as f32).ln()) * idf[i as usize]))
                .collect();
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| x.1 /= norm.max(f32::MIN_POSITIVE));
            v
        })
        .collect();
    Features {
        terms: terms.into_iter().map(str::to_string).collect(),
        vectors,
    }
}

/// At most `n` evenly spaced indices below `len` (all of them when `len <= n`).
fn sample(len: usize, n: usize) -> Vec<usize> {
    (0..len).step_by(len.div_ceil(n.max(1)).max(1)).collect()
}

/// Documents on which k is chosen: each k is clustered on at most this many responses, and
/// the silhouette computed on at most `SILHOUETTE_SAMPLE` of those, so choosing k stays
/// linear in the corpus size.
const K_CHOICE_SAMPLE: usize = 20_000;
const SILHOUETTE_SAMPLE: usize = 2_000;

/// Clusters the rows' responses. `progress` advances once per k tried and once for the
/// final clustering.
pub fn find_themes(
    rows: &[Row],
    words: &Words,
    vocabulary: &Vocabulary,
    options: &ThemeOptions,
    progress: &dyn Progress,
) -> ThemeModel {
    let Features { terms, vectors } = features(rows, words);
    let usable: Vec<usize> = (0..vectors.len()).filter(|&i| !vectors[i].is_empty()).collect();
    let docs: Vec<SparseVec> = usable.iter().map(|&i| vectors[i].clone()).collect();
    let mut k_scores = Vec::new();
    let k = match options.k {
        Some(k) => k.clamp(1, docs.len().max(1)),
        // No two responses share a word: nothing to cluster, everything unclassified.
        None if docs.len() < 2 => 1,
        None => {
            let max_k = options.max_k.min(docs.len() / 4).max(2);
            let subset: Vec<SparseVec> = sample(docs.len(), K_CHOICE_SAMPLE)
                .into_iter()
                .map(|i| docs[i].clone())
                .collect();
            let picked = sample(subset.len(), SILHOUETTE_SAMPLE);
            for k in 2..=max_k {
                let c = kmeans::best_of(
                    &subset,
                    terms.len(),
                    k,
                    options.seed,
                    options.restarts,
                    options.max_iter,
                );
                k_scores.push((k, kmeans::silhouette(&subset, &c.assignment, k, &picked)));
                progress.advance(1);
            }
            k_scores
                .iter()
                .fold(
                    (2, f64::NEG_INFINITY),
                    |best, &(k, s)| if s > best.1 { (k, s) } else { best },
                )
                .0
        }
    };
    let clustering = if docs.is_empty() {
        None
    } else {
        Some(kmeans::best_of(
            &docs,
            terms.len(),
            k,
            options.seed,
            options.restarts,
            options.max_iter,
        ))
    };
    progress.advance(1);

    // Raw cluster per response. Clusters smaller than `min_size` are dissolved: their
    // members move to the nearest remaining cluster; weak fits are unclassified.
    let mut raw: Vec<Option<(usize, f32)>> = vec![None; rows.len()];
    if let Some(c) = &clustering {
        let mut sizes = vec![0usize; k];
        for &a in &c.assignment {
            sizes[a] += 1;
        }
        let kept: Vec<usize> = (0..k).filter(|&a| sizes[a] >= options.min_size).collect();
        for (j, &i) in usable.iter().enumerate() {
            let (mut cluster, mut sim) = (c.assignment[j], c.similarity[j]);
            if sizes[cluster] < options.min_size {
                (cluster, sim) = kept
                    .iter()
                    .map(|&a| (a, kmeans::dot(&docs[j], &c.centroids[a])))
                    .fold(
                        (cluster, f32::NEG_INFINITY),
                        |best, x| if x.1 > best.1 { x } else { best },
                    );
                if sim == f32::NEG_INFINITY {
                    continue;
                }
            }
            if sim >= options.min_similarity {
                raw[i] = Some((cluster, sim));
            }
        }
    }
    let (themes, id_of) = describe(rows, &vectors, &terms, &raw, k, vocabulary, options);
    let assignment: Vec<Option<usize>> = raw.iter().map(|r| r.and_then(|(c, _)| id_of[c])).collect();
    let agreement = human_agreement(rows, &assignment);
    ThemeModel {
        themes,
        assignment,
        k,
        k_scores,
        seed: options.seed,
        min_size: options.min_size,
        features: terms.len(),
        agreement,
    }
}

/// Labels, sizes and quotes for each non-empty cluster, sorted by size then label, and
/// the theme id of each raw cluster index.
fn describe(
    rows: &[Row],
    vectors: &[SparseVec],
    terms: &[String],
    raw: &[Option<(usize, f32)>],
    k: usize,
    vocabulary: &Vocabulary,
    options: &ThemeOptions,
) -> (Vec<Theme>, Vec<Option<usize>>) {
    let classified = raw.iter().filter(|r| r.is_some()).count();
    let mut doc_freq = vec![vec![0u32; terms.len()]; k];
    let mut total = vec![0u32; terms.len()];
    let mut members: Vec<Vec<(usize, f32)>> = vec![Vec::new(); k];
    for (i, r) in raw.iter().enumerate() {
        let Some((c, s)) = *r else { continue };
        members[c].push((i, s));
        for &(t, _) in &vectors[i] {
            doc_freq[c][t as usize] += 1;
            total[t as usize] += 1;
        }
    }
    let mut themes: Vec<(usize, Theme)> = (0..k)
        .filter(|&c| !members[c].is_empty())
        .map(|c| {
            let size = members[c].len();
            let rest = (classified - size).max(1) as f64;
            let mut scored: Vec<(f64, &String)> = terms
                .iter()
                .enumerate()
                .filter(|&(t, _)| doc_freq[c][t] > 0)
                .map(|(t, term)| {
                    let inside = f64::from(doc_freq[c][t]) / size as f64;
                    let outside = f64::from(total[t] - doc_freq[c][t]) / rest;
                    (inside - outside, term)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            let terms: Vec<String> = scored
                .iter()
                .take(3)
                .map(|(_, t)| vocabulary.display(t))
                .collect();
            let mut by_fit = members[c].clone();
            by_fit.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut quotes: Vec<usize> = Vec::new();
            for (i, _) in by_fit {
                if quotes.len() == options.quotes {
                    break;
                }
                if !quotes
                    .iter()
                    .any(|&q| rows[q].response.text.eq_ignore_ascii_case(&rows[i].response.text))
                {
                    quotes.push(i);
                }
            }
            let theme = Theme {
                id: 0,
                label: terms.join(" · "),
                terms,
                size,
                quotes,
            };
            (c, theme)
        })
        .collect();
    themes.sort_by(|(ca, a), (cb, b)| b.size.cmp(&a.size).then(a.label.cmp(&b.label)).then(ca.cmp(cb)));
    let mut id_of = vec![None; k];
    let themes = themes
        .into_iter()
        .enumerate()
        .map(|(i, (c, mut theme))| {
            theme.id = i + 1;
            id_of[c] = Some(theme.id);
            theme
        })
        .collect();
    (themes, id_of)
}

/// NMI/ARI/purity against each response's main human label, over labelled responses
/// (the unclassified bucket counts as one more cluster). `None` without labels.
fn human_agreement(rows: &[Row], assignment: &[Option<usize>]) -> Option<Agreement> {
    let (clusters, labels): (Vec<usize>, Vec<&str>) = rows
        .iter()
        .zip(assignment)
        .filter_map(|(r, a)| r.response.main_label().map(|l| (a.unwrap_or(0), l)))
        .unzip();
    (!labels.is_empty()).then(|| agreement::agreement(&clusters, &labels))
}
