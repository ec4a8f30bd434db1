//! Bytes to text: a byte-order mark decides when present (UTF-8, UTF-16 LE/BE); else
//! valid UTF-8 is taken as is; else the encoding is guessed (Norwegian Excel writes
//! Windows-1252). Decoding never fails: undecodable bytes become U+FFFD. Whether the
//! result is text at all is [`not_text`]'s question: binary data decodes too, as a
//! soup of control codes that would otherwise be read as a table.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// Decoded text (borrowed from the bytes when they are UTF-8 already, so a large file is
/// not held twice) and the name of the encoding that was used.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Decodes `bytes` as described in the module docs.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    let encoding = if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        encoding
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        // Checked once: decoding it as UTF-8 would only check it again.
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8.name(),
        };
    } else {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        detector.guess(Some(b"no"), Utf8Detection::Allow)
    };
    let (text, used, _) = encoding.decode(bytes);
    Decoded {
        text,
        encoding: used.name(),
    }
}

/// Decodes `bytes` with the encoding named by `label` (a BOM still wins, as browsers
/// do); `None` for an unknown label.
pub fn decode_as<'a>(bytes: &'a [u8], label: &str) -> Option<Decoded<'a>> {
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    let (text, used, _) = encoding.decode(bytes);
    Some(Decoded {
        text,
        encoding: used.name(),
    })
}

/// Characters text files do not hold: C0 controls other than tab, line feed, form feed
/// and carriage return; DEL; the C1 controls (what Windows-1252 leaves undefined); and
/// U+FFFD for bytes the encoding could not decode.
fn is_garbage(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || c == '\u{fffd}'
}

/// When `text` is not text (more than 3 % of its first million characters, and at
/// least four, are control codes or undecodable bytes): the share and the line of the
/// first one. Random bytes give about 13 %; text files none, or a few pasted escape
/// codes in a small table (about 1 %), which stay readable responses.
pub fn not_text(text: &str) -> Option<(f64, u64)> {
    let mut total = 0usize;
    let mut bad = 0usize;
    let mut first = None;
    for (i, c) in text.char_indices().take(1 << 20) {
        total += 1;
        if is_garbage(c) {
            bad += 1;
            first.get_or_insert(i);
        }
    }
    let first = first?;
    (bad >= 4 && bad * 100 > 3 * total).then(|| {
        let line = 1 + text[..first].bytes().filter(|&b| b == b'\n').count() as u64;
        (bad as f64 / total as f64, line)
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
        assert_eq!((&*forced.text, forced.encoding), ("blåbær", "windows-1252"));
        assert!(decode_as(b"x", "klingon").is_none());
    }

    #[test]
    fn random_bytes_are_not_text_and_text_is() {
        let mut seed = 1u64;
        let bytes: Vec<u8> = (0..100_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 56) as u8
            })
            .collect();
        let (share, line) = not_text(&decode(&bytes).text).expect("garbage");
        assert!(share > 0.05, "{share}");
        assert!(line >= 1);
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode("id;svar\r\n1;Blåbær og «sitat» – ja\r\n");
        assert_eq!(not_text(&decode(&cp1252).text), None);
        assert_eq!(
            not_text("a\u{1}b\u{2}c\u{3}"),
            None,
            "three stray controls are tolerated"
        );
    }
}
