//! A Dirichlet-multinomial mixture for short texts, fitted by collapsed Gibbs sampling
//! (GSDMM: Yin & Wang, "A Dirichlet Multinomial Mixture Model-based Approach for Short
//! Text Clustering", KDD 2014). Each response belongs to one theme and all its words are
//! drawn from that theme's word distribution, which suits answers of a few words better
//! than cosine geometry does. Started with more clusters than needed, the sampler empties
//! the ones the data does not support, so the model finds its own number of themes.
//!
//! Sampling is sequential within a chain (that is what makes it deterministic for a seed);
//! several chains run in parallel, their agreement is the evidence for the number found,
//! and the most probable chain is kept. Every response is then assigned to its most
//! probable theme in parallel, so a large corpus is fitted on a sample and assigned whole.

use super::features::Doc;
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
    /// cluster sit together, which is how the sampler reads them.
    counts: Vec<u32>,
    /// Cluster of each sampled document.
    pub assignment: Vec<usize>,
    /// Log joint probability of the documents and their clusters.
    pub log_likelihood: f64,
    /// Once the counts are final: `ln Π_{i<L} (n_z + Vβ + i)` for `L < DENOMINATORS`,
    /// cluster-major, so placing a response costs no logarithm per cluster and length.
    denominators: Vec<f64>,
    /// Once the counts are final: `ln(m_z + α)` per cluster.
    log_sizes: Vec<f64>,
}

/// Response lengths (terms) whose denominators are tabulated when the model is frozen.
const DENOMINATORS: usize = 128;

impl Dmm {
    /// Runs one chain on `sample` (term ids below `terms`) with `k` cluster slots.
    pub fn fit(
        sample: &[&Doc],
        terms: usize,
        k: usize,
        opts: DmmOptions,
        seed: u64,
        progress: &dyn Progress,
    ) -> Dmm {
        let k = k.max(1);
        let mut local = vec![u32::MAX; terms];
        let mut vocab = 0usize;
        for &(t, _) in sample.iter().flat_map(|d| d.iter()) {
            if local[t as usize] == u32::MAX {
                local[t as usize] = vocab as u32;
                vocab += 1;
            }
        }
        let mut rng = Rng::new(seed);
        let mut m = Dmm {
            k,
            vocab,
            local,
            opts,
            docs: vec![0; k],
            words: vec![0; k],
            counts: vec![0; k * vocab],
            assignment: vec![0; sample.len()],
            log_likelihood: 0.0,
            denominators: Vec::new(),
            log_sizes: Vec::new(),
        };
        for (d, doc) in sample.iter().enumerate() {
            let z = (rng.next_u64() % k as u64) as usize;
            m.assignment[d] = z;
            m.add(doc, z);
        }
        let mut p = vec![0.0f64; k];
        for _ in 0..opts.iterations {
            for (d, doc) in sample.iter().enumerate() {
                let old = m.assignment[d];
                m.remove(doc, old);
                m.probabilities(doc, &mut p);
                let total: f64 = p.iter().sum();
                let mut target = rng.next_f64() * total;
                let mut z = k - 1;
                for (c, &pc) in p.iter().enumerate() {
                    target -= pc;
                    if target < 0.0 {
                        z = c;
                        break;
                    }
                }
                m.assignment[d] = z;
                m.add(doc, z);
            }
            progress.advance(1);
        }
        m.log_likelihood = m.joint(sample.len());
        m
    }

    /// The mixture whose clusters are `assignment` (one per document of `sample`), without
    /// sampling: the word counts of given clusters, able to place new documents.
    pub fn from_assignment(
        sample: &[&Doc],
        terms: usize,
        k: usize,
        opts: DmmOptions,
        assignment: &[usize],
    ) -> Dmm {
        let mut m = Dmm::fit(
            sample,
            terms,
            k,
            DmmOptions {
                iterations: 0,
                ..opts
            },
            0,
            &crate::Silent,
        );
        let previous = std::mem::take(&mut m.assignment);
        for (doc, &z) in sample.iter().zip(&previous) {
            m.remove(doc, z);
        }
        for (doc, &z) in sample.iter().zip(assignment) {
            m.add(doc, z);
        }
        m.assignment = assignment.to_vec();
        m.log_likelihood = m.joint(sample.len());
        let vbeta = m.vocab as f64 * m.opts.beta;
        m.log_sizes = m
            .docs
            .iter()
            .map(|&d| (f64::from(d) + m.opts.alpha).ln())
            .collect();
        m.denominators = (0..k)
            .flat_map(|z| {
                let nz = m.words[z] as f64 + vbeta;
                (0..DENOMINATORS).scan(0.0, move |acc, l| {
                    let here = *acc;
                    *acc += (nz + l as f64).ln();
                    Some(here)
                })
            })
            .collect();
        m
    }

    fn add(&mut self, doc: &Doc, z: usize) {
        self.docs[z] += 1;
        for &(t, c) in doc {
            let t = self.local[t as usize] as usize;
            self.counts[t * self.k + z] += c;
            self.words[z] += u64::from(c);
        }
    }

    fn remove(&mut self, doc: &Doc, z: usize) {
        self.docs[z] -= 1;
        for &(t, c) in doc {
            let t = self.local[t as usize] as usize;
            self.counts[t * self.k + z] -= c;
            self.words[z] -= u64::from(c);
        }
    }

    /// Unnormalised probability of each cluster for `doc` (the document itself not
    /// counted in), scaled so the largest is 1.
    fn probabilities(&self, doc: &Doc, p: &mut [f64]) {
        self.log_scores(doc, p);
        let max = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        p.iter_mut().for_each(|x| *x = (*x - max).exp());
    }

    /// Log probability (up to a constant) of each cluster for `doc`:
    /// `ln(m_z + α) + Σ_w Σ_j ln(n_zw + β + j) − Σ_i ln(n_z + Vβ + i)`.
    pub fn log_scores(&self, doc: &Doc, out: &mut [f64]) {
        let (alpha, beta, k) = (self.opts.alpha, self.opts.beta, self.k);
        let vbeta = self.vocab as f64 * beta;
        let out = &mut out[..k];
        // Numerators as products over the word's row of counts, folded into logs every few
        // words so they stay in range.
        let mut prod = [1.0f64; 64];
        let mut wide = vec![1.0f64; if k > 64 { k } else { 0 }];
        let prod: &mut [f64] = if k > 64 { &mut wide } else { &mut prod[..k] };
        if self.log_sizes.len() == k {
            out.copy_from_slice(&self.log_sizes);
        } else {
            out.iter_mut()
                .enumerate()
                .for_each(|(z, o)| *o = (f64::from(self.docs[z]) + alpha).ln());
        }
        let mut length = 0u32;
        let mut since_fold = 0;
        for &(t, c) in doc {
            let Some(&t) = self.local.get(t as usize).filter(|&&t| t != u32::MAX) else {
                continue;
            };
            let row = &self.counts[t as usize * k..(t as usize + 1) * k];
            for j in 0..c {
                let add = beta + f64::from(j);
                prod.iter_mut()
                    .zip(row)
                    .for_each(|(p, &n)| *p *= f64::from(n) + add);
            }
            length += c;
            since_fold += c;
            // Factors lie between β and the sample's word count: forty of them stay in range.
            if since_fold >= 40 {
                out.iter_mut().zip(prod.iter_mut()).for_each(|(o, p)| {
                    *o += p.ln();
                    *p = 1.0;
                });
                since_fold = 0;
            }
        }
        for (z, (o, p)) in out.iter_mut().zip(prod.iter()).enumerate() {
            let nz = self.words[z] as f64 + vbeta;
            let tabulated = self.denominators.get(z * DENOMINATORS + length as usize);
            let denominator = if let Some(&d) = tabulated.filter(|_| (length as usize) < DENOMINATORS) {
                d
            } else if length <= 12 {
                (0..length).map(|i| nz + f64::from(i)).product::<f64>().ln()
            } else {
                ln_gamma(nz + f64::from(length)) - ln_gamma(nz)
            };
            *o += p.ln() - denominator;
        }
    }

    /// Most probable cluster of `doc` among `allowed` (all clusters when `None`), with its
    /// posterior probability among them.
    pub fn assign(
        &self,
        doc: &Doc,
        allowed: Option<&[bool]>,
        scratch: &mut Vec<f64>,
    ) -> Option<(usize, f32)> {
        scratch.resize(self.k, 0.0);
        self.log_scores(doc, scratch);
        let ok = |z: usize| allowed.is_none_or(|a| a[z]);
        let (best, max) = (0..self.k).filter(|&z| ok(z)).map(|z| (z, scratch[z])).fold(
            (usize::MAX, f64::NEG_INFINITY),
            |b, x| if x.1 > b.1 { x } else { b },
        );
        if best == usize::MAX {
            return None;
        }
        let total: f64 = (0..self.k)
            .filter(|&z| ok(z))
            .map(|z| (scratch[z] - max).exp())
            .sum();
        Some((best, (1.0 / total) as f32))
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
                if c > 0 {
                    ll += ln_gamma(f64::from(c) + beta) - ln_gamma(beta);
                }
            }
        }
        ll
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Silent;

    #[test]
    fn finds_planted_groups_and_empties_spare_slots() {
        // Three groups of documents over disjoint words; ten slots to start with.
        let docs: Vec<Doc> = (0..90u32)
            .map(|i| {
                let g = i % 3;
                vec![(g * 4 + i % 4, 1), (g * 4 + (i / 4) % 4, 1)]
                    .into_iter()
                    .fold(Vec::new(), |mut d: Doc, (t, c)| {
                        match d.iter_mut().find(|x| x.0 == t) {
                            Some(x) => x.1 += c,
                            None => d.push((t, c)),
                        }
                        d.sort_unstable();
                        d
                    })
            })
            .collect();
        let refs: Vec<&Doc> = docs.iter().collect();
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
        let mut scratch = Vec::new();
        let (z, p) = m.assign(&docs[1], None, &mut scratch).expect("assigned");
        assert_eq!(z, m.assignment[1]);
        assert!(p > 0.9);
    }
}
