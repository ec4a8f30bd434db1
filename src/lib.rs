//! stemme turns open-ended Norwegian responses into themes, a searchable index and reports
//! that compare local and national concerns.
//!
//! One module per pipeline stage, in the order data flows:
//! [`ingest`] → [`corpus`] → [`analyze`] → [`index`] / [`themes`] / [`scope`] →
//! [`compare`] → [`report`] (and [`export`] for R, Python and Excel); [`pipeline`] runs
//! them as one batch job. The library never
//! prints: long stages report through [`Progress`], which the binary draws with indicatif.

pub mod analysis;
pub mod analyze;
pub mod compare;
pub mod corpus;
pub mod csv_cell;
pub mod error;
pub mod export;
pub mod index;
pub mod ingest;
pub mod math;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod row;
pub mod scope;
pub mod themes;

pub use error::{Error, Result};

/// Progress of long stages. Implementations must be cheap: `advance` is called per item.
pub trait Progress: Sync {
    /// A stage starts with `total` items of work.
    fn stage(&self, name: &str, total: u64);
    /// `n` more items are done.
    fn advance(&self, n: u64);
    /// The current stage is done; `message` says what it produced.
    fn finish(&self, message: &str);
}

/// Progress that shows nothing (tests, library use).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self, _: &str) {}
}
