//! Spherical k-means over L2-normalised sparse TF-IDF vectors (cosine similarity), with
//! k-means++ seeding. Restarts run in parallel with rayon; within a restart, the
//! assignment step is parallel too. Every restart draws from its own seeded generator and
//! centroids are summed in document order, so the result is identical for any thread
//! count.

use rayon::prelude::*;

pub use super::features::SparseVec;

/// The outcome of one clustering.
#[derive(Debug, Clone)]
pub struct Clustering {
    /// Cluster index per document.
    pub assignment: Vec<usize>,
    /// Cosine similarity of each document to its cluster's centroid.
    pub similarity: Vec<f32>,
    /// L2-normalised dense centroids.
    pub centroids: Vec<Vec<f32>>,
    /// Sum of similarities: higher is tighter.
    pub objective: f64,
}

/// SplitMix64: small, fast, and fully determined by its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn dot(doc: &SparseVec, centroid: &[f32]) -> f32 {
    doc.iter().map(|&(t, w)| w * centroid[t as usize]).sum()
}

pub fn sparse_dot(a: &SparseVec, b: &SparseVec) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

fn dense(doc: &SparseVec, dims: usize) -> Vec<f32> {
    let mut v = vec![0.0; dims];
    for &(t, w) in doc {
        v[t as usize] = w;
    }
    v
}

/// k-means++ seeding: the first centre at random, each next one with probability
/// proportional to its cosine distance from the nearest centre chosen so far.
fn seed_centroids(docs: &[SparseVec], dims: usize, k: usize, rng: &mut Rng) -> Vec<Vec<f32>> {
    let first = (rng.next_u64() % docs.len() as u64) as usize;
    let mut centroids = vec![dense(&docs[first], dims)];
    let mut nearest: Vec<f32> = docs.iter().map(|d| 1.0 - dot(d, &centroids[0])).collect();
    while centroids.len() < k {
        let total: f64 = nearest.iter().map(|&d| f64::from(d.max(0.0))).sum();
        let pick = if total <= 0.0 {
            (rng.next_u64() % docs.len() as u64) as usize
        } else {
            let mut target = rng.next_f64() * total;
            let mut chosen = docs.len() - 1;
            for (i, &d) in nearest.iter().enumerate() {
                target -= f64::from(d.max(0.0));
                if target < 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        };
        let c = dense(&docs[pick], dims);
        for (n, d) in nearest.iter_mut().zip(docs) {
            *n = n.min(1.0 - dot(d, &c));
        }
        centroids.push(c);
    }
    centroids
}

/// Index and similarity of the most similar centroid (ties: the lower index).
fn nearest_centroid(doc: &SparseVec, centroids: &[Vec<f32>]) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, c) in centroids.iter().enumerate() {
        let s = dot(doc, c);
        if s > best.1 {
            best = (i, s);
        }
    }
    best
}

/// One run of spherical k-means from a seeded start.
pub fn kmeans(docs: &[SparseVec], dims: usize, k: usize, seed: u64, max_iter: usize) -> Clustering {
    if docs.is_empty() {
        return Clustering {
            assignment: Vec::new(),
            similarity: Vec::new(),
            centroids: Vec::new(),
            objective: 0.0,
        };
    }
    let k = k.clamp(1, docs.len());
    let mut rng = Rng::new(seed);
    let mut centroids = seed_centroids(docs, dims, k, &mut rng);
    let mut assignment = vec![usize::MAX; docs.len()];
    let mut similarity = vec![0.0; docs.len()];
    for _ in 0..max_iter.max(1) {
        let nearest: Vec<(usize, f32)> = docs.par_iter().map(|d| nearest_centroid(d, &centroids)).collect();
        let changed = nearest.iter().zip(&assignment).any(|(n, &a)| n.0 != a);
        for (i, (c, s)) in nearest.into_iter().enumerate() {
            assignment[i] = c;
            similarity[i] = s;
        }
        if !changed {
            break;
        }
        centroids = update_centroids(docs, dims, k, &assignment, &similarity);
    }
    let objective = similarity.iter().map(|&s| f64::from(s)).sum();
    Clustering {
        assignment,
        similarity,
        centroids,
        objective,
    }
}

/// Mean direction of each cluster; an empty cluster takes the worst-fitting document.
fn update_centroids(
    docs: &[SparseVec],
    dims: usize,
    k: usize,
    assignment: &[usize],
    similarity: &[f32],
) -> Vec<Vec<f32>> {
    let mut sums = vec![vec![0.0f32; dims]; k];
    let mut counts = vec![0usize; k];
    for (doc, &c) in docs.iter().zip(assignment) {
        counts[c] += 1;
        for &(t, w) in doc {
            sums[c][t as usize] += w;
        }
    }
    // Worst-fitting documents first, for refilling empty clusters (sorted only when needed).
    let mut order: Vec<usize> = Vec::new();
    if counts.contains(&0) {
        order = (0..docs.len()).collect();
        order.sort_by(|&a, &b| similarity[a].total_cmp(&similarity[b]).then(a.cmp(&b)));
    }
    let mut spare = order.into_iter();
    for c in 0..k {
        if counts[c] == 0 {
            if let Some(i) = spare.next() {
                sums[c] = dense(&docs[i], dims);
            }
        }
        let norm = sums[c].iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            sums[c].iter_mut().for_each(|x| *x /= norm);
        }
    }
    sums
}

/// The best of `restarts` seeded runs (highest objective; ties: the earliest restart).
pub fn best_of(
    docs: &[SparseVec],
    dims: usize,
    k: usize,
    seed: u64,
    restarts: usize,
    max_iter: usize,
) -> Clustering {
    (0..restarts.max(1) as u64)
        .into_par_iter()
        .map(|r| {
            (
                r,
                kmeans(docs, dims, k, seed.wrapping_add(r.wrapping_mul(0x9E37)), max_iter),
            )
        })
        .reduce_with(|a, b| {
            if b.1.objective > a.1.objective || (b.1.objective == a.1.objective && b.0 < a.0) {
                b
            } else {
                a
            }
        })
        .map(|(_, c)| c)
        .unwrap_or(Clustering {
            assignment: Vec::new(),
            similarity: Vec::new(),
            centroids: Vec::new(),
            objective: 0.0,
        })
}

/// Mean silhouette (cosine distance) over the documents at `sample` indices.
pub fn silhouette(docs: &[SparseVec], assignment: &[usize], k: usize, sample: &[usize]) -> f64 {
    let scores: Vec<f64> = sample
        .par_iter()
        .map(|&i| {
            let mut sum = vec![0.0f64; k];
            let mut count = vec![0usize; k];
            for &j in sample {
                if j != i {
                    sum[assignment[j]] += f64::from(1.0 - sparse_dot(&docs[i], &docs[j]));
                    count[assignment[j]] += 1;
                }
            }
            let own = assignment[i];
            if count[own] == 0 {
                return 0.0;
            }
            let a = sum[own] / count[own] as f64;
            let b = (0..k)
                .filter(|&c| c != own && count[c] > 0)
                .map(|c| sum[c] / count[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if !b.is_finite() {
                return 0.0;
            }
            (b - a) / a.max(b).max(f64::EPSILON)
        })
        .collect();
    if scores.is_empty() {
        0.0
    } else {
        scores.iter().sum::<f64>() / scores.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[(u32, f32)]) -> SparseVec {
        let n = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        v.iter().map(|&(t, w)| (t, w / n)).collect()
    }

    #[test]
    fn separates_two_obvious_groups_identically_on_any_pool() {
        let docs: Vec<SparseVec> = (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    unit(&[(0, 1.0), (1, 0.5 + (i as f32) * 0.01)])
                } else {
                    unit(&[(2, 1.0), (3, 0.3)])
                }
            })
            .collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| best_of(&docs, 4, 2, 7, 4, 50))
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one.assignment, two.assignment);
        assert_eq!(one.objective.to_bits(), two.objective.to_bits());
        assert!(one.assignment.iter().step_by(2).all(|&c| c == one.assignment[0]));
        assert!(one
            .assignment
            .iter()
            .skip(1)
            .step_by(2)
            .all(|&c| c != one.assignment[0]));
        let all: Vec<usize> = (0..40).collect();
        assert!(silhouette(&docs, &one.assignment, 2, &all) > 0.9);
    }
}
