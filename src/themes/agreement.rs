//! Agreement between two partitions of the same responses (the clustering and the
//! organiser's human labels): normalised mutual information (arithmetic-mean
//! normalisation), adjusted Rand index, and purity.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Agreement scores, with the number of responses they were computed on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub responses: usize,
    pub human_labels: usize,
    pub nmi: f64,
    pub ari: f64,
    pub purity: f64,
}

/// Compares cluster ids with label ids, pairwise by position.
pub fn agreement<A: Ord + Clone, B: Ord + Clone>(clusters: &[A], labels: &[B]) -> Agreement {
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
    let nmi = if hu + hv == 0.0 {
        1.0
    } else {
        (2.0 * mi / (hu + hv)).clamp(0.0, 1.0)
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
    for ((a, _), &c) in &table {
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
        ari,
        purity,
    }
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
    }
}
