//! Stage 1, ingest: input files in, [`Ingested`] records out (responses plus rejects with
//! reasons). The format is sniffed from the bytes, not the extension: a spreadsheet
//! (XLSX/ODS), the Mentimeter text export, or a delimited text table (CSV/TSV, any common
//! delimiter and encoding). Tables go through [`wide`], which recognises the known survey
//! exports and turns each free-text cell into a response.
//!
//! Every text is NFC-normalised and personal data masked here, once, so nothing
//! downstream can leak it. Nothing is dropped silently: rows in = kept + rejected +
//! structural lines, checked by [`Ingested::balanced`].

mod decode;
pub mod delimited;
pub mod exports;
pub mod limits;
pub mod mask;
pub mod mentimeter;
pub mod mojibake;
mod ods;
pub mod spreadsheet;
pub mod wide;

pub use decode::{decode, Decoded};
pub use mask::MaskCounts;

use crate::analyze::nfc;
use crate::error::{Error, Result};
use crate::model::{Ingested, Interner, Meta, Rare, Response};
use std::path::{Path, PathBuf};

/// What the user told us about the input.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Collection name; defaults to the file name without extension.
    pub collection: Option<String>,
    /// The columns holding free text (tables only); guessed from the content when empty.
    pub text_columns: Vec<String>,
    /// Keep personal data in the text, and personal columns, instead of masking/dropping.
    pub keep_personal: bool,
    /// The spreadsheet sheet to read (name or 1-based number); default: the one with data.
    pub sheet: Option<String>,
    /// Encoding label (`utf-8`, `windows-1252`, `utf-16le`, …) instead of the guess.
    pub encoding: Option<String>,
    /// Delimiter instead of the guess.
    pub delimiter: Option<u8>,
    /// Treat any rejected row as an error.
    pub strict: bool,
    /// Keep the input's bytes in [`IngestedFile::bytes`] (for `--keep-original`); by
    /// default they are freed as soon as the file is parsed.
    pub keep_bytes: bool,
}

/// One input file after ingest, with what was detected about it.
#[derive(Debug, Clone)]
pub struct IngestedFile {
    pub collection: String,
    pub source: String,
    /// The path the file was read from, as given.
    pub path: PathBuf,
    /// Hex SHA-256 of the input file.
    pub sha256: String,
    /// Size of the input file in bytes.
    pub size: u64,
    /// The original bytes, when [`IngestOptions::keep_bytes`] asks for them (the corpus
    /// keeps them with `--keep-original`), or a collection read back keeps them; else empty.
    pub bytes: Vec<u8>,
    /// Human-readable description of the detected format (`mentimeter-text`, `csv ';' windows-1252`).
    pub format: String,
    /// The spreadsheet sheet that was read.
    pub sheet: Option<String>,
    /// Personal columns (e-mail, name, IP address) not copied into the corpus.
    pub dropped_columns: Vec<String>,
    pub data: Ingested,
    pub masked: MaskCounts,
    /// Texts whose mojibake was repaired.
    pub repaired: u64,
}

/// Text normalisation shared by every format: NFC, trimmed, personal data masked.
#[derive(Debug, Default)]
pub struct Normalizer {
    pub keep_personal: bool,
    pub masked: MaskCounts,
    /// Texts whose mojibake (`Ã¸` for `ø`) was repaired.
    pub repaired: u64,
    /// Shares the provenance strings of the file's responses.
    pub interner: Interner,
}

/// One text through [`Normalized::new`], with what was done to it; counted once
/// [`Normalizer::accept`]ed.
#[derive(Debug)]
pub struct Normalized {
    text: String,
    masked: MaskCounts,
    repaired: bool,
}

impl Normalized {
    /// Repairs mojibake, NFC-normalises, trims and (unless `keep_personal`) masks one
    /// text, without counting: it needs no [`Normalizer`], so the texts of many rows can be
    /// prepared at once, on several threads, while the rows before them are counted.
    pub fn new(raw: &str, keep_personal: bool) -> Normalized {
        let repaired = mojibake::repair(raw);
        let text = nfc(repaired.as_deref().unwrap_or(raw).trim());
        let (text, masked) = if keep_personal {
            (text, MaskCounts::default())
        } else {
            mask::mask_owned(text)
        };
        Normalized {
            text,
            masked,
            repaired: repaired.is_some(),
        }
    }
}

impl Normalizer {
    /// Repairs mojibake, NFC-normalises, trims and (unless `keep_personal`) masks one text.
    pub fn text(&mut self, raw: &str) -> String {
        let prepared = Normalized::new(raw, self.keep_personal);
        self.accept(prepared)
    }

    /// Counts what was done to a prepared text, and returns the text.
    pub fn accept(&mut self, prepared: Normalized) -> String {
        self.repaired += u64::from(prepared.repaired);
        self.masked.add(prepared.masked);
        prepared.text
    }

    /// A response with a stable id, the given provenance and the text `raw` (normalised
    /// here); other fields empty.
    pub fn response(
        &mut self,
        collection: &str,
        source: &str,
        line: u64,
        question: &str,
        raw: &str,
    ) -> Response {
        let text = self.text(raw);
        self.response_of(collection, source, line, question, text)
    }

    /// [`Normalizer::response`] for a text already normalised (and counted).
    pub fn response_of(
        &mut self,
        collection: &str,
        source: &str,
        line: u64,
        question: &str,
        text: String,
    ) -> Response {
        Response {
            id: response_id(collection, line).into(),
            collection: self.interner.get(collection),
            source: self.interner.get(source),
            line,
            question: self.interner.get(question),
            kinds: Rare::default(),
            answer: Rare::default(),
            labels: Rare::default(),
            text: text.into(),
            meta: Meta::default(),
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
    let collection = options
        .collection
        .as_deref()
        .map(sanitize_collection)
        .unwrap_or_else(|| {
            let stem = Path::new(source)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
            sanitize_collection(&stem.unwrap_or_else(|| "input".to_string()))
        });
    if bytes.is_empty() {
        return Err(Error::input(path, "the file is empty"));
    }
    if let Some(advice) = unsupported_kind(&bytes) {
        return Err(Error::input(path, advice));
    }
    let mut norm = Normalizer {
        keep_personal: options.keep_personal,
        ..Normalizer::default()
    };
    let target = wide::Target {
        collection: &collection,
        source,
        path,
        options,
    };
    let mut file = IngestedFile {
        collection: collection.clone(),
        source: source.to_string(),
        path: path.to_path_buf(),
        sha256: String::new(),
        size: bytes.len() as u64,
        bytes: Vec::new(),
        format: String::new(),
        sheet: None,
        dropped_columns: Vec::new(),
        data: Ingested::default(),
        masked: MaskCounts::default(),
        repaired: 0,
    };
    // The input's bytes are freed once parsed (a table holds its cells), unless kept.
    let mut bytes = bytes;
    let release = |bytes: &mut Vec<u8>| {
        if !options.keep_bytes {
            *bytes = Vec::new();
        }
    };
    // The checksum is taken on another thread while the file is parsed.
    use crate::corpus::sha256_hex as checksum;
    if spreadsheet::is_zip(&bytes) {
        let (sha256, read) = rayon::join(
            || checksum(&bytes),
            || spreadsheet::read(&bytes, path, options.sheet.as_deref()),
        );
        file.sha256 = sha256;
        let (kind, table, sheets) = read?;
        release(&mut bytes);
        let sheet = table.sheet.clone().unwrap_or_default();
        let (info, data) = wide::read(table, &target, &mut norm)?;
        file.format = format!(
            "{} sheet {sheet:?} ({} of {}){}",
            kind.name(),
            sheets.iter().position(|s| *s == sheet).map_or(1, |i| i + 1),
            sheets.len(),
            info.export.map(|e| format!(" {e}")).unwrap_or_default()
        );
        file.sheet = Some(sheet);
        file.dropped_columns = info.dropped_columns;
        file.data = data;
    } else {
        let decoded = match &options.encoding {
            Some(label) => decode::decode_as(&bytes, label)
                .ok_or_else(|| Error::input(path, format!("unknown encoding {label:?}; try utf-8, windows-1252, iso-8859-1, utf-16le or utf-16be")))?,
            None => decode(&bytes),
        };
        if let Some((share, line)) = decode::not_text(&decoded.text) {
            return Err(Error::input(
                path,
                format!(
                    "this is not text in any encoding stemme reads ({:.1} % of its characters are control codes or undecodable bytes, the first on line {line}); if it holds responses, export them as XLSX or CSV (UTF-8)",
                    share * 100.0
                ),
            ));
        }
        if options.delimiter.is_none() && mentimeter::sniff(&decoded.text) {
            file.sha256 = checksum(&bytes);
            file.data = mentimeter::parse(&decoded.text, &collection, source, &mut norm);
            file.format = format!("mentimeter-text {}", decoded.encoding);
        } else {
            let delimiter = options
                .delimiter
                .unwrap_or_else(|| delimited::sniff_delimiter(&decoded.text));
            let (sha256, table) = rayon::join(
                || checksum(&bytes),
                || delimited::table(&decoded.text, delimiter, source, path),
            );
            file.sha256 = sha256;
            let table = table?;
            let encoding = decoded.encoding;
            drop(decoded);
            release(&mut bytes);
            let (info, data) = wide::read(table, &target, &mut norm)?;
            file.format = format!(
                "delimited {} {}{}",
                delimited::delimiter_name(delimiter),
                encoding,
                info.export.map(|e| format!(" {e}")).unwrap_or_default()
            );
            file.dropped_columns = info.dropped_columns;
            file.data = data;
        }
    }
    release(&mut bytes);
    file.bytes = bytes;
    file.masked = norm.masked;
    file.repaired = norm.repaired;
    Ok(file)
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

/// Recognises binary formats users commonly have instead of a table, with what to
/// export instead.
fn unsupported_kind(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"%PDF") {
        Some("this is a PDF document, which stemme cannot read; export the responses from the survey tool as XLSX or CSV (UTF-8) instead")
    } else if starts(b"\xD0\xCF\x11\xE0") {
        Some("this is an old Office file (Excel 97-2003 .xls or Word .doc), which stemme cannot read; open it and save it as XLSX or CSV (UTF-8)")
    } else if starts(b"$FL2") || starts(b"$FL3") {
        Some("this is an SPSS .sav file, which stemme cannot read; in SPSS use File > Export > Excel or CSV, with value labels, and read that")
    } else if starts(b"\x89PNG") || starts(b"\xFF\xD8\xFF") || starts(b"GIF8") {
        Some("this is an image, which stemme cannot read; export the responses from the survey tool as XLSX or CSV (UTF-8)")
    } else if !spreadsheet::is_zip(bytes)
        && bytes.iter().take(4096).filter(|&&b| b == 0).count() > 64
        && has_no_bom(bytes)
    {
        Some("this is a binary file, not a table or a text export; export the responses as XLSX or CSV (UTF-8)")
    } else {
        None
    }
}

/// True when the bytes have no UTF-16 byte-order mark (UTF-16 text is full of zero bytes).
fn has_no_bom(bytes: &[u8]) -> bool {
    encoding_rs::Encoding::for_bom(bytes).is_none()
}
