//! The statistics behind the comparison, each a small pure function with its checks:
//! Wilson score intervals for shares, the χ² test of independence with adjusted
//! standardised residuals per cell, Benjamini–Hochberg adjusted p-values, and
//! log-likelihood G² of a 2 × 2 table with Log Ratio. The χ² tail comes from the regularised
//! incomplete gamma function, so no statistics crate is needed.

use crate::math::ln_gamma;
use rayon::prelude::*;

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score 95 % interval for `x` successes in `n` trials, as fractions 0–1.
/// `(0, 0)` when `n` is 0.
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let (n, p) = (n as f64, x.min(n) as f64 / n as f64);
    let z2 = Z95 * Z95;
    let centre = p + z2 / (2.0 * n);
    let spread = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    (
        ((centre - spread) / denom).max(0.0),
        ((centre + spread) / denom).min(1.0),
    )
}

/// The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): a series
/// below x = a + 1, a continued fraction (modified Lentz) above, as in Numerical Recipes.
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        return (1.0 - sum * log_front.exp()).clamp(0.0, 1.0);
    }
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (log_front.exp() * h).clamp(0.0, 1.0)
}

/// Upper tail P(X ≥ x) of the χ² distribution with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: usize) -> f64 {
    if df == 0 || x.is_nan() {
        return 1.0;
    }
    gamma_q(df as f64 / 2.0, x / 2.0)
}

/// Two-sided p-value of a standard normal score (the square of `z` is χ² with 1 df).
pub fn normal_two_sided(z: f64) -> f64 {
    chi2_sf(z * z, 1)
}

/// Benjamini–Hochberg adjusted p-values (the step-up false discovery rate procedure),
/// in the order given: p_adj(i) = min over ranks k ≥ rank(i) of p(k)·m/k, capped at 1.
/// Rejecting every hypothesis with p_adj < q keeps the expected share of false
/// discoveries at or below q.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    // A total order (ties by position), so the parallel sort gives the one result.
    order.par_sort_unstable_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let ranked: Vec<f64> = order.iter().map(|&i| p[i]).collect();
    let mut adjusted = vec![1.0; p.len()];
    for (&i, q) in order.iter().zip(step_up(&ranked, p.len())) {
        adjusted[i] = q;
    }
    adjusted
}

/// The Benjamini–Hochberg step-up over the first ranks of `m` tests: `ranked` holds the
/// smallest p-values of the family in ascending order (all of them, or only those below
/// a threshold, the rest being larger); gives each its adjusted p, as over all `m`.
pub fn step_up(ranked: &[f64], m: usize) -> Vec<f64> {
    let mut adjusted = vec![1.0; ranked.len()];
    let mut running = 1.0f64;
    for (rank, &p) in ranked.iter().enumerate().rev() {
        running = running.min(p * m as f64 / (rank + 1) as f64);
        adjusted[rank] = running.min(1.0);
    }
    adjusted
}

/// G² of the 2 × 2 table: `a` of `c` units in the group have the property, `b` of `d`
/// in the rest (2 Σ O ln(O/E) over the four cells).
pub fn g2_table(a: u64, c: u64, b: u64, d: u64) -> f64 {
    let n = (c + d) as f64;
    if n == 0.0 || a > c || b > d {
        return 0.0;
    }
    let (with, without) = ((a + b) as f64, (c + d - a - b) as f64);
    let term = |o: u64, row: u64, col: f64| {
        let e = row as f64 * col / n;
        if o == 0 || e <= 0.0 {
            0.0
        } else {
            o as f64 * (o as f64 / e).ln()
        }
    };
    let sum = term(a, c, with) + term(c - a, c, without) + term(b, d, with) + term(d - b, d, without);
    (2.0 * sum).max(0.0)
}

/// Log Ratio effect size (Hardie 2014): log2 of the ratio of relative frequencies, zero
/// counts read as 0.5. +1 means twice as frequent in the group as in the rest.
pub fn log_ratio(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let f = |x: u64| if x == 0 { 0.5 } else { x as f64 };
    ((f(a) / c.max(1) as f64) / (f(b) / d.max(1) as f64)).log2()
}

/// Pearson's χ² test of independence of a contingency table (rows × columns of counts).
#[derive(Debug, Clone, PartialEq)]
pub struct ChiSquareTest {
    pub statistic: f64,
    pub df: usize,
    pub p: f64,
    /// Adjusted standardised residual per cell (Haberman 1973), `None` where a row or
    /// column holds every count (no variation to test).
    pub residuals: Vec<Vec<Option<f64>>>,
    /// Cells whose expected count is below 5, and below 1 (Cochran's rule of thumb).
    pub expected_below_5: usize,
    pub expected_below_1: usize,
}

/// The χ² test of `table` (rows × columns). Rows and columns whose total is zero do not
/// count towards the degrees of freedom. `None` when fewer than two rows or two columns
/// have any counts.
pub fn chi_square(table: &[Vec<u64>]) -> Option<ChiSquareTest> {
    let cols = table.first().map_or(0, Vec::len);
    let row_totals: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let col_totals: Vec<f64> = (0..cols)
        .map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64)
        .collect();
    let n: f64 = row_totals.iter().sum();
    let live_rows = row_totals.iter().filter(|&&t| t > 0.0).count();
    let live_cols = col_totals.iter().filter(|&&t| t > 0.0).count();
    if live_rows < 2 || live_cols < 2 {
        return None;
    }
    let mut statistic = 0.0;
    let (mut below_5, mut below_1) = (0, 0);
    let mut residuals = Vec::with_capacity(table.len());
    for (i, row) in table.iter().enumerate() {
        let mut out = Vec::with_capacity(cols);
        for (j, &o) in row.iter().enumerate() {
            let (r, c) = (row_totals[i], col_totals[j]);
            if r == 0.0 || c == 0.0 {
                out.push(None);
                continue;
            }
            let e = r * c / n;
            below_5 += usize::from(e < 5.0);
            below_1 += usize::from(e < 1.0);
            let o = o as f64;
            statistic += (o - e) * (o - e) / e;
            let var = e * (1.0 - r / n) * (1.0 - c / n);
            out.push((var > 0.0).then(|| (o - e) / var.sqrt()));
        }
        residuals.push(out);
    }
    let df = (live_rows - 1) * (live_cols - 1);
    Some(ChiSquareTest {
        statistic,
        df,
        p: chi2_sf(statistic, df),
        residuals,
        expected_below_5: below_5,
        expected_below_1: below_1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_matches_newcombe_1998() {
        // Newcombe (1998), Statistics in Medicine 17:857–872, table I, method 3.
        for (x, n, lo, hi) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(x, n);
            assert!(close(l, lo, 5e-5) && close(h, hi, 5e-5), "{x}/{n}: {l:.4}–{h:.4}");
        }
        assert_eq!(wilson(0, 0), (0.0, 0.0));
        let (l, h) = wilson(10, 10);
        assert!(close(h, 1.0, 1e-12) && close(l, 0.7225, 5e-5), "{l}–{h}");
    }

    #[test]
    fn chi2_tail_matches_table_values() {
        // Critical values from any χ² table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
        for (x, df, p) in [
            (3.841_458_820_694_124, 1, 0.05),
            (6.634_896_601_021_214, 1, 0.01),
            (5.991_464_547_107_979, 2, 0.05),
            (9.487_729_036_781_154, 4, 0.05),
            (23.209_251_158_954_356, 10, 0.01),
            (124.342_113_404_070_7, 100, 0.05),
            (10.827_566_170_662_733, 1, 0.001),
        ] {
            let got = chi2_sf(x, df);
            assert!(close(got, p, p * 1e-6), "χ²={x}, df={df}: {got}");
        }
        assert!(close(chi2_sf(2.0, 2), (-1.0f64).exp(), 1e-14));
        assert_eq!(chi2_sf(0.0, 3), 1.0);
        assert!(close(normal_two_sided(Z95), 0.05, 1e-9));
        assert!(close(normal_two_sided(3.290_526_731_491_926), 0.001, 1e-9));
    }

    #[test]
    fn benjamini_hochberg_matches_worked_examples() {
        // By hand: sorted 0.005, 0.01, 0.03, 0.04 → ·4/k = 0.02, 0.02, 0.04, 0.04.
        let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        for (a, e) in adj.iter().zip([0.02, 0.04, 0.04, 0.02]) {
            assert!(close(*a, e, 1e-12), "{adj:?}");
        }
        // Benjamini and Hochberg (1995), section 4: 15 p-values, q = 0.05 rejects four.
        let p = [
            0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
            0.6528, 0.7590, 1.0,
        ];
        let adj = benjamini_hochberg(&p);
        assert_eq!(adj.iter().filter(|&&a| a < 0.05).count(), 4);
        assert!(close(adj[0], 0.0015, 1e-12));
        assert!(close(adj[3], 0.0095 * 15.0 / 4.0, 1e-12));
        assert!(close(adj[4], 0.0201 * 15.0 / 5.0, 1e-12));
        assert_eq!(adj[14], 1.0);
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn chi_square_of_a_two_by_two_table() {
        // [[20, 30], [30, 20]]: E = 25 everywhere, χ² = 4 · 25/25 = 4, df 1.
        let t = chi_square(&[vec![20, 30], vec![30, 20]]).expect("test");
        assert!(close(t.statistic, 4.0, 1e-12));
        assert_eq!(t.df, 1);
        assert!(close(t.p, 0.045_500_263_896_358, 1e-9));
        // In a 2×2 table every adjusted residual is ±√χ².
        let r = t.residuals[0][0].expect("residual");
        assert!(close(r, -2.0, 1e-12), "{r}");
        assert!(close(t.residuals[1][0].expect("r"), 2.0, 1e-12));
        assert_eq!(t.expected_below_5, 0);
        // A zero row does not count towards the degrees of freedom.
        let t = chi_square(&[vec![5, 0], vec![7, 0], vec![0, 0]]);
        assert_eq!(t.map(|t| t.df), None, "one live column is no test");
        let t = chi_square(&[vec![5, 9], vec![7, 2], vec![0, 0]]).expect("test");
        assert_eq!(t.df, 1);
        assert_eq!(t.residuals[2], [None, None]);
    }

    #[test]
    fn log_likelihood_and_log_ratio_match_hand_computed_values() {
        assert!(close(log_ratio(10, 5, 1000, 1000), 1.0, 1e-12));
        assert!(close(log_ratio(0, 2, 100, 100), -2.0, 1e-12));
        // 2 × 2: 30 of 50 against 20 of 50: E = 25 in every cell,
        // G² = 2·(2·30 ln(30/25) + 2·20 ln(20/25)).
        let expected = 2.0 * (60.0 * (1.2f64).ln() + 40.0 * (0.8f64).ln());
        assert!(close(g2_table(30, 50, 20, 50), expected, 1e-12));
        assert_eq!(g2_table(5, 10, 5, 10), 0.0);
        assert_eq!(g2_table(11, 10, 0, 10), 0.0, "impossible counts give no evidence");
    }
}
