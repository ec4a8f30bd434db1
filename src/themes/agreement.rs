//! Agreement between two partitions of the same responses (the clustering and the
//! organiser's human labels): normalised mutual information (arithmetic-mean
//! normalisation), adjusted mutual information (the same, corrected for chance), adjusted
//! Rand index, and purity. NMI rises with the number of clusters even for random ones; AMI
//! and ARI are 0 for chance agreement, so they are the figures to compare across k.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Agreement scores, with the number of responses they were computed on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub responses: usize,
    pub human_labels: usize,
    pub nmi: f64,
    /// Adjusted mutual information (arithmetic normalisation, as scikit-learn's default).
    #[serde(default)]
    pub ami: f64,
    pub ari: f64,
    pub purity: f64,
}

/// The contingency table of two partitions, with their entropies and mutual information.
struct Table<A, B> {
    n: usize,
    table: BTreeMap<(A, B), usize>,
    rows: BTreeMap<A, usize>,
    cols: BTreeMap<B, usize>,
    /// Entropies of the two partitions and their mutual information (nats).
    hu: f64,
    hv: f64,
    mi: f64,
}

impl<A: Ord + Clone, B: Ord + Clone> Table<A, B> {
    fn new(clusters: &[A], labels: &[B]) -> Table<A, B> {
        let n = clusters.len().min(labels.len());
        let mut table: BTreeMap<(A, B), usize> = BTreeMap::new();
        let mut rows: BTreeMap<A, usize> = BTreeMap::new();
        let mut cols: BTreeMap<B, usize> = BTreeMap::new();
        for (a, b) in clusters.iter().zip(labels).take(n) {
            *table.entry((a.clone(), b.clone())).or_default() += 1;
            *rows.entry(a.clone()).or_default() += 1;
            *cols.entry(b.clone()).or_default() += 1;
        }
        let nf = n as f64;
        let entropy = |counts: Vec<usize>| -> f64 {
            counts
                .into_iter()
                .map(|c| c as f64 / nf)
                .filter(|&p| p > 0.0)
                .map(|p| -p * p.ln())
                .sum()
        };
        let mi: f64 = table
            .iter()
            .map(|((a, b), &c)| {
                let p = c as f64 / nf;
                p * (p / ((rows[a] as f64 / nf) * (cols[b] as f64 / nf))).ln()
            })
            .sum();
        let (hu, hv) = (
            entropy(rows.values().copied().collect()),
            entropy(cols.values().copied().collect()),
        );
        Table {
            n,
            table,
            rows,
            cols,
            hu,
            hv,
            mi,
        }
    }

    fn nmi(&self) -> f64 {
        if self.hu + self.hv == 0.0 {
            1.0
        } else {
            (2.0 * self.mi / (self.hu + self.hv)).clamp(0.0, 1.0)
        }
    }
}

/// Normalised mutual information alone (as in [`agreement`]), without the expected
/// mutual information that AMI needs: for comparing many partitions with each other.
pub fn nmi<A: Ord + Clone, B: Ord + Clone>(clusters: &[A], labels: &[B]) -> f64 {
    Table::new(clusters, labels).nmi()
}

/// Compares cluster ids with label ids, pairwise by position.
pub fn agreement<A: Ord + Clone, B: Ord + Clone>(clusters: &[A], labels: &[B]) -> Agreement {
    let t = Table::new(clusters, labels);
    let nmi = t.nmi();
    let (n, hu, hv, mi) = (t.n, t.hu, t.hv, t.mi);
    let (table, rows, cols) = (&t.table, &t.rows, &t.cols);
    let nf = n as f64;
    let row_sizes: Vec<usize> = rows.values().copied().collect();
    let col_sizes: Vec<usize> = cols.values().copied().collect();
    let emi = expected_mutual_information(&row_sizes, &col_sizes, n);
    let mean_h = (hu + hv) / 2.0;
    let ami = if (mean_h - emi).abs() < 1e-15 {
        1.0
    } else {
        (mi - emi) / (mean_h - emi)
    };

    let pairs = |x: usize| (x * x.saturating_sub(1)) as f64 / 2.0;
    let index: f64 = table.values().map(|&c| pairs(c)).sum();
    let sum_rows: f64 = rows.values().map(|&c| pairs(c)).sum();
    let sum_cols: f64 = cols.values().map(|&c| pairs(c)).sum();
    let expected = if n < 2 {
        0.0
    } else {
        sum_rows * sum_cols / pairs(n)
    };
    let max = (sum_rows + sum_cols) / 2.0;
    let ari = if max == expected {
        1.0
    } else {
        (index - expected) / (max - expected)
    };

    let mut best_per_cluster: BTreeMap<&A, usize> = BTreeMap::new();
    for ((a, _), &c) in table {
        let e = best_per_cluster.entry(a).or_default();
        *e = (*e).max(c);
    }
    let purity = if n == 0 {
        0.0
    } else {
        best_per_cluster.values().sum::<usize>() as f64 / nf
    };
    Agreement {
        responses: n,
        human_labels: cols.len(),
        nmi,
        ami,
        ari,
        purity,
    }
}

/// Work (pairs of cluster sizes summed) above which the expected mutual information is
/// taken from its large-sample approximation instead of the exact sum.
const EXACT_EMI_WORK: usize = 50_000_000;

/// Expected mutual information (nats) of two random partitions with these cluster sizes
/// (hypergeometric model; Vinh, Epps & Bailey 2010). Exact when affordable, else the
/// large-sample approximation (R−1)(C−1)/(2N).
fn expected_mutual_information(a: &[usize], b: &[usize], n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let work: usize = a
        .iter()
        .map(|&x| b.iter().map(|&y| x.min(y)).sum::<usize>())
        .sum();
    let nf = n as f64;
    if work > EXACT_EMI_WORK {
        return (a.len().saturating_sub(1) * b.len().saturating_sub(1)) as f64 / (2.0 * nf);
    }
    let lf = |x: usize| crate::math::ln_gamma(x as f64 + 1.0);
    let ln_n = lf(n);
    let mut emi = 0.0;
    for &ai in a {
        for &bj in b {
            let lo = (ai + bj).saturating_sub(n).max(1);
            let hi = ai.min(bj);
            let fixed = lf(ai) + lf(bj) + lf(n - ai) + lf(n - bj) - ln_n;
            for nij in lo..=hi {
                let x = nij as f64;
                let term = (x / nf) * ((nf * x) / (ai as f64 * bj as f64)).ln();
                let log_p = fixed - lf(nij) - lf(ai - nij) - lf(bj - nij) - lf(n + nij - ai - bj);
                emi += term * log_p.exp();
            }
        }
    }
    emi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_agree_fully_whatever_the_names() {
        let a = agreement(&[0, 0, 1, 1, 2], &["x", "x", "y", "y", "z"]);
        assert!((a.nmi - 1.0).abs() < 1e-12 && (a.ari - 1.0).abs() < 1e-12 && a.purity == 1.0);
    }

    #[test]
    fn matches_reference_values() {
        // Reference values computed independently (textbook formulas, Python) for
        // [0,0,0,1,1,1] vs [0,0,1,1,2,2]: NMI 0.5158037429793889, ARI 0.24242424242424246.
        let a = agreement(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((a.nmi - 0.515_803_742_979_388_9).abs() < 1e-9, "{}", a.nmi);
        assert!((a.ari - 0.242_424_242_424_242_46).abs() < 1e-9, "{}", a.ari);
        assert!((a.purity - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(nmi(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]), a.nmi);
    }

    #[test]
    fn ami_matches_scikit_learn() {
        // sklearn.metrics.adjusted_mutual_info_score([0,0,0,1,1,1],[0,0,1,1,2,2])
        // = 0.2987924581708901; ([0,0,1,1,2,2,2,0],[1,1,0,0,2,2,0,1]) = 0.6598363252848235
        // (scikit-learn 1.9.1).
        let a = agreement(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((a.ami - 0.298_792_458_170_890_1).abs() < 1e-9, "{}", a.ami);
        let b = agreement(&[0, 0, 1, 1, 2, 2, 2, 0], &[1, 1, 0, 0, 2, 2, 0, 1]);
        assert!((b.ami - 0.659_836_325_284_823_5).abs() < 1e-9, "{}", b.ami);
    }

    #[test]
    fn many_small_clusters_score_above_chance_in_nmi_only() {
        // 40 clusters of 3 against 3 labels that ignore them: scikit-learn gives
        // NMI 0.05950804785673789 and AMI -0.13727471781469938.
        let clusters: Vec<usize> = (0..120).map(|i| i / 3).collect();
        let labels: Vec<usize> = (0..120).map(|i| (i * 7 + i / 5) % 3).collect();
        let a = agreement(&clusters, &labels);
        assert!((a.nmi - 0.059_508_047_856_737_89).abs() < 1e-9, "nmi {}", a.nmi);
        assert!((a.ami + 0.137_274_717_814_699_38).abs() < 1e-9, "ami {}", a.ami);
    }
}
