//! Personal data masking, applied at ingest to every text stemme keeps (responses,
//! metadata cells, column headers, questions, labels, reject excerpts and details) so
//! that nothing downstream (corpus, index, reports) ever holds it:
//!
//! - national identity numbers and D-numbers (11 digits passing both mod-11 checks, with
//!   a plausible birth date; written as one run, `ddmmyy-nnnnn`, `ddmmyy nnnnn` or
//!   `dd.mm.yy nnnnn`; also the 10 digits a spreadsheet keeps when it drops the leading
//!   zero) become `[fnr]`;
//! - phone numbers become `[tlf]`: 8 digits starting 2–9, as one run or in the usual
//!   groups (`12 34 56 78`, `123 45 678`, `1234 5678`, `12.34.56.78`, `123-45-678`),
//!   with or without `+47`, `0047`, `(+47)` or a bare `47` in front (`4791234567`); any
//!   number written with `+` and a country code (8–15 digits); glued to a word such as
//!   `tlf`, `mob` or `nr` (`tlf91234567`, `nr.91234567`);
//! - e-mail addresses become `[e-post]`.
//!
//! Digits may be ASCII or full-width (`９１２３４５６７`); groups may be separated by a
//! space, a no-break or thin space, a hyphen (also the Unicode hyphens and dashes) or a
//! dot. A number glued to letters (`A12345678`, `v2`) or to other digits by a dot or
//! hyphen (`1.12.34.56.78`) is a code, not personal. Years, dates, times, amounts,
//! postal codes and organisation numbers stay: an 8-digit number followed by an amount
//! word (`kroner`, `kr`, `NOK`, `mill.`, `%`, …) or preceded by `kr`/`NOK` is an amount.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
        Regex::new(r"[\p{L}\p{N}._%+\-]+[@＠][\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}")
            .expect("static regex")
    })
}

/// Words that may be glued to a phone or identity number (`tlf91234567`, `nr.12345678`).
const NUMBER_WORDS: &[&str] = &[
    "tlf",
    "tel",
    "telefon",
    "telefonnr",
    "tlfnr",
    "mob",
    "mobil",
    "mobilnr",
    "mobnr",
    "nr",
    "nummer",
    "ring",
    "sms",
    "fnr",
    "pnr",
    "dnr",
    "personnr",
    "personnummer",
    "fødselsnr",
    "fødselsnummer",
    "phone",
    "mobile",
    "no",
];

/// Words after (or before) an 8-digit number that make it an amount or a count.
const AMOUNT_WORDS: &[&str] = &[
    "kr",
    "kr.",
    "kroner",
    "krone",
    "nok",
    "mill",
    "mill.",
    "millioner",
    "million",
    "mrd",
    "mrd.",
    "milliarder",
    "milliard",
    "euro",
    "eur",
    "usd",
    "dollar",
    "sek",
    "dkk",
    "prosent",
    "%",
    "innbyggere",
    "personer",
    "tonn",
    "km",
    "meter",
    "kwh",
    "mwh",
    "gwh",
    "liter",
    "timer",
    "årsverk",
    "elever",
    "pasienter",
    "brukere",
    "stemmer",
    "besøkende",
];

/// The value of a decimal digit: ASCII, full-width, Arabic-Indic or mathematical.
fn digit(c: char) -> Option<u8> {
    let v = match c {
        '0'..='9' => c as u32 - '0' as u32,
        '\u{ff10}'..='\u{ff19}' => c as u32 - 0xff10,
        '\u{660}'..='\u{669}' => c as u32 - 0x660,
        '\u{6f0}'..='\u{6f9}' => c as u32 - 0x6f0,
        '\u{1d7ce}'..='\u{1d7ff}' => (c as u32 - 0x1d7ce) % 10,
        _ => return None,
    };
    Some(v as u8)
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{200a}' | '\u{202f}' | '\u{2002}'
            ..='\u{2006}' | '\u{3000}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2013}' | '\u{2212}' | '\u{ff0d}')
}

/// One run of digits in groups, as found in the text (byte offsets).
#[derive(Debug)]
struct Group {
    start: usize,
    end: usize,
    digits: String,
    /// The separator before this group (`None` for the first): a space, dash or dot.
    before: Option<char>,
}

/// A number that starts with `+`, `(+47)` or similar: the byte offset of that start.
struct Run {
    start: usize,
    plus: bool,
    groups: Vec<Group>,
}

/// Masks personal data in `text`, returning the masked text and the counts.
pub fn mask(text: &str) -> (String, MaskCounts) {
    mask_cow(Cow::Borrowed(text))
}

/// [`mask`], taking the text by value: a text with nothing to mask is returned as it is,
/// not copied.
pub fn mask_owned(text: String) -> (String, MaskCounts) {
    mask_cow(Cow::Owned(text))
}

fn mask_cow(text: Cow<'_, str>) -> (String, MaskCounts) {
    let mut counts = MaskCounts::default();
    let text = if text.contains(['@', '＠']) {
        let masked = email_re().replace_all(&text, |_: &regex::Captures| {
            counts.email += 1;
            "[e-post]"
        });
        Cow::Owned(masked.into_owned())
    } else {
        text
    };
    if !text.chars().any(|c| digit(c).is_some()) {
        return (text.into_owned(), counts);
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < chars.len() {
        let Some((run, next)) = scan_run(&text, &chars, i) else {
            i += 1;
            continue;
        };
        for (start, end, kind) in personal_spans(&text, &run) {
            out.push_str(&text[copied..start]);
            out.push_str(match kind {
                Kind::Fnr => {
                    counts.fnr += 1;
                    "[fnr]"
                }
                Kind::Phone => {
                    counts.phone += 1;
                    "[tlf]"
                }
            });
            copied = end;
        }
        i = next;
    }
    if copied == 0 {
        // Digits, but none of them personal data: the text as it is.
        return (text.into_owned(), counts);
    }
    out.push_str(&text[copied..]);
    (out, counts)
}

/// Reads the digit groups starting at char `i` (a digit, or `+`/`(` before one);
/// returns the run and the char index after it.
fn scan_run(text: &str, chars: &[(usize, char)], i: usize) -> Option<(Run, usize)> {
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let byte = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
    let mut k = i;
    let mut plus = false;
    // `(+47)`, `+47`, `＋47`, `+ 47`.
    if at(k) == Some('(') && matches!(at(k + 1), Some('+' | '＋')) {
        k += 1;
    }
    if matches!(at(k), Some('+' | '＋')) {
        plus = true;
        k += 1;
        if at(k).is_some_and(is_space) {
            k += 1;
        }
    }
    at(k).and_then(digit)?;
    let start = byte(i);
    let mut groups: Vec<Group> = Vec::new();
    let mut before = None;
    loop {
        let g_start = k;
        let mut digits = String::new();
        while let Some(d) = at(k).and_then(digit) {
            digits.push(char::from(b'0' + d));
            k += 1;
        }
        groups.push(Group {
            start: byte(g_start),
            end: byte(k),
            digits,
            before,
        });
        // `(+47) 912…`: the closing parenthesis belongs to the country code.
        let mut s = k;
        if plus && groups.len() == 1 && at(s) == Some(')') {
            s += 1;
        }
        // The separator to the next group: one or two spaces, or one dash or dot.
        let (sep, len) = match at(s) {
            Some(c) if is_space(c) => (' ', 1 + usize::from(at(s + 1).is_some_and(is_space))),
            Some(c) if is_dash(c) || c == '.' => (c, 1),
            _ => break,
        };
        if at(s + len).and_then(digit).is_none() || groups.len() >= 16 {
            break;
        }
        before = Some(sep);
        k = s + len;
    }
    Some((Run { start, plus, groups }, k))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fnr,
    Phone,
}

/// The personal numbers inside a run, as (start, end, kind) byte spans in order. Spans
/// are whole groups; a run splits into several numbers only at spaces.
fn personal_spans(text: &str, run: &Run) -> Vec<(usize, usize, Kind)> {
    let groups = &run.groups;
    let mut found = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        // A span may start here only after a space (or at the run's start).
        let startable = i == 0 || groups[i].before == Some(' ');
        let hit = startable
            .then(|| {
                (i + 1..=groups.len().min(i + 6)).rev().find_map(|j| {
                    let ends_clean = j == groups.len() || groups[j].before == Some(' ');
                    if !ends_clean {
                        return None;
                    }
                    let start = if i == 0 { run.start } else { groups[i].start };
                    let end = groups[j - 1].end;
                    let plus = i == 0 && run.plus;
                    // Only an ungrouped run can be an amount (`98982602 kroner`).
                    let amount_like = !plus && j - i == 1;
                    classify(&groups[i..j], plus)
                        .filter(|&kind| free_standing(text, start, end, kind, amount_like))
                        .map(|kind| (j, start, end, kind))
                })
            })
            .flatten();
        match hit {
            Some((j, start, end, kind)) => {
                found.push((start, end, kind));
                i = j;
            }
            None => i += 1,
        }
    }
    found
}

/// What the digit groups `g` are, if personal.
fn classify(g: &[Group], plus: bool) -> Option<Kind> {
    let digits: String = g.iter().map(|x| x.digits.as_str()).collect();
    let lens: Vec<usize> = g.iter().map(|x| x.digits.len()).collect();
    let phone_body =
        |local: &str| local.len() == 8 && local.starts_with(['2', '3', '4', '5', '6', '7', '8', '9']);
    if plus {
        if let Some(local) = digits.strip_prefix("47") {
            return phone_body(local).then_some(Kind::Phone);
        }
        return (8..=15).contains(&digits.len()).then_some(Kind::Phone);
    }
    if let Some(local) = digits.strip_prefix("0047") {
        if lens[0] <= 4 || lens[0] == 12 {
            return phone_body(local).then_some(Kind::Phone);
        }
    }
    // `4791234567` or `47 912 34 567`: the country code without `+`.
    if digits.len() == 10 && (lens == [10] || lens[0] == 2) {
        if let Some(local) = digits.strip_prefix("47") {
            if phone_body(local) && (lens == [10] || phone_grouping(&lens[1..])) {
                return Some(Kind::Phone);
            }
        }
    }
    let fnr_grouping = matches!(lens.as_slice(), [11] | [6, 5] | [2, 2, 2, 5] | [6, 3, 2]);
    if digits.len() == 11 && fnr_grouping && is_fnr(&digits) {
        return Some(Kind::Fnr);
    }
    // A spreadsheet that stored an fnr as a number dropped its leading zero.
    if lens == [10] && is_fnr(&format!("0{digits}")) {
        return Some(Kind::Fnr);
    }
    // One kind of separator throughout: `20.00-22.00` is a time span, not a number.
    let seps: Vec<char> = g.iter().skip(1).filter_map(|x| x.before).collect();
    let uniform = seps.windows(2).all(|w| w[0] == w[1]);
    if phone_body(&digits) && phone_grouping(&lens) && uniform {
        let years = lens == [4, 4] && g.iter().all(|x| is_year(&x.digits));
        let date = lens == [8] && looks_like_date(&digits);
        return (!years && !date).then_some(Kind::Phone);
    }
    None
}

/// The ways Norwegians group the eight digits of a phone number.
fn phone_grouping(lens: &[usize]) -> bool {
    matches!(lens, [8] | [2, 2, 2, 2] | [3, 2, 3] | [4, 4] | [3, 3, 2])
}

fn is_year(d: &str) -> bool {
    d.parse::<u32>().is_ok_and(|y| (1900..=2099).contains(&y))
}

/// True when the number at `start..end` stands alone: not glued to letters (unless a
/// word such as `tlf`), not part of a longer number, and (for a phone number written as
/// one run of digits, `amount_like`) not an amount.
fn free_standing(text: &str, start: usize, end: usize, kind: Kind, amount_like: bool) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    let mut prev = before.chars().rev();
    let glued_before = match prev.next() {
        Some(c) if c.is_alphabetic() => {
            let word: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            !NUMBER_WORDS.contains(&word.to_lowercase().as_str())
        }
        // `1.12.34.56.78`: part of a longer number.
        Some(c) if c == '.' || c == ',' || is_dash(c) || c == ':' => {
            prev.next().is_some_and(|p| digit(p).is_some())
        }
        Some(c) => digit(c).is_some() || c == '_',
        None => false,
    };
    let mut next = after.chars();
    let glued_after = match next.next() {
        Some(c) if c.is_alphanumeric() || c == '_' || c == '%' || c == '‰' => true,
        Some(c) if c == '.' || c == ',' || is_dash(c) => next.next().is_some_and(|n| digit(n).is_some()),
        _ => false,
    };
    if glued_before || glued_after {
        return false;
    }
    if kind == Kind::Phone && amount_like && (amount_word_after(after) || amount_word_before(before)) {
        return false;
    }
    true
}

fn amount_word_after(after: &str) -> bool {
    // `12345678,-` is how prices are written.
    if after.starts_with(",-") || after.starts_with(",–") {
        return true;
    }
    let rest = after.trim_start_matches(is_space);
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '%' || *c == '.')
        .collect::<String>()
        .to_lowercase();
    let bare = word.trim_end_matches('.');
    AMOUNT_WORDS.contains(&word.as_str()) || AMOUNT_WORDS.contains(&bare)
}

fn amount_word_before(before: &str) -> bool {
    let rest = before.trim_end_matches(is_space).trim_end_matches(':');
    let word: String = rest
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    matches!(
        word.trim_end_matches('.'),
        "kr" | "nok" | "kroner" | "beløp" | "eur" | "usd" | "sek"
    )
}

/// The start of `raw`, at most `max` characters, with personal data masked. The text is
/// cut back to a space before anything digit-like or e-mail-like at the cut, then
/// masked, so a cut never leaves part of a number or address unmasked.
pub fn excerpt(raw: &str, max: usize) -> String {
    let cut = match raw.char_indices().nth(max.saturating_mul(4)) {
        None => raw,
        Some((end, _)) => {
            let head = &raw[..end];
            let word_start = head.rfind(char::is_whitespace).unwrap_or(0);
            head[..word_start].trim_end_matches(|c: char| {
                digit(c).is_some()
                    || is_space(c)
                    || is_dash(c)
                    || c.is_whitespace()
                    || matches!(c, '.' | '+' | '(' | ')')
            })
        }
    };
    mask(cut).0.chars().take(max).collect()
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

/// An 8-digit run that reads as a date (`20231231`, `31122023`).
fn looks_like_date(d: &str) -> bool {
    let n = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let ymd = (1900..=2099).contains(&n(0..4)) && (1..=12).contains(&n(4..6)) && (1..=31).contains(&n(6..8));
    let dmy = (1..=31).contains(&n(0..2)) && (1..=12).contains(&n(2..4)) && (1900..=2099).contains(&n(4..8));
    ymd || dmy
}

/// Builds a valid fnr (or D-number) from a birth date `ddmmyy` and a three-digit
/// individual number; `None` when no control digit exists for that combination.
pub fn make_fnr(date: &str, individual: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
                let before_stop = format!("Fnr: {}-{}.", &fnr[..6], &fnr[6..]);
                assert_eq!(mask(&before_stop).0, "Fnr: [fnr].", "{before_stop}");
                found += 1;
            }
        }
        assert!(found >= 3);
    }

    #[test]
    fn an_fnr_that_lost_its_leading_zero_is_masked() {
        let fnr = (100..200)
            .find_map(|i| make_fnr("010190", &i.to_string()))
            .expect("valid");
        assert_eq!(mask(&fnr[1..]).0, "[fnr]");
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
            "i 2024 2025",
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
            "98982602 kroner",
            "91234567 kr",
            "kr 91234567",
            "NOK 41234567,-",
            "budsjett 45 000 000",
            "A12345678",
            "konto 1234.56.78903",
            "kl. 12.30",
            "kl. 20.00-22.00",
            "pris 91234567,- eks. mva",
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
            "ring +47-912-34-567",
            "ring 912\u{2009}34\u{2009}567",
            "ring 912\u{a0}34\u{a0}567",
            "ring 4791234567",
            "ring (+47) 912 34 567",
            "ring ９１２３４５６７",
            "ring +46 70 123 45 67",
        ] {
            let (masked, counts) = mask(text);
            assert_eq!(masked, "ring [tlf]", "{text}");
            assert_eq!(counts.phone, 1, "{text}");
        }
        assert_eq!(mask("tlf91234567").0, "tlf[tlf]");
        assert_eq!(mask("Tlf.nr.91234567.").0, "Tlf.nr.[tlf].");
        assert_eq!(mask("mob:912 34 567, takk").0, "mob:[tlf], takk");
        assert_eq!(mask("91234567/22334455").0, "[tlf]/[tlf]");
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
    fn excerpts_are_masked_before_they_are_cut() {
        let long = format!("{} ring 912 34 567 eller ola@example.no", "ord ".repeat(78));
        for max in 60..long.chars().count() / 4 + 20 {
            let e = excerpt(&long, max);
            assert!(
                !e.contains("567") && !e.contains("912") && !e.contains("ola@"),
                "{max}: {e}"
            );
        }
        assert_eq!(excerpt("ring 91234567", 80), "ring [tlf]");
    }

    #[test]
    fn masks_email_addresses() {
        let (masked, counts) = mask("Skriv til ola.nordmann@kommune.no eller per@ks.no!");
        assert_eq!(masked, "Skriv til [e-post] eller [e-post]!");
        assert_eq!(counts.email, 2);
    }
}
