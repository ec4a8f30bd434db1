//! Bytes to text: a byte-order mark decides when present (UTF-8, UTF-16 LE/BE); else
//! valid UTF-8 is taken as is; else the encoding is guessed (Norwegian Excel writes
//! Windows-1252). Decoding never fails: undecodable bytes become U+FFFD.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};

/// Decoded text and the name of the encoding that was used.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Decodes `bytes` as described in the module docs.
pub fn decode(bytes: &[u8]) -> Decoded {
    let encoding = if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        encoding
    } else if std::str::from_utf8(bytes).is_ok() {
        UTF_8
    } else {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        detector.guess(Some(b"no"), Utf8Detection::Allow)
    };
    let (text, used, _) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: used.name(),
    }
}

/// Decodes `bytes` with the encoding named by `label` (a BOM still wins, as browsers
/// do); `None` for an unknown label.
pub fn decode_as(bytes: &[u8], label: &str) -> Option<Decoded> {
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    let (text, used, _) = encoding.decode(bytes);
    Some(Decoded {
        text: text.into_owned(),
        encoding: used.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_utf8_windows_1252_and_utf16() {
        assert_eq!(decode("\u{feff}blåbær".as_bytes()).text, "blåbær");
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode("Kommunen må høre på innbyggerne");
        let d = decode(&cp1252);
        assert_eq!(d.text, "Kommunen må høre på innbyggerne");
        assert_eq!(d.encoding, "windows-1252");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("æøå".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&utf16).text, "æøå");
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode("blåbær");
        let forced = decode_as(&latin1, "iso-8859-1").expect("known label");
        assert_eq!(
            (forced.text.as_str(), forced.encoding),
            ("blåbær", "windows-1252")
        );
        assert!(decode_as(b"x", "klingon").is_none());
    }
}
