//! Exports for research and spreadsheets, beside the reports: a document–feature matrix
//! that R (quanteda, stm) and Python (scipy, scikit-learn) load directly ([`dfm`]), and
//! the CSV tables rewritten in the dialect Norwegian Excel opens on a double-click
//! ([`excel`]).

pub mod dfm;
pub mod excel;
