//! Repair of mojibake: UTF-8 text that was once decoded as Windows-1252 and saved again,
//! so `ø` reads `Ã¸` and `å` reads `Ã¥` (common after a round trip through Excel). Such
//! text is re-encoded as Windows-1252 and decoded as UTF-8; the repair is kept only when
//! that succeeds and removes the telltale sequences, so correct text is never touched.

use encoding_rs::WINDOWS_1252;

/// Sequences that UTF-8 Norwegian letters and punctuation turn into.
const TELLTALES: [&str; 10] = ["Ã¸", "Ã¥", "Ã¦", "Ã˜", "Ã…", "Ã†", "Ã©", "â€™", "â€œ", "â€“"];

fn telltales(text: &str) -> usize {
    // Every telltale starts with `Ã` or `â`: most texts are passed over once.
    if !text.contains(['Ã', 'â']) {
        return 0;
    }
    TELLTALES.iter().map(|t| text.matches(t).count()).sum()
}

/// The repaired text, or `None` when `text` shows no mojibake or cannot be repaired.
pub fn repair(text: &str) -> Option<String> {
    let before = telltales(text);
    if before == 0 {
        return None;
    }
    let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
    if unmappable {
        return None;
    }
    let repaired = std::str::from_utf8(&bytes).ok()?;
    (telltales(repaired) < before).then(|| repaired.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_double_encoded_norwegian() {
        let broken: String = WINDOWS_1252
            .decode("Kommunen må høre på innbyggerne – særlig de unge".as_bytes())
            .0
            .into();
        assert!(broken.contains("Ã¥"));
        assert_eq!(
            repair(&broken).as_deref(),
            Some("Kommunen må høre på innbyggerne – særlig de unge")
        );
    }

    #[test]
    fn leaves_correct_and_unrepairable_text_alone() {
        assert_eq!(repair("Kommunen må høre på innbyggerne"), None);
        assert_eq!(repair("Ã¸ and a real ø: mixed"), None);
        assert_eq!(repair(""), None);
    }
}
