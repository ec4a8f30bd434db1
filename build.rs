//! Build script: turns the compound splitter's lexicon (`lexicon/compound_words.txt`) into
//! a hash table of its lemmas and an index of their forms, which the binary carries and
//! reads in place (`src/analyze/lexicon.rs` describes the layout), so no run pays for
//! parsing 133,000 lemmas or expanding their 1.2 million forms. The inflection rules and
//! paradigms, a few hundred lines, are copied as text and read at run time.

#[allow(dead_code)]
#[path = "src/analyze/lexicon.rs"]
mod lexicon;

use std::path::PathBuf;

const LEXICON: &str = "lexicon/compound_words.txt";

fn main() {
    println!("cargo:rerun-if-changed={LEXICON}");
    println!("cargo:rerun-if-changed=src/analyze/lexicon.rs");
    let text = std::fs::read_to_string(LEXICON).unwrap_or_else(|e| panic!("{LEXICON}: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rules: String = text
        .lines()
        .filter(|l| l.starts_with("@r\t") || l.starts_with("@p\t"))
        .flat_map(|l| [l, "\n"])
        .collect();
    std::fs::write(out.join("compound_rules.txt"), rules).expect("OUT_DIR is writable");
    let (table, blob) = lexicon::build_table(&text);
    std::fs::write(out.join("compound_words.table"), table).expect("OUT_DIR is writable");
    std::fs::write(out.join("compound_words.blob"), blob).expect("OUT_DIR is writable");
}
