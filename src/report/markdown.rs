//! `report.md`: the report as Markdown, to paste into documents. Response text is
//! backslash-escaped so that a renderer shows it as written and never as markup or HTML.

use super::{percent, Quote, Report};
use crate::scope::Scope;
use std::fmt::Write;

/// Escapes Markdown and HTML-significant characters and folds line breaks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn quote_line(q: &Quote) -> String {
    format!(
        "> {} — *{}, line {}, {}*\n",
        escape(&q.text),
        escape(&q.source),
        q.line,
        q.scope
    )
}

/// Renders the whole report.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# stemme report\n");
    let _ = writeln!(s, "## Overview\n");
    let _ = writeln!(
        s,
        "| input | collection | format | rows | kept | rejected | structural | responses |"
    );
    let _ = writeln!(s, "|---|---|---|---:|---:|---:|---:|---:|");
    for i in &r.inputs {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            escape(&i.file),
            escape(&i.collection),
            escape(&i.format),
            i.total_lines,
            i.kept_lines,
            i.rejects,
            i.structural_lines,
            i.responses
        );
    }
    let _ = writeln!(
        s,
        "\n{} responses in {} themes ({} unclassified); {} rows rejected. Scope: {}.\n",
        r.responses_total,
        r.themes.len(),
        r.unclassified,
        r.rejects_total,
        Scope::ALL
            .iter()
            .map(|sc| format!("{} {}", r.scope_totals.get(sc).copied().unwrap_or(0), sc))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let _ = writeln!(s, "## Themes\n");
    for t in &r.themes {
        let _ = writeln!(
            s,
            "### {}. {} ({} responses, {})\n",
            t.id,
            escape(&t.label),
            t.size,
            percent(t.share)
        );
        for q in &t.quotes {
            s.push_str(&quote_line(q));
            s.push('\n');
        }
    }
    if let Some(a) = &r.agreement {
        let _ = writeln!(
            s,
            "Agreement with the organiser's theme labels ({} labels, {} responses): NMI {:.3}, ARI {:.3}, purity {:.3}.\n",
            a.human_labels, a.responses, a.nmi, a.ari, a.purity
        );
    }

    let c = &r.comparison;
    let _ = writeln!(s, "## Local and national concerns\n");
    let _ = writeln!(s, "How each theme divides between responses about the local level, the national level, both, or neither (share of each scope group in parentheses).\n");
    let _ = writeln!(s, "| theme | local | national | both | unspecified |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for row in &c.table {
        let cells: Vec<String> = (0..4)
            .map(|i| format!("{} ({})", row.counts[i], percent(row.shares[i])))
            .collect();
        let _ = writeln!(s, "| {} | {} |", escape(&row.label), cells.join(" | "));
    }
    for (title, list) in [
        ("more local", &c.local_terms),
        ("more national", &c.national_terms),
    ] {
        let _ = writeln!(
            s,
            "\nWords {title} (log-likelihood G², `*` = p < 0.05 for that word alone; Log Ratio; scope marker words left out):\n"
        );
        if list.is_empty() {
            let _ = writeln!(s, "(none occur twice or more)");
            continue;
        }
        let _ = writeln!(s, "| word | local | national | G² | Log Ratio |");
        let _ = writeln!(s, "|---|---:|---:|---:|---:|");
        for k in list {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.2} |",
                escape(&k.term),
                k.local,
                k.national,
                escape(&k.g2_marked()),
                k.log_ratio
            );
        }
    }
    let _ = writeln!(s, "\n### Side by side\n");
    for (title, quotes) in [
        ("Local", &r.side_by_side.local),
        ("National", &r.side_by_side.national),
    ] {
        let _ = writeln!(s, "**{title}**\n");
        for q in quotes {
            s.push_str(&quote_line(q));
            s.push('\n');
        }
    }

    if !r.rejects.is_empty() {
        let _ = writeln!(s, "## Rejected rows\n");
        let _ = writeln!(s, "| source | line | reason | detail |");
        let _ = writeln!(s, "|---|---:|---|---|");
        for j in &r.rejects {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                escape(&j.place()),
                j.line,
                escape(&j.reason),
                escape(&j.detail)
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Method\n");
    let _ = writeln!(
        s,
        "Texts are analysed with Snowball Norwegian stems of each word's lemma, compound parts and Bokmål/Nynorsk stopwords. Themes: spherical k-means on TF-IDF (terms in at least two responses, compound parts included), k = {} chosen {}, seed {}, {} features; clusters under {} responses dissolved into the nearest others. Scope: marker words matched on stems and compound parts (`lexicon/scope_markers.txt`), Norwegian place names (`lexicon/places_no.txt`) and sense rules, or a scope column; on 156 held-out real sentences the bundled tagger agrees with a written codebook 92% of the time (macro-F1 0.88, κ 0.88; majority baseline 30%). Keyness compares responses tagged only local with those tagged only national ({} and {} words).",
        r.theme_choice.k,
        if r.theme_choice.k_scores.is_empty() { "by the analyst" } else { "by mean silhouette" },
        r.theme_choice.seed,
        r.theme_choice.features,
        r.theme_choice.min_size,
        c.local_tokens,
        c.national_tokens
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_html() {
        assert_eq!(
            escape("<script>alert(1)</script> *x* a|b"),
            "\\<script\\>alert(1)\\</script\\> \\*x\\* a\\|b"
        );
    }
}
