//! Known survey exports, recognised by their header rows so their columns can be mapped
//! without guessing: Mentimeter XLSX (`Voter`, `<question>: Answer`), Microsoft Forms
//! (Norwegian and English), SurveyMonkey (two header rows), Nettskjema (`$submission_id`),
//! Google Forms (`Tidsmerke`/`Timestamp` first). Each export says which columns are
//! metadata, which hold the respondent id, and which carry personal data (e-mail, name,
//! IP address) that is not copied into the corpus unless the user asks for it.

/// A recognised export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    MentimeterXlsx,
    MicrosoftForms,
    SurveyMonkey,
    Nettskjema,
    GoogleForms,
}

/// What a column is, as far as the export (or its name) tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Free text by definition (Mentimeter answer columns, SurveyMonkey open-ended).
    Text,
    /// Metadata by definition (timestamps, session, collector).
    Meta,
    /// The respondent id: metadata, and the key for duplicate rows.
    Respondent,
    /// Personal data: e-mail, name, IP address.
    Personal,
    /// Not known: decided by what the column contains.
    Content,
}

impl Export {
    /// The name shown in the detected format and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Export::MentimeterXlsx => "mentimeter-xlsx",
            Export::MicrosoftForms => "microsoft-forms",
            Export::SurveyMonkey => "surveymonkey",
            Export::Nettskjema => "nettskjema",
            Export::GoogleForms => "google-forms",
        }
    }

    /// Number of header rows (SurveyMonkey has the question, then the answer type).
    pub fn header_rows(self) -> usize {
        match self {
            Export::SurveyMonkey => 2,
            _ => 1,
        }
    }

    /// The question a column answers (Mentimeter: the header without `: Answer`).
    pub fn question(self, header: &str) -> String {
        match self {
            Export::MentimeterXlsx => header
                .strip_suffix(": Answer")
                .unwrap_or(header)
                .trim()
                .to_string(),
            _ => header.to_string(),
        }
    }

    /// What the export says about the column called `header` (its second header row is
    /// `sub`, SurveyMonkey only).
    pub fn hint(self, header: &str, sub: &str) -> Hint {
        let h = header.trim().to_lowercase();
        let is = |names: &[&str]| names.contains(&h.as_str());
        match self {
            Export::MentimeterXlsx if header.ends_with(": Answer") => Hint::Text,
            Export::MentimeterXlsx if is(&["voter"]) => Hint::Respondent,
            Export::MentimeterXlsx if is(&["date (utc)", "session"]) => Hint::Meta,
            Export::MicrosoftForms if is(&["id"]) => Hint::Respondent,
            Export::MicrosoftForms
                if is(&[
                    "start time",
                    "starttidspunkt",
                    "completion time",
                    "fullføringstidspunkt",
                    "last modified time",
                    "tidspunkt for siste endring",
                ]) =>
            {
                Hint::Meta
            }
            Export::SurveyMonkey if is(&["respondent id"]) => Hint::Respondent,
            Export::SurveyMonkey
                if is(&["collector id", "start date", "end date"]) || h.starts_with("custom data") =>
            {
                Hint::Meta
            }
            Export::SurveyMonkey if sub.trim() == "Open-Ended Response" => Hint::Text,
            Export::Nettskjema if is(&["$submission_id"]) => Hint::Respondent,
            Export::Nettskjema if h.starts_with('$') => Hint::Meta,
            Export::GoogleForms if is(&["timestamp", "tidsmerke", "tidsstempel", "score", "poengsum"]) => {
                Hint::Meta
            }
            _ if is_personal(header) => Hint::Personal,
            _ => Hint::Content,
        }
    }
}

/// Column names that hold personal data in any table: e-mail, names, IP address.
pub fn is_personal(header: &str) -> bool {
    const NAMES: [&str; 20] = [
        "e-post",
        "epost",
        "e-postadresse",
        "epostadresse",
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "navn",
        "name",
        "fullt navn",
        "full name",
        "fornavn",
        "etternavn",
        "first name",
        "last name",
        "ip address",
        "ip-adresse",
        "ip",
        "ip-address",
    ];
    NAMES.contains(&header.trim().to_lowercase().as_str())
}

/// Recognises an export from its (first) header row and the row after it.
pub fn recognise(header: &[String], next: Option<&[String]>) -> Option<Export> {
    let has = |name: &str| header.iter().any(|h| h.trim().eq_ignore_ascii_case(name));
    let first = header
        .first()
        .map(|h| h.trim().to_lowercase())
        .unwrap_or_default();
    if has("Voter") && header.iter().any(|h| h.ends_with(": Answer")) {
        Some(Export::MentimeterXlsx)
    } else if first == "id"
        && (has("Start time") || has("Starttidspunkt"))
        && (has("Completion time") || has("Fullføringstidspunkt"))
    {
        Some(Export::MicrosoftForms)
    } else if has("Respondent ID")
        && next.is_some_and(|n| {
            n.iter()
                .any(|c| c.trim() == "Response" || c.trim() == "Open-Ended Response")
        })
    {
        Some(Export::SurveyMonkey)
    } else if has("$submission_id") {
        Some(Export::Nettskjema)
    } else if ["timestamp", "tidsmerke", "tidsstempel"].contains(&first.as_str()) {
        Some(Export::GoogleForms)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn recognises_each_export_by_its_headers() {
        let forms = row(&[
            "ID",
            "Starttidspunkt",
            "Fullføringstidspunkt",
            "E-postadresse",
            "Navn",
            "Hva?",
        ]);
        assert_eq!(recognise(&forms, None), Some(Export::MicrosoftForms));
        assert_eq!(Export::MicrosoftForms.hint("E-postadresse", ""), Hint::Personal);
        assert_eq!(Export::MicrosoftForms.hint("ID", ""), Hint::Respondent);
        assert_eq!(Export::MicrosoftForms.hint("Hva?", ""), Hint::Content);
        let menti = row(&["Date (UTC)", "Session", "Voter", "Hva tenker du?: Answer"]);
        assert_eq!(recognise(&menti, None), Some(Export::MentimeterXlsx));
        assert_eq!(
            Export::MentimeterXlsx.question("Hva tenker du?: Answer"),
            "Hva tenker du?"
        );
        let monkey = row(&["Respondent ID", "IP Address", "Hva?"]);
        assert_eq!(
            recognise(&monkey, Some(&row(&["", "", "Response"]))),
            Some(Export::SurveyMonkey)
        );
        assert_eq!(recognise(&monkey, Some(&row(&["1", "", "x"]))), None);
        assert_eq!(Export::SurveyMonkey.hint("IP Address", ""), Hint::Personal);
        assert_eq!(
            recognise(&row(&["$submission_id", "$created", "Svar"]), None),
            Some(Export::Nettskjema)
        );
        assert_eq!(Export::Nettskjema.hint("$created", ""), Hint::Meta);
        assert_eq!(
            recognise(&row(&["Tidsmerke", "Svar"]), None),
            Some(Export::GoogleForms)
        );
        assert_eq!(recognise(&row(&["id", "svar"]), None), None);
    }
}
