//! Non-negative matrix factorisation of the TF-IDF matrix (A ≈ W·H, Frobenius loss,
//! multiplicative updates) started from NNDSVDa (Boutsidis & Gallopoulos 2008: the
//! non-negative parts of a truncated SVD, zeros filled with the mean of A), the start that
//! makes NMF deterministic. The SVD is a randomised range finder with power iterations
//! (Halko, Martinsson & Tropp 2011) drawn from a seeded generator. A response's theme is
//! its largest weight in W; responses outside the fitted sample are projected onto H.

use super::features::SparseVec;
use super::kmeans::Rng;
use rayon::prelude::*;

/// A factorisation: `h` is `k × terms`, row-major.
#[derive(Debug, Clone)]
pub struct Nmf {
    pub k: usize,
    terms: usize,
    h: Vec<f64>,
    /// Row weights (`docs × k`) of the fitted documents.
    pub w: Vec<f64>,
}

const EPS: f64 = 1e-10;

impl Nmf {
    /// Factorises the rows `docs` (term ids below `terms`) into `k` parts.
    pub fn fit(docs: &[&SparseVec], terms: usize, k: usize, iterations: usize, seed: u64) -> Nmf {
        let n = docs.len();
        let k = k.clamp(1, n.max(1));
        let (u, s, v) = truncated_svd(docs, terms, k, seed);
        let nnz: usize = docs.iter().map(|d| d.len()).sum();
        let mean = docs
            .iter()
            .flat_map(|d| d.iter())
            .map(|x| f64::from(x.1))
            .sum::<f64>()
            / (n * terms).max(1) as f64;
        let mut w = vec![0.0; n * k];
        let mut h = vec![0.0; k * terms];
        for j in 0..k.min(s.len()) {
            let (x, y) = (&u[j], &v[j]);
            let pos = |a: &[f64]| a.iter().map(|&x| x.max(0.0)).collect::<Vec<_>>();
            let neg = |a: &[f64]| a.iter().map(|&x| (-x).max(0.0)).collect::<Vec<_>>();
            let norm = |a: &[f64]| a.iter().map(|x| x * x).sum::<f64>().sqrt();
            let (xp, xn, yp, yn) = (pos(x), neg(x), pos(y), neg(y));
            let (mp, mn) = (norm(&xp) * norm(&yp), norm(&xn) * norm(&yn));
            let (a, b, sigma) = if mp >= mn { (xp, yp, mp) } else { (xn, yn, mn) };
            let (na, nb) = (norm(&a).max(EPS), norm(&b).max(EPS));
            let scale = (s[j] * sigma).sqrt();
            for i in 0..n {
                w[i * k + j] = scale * a[i] / na;
            }
            for t in 0..terms {
                h[j * terms + t] = scale * b[t] / nb;
            }
        }
        w.iter_mut()
            .chain(h.iter_mut())
            .filter(|x| **x < EPS)
            .for_each(|x| *x = mean);
        let mut m = Nmf { k, terms, h, w };
        if nnz == 0 {
            return m;
        }
        for _ in 0..iterations {
            m.update_h(docs);
            m.update_w(docs);
        }
        m
    }

    fn update_h(&mut self, docs: &[&SparseVec]) {
        let (k, terms) = (self.k, self.terms);
        let mut wta = vec![0.0; k * terms];
        for (i, doc) in docs.iter().enumerate() {
            let wi = &self.w[i * k..(i + 1) * k];
            for &(t, a) in doc.iter() {
                for c in 0..k {
                    wta[c * terms + t as usize] += wi[c] * f64::from(a);
                }
            }
        }
        let mut wtw = vec![0.0; k * k];
        for wi in self.w.chunks(k) {
            for a in 0..k {
                for b in 0..k {
                    wtw[a * k + b] += wi[a] * wi[b];
                }
            }
        }
        let h = &mut self.h;
        let old = h.clone();
        h.par_chunks_mut(terms).enumerate().for_each(|(c, row)| {
            for t in 0..terms {
                let denom: f64 = (0..k).map(|b| wtw[c * k + b] * old[b * terms + t]).sum();
                row[t] *= wta[c * terms + t] / (denom + EPS);
            }
        });
    }

    fn update_w(&mut self, docs: &[&SparseVec]) {
        let hht = self.gram();
        let (k, terms, h) = (self.k, self.terms, &self.h);
        self.w
            .par_chunks_mut(k)
            .zip(docs.par_iter())
            .for_each(|(wi, doc)| {
                let aht = project(doc, h, k, terms);
                mu_step(wi, &aht, &hht, k);
            });
    }

    /// `H·Hᵀ`.
    fn gram(&self) -> Vec<f64> {
        let (k, terms) = (self.k, self.terms);
        let mut g = vec![0.0; k * k];
        for a in 0..k {
            for b in 0..k {
                g[a * k + b] = (0..terms)
                    .map(|t| self.h[a * terms + t] * self.h[b * terms + t])
                    .sum();
            }
        }
        g
    }

    /// Weights of a document that was not fitted: a few multiplicative steps with H fixed.
    pub fn weights(&self, doc: &SparseVec, hht: &[f64]) -> Vec<f64> {
        let aht = project(doc, &self.h, self.k, self.terms);
        let mut w: Vec<f64> = aht.iter().map(|x| x.max(EPS)).collect();
        for _ in 0..30 {
            mu_step(&mut w, &aht, hht, self.k);
        }
        w
    }

    /// `H·Hᵀ`, for [`Nmf::weights`].
    pub fn hht(&self) -> Vec<f64> {
        self.gram()
    }
}

/// `a·Hᵀ` for one sparse row `a`.
fn project(doc: &SparseVec, h: &[f64], k: usize, terms: usize) -> Vec<f64> {
    (0..k)
        .map(|c| {
            doc.iter()
                .map(|&(t, a)| f64::from(a) * h[c * terms + t as usize])
                .sum()
        })
        .collect()
}

fn mu_step(w: &mut [f64], aht: &[f64], hht: &[f64], k: usize) {
    let old = w.to_vec();
    for c in 0..k {
        let denom: f64 = (0..k).map(|b| old[b] * hht[b * k + c]).sum();
        w[c] *= aht[c] / (denom + EPS);
    }
}

/// The `k` leading singular triplets of the sparse matrix with rows `docs`: left vectors
/// (length `docs.len()`), singular values, right vectors (length `terms`), largest first.
fn truncated_svd(
    docs: &[&SparseVec],
    terms: usize,
    k: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<f64>, Vec<Vec<f64>>) {
    let n = docs.len();
    let l = (k + 10).min(n).min(terms).max(1);
    let mut rng = Rng::new(seed);
    let mut gauss = || {
        let (u1, u2) = (rng.next_f64().max(1e-300), rng.next_f64());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    // Columns of Ω (terms × l), stored per term.
    let omega: Vec<f64> = (0..terms * l).map(|_| gauss()).collect();
    let times = |z: &[f64]| -> Vec<Vec<f64>> {
        // A·Z for Z stored per term (terms × l): l columns of length n.
        let mut y = vec![vec![0.0; n]; l];
        for (i, doc) in docs.iter().enumerate() {
            for &(t, a) in doc.iter() {
                for (c, col) in y.iter_mut().enumerate() {
                    col[i] += f64::from(a) * z[t as usize * l + c];
                }
            }
        }
        y
    };
    let transposed = |q: &[Vec<f64>]| -> Vec<f64> {
        // Aᵀ·Q, stored per term (terms × l).
        let mut z = vec![0.0; terms * l];
        for (i, doc) in docs.iter().enumerate() {
            for &(t, a) in doc.iter() {
                for (c, col) in q.iter().enumerate() {
                    z[t as usize * l + c] += f64::from(a) * col[i];
                }
            }
        }
        z
    };
    let mut q = orthonormalise(times(&omega));
    for _ in 0..3 {
        q = orthonormalise(times(&transposed(&q)));
    }
    // B = Qᵀ·A (l × terms), stored per term as in `transposed`.
    let b = transposed(&q);
    let mut bbt = vec![0.0; l * l];
    for t in 0..terms {
        let row = &b[t * l..(t + 1) * l];
        for x in 0..l {
            for y in 0..l {
                bbt[x * l + y] += row[x] * row[y];
            }
        }
    }
    let (values, vectors) = jacobi_eigen(bbt, l);
    let mut order: Vec<usize> = (0..l).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let mut us = Vec::new();
    let mut ss = Vec::new();
    let mut vs = Vec::new();
    for &j in order.iter().take(k) {
        let s = values[j].max(0.0).sqrt();
        let ub: Vec<f64> = (0..l).map(|x| vectors[x * l + j]).collect();
        let u: Vec<f64> = (0..n).map(|i| (0..l).map(|c| q[c][i] * ub[c]).sum()).collect();
        let v: Vec<f64> = (0..terms)
            .map(|t| (0..l).map(|c| b[t * l + c] * ub[c]).sum::<f64>() / s.max(EPS))
            .collect();
        us.push(u);
        ss.push(s);
        vs.push(v);
    }
    (us, ss, vs)
}

/// Modified Gram–Schmidt on columns; a column that vanishes becomes zero.
fn orthonormalise(mut cols: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    for j in 0..cols.len() {
        for p in 0..j {
            let dot: f64 = cols[j].iter().zip(&cols[p]).map(|(a, b)| a * b).sum();
            let prev = cols[p].clone();
            cols[j].iter_mut().zip(&prev).for_each(|(a, b)| *a -= dot * b);
        }
        let norm = cols[j].iter().map(|x| x * x).sum::<f64>().sqrt();
        let scale = if norm > 1e-12 { 1.0 / norm } else { 0.0 };
        cols[j].iter_mut().for_each(|x| *x *= scale);
    }
    cols
}

/// Eigenvalues and eigenvectors (columns of the row-major `l × l` result) of a symmetric
/// matrix, by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: Vec<f64>, l: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; l * l];
    for i in 0..l {
        v[i * l + i] = 1.0;
    }
    for _ in 0..100 {
        let off: f64 = (0..l)
            .flat_map(|i| (0..l).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * l + j] * a[i * l + j])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..l {
            for q in p + 1..l {
                let apq = a[p * l + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * l + q] - a[p * l + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..l {
                    let (arp, arq) = (a[r * l + p], a[r * l + q]);
                    a[r * l + p] = c * arp - s * arq;
                    a[r * l + q] = s * arp + c * arq;
                }
                for r in 0..l {
                    let (apr, aqr) = (a[p * l + r], a[q * l + r]);
                    a[p * l + r] = c * apr - s * aqr;
                    a[q * l + r] = s * apr + c * aqr;
                }
                for r in 0..l {
                    let (vrp, vrq) = (v[r * l + p], v[r * l + q]);
                    v[r * l + p] = c * vrp - s * vrq;
                    v[r * l + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..l).map(|i| a[i * l + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_eigenvalues_of_a_small_matrix() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3.
        let (mut vals, _) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        vals.sort_by(f64::total_cmp);
        assert!((vals[0] - 1.0).abs() < 1e-9 && (vals[1] - 3.0).abs() < 1e-9);
    }

    #[test]
    fn separates_two_blocks() {
        let docs: Vec<SparseVec> = (0..20u32)
            .map(|i| {
                if i % 2 == 0 {
                    vec![(0, 0.8), (1, 0.6)]
                } else {
                    vec![(2, 0.6), (3, 0.8)]
                }
            })
            .collect();
        let refs: Vec<&SparseVec> = docs.iter().collect();
        let m = Nmf::fit(&refs, 4, 2, 100, 1);
        let best = |i: usize| if m.w[i * 2] > m.w[i * 2 + 1] { 0 } else { 1 };
        assert!((0..20).step_by(2).all(|i| best(i) == best(0)));
        assert!((1..20).step_by(2).all(|i| best(i) != best(0)));
    }
}
