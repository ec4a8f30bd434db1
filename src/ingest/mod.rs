//! Stage 1, ingest: input files in, [`Ingested`] records out (responses plus rejects with
//! reasons). The format is sniffed from the bytes: the Mentimeter text export, or a
//! delimited text table (CSV/TSV, any common delimiter and encoding).
//!
//! Every text is NFC-normalised and personal data masked here, once, so nothing
//! downstream can leak it. Nothing is dropped silently: rows in = kept + rejected +
//! structural lines, checked by [`Ingested::balanced`].

mod decode;
mod delimited;
pub mod mask;
pub mod mentimeter;

pub use decode::{decode, Decoded};
pub use mask::MaskCounts;

use crate::analyze::nfc;
use crate::error::{Error, Result};
use crate::model::{Ingested, Response};
use std::collections::BTreeMap;
use std::path::Path;

/// What the user told us about the input.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Collection name; defaults to the file name without extension.
    pub collection: Option<String>,
    /// The column holding the response text (tables only); guessed when absent.
    pub text_column: Option<String>,
    /// Keep personal data in the text instead of masking it.
    pub keep_personal: bool,
}

/// One input file after ingest, with what was detected about it.
#[derive(Debug, Clone)]
pub struct IngestedFile {
    pub collection: String,
    pub source: String,
    /// The original bytes, to be kept unchanged in the corpus.
    pub bytes: Vec<u8>,
    /// Human-readable description of the detected format (`mentimeter-text`, `csv ';' windows-1252`).
    pub format: String,
    pub data: Ingested,
    pub masked: MaskCounts,
}

/// Text normalisation shared by every format: NFC, trimmed, personal data masked.
#[derive(Debug, Default)]
pub struct Normalizer {
    pub keep_personal: bool,
    pub masked: MaskCounts,
}

impl Normalizer {
    /// NFC-normalises, trims and (unless `keep_personal`) masks one text.
    pub fn text(&mut self, raw: &str) -> String {
        let text = nfc(raw.trim());
        if self.keep_personal {
            return text;
        }
        let (masked, counts) = mask::mask(&text);
        self.masked.add(counts);
        masked
    }

    /// A response with a stable id and the given provenance; other fields empty.
    pub fn response(
        &mut self,
        collection: &str,
        source: &str,
        line: u64,
        question: &str,
        raw: &str,
    ) -> Response {
        Response {
            id: response_id(collection, line),
            collection: collection.to_string(),
            source: source.to_string(),
            line,
            question: question.to_string(),
            kinds: Vec::new(),
            answer: String::new(),
            labels: Vec::new(),
            text: self.text(raw),
            meta: BTreeMap::new(),
        }
    }
}

/// The stable id of the response at `line` of a collection's input.
pub fn response_id(collection: &str, line: u64) -> String {
    format!("{collection}-{line:04}")
}

/// Reads and ingests one file from disk.
pub fn ingest_path(path: &Path, options: &IngestOptions) -> Result<IngestedFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    ingest_bytes(bytes, &source, path, options)
}

/// Ingests the bytes of a file called `source`; `path` is used in error messages.
pub fn ingest_bytes(
    bytes: Vec<u8>,
    source: &str,
    path: &Path,
    options: &IngestOptions,
) -> Result<IngestedFile> {
    let collection = options.collection.clone().unwrap_or_else(|| {
        let stem = Path::new(source)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        sanitize_collection(&stem.unwrap_or_else(|| "input".to_string()))
    });
    if bytes.is_empty() {
        return Err(Error::input(path, "the file is empty"));
    }
    if let Some(kind) = unsupported_kind(&bytes) {
        return Err(Error::input(
            path,
            format!("this is {kind}, which stemme cannot read; export the responses as CSV (UTF-8) instead"),
        ));
    }
    let decoded = decode(&bytes);
    let mut norm = Normalizer {
        keep_personal: options.keep_personal,
        ..Normalizer::default()
    };
    let (format, data) = if mentimeter::sniff(&decoded.text) {
        let data = mentimeter::parse(&decoded.text, &collection, source, &mut norm);
        (format!("mentimeter-text {}", decoded.encoding), data)
    } else {
        let (delimiter, data) =
            delimited::parse(&decoded.text, &collection, source, path, options, &mut norm)?;
        let shown = if delimiter == b'\t' {
            "tab".to_string()
        } else {
            format!("'{}'", delimiter as char)
        };
        (format!("delimited {shown} {}", decoded.encoding), data)
    };
    Ok(IngestedFile {
        collection,
        source: source.to_string(),
        bytes,
        format,
        data,
        masked: norm.masked,
    })
}

/// Collection names become folder names and id prefixes: keep them plain.
pub fn sanitize_collection(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "input".to_string()
    } else {
        s
    }
}

/// Recognises binary formats users commonly have instead of a table.
fn unsupported_kind(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"%PDF") {
        Some("a PDF document")
    } else if starts(b"PK\x03\x04") {
        Some("a zip container (XLSX/ODS/DOCX; spreadsheet reading is not supported yet)")
    } else if starts(b"\xD0\xCF\x11\xE0") {
        Some("an old Office file (XLS/DOC)")
    } else if starts(b"$FL2") || starts(b"$FL3") {
        Some("an SPSS .sav file")
    } else if starts(b"\x89PNG") || starts(b"\xFF\xD8\xFF") || starts(b"GIF8") {
        Some("an image")
    } else {
        None
    }
}
