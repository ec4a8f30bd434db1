#!/usr/bin/env python3
"""Rebuild lexicon/compound_words.txt, the word list of the compound splitter
(src/analyze/compound.rs), from the Norsk ordbank full-form list.

Usage:
    python3 lexicon/make_compound_words.py [ordbank_nb_fullforms.tsv.gz] [output]

Defaults: ../shared/lexicon/ordbank_nb_fullforms.tsv.gz next to the repository (the
614,729-row form<TAB>lemma<TAB>pos list, Norsk ordbank (Bokmål), Språkbanken /
Nasjonalbiblioteket, CC BY 4.0) and compound_words.txt next to this script.

What it keeps: every lowercase, purely alphabetic lemma tagged noun, verb, adj or adv.
Adverbs are only used to recognise whole words (they are never compound parts); verbs are
kept as lemma only (they are only first parts, in the infinitive); nouns and adjectives also
keep their inflected forms, encoded as rules so that the file stays small:

    @r<TAB>rule rule ...          all rules, numbered from 0 in order; a rule
                                  "tail:ending" turns a lemma into a form by cutting
                                  `tail` from its end and appending `ending`
                                  (":er" = lemma + "er", "ok:øker" = bok -> bøker)
    @p<TAB>i j k ...              one line per paradigm, numbered from 0 in order of
                                  appearance: the rule numbers of a lemma's forms
    lemma<TAB>flags<TAB>paradigm  flags: n noun, a adj, v verb, d adverb, then M / H when
                                  the lemma is a productive first / last part, S when it
                                  usually takes a linking s as a first part (below);
                                  paradigm is the @p number (empty when no noun/adj forms)

Productivity stands in for the frequency that the ordbank lacks: a lemma gets M when at
least PRODUCTIVE other lemmas of the list are that lemma + (s|e)? + a lemma of 4+ letters
(or the triple-consonant spelling of it), and H when at least PRODUCTIVE lemmas are a
lemma of 4+ letters + (s|e)? + it. The splitter demands it of 4- and 5-letter parts, which
keeps out rare short words that would otherwise cut ordinary words (ford+eling, gene+rasjon).
S is set when at least LINKING lemmas are the lemma + s + a lemma and they outnumber the
lemmas that are the lemma + a lemma: the splitter uses it to read idrettslag as idrett+s+lag
rather than idrett+slag.

The output is deterministic (sorted), so a rebuild gives an identical file.
"""

import collections
import gzip
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SRC = os.path.join(
    HERE, "..", "..", "shared", "lexicon", "ordbank_nb_fullforms.tsv.gz"
)
DEFAULT_OUT = os.path.join(HERE, "compound_words.txt")
WORD = re.compile(r"[a-zæøåéèêóòôüäöç]+")
POS_LETTER = {"noun": "n", "adj": "a", "verb": "v", "adv": "d"}
PRODUCTIVE = 5
LINKING = 3


def rule(lemma, form):
    """The lemma-to-form rule: the lemma tail to cut and the ending to append."""
    i = 0
    while i < min(len(lemma), len(form)) and lemma[i] == form[i]:
        i += 1
    return lemma[i:] + ":" + form[i:]


def productivity(pos_of):
    """How often each lemma is the first / last part of another lemma of the list."""
    parts = {lemma for lemma, pos in pos_of.items() if pos - {"d"}}
    mods = collections.Counter()
    heads = collections.Counter()
    plain = collections.Counter()
    linked_s = collections.Counter()
    for word in parts:
        for i in range(2, len(word) - 3):
            left, right = word[:i], word[i:]
            found = set()
            if left in parts and right in parts:
                found.add((left, right))
                plain[left] += 1
            if right[0] in "se" and len(right) >= 5 and left in parts and right[1:] in parts:
                found.add((left, right[1:]))
                if right[0] == "s":
                    linked_s[left] += 1
            if left[-1] == left[-2] and left in parts and left[-1] + right in parts:
                found.add((left, left[-1] + right))
            for first, last in found:
                if len(last) >= 4:
                    mods[first] += 1
                if len(first) >= 4:
                    heads[last] += 1
    s_linkers = {
        lemma
        for lemma, count in linked_s.items()
        if count >= LINKING and count > plain[lemma]
    }
    return mods, heads, s_linkers


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SRC
    out = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    pos_of = collections.defaultdict(set)
    forms_of = collections.defaultdict(set)
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 3 or cols[2] not in POS_LETTER:
                continue
            form, lemma, pos = cols
            if not WORD.fullmatch(lemma):
                continue
            pos_of[lemma].add(POS_LETTER[pos])
            if pos in ("noun", "adj") and WORD.fullmatch(form):
                forms_of[lemma].add(rule(lemma, form))
    mods, heads, s_linkers = productivity(pos_of)
    rule_ids = {}
    for rules in forms_of.values():
        for r in rules:
            rule_ids.setdefault(r, None)
    ordered_rules = sorted(rule_ids)
    rule_ids = {r: i for i, r in enumerate(ordered_rules)}
    paradigm_ids = {}
    rows = []
    for lemma in sorted(pos_of):
        letters = "".join(p for p in "navd" if p in pos_of[lemma])
        letters += "M" if mods[lemma] >= PRODUCTIVE else ""
        letters += "H" if heads[lemma] >= PRODUCTIVE else ""
        letters += "S" if lemma in s_linkers else ""
        paradigm = ""
        if lemma in forms_of:
            key = " ".join(str(i) for i in sorted(rule_ids[r] for r in forms_of[lemma]))
            paradigm = str(paradigm_ids.setdefault(key, len(paradigm_ids)))
        rows.append(f"{lemma}\t{letters}\t{paradigm}")
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# compound_words.txt: lemmas and inflection rules for the compound splitter"
            " (src/analyze/compound.rs).\n"
            "# Source: Norsk ordbank (Bokmål), Språkbanken / Nasjonalbiblioteket,"
            " CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).\n"
            "# Derived (changed) from the full-form list ordbank_nb_fullforms.tsv.gz"
            " (Norsk ordbank Bokmål 2005, updated 2018-06-27, as redistributed in"
            " spacy-lookups-data 1.0.5).\n"
            "# Changes: only lowercase alphabetic noun, verb, adjective and adverb lemmas;"
            " noun/adjective forms encoded as rules; productivity flags added.\n"
            "# Rebuild: python3 lexicon/make_compound_words.py"
            " <path/to/ordbank_nb_fullforms.tsv.gz>\n"
            "# Format: '@r' line = rules 'cut:append' numbered from 0; '@p' lines ="
            " paradigms (rule numbers) numbered from 0; then lemma<TAB>flags"
            " (n noun, a adj, v verb, d adverb, M/H productive first/last part,"
            " S usually linked with s)"
            "<TAB>paradigm number.\n"
        )
        fh.write("@r\t" + " ".join(ordered_rules) + "\n")
        for key in paradigm_ids:
            fh.write("@p\t" + key + "\n")
        for row in rows:
            fh.write(row + "\n")


if __name__ == "__main__":
    main()
