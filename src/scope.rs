//! Stage: scope. Each response is tagged local / national / both / unspecified, either
//! from a metadata column the analyst names (`--scope-column`) or from an explainable
//! lexicon of scope markers (`lexicon/scope_markers.txt`), keeping the words that matched
//! as evidence so every tag can be checked by a reader.

use crate::analyze::words;
use crate::model::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

static MARKERS: &str = include_str!("../lexicon/scope_markers.txt");

/// The level a response speaks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Local,
    National,
    Both,
    Unspecified,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Local, Scope::National, Scope::Both, Scope::Unspecified];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Local => "local",
            Scope::National => "national",
            Scope::Both => "both",
            Scope::Unspecified => "unspecified",
        }
    }

    /// Reads a metadata value: English or Norwegian names, any case.
    pub fn parse(value: &str) -> Option<Scope> {
        match value.trim().to_lowercase().as_str() {
            "local" | "lokal" | "lokalt" | "l" => Some(Scope::Local),
            "national" | "nasjonal" | "nasjonalt" | "n" => Some(Scope::National),
            "both" | "begge" | "begge deler" | "b" => Some(Scope::Both),
            "unspecified" | "uspesifisert" | "ukjent" | "-" => Some(Scope::Unspecified),
            _ => None,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response's scope with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeTag {
    pub scope: Scope,
    /// The words that matched a marker, or `column <name>=<value>` when a column decided.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone)]
struct Pattern {
    scope: Scope,
    text: String,
    prefix: bool,
    suffix: bool,
}

impl Pattern {
    fn matches(&self, word: &str) -> bool {
        match (self.prefix, self.suffix) {
            (false, false) => word == self.text,
            (true, false) => word.starts_with(&self.text),
            (false, true) => word.ends_with(&self.text),
            (true, true) => word.contains(&self.text),
        }
    }
}

/// The scope tagger: a marker lexicon and an optional overriding column.
#[derive(Debug, Clone)]
pub struct ScopeTagger {
    patterns: Vec<Pattern>,
    column: Option<String>,
}

impl ScopeTagger {
    /// The tagger with the bundled marker lexicon.
    pub fn bundled(column: Option<String>) -> ScopeTagger {
        let patterns = MARKERS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (scope, pattern) = l.split_once('\t')?;
                let scope = match scope.trim() {
                    "local" => Scope::Local,
                    "national" => Scope::National,
                    _ => return None,
                };
                let pattern = pattern.trim();
                Some(Pattern {
                    scope,
                    prefix: pattern.ends_with('*'),
                    suffix: pattern.starts_with('*'),
                    text: pattern.trim_matches('*').to_string(),
                })
            })
            .collect();
        ScopeTagger { patterns, column }
    }

    /// True when a lowercased word matches any scope marker.
    pub fn is_marker(&self, word: &str) -> bool {
        let word = word.to_lowercase();
        self.patterns.iter().any(|p| p.matches(&word))
    }

    /// Tags one response. A named column with a readable value wins over the lexicon; an
    /// empty or unreadable cell leaves the decision to the lexicon.
    pub fn tag(&self, response: &Response) -> ScopeTag {
        if let Some(column) = &self.column {
            if let Some(value) = response.meta.get(column) {
                if let Some(scope) = Scope::parse(value) {
                    return ScopeTag {
                        scope,
                        evidence: vec![format!("column {column}={value}")],
                    };
                }
            }
        }
        self.tag_text(&response.text)
    }

    /// Tags a text by the marker lexicon alone.
    pub fn tag_text(&self, text: &str) -> ScopeTag {
        let mut local = false;
        let mut national = false;
        let mut evidence = BTreeSet::new();
        for (_, raw) in words(text) {
            let word = raw.to_lowercase();
            for p in self.patterns.iter().filter(|p| p.matches(&word)) {
                match p.scope {
                    Scope::Local => local = true,
                    _ => national = true,
                }
                evidence.insert(word.clone());
            }
        }
        let scope = match (local, national) {
            (true, true) => Scope::Both,
            (true, false) => Scope::Local,
            (false, true) => Scope::National,
            (false, false) => Scope::Unspecified,
        };
        ScopeTag {
            scope,
            evidence: evidence.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_by_markers_with_evidence() {
        let t = ScopeTagger::bundled(None);
        let tag = t.tag_text("En kommune på Østlandet er ikke representativ for resten av landet.");
        assert_eq!(tag.scope, Scope::Both);
        assert_eq!(tag.evidence, ["kommune", "landet", "representativ"]);
        assert_eq!(t.tag_text("Vil KS selv sørge for dialog?").scope, Scope::National);
        assert_eq!(
            t.tag_text("Lokalsamfunnet får testet løsninger").scope,
            Scope::Local
        );
        assert_eq!(t.tag_text("Spennende").scope, Scope::Unspecified);
    }

    #[test]
    fn a_scope_column_overrides_the_lexicon() {
        let t = ScopeTagger::bundled(Some("nivå".into()));
        let mut r = crate::ingest::Normalizer::default().response("c", "f", 2, "q", "i hele landet");
        std::sync::Arc::make_mut(&mut r.meta).insert("nivå".into(), "Lokalt".into());
        assert_eq!(t.tag(&r).scope, Scope::Local);
        assert_eq!(t.tag(&r).evidence, ["column nivå=Lokalt"]);
    }
}
