//! Personal data masking, applied to every response text at ingest so that nothing
//! downstream (corpus, index, reports) ever holds it: Norwegian national identity numbers
//! and D-numbers (11 digits passing both mod-11 checks, also written `ddmmyy-nnnnn`)
//! become `[fnr]`, phone numbers (8 digits, optionally `+47`/`0047`, grouped with spaces,
//! or `12.34.56.78` / `123-45-678`) `[tlf]`, e-mail addresses `[e-post]`. Years, amounts,
//! postal codes, dates and organisation numbers stay.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// How many items of each kind were masked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskCounts {
    pub fnr: u64,
    pub phone: u64,
    pub email: u64,
}

impl MaskCounts {
    pub fn add(&mut self, other: MaskCounts) {
        self.fnr += other.fnr;
        self.phone += other.phone;
        self.email += other.email;
    }
}

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}")
            .expect("static regex")
    })
}

/// Digit runs that may hold spaces between groups, with an optional country code.
fn number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?:(?:\+|00)47[ \u{a0}]?)?\d(?:[ \u{a0}]?\d)*").expect("static regex"))
}

/// Numbers written with dots or hyphens: `12.34.56.78`, `123-45-678` (phone) and
/// `010190-12345` (fnr). Dates (`22.03.2024`, `2024-03-22`) have other group lengths.
fn punctuated_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:\+47 ?)?(?:\d{2}\.\d{2}\.\d{2}\.\d{2}|\d{2}-\d{2}-\d{2}-\d{2}|\d{3}\.\d{2}\.\d{3}|\d{3}-\d{2}-\d{3}|\d{6}-\d{5})",
        )
        .expect("static regex")
    })
}

/// Masks personal data in `text`, returning the masked text and the counts.
pub fn mask(text: &str) -> (String, MaskCounts) {
    let mut counts = MaskCounts::default();
    let text = email_re().replace_all(text, |_: &regex::Captures| {
        counts.email += 1;
        "[e-post]"
    });
    let original = text.as_bytes();
    let text = punctuated_re().replace_all(&text, |caps: &regex::Captures| {
        let Some(m) = caps.get(0) else {
            return String::new();
        };
        // Part of a longer code or number (`1.12.34.56.78`, `v12.34.56.78b`): leave it.
        let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
        if glued(m.start().checked_sub(1).and_then(|i| original.get(i))) || glued(original.get(m.end())) {
            return m.as_str().to_string();
        }
        let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
        let local = if m.as_str().starts_with('+') {
            digits.get(2..).unwrap_or("")
        } else {
            &digits
        };
        if digits.len() == 11 && !m.as_str().starts_with('+') && is_fnr(&digits) {
            counts.fnr += 1;
            "[fnr]".to_string()
        } else if local.len() == 8 && local.starts_with(['2', '3', '4', '5', '6', '7', '8', '9']) {
            counts.phone += 1;
            "[tlf]".to_string()
        } else {
            m.as_str().to_string()
        }
    });
    let bytes = text.as_bytes();
    let masked = number_re().replace_all(&text, |caps: &regex::Captures| {
        let m = caps.get(0).map_or("", |m| m.as_str());
        let start = caps.get(0).map_or(0, |m| m.start());
        let end = start + m.len();
        // A digit run glued to letters or other digits (`2b`, `A12345678`) is a code.
        let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
        if glued(start.checked_sub(1).and_then(|i| bytes.get(i))) || glued(bytes.get(end)) {
            return m.to_string();
        }
        // A run that is not one number as a whole may hold one among other numbers
        // (`91234567 2024`): try the longest groups from the left.
        let groups: Vec<&str> = m.split_inclusive([' ', '\u{a0}']).collect();
        let mut out = String::new();
        let mut i = 0;
        while i < groups.len() {
            // A phone number or fnr has at most five groups (`+47 12 34 56 78`).
            let last = groups.len().min(i + 5);
            let found = (i + 1..=last).rev().find_map(|j| {
                let span = groups[i..j].concat();
                let trimmed = span.trim_end_matches([' ', '\u{a0}']);
                classify(trimmed).map(|kind| (j, kind, span.len() - trimmed.len()))
            });
            match found {
                Some((j, kind, trailing)) => {
                    let span = groups[i..j].concat();
                    match kind {
                        Kind::Fnr => {
                            counts.fnr += 1;
                            out.push_str("[fnr]");
                        }
                        Kind::Phone => {
                            counts.phone += 1;
                            out.push_str("[tlf]");
                        }
                    }
                    out.push_str(&span[span.len() - trailing..]);
                    i = j;
                }
                None => {
                    out.push_str(groups[i]);
                    i += 1;
                }
            }
        }
        out
    });
    (masked.into_owned(), counts)
}

enum Kind {
    Fnr,
    Phone,
}

/// What a digit run (with its spaces and country code) is, if personal.
fn classify(m: &str) -> Option<Kind> {
    let country = m.starts_with('+') || m.starts_with("0047");
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    let prefix = if m.starts_with('+') {
        2
    } else if country {
        4
    } else {
        0
    };
    let local = digits.get(prefix..).unwrap_or("");
    if !country && digits.len() == 11 && is_fnr(&digits) {
        Some(Kind::Fnr)
    } else if local.len() == 8 && is_phone(m, local, country) {
        Some(Kind::Phone)
    } else {
        None
    }
}

/// 11 digits whose two control digits pass the mod-11 checks and whose first six make a
/// plausible birth date (D-numbers add 40 to the day).
pub fn is_fnr(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 {
        return false;
    }
    let day = d[0] * 10 + d[1];
    let month = d[2] * 10 + d[3];
    let day_ok = (1..=31).contains(&day) || (41..=71).contains(&day);
    if !day_ok || !(1..=12).contains(&month) {
        return false;
    }
    let control = |weights: &[u32]| {
        let sum: u32 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            k => Some(k),
        }
    };
    control(&[3, 7, 6, 1, 8, 9, 4, 5, 2]) == Some(d[9])
        && control(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == Some(d[10])
}

/// A Norwegian phone number: 8 digits starting 2–9, written as one run or in the usual
/// groups (`12 34 56 78`, `123 45 678`), and not a date such as `20231231`.
fn is_phone(raw: &str, local: &str, country: bool) -> bool {
    if !local.starts_with(['2', '3', '4', '5', '6', '7', '8', '9']) {
        return false;
    }
    // Strip the country code once: `+4747412345` is +47 and then 47412345.
    let body = if country {
        raw.strip_prefix('+')
            .or_else(|| raw.strip_prefix("00"))
            .and_then(|r| r.strip_prefix("47"))
            .unwrap_or(raw)
    } else {
        raw
    };
    let groups: Vec<usize> = body
        .split([' ', '\u{a0}'])
        .filter(|g| !g.is_empty())
        .map(str::len)
        .collect();
    let grouped = matches!(groups.as_slice(), [8] | [2, 2, 2, 2] | [3, 2, 3] | [4, 4]);
    grouped && (country || groups.len() > 1 || !looks_like_date(local))
}

fn looks_like_date(d: &str) -> bool {
    let n = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let ymd = (1900..=2099).contains(&n(0..4)) && (1..=12).contains(&n(4..6)) && (1..=31).contains(&n(6..8));
    let dmy = (1..=31).contains(&n(0..2)) && (1..=12).contains(&n(2..4)) && (1900..=2099).contains(&n(4..8));
    ymd || dmy
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid fnr from a birth date and an individual number.
    fn make_fnr(date: &str, individual: &str) -> Option<String> {
        let mut d: Vec<u32> = format!("{date}{individual}")
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        for weights in [
            &[3, 7, 6, 1, 8, 9, 4, 5, 2][..],
            &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2][..],
        ] {
            let sum: u32 = weights.iter().zip(&d).map(|(w, x)| w * x).sum();
            match 11 - sum % 11 {
                10 => return None,
                11 => d.push(0),
                k => d.push(k),
            }
        }
        Some(d.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn masks_generated_fnr_and_d_numbers() {
        let mut found = 0;
        for (date, ind) in [
            ("010190", "123"),
            ("311299", "456"),
            ("450575", "010"),
            ("150884", "999"),
            ("290200", "500"),
        ] {
            if let Some(fnr) = make_fnr(date, ind) {
                assert!(is_fnr(&fnr), "{fnr}");
                let (masked, counts) = mask(&format!("mitt nummer er {fnr}."));
                assert_eq!(masked, "mitt nummer er [fnr].");
                assert_eq!(counts.fnr, 1);
                let hyphenated = format!("fnr {}-{}", &fnr[..6], &fnr[6..]);
                assert_eq!(mask(&hyphenated).0, "fnr [fnr]", "{hyphenated}");
                found += 1;
            }
        }
        assert!(found >= 3);
    }

    #[test]
    fn leaves_invalid_fnr_and_ordinary_numbers() {
        let fnr = (100..200)
            .find_map(|i| make_fnr("010190", &i.to_string()))
            .expect("valid");
        let mut broken: Vec<char> = fnr.chars().collect();
        broken[10] = if broken[10] == '9' {
            '0'
        } else {
            char::from(broken[10] as u8 + 1)
        };
        let broken: String = broken.into_iter().collect();
        for text in [
            broken.as_str(),
            "nesten 800 milliarder kroner",
            "i 2024 og 2025",
            "postnummer 0150 Oslo",
            "org.nr. 971 032 081",
            "971032081",
            "dato 20231231",
            "kr 12 000 000",
            "møtet 22.03.2024 og 2024-03-22",
            "versjon 1.12.34.56.78",
            "i 2024-2025",
            "trinn 2b",
            "1 kommune",
        ] {
            assert_eq!(mask(text), (text.to_string(), MaskCounts::default()), "{text}");
        }
    }

    #[test]
    fn masks_phone_numbers_in_usual_forms() {
        for text in [
            "ring 91234567",
            "ring 912 34 567",
            "ring +47 912 34 567",
            "ring 0047 91234567",
            "ring +4747412345",
            "ring 0047 47 41 23 45",
            "ring 22 33 44 55",
            "ring 22.33.44.55",
            "ring 474-12-345",
            "ring +47 22.33.44.55",
        ] {
            let (masked, counts) = mask(text);
            assert_eq!(masked, "ring [tlf]", "{text}");
            assert_eq!(counts.phone, 1);
        }
    }

    #[test]
    fn masks_a_phone_number_next_to_another_number() {
        let (masked, counts) = mask("ring 91234567 2024 eller 2024 41234567");
        assert_eq!(masked, "ring [tlf] 2024 eller 2024 [tlf]");
        assert_eq!(counts.phone, 2);
        let (masked, _) = mask("ring +47 912 34 567 i 2024");
        assert_eq!(masked, "ring [tlf] i 2024");
        let (masked, counts) = mask("kr 12 000 000 i 2024");
        assert_eq!(
            (masked.as_str(), counts),
            ("kr 12 000 000 i 2024", MaskCounts::default())
        );
    }

    #[test]
    fn masks_email_addresses() {
        let (masked, counts) = mask("Skriv til ola.nordmann@kommune.no eller per@ks.no!");
        assert_eq!(masked, "Skriv til [e-post] eller [e-post]!");
        assert_eq!(counts.email, 2);
    }
}
