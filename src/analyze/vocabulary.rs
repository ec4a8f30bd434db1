//! Display forms: every stem is shown to people as the surface word that most often
//! stands behind it in the corpus (`spennende`, never the bare stem `spenn`).

use super::compound::FastMap;
use super::{StemId, WordId, Words};
use rayon::prelude::*;

/// The display form of every stem of a run (only the chosen form is kept: a run has
/// hundreds of thousands of surface words, and the reports show a few hundred stems).
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    forms: FastMap<Box<str>, Box<str>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct FormCount {
    count: u64,
    /// Times the form was written in capitals (`KS`, `FKJ`): shown that way if always.
    upper: u64,
}

impl Vocabulary {
    /// The surface words behind every stem of a run, with how often each was written:
    /// each stem is shown as its most frequent surface word (ties: the shorter, then the
    /// alphabetically first), in capitals when it was always written so.
    ///
    /// Every (stem, surface word) occurrence is listed and sorted in parallel, so that the
    /// counts of a pair are summed in one pass over neighbours rather than in a hash map of
    /// a few hundred thousand pairs on one thread. The list is made in one allocation of
    /// its exact size (a parallel collect would hold it twice while joining the parts).
    pub fn new(words: &Words) -> Vocabulary {
        let forms = |id: WordId| {
            let (info, c) = (&words[id], words.count(id));
            let word = FormCount {
                count: c.count,
                upper: c.upper,
            };
            let part = FormCount {
                count: c.count,
                upper: 0,
            };
            let parts = info
                .parts
                .iter()
                .filter_map(move |p| Some((words.find_stem(&p.stem)?, p.word.as_str(), part)));
            std::iter::once((words.stem_id(id), info.word.as_str(), word)).chain(parts)
        };
        let ids = 0..words.len() as WordId;
        let total = ids.clone().map(|id| 1 + words[id].parts.len()).sum();
        let mut seen: Vec<(StemId, &str, FormCount)> = Vec::with_capacity(total);
        seen.extend(ids.flat_map(forms));
        seen.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut best: Vec<Option<(&str, FormCount)>> = vec![None; words.stem_count()];
        for run in seen.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (stem, word) = (run[0].0, run[0].1);
            let c = run.iter().fold(FormCount::default(), |sum, (_, _, c)| FormCount {
                count: sum.count + c.count,
                upper: sum.upper + c.upper,
            });
            let slot = &mut best[stem as usize];
            let better = slot.is_none_or(|(w, b)| {
                c.count
                    .cmp(&b.count)
                    .then(w.chars().count().cmp(&word.chars().count()))
                    .then(w.cmp(word))
                    .is_gt()
            });
            if better {
                *slot = Some((word, c));
            }
        }
        let forms = best
            .into_par_iter()
            .enumerate()
            .filter_map(|(stem, form)| {
                let (word, c) = form?;
                let shown: Box<str> = if c.upper == c.count {
                    word.to_uppercase().into()
                } else {
                    word.into()
                };
                Some((words.stem(stem as StemId).into(), shown))
            })
            .collect();
        Vocabulary { forms }
    }

    /// The display form of `stem`, or the stem itself when the corpus never saw it.
    pub fn display(&self, stem: &str) -> String {
        self.forms
            .get(stem)
            .map_or_else(|| stem.to_string(), |w| w.to_string())
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
