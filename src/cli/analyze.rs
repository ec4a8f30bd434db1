//! `stemme analyze`: what the analyzer does to a text, word by word, and the scope the
//! tagger gives it with the evidence (words and rules) that decided.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use stemme::analyze::{words, Analyzer, Vocabulary, WordInfo};
use stemme::corpus;
use stemme::scope::ScopeTagger;
use stemme::{Error, Result};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Text to analyse (several arguments are joined with spaces).
    #[arg(required = true)]
    pub text: Vec<String>,
    /// One JSON object per word, then one with the scope.
    #[arg(long)]
    pub json: bool,
    /// Extra scope markers and place names (format of lexicon/scope_markers.txt).
    #[arg(long, value_name = "FILE")]
    pub scope_lexicon: Option<PathBuf>,
}

pub fn run(args: AnalyzeArgs) -> Result<bool> {
    let text = stemme::analyze::nfc(&args.text.join(" "));
    let tagger = ScopeTagger::new(None, args.scope_lexicon.as_deref())?;
    let analyzer = Analyzer::norwegian();
    // Display forms come from the bundled corpus and the text together.
    let seed = String::from_utf8_lossy(corpus::SEED_BYTES);
    let analysed = analyzer.analyze_all(&[&seed, &text], &|_| {});
    let vocabulary = Vocabulary::new(&analysed.words);
    // A token's position is its index in the text's tokens.
    let tokens: Vec<(usize, &WordInfo)> = analysed.tokens[1]
        .iter()
        .enumerate()
        .map(|(position, t)| (position, analysed.words.info(t)))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e| Error::io("<stdout>", e);
    if !args.json {
        writeln!(
            out,
            "{:<4} {:<24} {:<20} {:<20} compound parts",
            "pos", "word", "stem", "display"
        )
        .map_err(io)?;
    }
    for (position, (_, raw)) in words(&text).enumerate() {
        let token = tokens
            .iter()
            .find(|&&(p, w)| p == position && !w.stop)
            .map(|(_, w)| *w);
        let (stem, display) = match token {
            Some(t) => (Some(t.stem.to_string()), Some(vocabulary.display(&t.stem))),
            None => (None, None),
        };
        let parts: Vec<&str> = token
            .map(|t| t.parts.iter().map(|p| p.word.as_str()).collect())
            .unwrap_or_default();
        if args.json {
            let v = serde_json::json!({"position": position, "word": raw, "stopword": token.is_none(), "stem": stem, "display": display, "parts": parts});
            writeln!(out, "{v}").map_err(io)?;
        } else {
            let stem = stem.unwrap_or_else(|| "(stopword)".into());
            writeln!(
                out,
                "{:<4} {:<24} {:<20} {:<20} {}",
                position,
                raw,
                stem,
                display.unwrap_or_default(),
                parts.join(" + ")
            )
            .map_err(io)?;
        }
    }
    let tag = tagger.tag_text(&text);
    if args.json {
        let v = serde_json::json!({"scope": tag.scope, "evidence": tag.evidence});
        writeln!(out, "{v}").map_err(io)?;
    } else {
        writeln!(out, "\nscope: {}", tag.scope).map_err(io)?;
        for line in &tag.evidence {
            writeln!(out, "  {line}").map_err(io)?;
        }
    }
    Ok(true)
}
