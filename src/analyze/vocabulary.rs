//! Display forms: every stem is shown to people as the surface word that most often
//! stands behind it in the corpus (`spennende`, never the bare stem `spenn`).

use super::compound::FastMap;
use super::Words;

/// Surface-word counts per stem, gathered over a corpus.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    forms: FastMap<String, FastMap<String, FormCount>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct FormCount {
    count: u64,
    /// Times the form was written in capitals (`KS`, `FKJ`): shown that way if always.
    upper: u64,
}

impl Vocabulary {
    /// The surface words behind every stem of a run, with how often each was written.
    pub fn new(words: &Words) -> Vocabulary {
        let mut v = Vocabulary::default();
        for (id, info) in words.iter() {
            let c = words.count(id);
            v.count(&info.stem, &info.word, c.count, c.upper);
            for part in &info.parts {
                v.count(&part.stem, &part.word, c.count, 0);
            }
        }
        v
    }

    /// `count` occurrences of `word` behind `stem`; allocates only for a new stem or word.
    fn count(&mut self, stem: &str, word: &str, count: u64, upper: u64) {
        if !self.forms.contains_key(stem) {
            self.forms.insert(stem.to_string(), FastMap::default());
        }
        let Some(forms) = self.forms.get_mut(stem) else {
            return;
        };
        if !forms.contains_key(word) {
            forms.insert(word.to_string(), FormCount::default());
        }
        if let Some(entry) = forms.get_mut(word) {
            entry.count += count;
            entry.upper += upper;
        }
    }

    /// The display form of `stem`: its most frequent surface word (ties: the shorter,
    /// then the alphabetically first), or the stem itself when the corpus never saw it.
    pub fn display(&self, stem: &str) -> String {
        let Some(forms) = self.forms.get(stem) else {
            return stem.to_string();
        };
        forms
            .iter()
            .max_by(|(wa, a), (wb, b)| {
                a.count
                    .cmp(&b.count)
                    .then(wb.chars().count().cmp(&wa.chars().count()))
                    .then(wb.cmp(wa))
            })
            .map(|(word, c)| {
                if c.upper == c.count {
                    word.to_uppercase()
                } else {
                    word.clone()
                }
            })
            .unwrap_or_else(|| stem.to_string())
    }

    /// Number of distinct stems.
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;

    #[test]
    fn display_form_is_the_most_frequent_surface_word() {
        let a = Analyzer::norwegian();
        let texts = [
            "Spennende",
            "spennende prosjekt",
            "Superspennende spenning",
            "Spennende KS",
        ];
        let v = Vocabulary::new(&a.analyze_all(&texts, &|_| {}).words);
        assert_eq!(v.display(&a.stem("spennende")), "spennende");
        assert_eq!(v.display(&a.stem("ks")), "KS");
        assert_eq!(v.display("ukjent"), "ukjent");
    }
}
