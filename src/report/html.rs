//! `report.html`: one self-contained page (inline CSS, JS and SVG; no network) that a
//! person can open from an e-mail attachment. All response text is HTML-escaped; the one
//! inline script is pinned by its hash in a Content-Security-Policy, so no other script
//! can run even if some text slipped through. The search box matches the way
//! `stemme search` does as far as a page can: query words are looked up in the corpus's
//! word → stem table, so `kommune` also finds `kommunene`; unknown words match as
//! substrings, which also finds compounds.

use super::{percent, Quote, Report};
use crate::scope::Scope;
use sha2::{Digest, Sha256};
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

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d2330;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #dfe3ea;padding-bottom:.2rem;margin-top:2.2rem}
.muted{color:#5d6678}nav{margin:.4rem 0 1rem}a{color:#2a4f9c}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{background:#f3f5f9;border-radius:.5rem;padding:.6rem 1rem}
.card b{display:block;font-size:1.6rem}blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:4px solid #9fb3d1;background:#f8f9fc}
blockquote small{display:block;color:#5d6678}table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border-bottom:1px solid #e3e6ec;padding:.3rem .5rem;text-align:left;vertical-align:top}td.n,th.n{text-align:right}
.cloud{display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:baseline;background:#f8f9fc;padding:1rem;border-radius:.5rem}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}.tag{font-size:.8rem;padding:0 .4rem;border-radius:.3rem;background:#e6ebf3}
.local{background:#2e7d5b;color:#fff}.national{background:#3b5ba5;color:#fff}.both{background:#8a5fb0;color:#fff}.unspecified{background:#c9ced8}
#q{font-size:1.1rem;padding:.4rem .6rem;width:22rem;max-width:100%}select{font-size:1rem;padding:.3rem}
.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:.15rem}
"#;

const SCRIPT: &str = r#"
(function(){
  var stems = JSON.parse(document.getElementById('word-stems').textContent);
  var q = document.getElementById('q'), th = document.getElementById('theme'), sc = document.getElementById('scope');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#responses tbody tr'));
  var count = document.getElementById('shown');
  function words(s){ return s.toLowerCase().split(/[^0-9a-z\u00c0-\u024f]+/).filter(function(w){return w.length>0;}); }
  function filter(){
    var ws = words(q.value), shown = 0;
    rows.forEach(function(tr){
      var own = ' ' + tr.getAttribute('data-stems') + ' ', text = tr.getAttribute('data-text');
      var ok = ws.every(function(w){ var s = stems[w]; return (s && own.indexOf(' ' + s + ' ') >= 0) || text.indexOf(w) >= 0; });
      ok = ok && (th.value === '' || tr.getAttribute('data-theme') === th.value);
      ok = ok && (sc.value === '' || tr.getAttribute('data-scope') === sc.value);
      tr.hidden = !ok; if (ok) shown++;
    });
    count.textContent = shown;
  }
  q.addEventListener('input', filter); th.addEventListener('change', filter); sc.addEventListener('change', filter);
  filter();
})();
"#;

const COLORS: [&str; 4] = ["#2e7d5b", "#3b5ba5", "#8a5fb0", "#c9ced8"];

fn quote(s: &mut String, q: &Quote) {
    let _ = writeln!(
        s,
        "<blockquote>{}<small>{} · {}, line {} · <span class=\"tag {}\">{}</span></small></blockquote>",
        escape(&q.text),
        escape(&q.id),
        escape(&q.source),
        q.line,
        q.scope,
        q.scope
    );
}

/// Horizontal stacked bars: for each theme, its responses split by scope.
fn scope_chart(r: &Report) -> String {
    let rows = &r.comparison.table;
    let max = rows
        .iter()
        .map(|row| row.counts.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_w, bar_w, row_h) = (260.0, 440.0, 24.0);
    let height = row_h * rows.len() as f64 + 8.0;
    let mut s = format!(
        "<svg role=\"img\" aria-label=\"Responses per theme by scope\" width=\"100%\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">",
        label_w + bar_w + 40.0
    );
    for (i, row) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let label: String = row.label.chars().take(38).collect();
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            escape(&label)
        );
        let mut x = label_w;
        for (k, &c) in row.counts.iter().enumerate() {
            let w = bar_w * c as f64 / max as f64;
            if c > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{}: {c}</title></rect>",
                    row_h - 6.0,
                    COLORS[k],
                    Scope::ALL[k]
                );
            }
            x += w;
        }
        let total: usize = row.counts.iter().sum();
        let _ = write!(s, "<text x=\"{:.1}\" y=\"{}\">{total}</text>", x + 4.0, y + 15.0);
    }
    s.push_str("</svg>");
    s
}

/// Most responses listed in the page's search table (the rest are in responses.csv).
pub const MAX_ROWS: usize = 20_000;

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
    let _ = writeln!(
        s,
        "<nav><a href=\"#words\">words</a> · <a href=\"#themes\">themes</a> · <a href=\"#compare\">local and national</a>{rejects_link} · <a href=\"#responses\">search all responses</a></nav>"
    );
    let _ = writeln!(s, "<div class=\"cards\">");
    let mut card = |n: String, what: &str| {
        let _ = writeln!(s, "<div class=\"card\"><b>{n}</b>{what}</div>");
    };
    card(r.responses_total.to_string(), "responses");
    card(r.themes.len().to_string(), "themes");
    for sc in Scope::ALL {
        card(
            r.scope_totals.get(&sc).copied().unwrap_or(0).to_string(),
            sc.as_str(),
        );
    }
    card(r.rejects_total.to_string(), "rejected rows");
    let _ = writeln!(s, "</div>");

    let _ = writeln!(s, "<h2 id=\"words\">Words</h2>\n<div class=\"cloud\">");
    let max = r.top_words.first().map_or(1, |w| w.1).max(1) as f64;
    for (word, count) in &r.top_words {
        let size = 0.9 + 1.8 * (*count as f64 / max).sqrt();
        let _ = write!(
            s,
            "<span style=\"font-size:{size:.2}rem\" title=\"{count}\">{}</span> ",
            escape(word)
        );
    }
    let _ = writeln!(s, "</div>");

    let _ = writeln!(s, "<h2 id=\"themes\">Themes</h2>");
    for t in &r.themes {
        let _ = writeln!(
            s,
            "<h3>{}. {} <span class=\"muted\">{} responses, {}</span></h3>",
            t.id,
            escape(&t.label),
            t.size,
            percent(t.share)
        );
        for q in &t.quotes {
            quote(&mut s, q);
        }
    }
    if let Some(a) = &r.agreement {
        let _ = writeln!(
            s,
            "<p class=\"muted\">Agreement with the organiser's theme labels ({} labels, {} responses): NMI {:.3}, ARI {:.3}, purity {:.3}.</p>",
            a.human_labels, a.responses, a.nmi, a.ari, a.purity
        );
    }

    let c = &r.comparison;
    let _ = writeln!(s, "<h2 id=\"compare\">Local and national concerns</h2>");
    let _ = write!(s, "<p class=\"legend\">");
    for (k, sc) in Scope::ALL.iter().enumerate() {
        let _ = write!(s, "<span><i style=\"background:{}\"></i>{sc}</span>", COLORS[k]);
    }
    let _ = writeln!(s, "</p>\n{}", scope_chart(r));
    let _ = writeln!(s, "<table><thead><tr><th>theme</th><th class=\"n\">local</th><th class=\"n\">national</th><th class=\"n\">both</th><th class=\"n\">unspecified</th></tr></thead><tbody>");
    for row in &c.table {
        let _ = write!(s, "<tr><td>{}</td>", escape(&row.label));
        for k in 0..4 {
            let _ = write!(
                s,
                "<td class=\"n\">{} <span class=\"muted\">({})</span></td>",
                row.counts[k],
                percent(row.shares[k])
            );
        }
        let _ = writeln!(s, "</tr>");
    }
    let _ = writeln!(s, "</tbody></table>\n<div class=\"cols\">");
    let scope = c.grouping(crate::compare::SCOPE_GROUPING);
    for side in ["local", "national"] {
        let group = scope.and_then(|g| g.groups.iter().find(|x| x.name == side));
        let _ = writeln!(s, "<div><h3>Words more {side}</h3><table><thead><tr><th>word</th><th class=\"n\">{side}</th><th class=\"n\">rest</th><th class=\"n\">G²</th><th class=\"n\">Log Ratio</th><th class=\"n\">p adj.</th></tr></thead><tbody>");
        for k in group.map_or(&[][..], |g| &g.keyness) {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.3}</td></tr>",
                escape(&k.word), k.n_group, k.n_rest, k.g2, k.log_ratio, k.p_adj
            );
        }
        let _ = writeln!(s, "</tbody></table></div>");
    }
    let _ = writeln!(s, "</div>\n<p class=\"muted\">Log-likelihood keyness of each scope group against all other responses; only words with a Benjamini–Hochberg adjusted p below {} are listed; scope marker words are left out.</p>", c.alpha);
    let _ = writeln!(s, "<div class=\"cols\">");
    for (title, quotes) in [
        ("Local voices", &r.side_by_side.local),
        ("National voices", &r.side_by_side.national),
    ] {
        let _ = writeln!(s, "<div><h3>{title}</h3>");
        for q in quotes.iter() {
            quote(&mut s, q);
        }
        let _ = writeln!(s, "</div>");
    }
    let _ = writeln!(s, "</div>");

    if !r.rejects.is_empty() {
        let _ = writeln!(s, "<h2 id=\"rejects\">Rejected rows</h2><table><thead><tr><th>source</th><th class=\"n\">line</th><th>reason</th><th>detail</th><th>excerpt</th></tr></thead><tbody>");
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
        let _ = writeln!(s, "</tbody></table>");
    }

    let shown = r.responses.len().min(max_rows);
    let _ = writeln!(s, "<h2 id=\"responses\">Search the responses</h2>");
    if shown < r.responses_total {
        let _ = writeln!(
            s,
            "<p class=\"muted\">This page holds the first {shown} of {} responses, so that it stays small enough to share; all of them are in responses.csv and can be searched with <code>stemme search</code>.</p>",
            r.responses_total
        );
    }
    let _ = writeln!(s, "<p><input id=\"q\" type=\"search\" placeholder=\"Søk: kommune, metode …\" aria-label=\"Search responses\"> ");
    let _ = write!(
        s,
        "<select id=\"theme\" aria-label=\"Theme\"><option value=\"\">all themes</option>"
    );
    for t in &r.themes {
        let _ = write!(
            s,
            "<option value=\"{}\">{}. {}</option>",
            t.id,
            t.id,
            escape(&t.label)
        );
    }
    let _ = write!(s, "<option value=\"0\">unclassified</option></select> <select id=\"scope\" aria-label=\"Scope\"><option value=\"\">all scopes</option>");
    for sc in Scope::ALL {
        let _ = write!(s, "<option value=\"{sc}\">{sc}</option>");
    }
    let _ = writeln!(
        s,
        "</select> <span class=\"muted\"><span id=\"shown\">{shown}</span> shown</span></p>"
    );
    let _ = writeln!(s, "<table id=\"responses\"><thead><tr><th>id</th><th>response</th><th>theme</th><th>scope</th></tr></thead><tbody>");
    for row in r.responses.iter().take(max_rows) {
        let _ = writeln!(
            s,
            "<tr data-stems=\"{}\" data-text=\"{}\" data-theme=\"{}\" data-scope=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td><span class=\"tag {}\" title=\"{}\">{}</span></td></tr>",
            escape(&row.stems.join(" ")),
            escape(&row.text.to_lowercase()),
            row.theme_id,
            row.scope,
            escape(&row.id),
            escape(&row.text),
            escape(&row.theme),
            row.scope,
            escape(&row.scope_evidence.join(", ")),
            row.scope
        );
    }
    let _ = writeln!(s, "</tbody></table>");
    let _ = writeln!(
        s,
        "<script type=\"application/json\" id=\"word-stems\">{}</script>",
        embed_json(&r.word_stems)
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

    #[test]
    fn large_corpora_list_the_first_rows_and_say_so() {
        let csv =
            "svar\nKommunen må lytte mer\nStaten bør bestemme mindre\nLokalsamfunnet trenger møteplasser\n";
        let file = crate::ingest::ingest_bytes(
            csv.as_bytes().to_vec(),
            "s.csv",
            std::path::Path::new("s.csv"),
            &crate::ingest::IngestOptions::default(),
        )
        .expect("ingests");
        let options = crate::themes::ThemeOptions {
            k: Some(2),
            ..Default::default()
        };
        let analysis = crate::pipeline::analyse(
            vec![file],
            &crate::scope::ScopeTagger::bundled(None),
            &options,
            &Default::default(),
            &crate::Silent,
        )
        .expect("analyses");
        let report = Report::new(&analysis);
        let page = render(&report, 2);
        assert_eq!(page.matches("<tr data-stems").count(), 2);
        assert!(page.contains("the first 2 of 3 responses"));
        assert!(!render(&report, MAX_ROWS).contains("the first"));
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
