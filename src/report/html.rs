//! `report.html`: one self-contained page (inline CSS, JS and data; no network) that a
//! person can open from an e-mail attachment, on a phone or a wall screen. The report
//! sections are plain HTML with every response escaped; long quotes fold behind
//! "show more" without script. The search over the responses is `page.js`: the responses
//! travel as JSON data (escaped for a `<script>` element) and are put into the page with
//! DOM text nodes only, a page of rows at a time, so 20,000 rows load as fast as 100.
//! The search matches exactly as `stemme search` does, from the ids in [`PageIndex`].
//! The one script is pinned by its hash in a Content-Security-Policy, so no other script
//! can run even if some text slipped through.

use super::page_index::PageIndex;
use super::{percent, Quote, Report, ScopeCell};
use crate::compare::{Group, Grouping, SCOPE_GROUPING};
use crate::scope::Scope;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// JSON safe to embed in a `<script type="application/json">` element.
fn embed_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".to_string())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Quotes longer than this many characters show their start and fold the rest.
const QUOTE_CHARS: usize = 320;

/// Most responses listed in the page's search table (the rest are in responses.csv).
pub const MAX_ROWS: usize = 20_000;

/// The first `max` characters of `text`, cut after a whole word when one ends near there.
fn cut(text: &str, max: usize) -> Option<&str> {
    let end = text.char_indices().nth(max)?.0;
    let head = &text[..end];
    let at = head
        .rfind(char::is_whitespace)
        .filter(|&i| i > end / 2)
        .unwrap_or(end);
    Some(head[..at].trim_end())
}

fn quote(s: &mut String, q: &Quote) {
    blockquote(s, &q.id, &q.text, &q.source, q.line, Some(q.scope));
}

/// A quoted response with where it comes from (and its scope, when given).
fn blockquote(s: &mut String, id: &str, text: &str, source: &str, line: u64, scope: Option<Scope>) {
    let text = match cut(text, QUOTE_CHARS) {
        None => escape(text),
        Some(head) => format!(
            "<details class=\"more\"><summary><span class=\"ex\">{} …</span> <span class=\"toggle\">show more</span></summary>{}</details>",
            escape(head),
            escape(text)
        ),
    };
    let tag = scope.map_or_else(String::new, |sc| {
        format!(" · <span class=\"tag {sc}\">{sc}</span>")
    });
    let _ = writeln!(
        s,
        "<blockquote>{text}<small><span class=\"id\">{}</span> · {}, line {line}{tag}</small></blockquote>",
        escape(id),
        escape(source),
    );
}

/// Horizontal stacked bars in HTML (labels wrap, never cut): for each theme, its
/// responses split by scope as the `scope` grouping shows them. Each bar is a flex row of
/// segments sized in percent; a suppressed cell has no segment (the bar says so).
fn scope_chart(r: &Report) -> String {
    let rows = r.theme_rows();
    let shown = |id: usize| -> (Vec<(Scope, usize)>, bool) {
        let mut parts = Vec::new();
        let mut hidden = false;
        for sc in Scope::ALL {
            match r.scope_cell(sc, id) {
                ScopeCell::Shown { n, .. } => parts.push((sc, n)),
                ScopeCell::Suppressed => hidden = true,
            }
        }
        (parts, hidden)
    };
    let max = rows.iter().map(|row| row.2).max().unwrap_or(1).max(1);
    let mut s =
        String::from("<div class=\"chart\" role=\"img\" aria-label=\"Responses per theme by scope\">");
    for (id, label, size) in rows {
        let (parts, hidden) = shown(id);
        let total: usize = parts.iter().map(|p| p.1).sum();
        let _ = write!(
            s,
            "<div class=\"bar-label\">{}</div><div class=\"bar\"><div class=\"bar-fill\" style=\"width:{:.1}%\">",
            escape(label),
            100.0 * total as f64 / max as f64
        );
        for (sc, c) in parts.into_iter().filter(|p| p.1 > 0) {
            let _ = write!(
                s,
                "<span class=\"{sc}\" style=\"flex-grow:{c}\" title=\"{sc}: {c}\" data-group=\"{sc}\"></span>"
            );
        }
        let note = if hidden {
            " <span class=\"muted\">(small cells suppressed)</span>"
        } else {
            ""
        };
        let _ = write!(s, "</div><span class=\"bar-n\">{size}{note}</span></div>");
    }
    s.push_str("</div>");
    s
}

/// A share as a whole percentage, for the charts' labels.
fn pct(share: f64) -> String {
    format!("{:.0}", share * 100.0)
}

/// The axis of a grouping's interval chart: 0 to the highest upper bound, rounded up to
/// the next 10 % (so small shares are not squeezed into a corner).
fn axis(g: &Grouping) -> f64 {
    let top = g.cells.iter().filter_map(|c| c.ci_high).fold(0.0f64, f64::max);
    ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
}

/// One grouping: notes, a chart of each theme's share per group with its Wilson 95 %
/// interval as an error bar (suppressed cells show no bar and say so), the χ² test and
/// the significant differences. With `words`, also each group's distinctive words and
/// quotes (the scope grouping shows its own above).
fn grouping(s: &mut String, g: &Grouping, min_cell: usize, alpha: f64, words: bool) {
    let _ = write!(
        s,
        "<p class=\"muted\">{} responses in {} groups",
        g.responses,
        g.groups.len()
    );
    if g.missing > 0 {
        let _ = write!(s, " ({} without a value left out)", g.missing);
    }
    let top = axis(g);
    let _ = writeln!(
        s,
        ". Each bar: the share of the group's responses in the theme, with its 95 % interval as an error bar (the axis runs from 0 to {} %); ↑ or ↓ marks a share significantly above or below what the other groups predict (adjusted p &lt; {alpha}); groups and cells under {min_cell} responses are suppressed.</p>",
        pct(top)
    );
    if !g.warnings.is_empty() {
        let _ = writeln!(s, "<ul class=\"notes\">");
        for w in &g.warnings {
            let _ = writeln!(s, "<li>{}</li>", escape(w));
        }
        let _ = writeln!(s, "</ul>");
    }
    let themes = g.cells.len() / g.groups.len().max(1);
    let _ = writeln!(
        s,
        "<div class=\"ci-chart\" role=\"img\" aria-label=\"Share of each group per theme with 95 % intervals\">"
    );
    for t in 0..themes {
        let _ = writeln!(s, "<div class=\"ci-theme\">{}</div>", escape(&g.cells[t].theme));
        for (k, group) in g.groups.iter().enumerate() {
            let cell = &g.cells[k * themes + t];
            let head = match group.n {
                Some(n) => format!("{} <span class=\"muted\">(n = {n})</span>", escape(&group.name)),
                None => format!(
                    "{} <span class=\"muted\">(suppressed)</span>",
                    escape(&group.name)
                ),
            };
            let data = format!(
                "data-group=\"{}\" data-theme=\"{}\"",
                escape(&cell.group),
                cell.theme_id
            );
            match (cell.n, cell.share, cell.ci_low, cell.ci_high) {
                (Some(n), Some(sh), Some(lo), Some(hi)) if !cell.suppressed => {
                    let mark = match (cell.adj_residual, cell.p_adj) {
                        (Some(z), Some(p)) if p < alpha && z > 0.0 => " ↑",
                        (Some(_), Some(p)) if p < alpha => " ↓",
                        _ => "",
                    };
                    let at = |x: f64| 100.0 * (x / top).min(1.0);
                    let _ = writeln!(
                        s,
                        "<div class=\"bar-label\">{head}</div><div class=\"ci-row\"><div class=\"ci-track\" {data}><span class=\"ci-share\" style=\"width:{:.1}%\"></span><span class=\"ci\" style=\"left:{:.1}%;width:{:.1}%\" title=\"95 % interval {}–{} %\"></span></div><span class=\"bar-n\">{n} · {} % ({}–{} %){mark}</span></div>",
                        at(sh),
                        at(lo),
                        at(hi) - at(lo),
                        pct(lo),
                        pct(hi),
                        pct(sh),
                        pct(lo),
                        pct(hi)
                    );
                }
                _ => {
                    let _ = writeln!(
                        s,
                        "<div class=\"bar-label\">{head}</div><div class=\"ci-row\"><div class=\"ci-track suppressed\" {data}></div><span class=\"bar-n\">suppressed</span></div>"
                    );
                }
            }
        }
    }
    let _ = writeln!(s, "</div>");
    match &g.test {
        Some(t) => {
            let p = if t.p < 0.001 {
                "&lt; 0.001".to_string()
            } else {
                format!("= {:.3}", t.p)
            };
            let _ = writeln!(
                s,
                "<p>χ² test of theme × group: χ² = {:.2}, df = {}, p {p} ({} groups, {} responses).</p>",
                t.statistic, t.df, t.groups, t.responses
            );
        }
        None => {
            let _ = writeln!(s, "<p>No test: too few groups with enough responses.</p>");
        }
    }
    if !g.findings.is_empty() {
        let _ = writeln!(s, "<p>Significant differences:</p><ul>");
        for f in &g.findings {
            let _ = writeln!(s, "<li>{}</li>", escape(&f.sentence));
        }
        let _ = writeln!(s, "</ul>");
    } else if g.test.is_some() {
        let _ = writeln!(
            s,
            "<p>No theme's share differs significantly between the groups (adjusted p &lt; {alpha}).</p>"
        );
    }
    if !words {
        return;
    }
    let _ = writeln!(s, "<div class=\"cols\">");
    for group in g.groups.iter().filter(|x| !x.suppressed) {
        let _ = writeln!(s, "<div><h4>{}</h4>", escape(&g.phrase(&group.name)));
        keyness_table(s, group, &group.name);
        for q in &group.quotes {
            blockquote(s, &q.id, &q.text, &q.source, q.line, None);
        }
        let _ = writeln!(s, "</div>");
    }
    let _ = writeln!(s, "</div>");
}

/// The distinctive words of a group, or a line saying there are none.
fn keyness_table(s: &mut String, group: &Group, side: &str) {
    if group.keyness.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"muted\">No distinctive words: none of the {} words tested has an adjusted p below the threshold.</p>",
            group.words_tested
        );
        return;
    }
    let _ = writeln!(s, "<div class=\"wide\"><table><thead><tr><th>word</th><th class=\"n\">{}</th><th class=\"n\">rest</th><th class=\"n\">G²</th><th class=\"n\">Log Ratio</th><th class=\"n\">p adj.</th></tr></thead><tbody>", escape(side));
    for k in group.keyness.iter().take(15) {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.3}</td></tr>",
            escape(&k.word), k.n_group, k.n_rest, k.g2, k.log_ratio, k.p_adj
        );
    }
    let _ = writeln!(s, "</tbody></table></div>");
}

/// The page anchor of a grouping's section: `group-` and the name's letters and digits.
fn grouping_anchor(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    format!("group-{clean}")
}

/// One filter of the search table: a column of values, one (or several) per row.
#[derive(Serialize)]
struct Facet {
    key: String,
    label: String,
    /// Distinct values, most frequent first.
    values: Vec<String>,
    counts: Vec<usize>,
    /// Per row: the index of its value, a list of indices, or -1 for none.
    rows: Vec<FacetValue>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum FacetValue {
    One(i64),
    Many(Vec<u32>),
}

impl Facet {
    /// Builds a facet from each row's values; `None` when fewer than two distinct values
    /// occur (a filter that cannot narrow anything) unless `always`.
    fn new(key: &str, label: &str, per_row: &[Vec<&str>], always: bool) -> Option<Facet> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for vals in per_row {
            for v in vals.iter().filter(|v| !v.is_empty()) {
                *counts.entry(v).or_default() += 1;
            }
        }
        if counts.len() < 2 && !always {
            return None;
        }
        let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let index: BTreeMap<&str, u32> = sorted
            .iter()
            .enumerate()
            .map(|(i, (v, _))| (*v, i as u32))
            .collect();
        let rows = per_row
            .iter()
            .map(|vals| {
                let mut ids: Vec<u32> = vals.iter().filter_map(|v| index.get(v).copied()).collect();
                ids.sort_unstable();
                ids.dedup();
                match ids.as_slice() {
                    [] => FacetValue::One(-1),
                    [one] => FacetValue::One(i64::from(*one)),
                    _ => FacetValue::Many(ids),
                }
            })
            .collect();
        Some(Facet {
            key: key.to_string(),
            label: label.to_string(),
            values: sorted.iter().map(|(v, _)| v.to_string()).collect(),
            counts: sorted.iter().map(|(_, c)| *c).collect(),
            rows,
        })
    }
}

/// Everything `page.js` reads, as one JSON block.
#[derive(Serialize)]
struct PageData<'a> {
    words: &'a BTreeMap<String, i64>,
    acronyms: &'a BTreeMap<String, i64>,
    terms: &'a [String],
    kinds: &'a [Vec<i64>],
    tokens: &'a [Vec<u32>],
    ids: Vec<&'a str>,
    texts: Vec<&'a str>,
    /// Filters; `theme` and `scope` come first and are shown in their own columns.
    facets: Vec<Facet>,
}

fn page_data<'a>(r: &'a Report, index: &'a PageIndex, shown: usize) -> PageData<'a> {
    let rows = &r.responses[..shown];
    let labels: Vec<String> = rows
        .iter()
        .map(|row| {
            if row.theme_id == 0 {
                row.theme.clone()
            } else {
                format!("{}. {}", row.theme_id, row.theme)
            }
        })
        .collect();
    let one =
        |f: &dyn Fn(usize) -> &'a str| -> Vec<Vec<&'a str>> { (0..shown).map(|i| vec![f(i)]).collect() };
    let theme: Vec<Vec<&str>> = labels.iter().map(|l| vec![l.as_str()]).collect();
    let mut facets: Vec<Facet> = Vec::new();
    facets.extend(Facet::new("theme", "theme", &theme, true));
    facets.extend(Facet::new(
        "scope",
        "scope",
        &one(&|i| rows[i].scope.as_str()),
        true,
    ));
    // A filter per `--compare` grouping, always shown (its column's own filter is left out).
    for (name, groups) in &index.groupings {
        let values = one(&|i| groups[i].as_str());
        facets.extend(Facet::new(&format!("group.{name}"), name, &values, true));
    }
    let many = |f: &dyn Fn(usize) -> &'a [String]| -> Vec<Vec<&'a str>> {
        (0..shown)
            .map(|i| f(i).iter().map(String::as_str).collect())
            .collect()
    };
    facets.extend(Facet::new("kind", "kind", &many(&|i| &rows[i].kinds), false));
    facets.extend(Facet::new(
        "label",
        "organiser's label",
        &many(&|i| &rows[i].labels),
        false,
    ));
    facets.extend(Facet::new(
        "source",
        "source",
        &one(&|i| rows[i].source.as_str()),
        false,
    ));
    let grouped = |column: &str| index.groupings.iter().any(|(name, _)| name == column);
    if !grouped("question") {
        facets.extend(Facet::new(
            "question",
            "question",
            &one(&|i| index.questions[i].as_str()),
            false,
        ));
    }
    for (c, column) in index.columns.iter().enumerate().filter(|(_, c)| !grouped(c)) {
        let values = one(&|i| index.meta[i][c].as_str());
        facets.extend(Facet::new(&format!("meta.{column}"), column, &values, false));
    }
    PageData {
        words: &index.words,
        acronyms: &index.acronyms,
        terms: &index.terms,
        kinds: &index.kinds,
        tokens: &index.tokens[..shown],
        ids: rows.iter().map(|row| row.id.as_str()).collect(),
        texts: rows.iter().map(|row| row.text.as_str()).collect(),
        facets,
    }
}

/// Renders the page, listing at most `max_rows` responses in its search table.
pub fn render(r: &Report, max_rows: usize) -> String {
    let script_hash = base64(&Sha256::digest(SCRIPT.as_bytes()));
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"no\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>stemme report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let files: Vec<String> = r.inputs.iter().map(|i| escape(&i.file)).collect();
    let _ = writeln!(
        s,
        "<h1>stemme report</h1>\n<p class=\"muted\">{} · stemme {}</p>",
        files.join(", "),
        escape(&r.tool_version)
    );
    let rejects_link = if r.rejects.is_empty() {
        ""
    } else {
        " · <a href=\"#rejects\">rejected rows</a>"
    };
    let groupings: String = r
        .comparison
        .groupings
        .iter()
        .filter(|g| g.name != SCOPE_GROUPING)
        .map(|g| {
            format!(
                " · <a href=\"#{}\">by {}</a>",
                grouping_anchor(&g.name),
                escape(&g.name)
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "<nav><a href=\"#words\">words</a> · <a href=\"#themes\">themes</a> · <a href=\"#compare\">local and national</a>{groupings}{rejects_link} · <a href=\"#search\">search all responses</a></nav>"
    );
    let _ = writeln!(s, "<div class=\"cards\">");
    let mut card = |n: String, what: &str| {
        let _ = writeln!(s, "<div class=\"card\"><b>{n}</b>{what}</div>");
    };
    card(r.responses_total.to_string(), "responses");
    card(r.themes.len().to_string(), "themes");
    for sc in Scope::ALL {
        match r.scope_totals.get(&sc).copied().flatten() {
            Some(n) => card(n.to_string(), sc.as_str()),
            None => card("–".to_string(), &format!("{sc} (suppressed)")),
        }
    }
    card(r.rejects_total.to_string(), "rejected rows");
    let _ = writeln!(s, "</div>");

    let _ = writeln!(
        s,
        "<h2 id=\"words\">Words</h2>\n<p class=\"muted\">Click a word to list the responses that use it.</p>\n<div class=\"cloud\">"
    );
    let max = r.top_words.first().map_or(1, |w| w.1).max(1) as f64;
    for (word, count) in &r.top_words {
        let size = 0.9 + 1.8 * (*count as f64 / max).sqrt();
        let _ = write!(
            s,
            "<button type=\"button\" class=\"word\" data-word=\"{0}\" style=\"font-size:{size:.2}rem\" title=\"{count} times\">{0}</button> ",
            escape(word)
        );
    }
    let _ = writeln!(s, "</div>");

    let _ = writeln!(s, "<h2 id=\"themes\">Themes</h2>");
    let _ = writeln!(s, "<p class=\"muted\">{}</p>", escape(&r.theme_evidence()));
    if !r.theme_choice.warnings.is_empty() {
        let _ = writeln!(s, "<ul class=\"notes\">");
        for w in &r.theme_choice.warnings {
            let _ = writeln!(s, "<li><strong>Warning:</strong> {}</li>", escape(w));
        }
        let _ = writeln!(s, "</ul>");
    }
    for t in &r.themes {
        let _ = writeln!(
            s,
            "<h3>{}. <button type=\"button\" class=\"theme\" data-theme=\"{}. {}\" title=\"list the responses of this theme\">{}</button> <span class=\"muted\">{} responses, {}</span></h3>",
            t.id,
            t.id,
            escape(&t.label),
            escape(&t.label),
            t.size,
            percent(t.share)
        );
        let _ = writeln!(
            s,
            "<p class=\"terms\">Terms: {}</p>",
            escape(&t.terms.join(" · "))
        );
        for q in &t.quotes {
            quote(&mut s, q);
        }
    }
    for sentence in [r.unclassified_why(), r.agreement_sentence()]
        .into_iter()
        .flatten()
    {
        let _ = writeln!(s, "<p class=\"muted\">{}</p>", escape(&sentence));
    }

    let c = &r.comparison;
    let _ = writeln!(s, "<h2 id=\"compare\">Local and national concerns</h2>");
    let _ = write!(s, "<p class=\"legend\">");
    for sc in Scope::ALL {
        let _ = write!(s, "<span><i class=\"{sc}\"></i>{sc}</span>");
    }
    let _ = writeln!(s, "</p>\n{}", scope_chart(r));
    let _ = writeln!(s, "<div class=\"wide\"><table><thead><tr><th>theme</th><th class=\"n\">local</th><th class=\"n\">national</th><th class=\"n\">both</th><th class=\"n\">unspecified</th></tr></thead><tbody>");
    for (id, label, _) in r.theme_rows() {
        let _ = write!(s, "<tr><td>{}</td>", escape(label));
        for sc in Scope::ALL {
            match r.scope_cell(sc, id) {
                ScopeCell::Shown { n, share } => {
                    let _ = write!(
                        s,
                        "<td class=\"n\" data-group=\"{sc}\">{n} <span class=\"muted\">({})</span></td>",
                        percent(share)
                    );
                }
                ScopeCell::Suppressed => {
                    let _ = write!(
                        s,
                        "<td class=\"n suppressed\" data-group=\"{sc}\" title=\"suppressed: under {} responses\">–</td>",
                        c.min_cell
                    );
                }
            }
        }
        let _ = writeln!(s, "</tr>");
    }
    let _ = writeln!(s, "</tbody></table></div>\n<div class=\"cols\">");
    let scope = c.grouping(SCOPE_GROUPING);
    for side in ["local", "national"] {
        let group = scope.and_then(|g| g.groups.iter().find(|x| x.name == side));
        let _ = writeln!(s, "<div><h3>Words more {side}</h3>");
        match group {
            Some(g) if g.suppressed => {
                let _ = writeln!(
                    s,
                    "<p class=\"muted\">Suppressed: fewer than {} {side} responses.</p>",
                    c.min_cell
                );
            }
            Some(g) => keyness_table(&mut s, g, side),
            None => {
                let _ = writeln!(s, "<p class=\"muted\">No {side} responses.</p>");
            }
        }
        let _ = writeln!(s, "</div>");
    }
    let _ = writeln!(s, "</div>\n<p class=\"muted\">Log-likelihood keyness of each scope group against all other responses; only words with a Benjamini–Hochberg adjusted p below {} are listed; scope marker words are left out.</p>", c.alpha);
    let _ = writeln!(s, "<div class=\"cols\">");
    for (title, sc, quotes) in [
        ("Local voices", Scope::Local, &r.side_by_side.local),
        ("National voices", Scope::National, &r.side_by_side.national),
    ] {
        let _ = writeln!(s, "<div><h3>{title}</h3>");
        if quotes.is_empty() {
            let _ = writeln!(
                s,
                "<p class=\"muted\">No quotes: {}.</p>",
                if r.scope_totals.get(&sc).copied().flatten().is_none() {
                    format!("the group is suppressed (fewer than {} responses)", c.min_cell)
                } else {
                    "none to show".to_string()
                }
            );
        }
        for q in quotes.iter() {
            quote(&mut s, q);
        }
        let _ = writeln!(s, "</div>");
    }
    let _ = writeln!(s, "</div>");
    if let Some(g) = scope {
        let _ = writeln!(
            s,
            "<h3 id=\"scope-intervals\">Shares of each scope group with intervals</h3>"
        );
        grouping(&mut s, g, c.min_cell, c.alpha, false);
    }
    for g in c.groupings.iter().filter(|g| g.name != SCOPE_GROUPING) {
        let _ = writeln!(
            s,
            "<h2 id=\"{}\">Compared by {}</h2>",
            grouping_anchor(&g.name),
            escape(&g.name)
        );
        grouping(&mut s, g, c.min_cell, c.alpha, true);
    }

    if !r.rejects.is_empty() {
        let _ = writeln!(s, "<h2 id=\"rejects\">Rejected rows</h2><div class=\"wide\"><table><thead><tr><th>source</th><th class=\"n\">line</th><th>reason</th><th>detail</th><th>excerpt</th></tr></thead><tbody>");
        for j in &r.rejects {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&j.place()),
                j.line,
                escape(&j.reason),
                escape(&j.detail),
                escape(&j.excerpt)
            );
        }
        let _ = writeln!(s, "</tbody></table></div>");
    }

    let shown = r.responses.len().min(max_rows).min(r.page.tokens.len());
    let _ = writeln!(s, "<h2 id=\"search\">Search the responses</h2>");
    if shown < r.responses_total {
        let _ = writeln!(
            s,
            "<p class=\"muted\">This page holds the first {shown} of {} responses, so that it stays small enough to share; all of them are in responses.csv and can be searched with <code>stemme search</code>.</p>",
            r.responses_total
        );
    }
    let _ = writeln!(
        s,
        "<p class=\"muted\">Words find all their inflections and the compounds they are part of, as <code>stemme search</code> does: <code>kommune</code> finds <i>kommunene</i> and <i>kommunegrensene</i>. Several words must all occur; <code>OR</code> between two words: either; <code>-word</code> or <code>NOT word</code>: without it; <code>\"two words\"</code>: a phrase.</p>"
    );
    let _ = writeln!(
        s,
        "<div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"Søk: kommune, metode …\" aria-label=\"Search responses\" autocomplete=\"off\"><span id=\"filters\"></span><button type=\"button\" id=\"clear\">clear</button></div>\n<p class=\"muted\" aria-live=\"polite\"><span id=\"shown\">{shown}</span> <span id=\"note\"></span></p>"
    );
    let _ = writeln!(s, "<div class=\"wide\"><table id=\"responses\"><thead><tr><th>id</th><th>response</th><th>theme</th><th>scope</th></tr></thead><tbody></tbody></table></div>\n<p><button type=\"button\" id=\"more\" hidden>show more responses</button></p>");
    let _ = writeln!(
        s,
        "<script type=\"application/json\" id=\"data\">{}</script>",
        embed_json(&page_data(r, &r.page, shown))
    );
    let _ = writeln!(s, "<script>{SCRIPT}</script>\n</body>\n</html>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_and_embedded_json() {
        assert_eq!(
            escape("<script>alert('x')</script>&"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
        let json = embed_json(&vec!["</script><b>"]);
        assert!(!json.contains('<') && !json.contains('>'));
    }

    fn analysis(csv: &str, k: usize) -> crate::analysis::Analysis {
        let file = crate::ingest::ingest_bytes(
            csv.as_bytes().to_vec(),
            "s.csv",
            std::path::Path::new("s.csv"),
            &crate::ingest::IngestOptions::default(),
        )
        .expect("ingests");
        let options = crate::themes::ThemeOptions {
            k: Some(k),
            ..Default::default()
        };
        crate::pipeline::analyse(
            vec![file],
            &crate::scope::ScopeTagger::bundled(None),
            &options,
            &Default::default(),
            &crate::Silent,
        )
        .expect("analyses")
    }

    fn data_block(page: &str) -> serde_json::Value {
        let start = page.find("id=\"data\">").expect("data block") + "id=\"data\">".len();
        let end = start + page[start..].find("</script>").expect("end");
        serde_json::from_str(&page[start..end]).expect("data parses")
    }

    #[test]
    fn large_corpora_list_the_first_rows_and_say_so() {
        let a = analysis(
            "svar\nKommunen må lytte mer\nStaten bør bestemme mindre\nLokalsamfunnet trenger møteplasser\n",
            2,
        );
        let report = Report::new(&a);
        let page = render(&report, 2);
        assert_eq!(data_block(&page)["ids"].as_array().map(Vec::len), Some(2));
        assert!(page.contains("the first 2 of 3 responses"));
        assert!(!render(&report, MAX_ROWS).contains("This page holds the first"));
    }

    #[test]
    fn page_data_carries_term_ids_facets_and_hyphen_joins() {
        let a = analysis(
            "svar,kommune\nKommunene må samarbeide tverr-kommunalt,Lom\nStaten bør bestemme mindre,Vågå\nLokalsamfunnsmodeller for kommunen,Lom\n",
            2,
        );
        let d = data_block(&render(&Report::new(&a), MAX_ROWS));
        // A typed word's term as the page finds it: the table, else its own stem.
        let term = |w: &str| -> i64 {
            d["words"][w].as_i64().unwrap_or_else(|| {
                let stem = crate::analyze::Analyzer::norwegian().stem(w);
                d["terms"]
                    .as_array()
                    .and_then(|t| t.iter().position(|t| t == stem.as_str()))
                    .map_or(-1, |i| i as i64)
            })
        };
        // Inflections share a term; a compound part and the hyphen-joined word are words too.
        assert_eq!(term("kommunene"), term("kommunen"));
        let modell = term("modell");
        let tverr = term("tverrkommunalt");
        assert!(modell >= 0 && tverr >= 0);
        let kinds = d["kinds"].as_array().expect("kinds");
        let kind_of = |row: usize, pos: usize| -> Vec<i64> {
            let id = d["tokens"][row][pos].as_u64().expect("token") as usize;
            kinds[id]
                .as_array()
                .expect("kind")
                .iter()
                .filter_map(|v| v.as_i64())
                .collect()
        };
        assert!(kind_of(2, 0).contains(&modell), "{:?}", kind_of(2, 0));
        // `tverr` (position 3) carries the joined word as a join, written -(id + 1).
        assert!(kind_of(0, 3).contains(&-(tverr + 1)), "{:?}", kind_of(0, 3));
        let facets: Vec<&str> = d["facets"]
            .as_array()
            .expect("facets")
            .iter()
            .filter_map(|f| f["key"].as_str())
            .collect();
        assert_eq!(facets, ["theme", "scope", "meta.kommune"]);
        let kommune = &d["facets"][2];
        assert_eq!(kommune["values"][0], "Lom");
        assert_eq!(kommune["counts"][0], 2);
        assert_eq!(kommune["rows"][1], 1);
    }

    #[test]
    fn long_quotes_fold_and_chart_labels_are_whole() {
        let long = "kommunen ".repeat(60);
        assert!(cut(&long, QUOTE_CHARS).is_some_and(|h| h.len() < long.len() && h.ends_with("kommunen")));
        assert_eq!(cut("kort", QUOTE_CHARS), None);
        let a = analysis(
            &format!("svar\n{long}\nStaten bør bestemme mindre over lokalsamfunnene\nLokalsamfunnet trenger møteplasser\n"),
            2,
        );
        let report = Report::new(&a);
        let page = render(&report, MAX_ROWS);
        for (_, label, _) in report.theme_rows() {
            assert!(page.contains(&format!("<div class=\"bar-label\">{}</div>", escape(label))));
        }
    }

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
