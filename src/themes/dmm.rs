//! A Dirichlet-multinomial mixture for short texts, fitted by collapsed Gibbs sampling
//! (GSDMM: Yin & Wang, "A Dirichlet Multinomial Mixture Model-based Approach for Short
//! Text Clustering", KDD 2014). Each response belongs to one theme and all its words are
//! drawn from that theme's word distribution, which suits answers of a few words better
//! than cosine geometry does. Started with more clusters than needed, the sampler empties
//! the ones the data does not support, so the model finds its own number of themes.
//!
//! Sampling is sequential within a chain (that is what makes it deterministic for a seed);
//! several chains run in parallel and are combined by the caller, and their agreement is
//! the evidence for the number found. Every response is then assigned to its most
//! probable theme in parallel, so a large corpus is fitted on a sample and assigned whole.
//!
//! The sampler is built for speed: a cluster's probability is a running product in `f32`
//! (no logarithm per cluster and word), the word counts of one term sit together for all
//! clusters, and only the occupied clusters plus one spare are scored.

use super::features::Doc;

/// A document in the model's own term ids: (term, count), sorted by term.
type Counts = [(u32, u32)];
use super::kmeans::Rng;
use crate::math::ln_gamma;
use crate::Progress;

/// Sampler settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DmmOptions {
    /// Prior weight of a theme's size: higher lets small themes survive.
    pub alpha: f64,
    /// Prior weight of each word in a theme: lower makes themes sharper and more numerous.
    /// For responses longer than `reference_words` on average it is raised in proportion
    /// (see [`DmmOptions::beta_for`]).
    pub beta: f64,
    /// Mean response length (words) at which `beta` applies unchanged; 0 keeps it fixed.
    pub reference_words: f64,
    /// Gibbs sweeps over the sample.
    pub iterations: usize,
}

impl Default for DmmOptions {
    fn default() -> Self {
        DmmOptions {
            alpha: 0.1,
            beta: 0.1,
            reference_words: 7.5,
            iterations: 40,
        }
    }
}

impl DmmOptions {
    /// The options for responses of `mean_words` words on average. Longer answers give the
    /// sampler more evidence per response, so with a fixed prior it splits themes ever
    /// finer; raising `beta` with the length keeps the resolution (at most tenfold).
    pub fn beta_for(self, mean_words: f64) -> DmmOptions {
        if self.reference_words <= 0.0 {
            return self;
        }
        let factor = (mean_words / self.reference_words).clamp(1.0, 10.0);
        DmmOptions {
            beta: self.beta * factor,
            ..self
        }
    }
}

/// A fitted mixture: the counts of the final sweep.
#[derive(Debug, Clone)]
pub struct Dmm {
    k: usize,
    /// Distinct terms of the sample: the model's vocabulary.
    vocab: usize,
    /// Term id → the model's own id (`u32::MAX`: not in the sample, ignored).
    local: Vec<u32>,
    opts: DmmOptions,
    /// Documents per cluster.
    docs: Vec<u32>,
    /// Words per cluster.
    words: Vec<u64>,
    /// Word counts per cluster, term-major (`vocab × k`): the counts of one word in every
    /// cluster sit together, which is how the sampler reads them. Whole numbers, held as
    /// `f32` (exact below 2²⁴) because the sampler computes in `f32`.
    counts: Vec<f32>,
    /// Cluster of each sampled document.
    pub assignment: Vec<usize>,
    /// Log joint probability of the documents and their clusters.
    pub log_likelihood: f64,
}

/// Scratch space for scoring one document: one value per cluster in each row.
#[derive(Debug, Default)]
pub struct Scratch {
    p: Vec<f32>,
    numerator: Vec<f32>,
    denominator: Vec<f32>,
    size: Vec<f32>,
    doc: Vec<(u32, u32)>,
}

/// Words multiplied in before the running products are folded into the scores: each
/// factor lies between β and the sample's word count, so four of them stay well within
/// the range of `f32` for samples of up to millions of words.
const FOLD: u32 = 4;

impl Dmm {
    /// An empty mixture with `k` slots over the terms of `sample` (term ids below `terms`),
    /// and the sample in the model's own term ids.
    fn empty(sample: &[Doc], terms: usize, k: usize, opts: DmmOptions) -> (Dmm, Vec<Vec<(u32, u32)>>) {
        let k = k.max(1);
        let mut local = vec![u32::MAX; terms];
        let mut vocab = 0usize;
        let docs = sample
            .iter()
            .map(|d| {
                d.iter()
                    .map(|(t, c)| {
                        if local[t as usize] == u32::MAX {
                            local[t as usize] = vocab as u32;
                            vocab += 1;
                        }
                        (local[t as usize], c)
                    })
                    .collect()
            })
            .collect();
        let m = Dmm {
            k,
            vocab,
            local,
            opts,
            docs: vec![0; k],
            words: vec![0; k],
            counts: vec![0.0; k * vocab],
            assignment: vec![0; sample.len()],
            log_likelihood: 0.0,
        };
        (m, docs)
    }

    /// Runs one chain on `sample` (term ids below `terms`) with `k` cluster slots.
    pub fn fit(
        sample: &[Doc],
        terms: usize,
        k: usize,
        opts: DmmOptions,
        seed: u64,
        progress: &dyn Progress,
    ) -> Dmm {
        let (mut m, docs) = Dmm::empty(sample, terms, k, opts);
        let k = m.k;
        let mut rng = Rng::new(seed);
        for (d, doc) in docs.iter().enumerate() {
            let z = (rng.next_u64() % k as u64) as usize;
            m.assignment[d] = z;
            m.add(doc, z);
        }
        let mut scratch = Scratch::default();
        // Only the first `active` slots are scored: the occupied ones, moved to the front
        // after every sweep, and one empty slot that stands for all the empty ones (they
        // are interchangeable, so its weight is their number).
        let mut active = k;
        for _ in 0..opts.iterations {
            for (d, doc) in docs.iter().enumerate() {
                let old = m.assignment[d];
                m.remove(doc, old);
                m.scores(doc, active, &mut scratch);
                let p = &mut scratch.p;
                let spare = active - 1;
                if m.docs[spare] == 0 {
                    p[spare] *= (1 + k - active) as f32;
                }
                let total: f64 = p.iter().map(|&x| f64::from(x)).sum();
                let mut target = rng.next_f64() * total;
                let mut z = active - 1;
                for (c, &pc) in p.iter().enumerate() {
                    target -= f64::from(pc);
                    if target < 0.0 {
                        z = c;
                        break;
                    }
                }
                m.assignment[d] = z;
                m.add(doc, z);
                if z == spare && active < k {
                    active += 1;
                }
            }
            active = m.compact();
            progress.advance(1);
        }
        m.log_likelihood = m.joint(docs.len());
        m
    }

    /// Renumbers the slots so the occupied ones come first (in their present order);
    /// returns their number plus one spare empty slot (at most all slots).
    fn compact(&mut self) -> usize {
        let k = self.k;
        let order: Vec<usize> = (0..k)
            .filter(|&z| self.docs[z] > 0)
            .chain((0..k).filter(|&z| self.docs[z] == 0))
            .collect();
        let occupied = self.docs.iter().filter(|&&d| d > 0).count();
        if order.iter().enumerate().any(|(new, &old)| new != old) {
            let mut new_of = vec![0; k];
            for (new, &old) in order.iter().enumerate() {
                new_of[old] = new;
            }
            self.docs = order.iter().map(|&z| self.docs[z]).collect();
            self.words = order.iter().map(|&z| self.words[z]).collect();
            let mut row = vec![0.0; k];
            for chunk in self.counts.chunks_exact_mut(k) {
                row.copy_from_slice(chunk);
                for (slot, &old) in chunk.iter_mut().zip(&order) {
                    *slot = row[old];
                }
            }
            self.assignment.iter_mut().for_each(|z| *z = new_of[*z]);
        }
        (occupied + 1).min(k)
    }

    /// The mixture whose clusters are `assignment` (one per document of `sample`), without
    /// sampling: the word counts of given clusters, able to place new documents.
    pub fn from_assignment(
        sample: &[Doc],
        terms: usize,
        k: usize,
        opts: DmmOptions,
        assignment: &[usize],
    ) -> Dmm {
        let (mut m, docs) = Dmm::empty(sample, terms, k, opts);
        for (doc, &z) in docs.iter().zip(assignment) {
            m.add(doc, z);
        }
        m.assignment = assignment.to_vec();
        m.log_likelihood = m.joint(docs.len());
        m
    }

    /// `doc` is in the model's own term ids.
    fn add(&mut self, doc: &Counts, z: usize) {
        self.docs[z] += 1;
        for &(t, c) in doc {
            self.counts[t as usize * self.k + z] += c as f32;
            self.words[z] += u64::from(c);
        }
    }

    fn remove(&mut self, doc: &Counts, z: usize) {
        self.docs[z] -= 1;
        for &(t, c) in doc {
            self.counts[t as usize * self.k + z] -= c as f32;
            self.words[z] -= u64::from(c);
        }
    }

    /// Unnormalised probability of each of the first `active` clusters for `doc` (in the
    /// model's term ids; the document itself not counted in) into `scratch.p`:
    /// `(m_z + α) · Π_w Π_j (n_zw + β + j) / Π_i (n_z + Vβ + i)`, computed as products
    /// without logarithms, and rescaled when they grow small (only ratios matter).
    fn scores(&self, doc: &Counts, active: usize, scratch: &mut Scratch) {
        let (alpha, beta, k) = (self.opts.alpha as f32, self.opts.beta as f32, self.k);
        let vbeta = self.vocab as f64 * self.opts.beta;
        let (docs, words) = (&self.docs[..active], &self.words[..active]);
        let Scratch {
            p,
            numerator,
            denominator,
            size,
            ..
        } = scratch;
        p.clear();
        p.extend(docs.iter().map(|&d| d as f32 + alpha));
        size.clear();
        size.extend(words.iter().map(|&n| (n as f64 + vbeta) as f32));
        numerator.clear();
        numerator.resize(active, 1.0);
        denominator.clear();
        denominator.resize(active, 1.0);
        let mut length = 0u32;
        let mut since_fold = 0;
        for &(t, c) in doc {
            let row = &self.counts[t as usize * k..t as usize * k + active];
            for j in 0..c {
                let add = beta + j as f32;
                let i = length as f32;
                numerator.iter_mut().zip(row).for_each(|(x, &n)| *x *= n + add);
                denominator
                    .iter_mut()
                    .zip(size.iter())
                    .for_each(|(x, &n)| *x *= n + i);
                length += 1;
                since_fold += 1;
                if since_fold == FOLD {
                    fold(p, numerator, denominator);
                    since_fold = 0;
                }
            }
        }
        if since_fold > 0 {
            fold(p, numerator, denominator);
        }
    }

    /// Most probable cluster of `doc` (term ids of the corpus; terms the model never saw
    /// are ignored) among `allowed` (all clusters when `None`), with its posterior
    /// probability among them.
    pub fn assign(&self, doc: Doc, allowed: Option<&[bool]>, scratch: &mut Scratch) -> Option<(usize, f32)> {
        let mut local = std::mem::take(&mut scratch.doc);
        local.clear();
        local.extend(doc.iter().filter_map(|(t, c)| {
            self.local
                .get(t as usize)
                .filter(|&&l| l != u32::MAX)
                .map(|&l| (l, c))
        }));
        self.scores(&local, self.k, scratch);
        scratch.doc = local;
        let p = &scratch.p;
        let ok = |z: usize| allowed.is_none_or(|a| a[z]);
        let (best, max) = (0..self.k).filter(|&z| ok(z)).map(|z| (z, p[z])).fold(
            (usize::MAX, f32::NEG_INFINITY),
            |b, x| if x.1 > b.1 { x } else { b },
        );
        if best == usize::MAX {
            return None;
        }
        let total: f32 = (0..self.k).filter(|&z| ok(z)).map(|z| p[z]).sum();
        Some((best, max / total))
    }

    /// Number of cluster slots.
    pub fn slots(&self) -> usize {
        self.k
    }

    /// Log joint probability of `n` documents and the current clusters (collapsed).
    fn joint(&self, n: usize) -> f64 {
        let (alpha, beta) = (self.opts.alpha, self.opts.beta);
        let k = self.k as f64;
        let vbeta = self.vocab as f64 * beta;
        let mut ll = ln_gamma(k * alpha) - ln_gamma(n as f64 + k * alpha);
        for z in 0..self.k {
            if self.docs[z] == 0 {
                continue;
            }
            ll += ln_gamma(f64::from(self.docs[z]) + alpha) - ln_gamma(alpha);
            ll += ln_gamma(vbeta) - ln_gamma(self.words[z] as f64 + vbeta);
            for t in 0..self.vocab {
                let c = self.counts[t * self.k + z];
                if c > 0.0 {
                    ll += ln_gamma(f64::from(c) + beta) - ln_gamma(beta);
                }
            }
        }
        ll
    }
}

/// Multiplies the running ratios into the scores, resets them, and rescales the scores
/// when the largest has grown small.
fn fold(p: &mut [f32], numerator: &mut [f32], denominator: &mut [f32]) {
    for ((x, n), d) in p.iter_mut().zip(numerator.iter_mut()).zip(denominator.iter_mut()) {
        *x *= *n / *d;
        *n = 1.0;
        *d = 1.0;
    }
    // The largest score, eight lanes at a time (so the loop is vectorised).
    let mut lanes = [0.0f32; 8];
    let mut chunks = p.chunks_exact(8);
    for chunk in &mut chunks {
        for (l, &x) in lanes.iter_mut().zip(chunk) {
            *l = if x > *l { x } else { *l };
        }
    }
    let max = chunks
        .remainder()
        .iter()
        .chain(&lanes)
        .fold(0.0f32, |m, &x| if x > m { x } else { m });
    if max > 0.0 && max < 1e-12 {
        let scale = 1.0 / max;
        p.iter_mut().for_each(|x| *x *= scale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Silent;

    #[test]
    fn finds_planted_groups_and_empties_spare_slots() {
        // Three groups of documents over disjoint words; ten slots to start with.
        let docs: Vec<Vec<u16>> = (0..90u32)
            .map(|i| {
                let g = i % 3;
                let mut d = vec![g * 4 + i % 4, g * 4 + (i / 4) % 4];
                d.sort_unstable();
                let mut units = Vec::new();
                Doc::encode(&d, &mut units);
                units
            })
            .collect();
        let refs: Vec<Doc> = docs.iter().map(|d| Doc::new(d)).collect();
        let m = Dmm::fit(&refs, 12, 10, DmmOptions::default(), 7, &Silent);
        let mut sizes = [0usize; 10];
        for &z in &m.assignment {
            sizes[z] += 1;
        }
        assert_eq!(sizes.iter().filter(|&&s| s >= 3).count(), 3, "{:?}", m.assignment);
        for g in 0..3 {
            let mut in_group = [0usize; 10];
            for i in (g..90).step_by(3) {
                in_group[m.assignment[i]] += 1;
            }
            assert!(
                in_group.iter().max().is_some_and(|&n| n >= 28),
                "{:?}",
                m.assignment
            );
        }
        let mut scratch = Scratch::default();
        let (z, p) = m.assign(refs[1], None, &mut scratch).expect("assigned");
        assert_eq!(z, m.assignment[1]);
        assert!(p > 0.9);
    }
}
