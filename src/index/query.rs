//! The query language, read the way people type: any text is a query. Words, `"phrases"`,
//! `AND`/`OR`/`NOT`, `+`/`-`, `(groups)`, `field:value`, `field:"a phrase"`,
//! `field:(a OR b)` and number ranges (`line:[30 TO 40]`, `line:>=30`) are syntax only where
//! they are well-formed; everything else reads as words. So `Star Wars: Despecialized` is
//! three words (`Wars:` names no field), `O'Rourke` and `Harmy's` are words, a lone `(` or
//! `"` is ignored, and `AND` with nothing on one side is the word *and*.
//!
//! Precedence, tightest first: `NOT`/`-`/`+`, `AND`, `OR`, then words side by side (which
//! all must match, or with `--any` any may). So `innkjøp OR anskaffelse kommune` needs
//! `kommune` and one of the other two, and `a AND NOT b` is `a` without `b`.
//!
//! The parser knows the field names but not the index: [`super::search`] turns the
//! [`Node`] tree into a tantivy query (analysing the words, checking `meta.` columns).
//! Parentheses nested deeper than [`MAX_DEPTH`] are refused, so no query can exhaust the
//! stack; everything else is parsed in loops.

use std::ops::Bound;

/// Deepest nesting of parentheses accepted.
pub const MAX_DEPTH: usize = 32;

/// How a field's values are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Exact, case-insensitive values (`scope:local`, `source:svar.csv`).
    Keyword,
    /// Text run through the Norwegian analyzer (`theme:`, `label:`, `question:`).
    Analysed,
    /// Whole numbers, with ranges (`line:[30 TO 40]`).
    Number,
}

/// The named fields a query may filter on (besides `meta.<column>`).
pub const FIELDS: &[(&str, FieldKind)] = &[
    ("scope", FieldKind::Keyword),
    ("kind", FieldKind::Keyword),
    ("source", FieldKind::Keyword),
    ("collection", FieldKind::Keyword),
    ("id", FieldKind::Keyword),
    ("theme", FieldKind::Analysed),
    ("label", FieldKind::Analysed),
    ("question", FieldKind::Analysed),
    ("line", FieldKind::Number),
    ("theme_id", FieldKind::Number),
];

/// Where words are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The response text (whole words and compound parts).
    Text,
    /// A named field of [`FIELDS`].
    Field(&'static str, FieldKind),
    /// `meta.<column>`: a metadata column, matched exactly.
    Meta(String),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// What was typed as one word (`kommune`, `tverr-kommunalt`, `O'Rourke`).
    Words(Target, String),
    /// A quoted phrase.
    Phrase(Target, String),
    /// A number or a range of numbers in a number field.
    Range(&'static str, Bound<u64>, Bound<u64>),
    /// `*`: every response.
    All,
    /// Items side by side: each must match (or, with `--any`, may), unless marked.
    Seq(Vec<Node>),
    /// `a AND b`: all must match.
    And(Vec<Node>),
    /// `a OR b`: one must match.
    Or(Vec<Node>),
    /// `NOT a`, `-a`: must not match.
    Not(Box<Node>),
    /// `+a`: must match even with `--any`.
    Must(Box<Node>),
}

/// Why a query cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// Parentheses nested deeper than [`MAX_DEPTH`].
    TooDeep(usize),
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::TooDeep(depth) => write!(
                f,
                "parentheses nested {depth} deep; at most {MAX_DEPTH} levels are supported"
            ),
        }
    }
}

/// One lexical unit.
#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Open,
    Close,
    Phrase(&'a str),
    /// A run of characters without white space, parentheses or quotes.
    Chunk(&'a str),
    Range(&'static str, Bound<u64>, Bound<u64>),
    And,
    Or,
    Not,
    Plus,
    Minus,
}

/// A token and whether it touches the one before (no white space between).
#[derive(Debug, Clone, PartialEq)]
struct Lexed<'a> {
    tok: Tok<'a>,
    glued: bool,
}

fn field_kind(name: &str) -> Option<(&'static str, FieldKind)> {
    FIELDS.iter().copied().find(|(n, _)| *n == name)
}

/// `name:` at the start of a chunk: the target and the rest. `None` when the prefix names
/// no field (`Wars:`), so the chunk is words.
fn field_prefix(chunk: &str) -> Option<(Target, &str)> {
    let (name, value) = chunk.split_once(':')?;
    if let Some(key) = name.strip_prefix("meta.") {
        let ok = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_');
        return ok.then(|| (Target::Meta(key.to_string()), value));
    }
    let (name, kind) = field_kind(name)?;
    Some((Target::Field(name, kind), value))
}

/// A number range written from `at` in `query` (`line:[30 TO 40]`, `{* TO 5]`): the token
/// and its length in bytes.
fn range_at(query: &str, at: usize) -> Option<(Tok<'static>, usize)> {
    let rest = query.get(at..)?;
    // Only a number field's name followed by `:[` or `:{` can start a range. Checking that
    // first spares every other query compiling the pattern (about a twentieth of a
    // query's time on a 1M-response index).
    let name = rest
        .bytes()
        .take_while(|&b| b.is_ascii_lowercase() || b == b'_')
        .count();
    let (_, FieldKind::Number) = field_kind(&rest[..name])? else {
        return None;
    };
    if !matches!(rest.as_bytes().get(name..name + 2), Some([b':', b'[' | b'{'])) {
        return None;
    }
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"^([a-z_]+):([\[{])\s*(\*|\d+)\s+TO\s+(\*|\d+)\s*([\]}])").expect("static regex")
    });
    let cap = re.captures(rest)?;
    let (name, FieldKind::Number) = field_kind(&cap[1])? else {
        return None;
    };
    let bound = |n: &str, inclusive: bool| -> Option<Bound<u64>> {
        if n == "*" {
            return Some(Bound::Unbounded);
        }
        let n = n.parse().ok()?;
        Some(if inclusive {
            Bound::Included(n)
        } else {
            Bound::Excluded(n)
        })
    };
    let lower = bound(&cap[3], &cap[2] == "[")?;
    let upper = bound(&cap[4], &cap[5] == "]")?;
    Some((Tok::Range(name, lower, upper), cap[0].len()))
}

/// The query's tokens. Quotes pair up left to right (an odd last one is ignored);
/// parentheses outside quotes count only when they pair up.
fn lex(query: &str) -> Result<Vec<Lexed<'_>>, QueryError> {
    let quotes: Vec<usize> = query.match_indices('"').map(|(i, _)| i).collect();
    let paired_quotes = quotes.len() / 2 * 2;
    // Which parentheses pair up, and how deep they nest.
    let mut matched = vec![false; query.len()];
    let mut stack = Vec::new();
    let mut depth = 0;
    let mut q = 0;
    for (i, c) in query.char_indices() {
        match c {
            '"' if q < paired_quotes => q += 1,
            _ if q % 2 == 1 => {}
            '(' => stack.push(i),
            ')' => {
                if let Some(open) = stack.pop() {
                    depth = depth.max(stack.len() + 1);
                    matched[open] = true;
                    matched[i] = true;
                }
            }
            _ => {}
        }
    }
    if depth > MAX_DEPTH {
        return Err(QueryError::TooDeep(depth));
    }
    let mut out = Vec::new();
    let mut glued = false;
    let mut quote = 0;
    let mut i = 0;
    let bytes = query.as_bytes();
    while i < query.len() {
        let Some(c) = query[i..].chars().next() else {
            break;
        };
        let mut push = |tok| {
            out.push(Lexed { tok, glued });
        };
        if c == '"' {
            let is_open = quote + 1 < paired_quotes;
            quote += 1;
            if is_open {
                let end = quotes[quote];
                quote += 1;
                push(Tok::Phrase(&query[i + 1..end]));
                i = end + 1;
                glued = true;
            } else {
                i += 1;
                glued = false;
            }
            continue;
        }
        if c == '(' || c == ')' {
            if matched[i] {
                push(if c == '(' { Tok::Open } else { Tok::Close });
                glued = c == '(';
            } else {
                glued = false;
            }
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += c.len_utf8();
            glued = false;
            continue;
        }
        if let Some((tok, len)) = range_at(query, i) {
            push(tok);
            i += len;
            glued = true;
            continue;
        }
        let end = query[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '(' | ')'))
            .map_or(query.len(), |n| i + n);
        let mut chunk = &query[i..end];
        i = end;
        // Leading + and - mark what follows, when something follows without a space.
        while let Some(rest) = chunk.strip_prefix(['+', '-']) {
            let follows = !rest.is_empty() || matches!(bytes.get(end), Some(b'"' | b'('));
            if !follows {
                break;
            }
            out.push(Lexed {
                tok: if chunk.starts_with('+') {
                    Tok::Plus
                } else {
                    Tok::Minus
                },
                glued,
            });
            glued = true;
            chunk = rest;
        }
        if !chunk.is_empty() {
            let tok = match chunk {
                "AND" | "&&" => Tok::And,
                "OR" | "||" => Tok::Or,
                "NOT" => Tok::Not,
                _ => Tok::Chunk(chunk),
            };
            out.push(Lexed { tok, glued });
        }
        glued = true;
    }
    Ok(out)
}

/// Recursive descent over the tokens; recursion only through matched parentheses.
struct Parser<'a> {
    toks: Vec<Lexed<'a>>,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self, ahead: usize) -> Option<&Tok<'a>> {
        self.toks.get(self.at + ahead).map(|l| &l.tok)
    }

    fn glued(&self, ahead: usize) -> bool {
        self.toks.get(self.at + ahead).is_some_and(|l| l.glued)
    }

    /// Whether the token `ahead` can start an operand.
    fn operand_at(&self, ahead: usize) -> bool {
        matches!(
            self.peek(ahead),
            Some(
                Tok::Open
                    | Tok::Phrase(_)
                    | Tok::Chunk(_)
                    | Tok::Range(..)
                    | Tok::Not
                    | Tok::Plus
                    | Tok::Minus
            )
        )
    }

    /// Items side by side, up to the end or the `)` closing this group.
    fn seq(&mut self, target: &Target) -> Node {
        let mut items = Vec::new();
        while let Some(tok) = self.peek(0) {
            if *tok == Tok::Close {
                self.at += 1;
                break;
            }
            items.push(self.or(target));
        }
        Node::Seq(items)
    }

    fn or(&mut self, target: &Target) -> Node {
        let mut items = vec![self.and(target)];
        while self.peek(0) == Some(&Tok::Or) && self.operand_at(1) {
            self.at += 1;
            items.push(self.and(target));
        }
        if items.len() == 1 {
            items.pop().unwrap_or(Node::Seq(Vec::new()))
        } else {
            Node::Or(items)
        }
    }

    fn and(&mut self, target: &Target) -> Node {
        let mut items = vec![self.unary(target)];
        while self.peek(0) == Some(&Tok::And) && self.operand_at(1) {
            self.at += 1;
            items.push(self.unary(target));
        }
        if items.len() == 1 {
            items.pop().unwrap_or(Node::Seq(Vec::new()))
        } else {
            Node::And(items)
        }
    }

    /// Prefixes (`NOT`, `-`, `+`) and what they apply to. `NOT` with nothing after it is
    /// the word.
    fn unary(&mut self, target: &Target) -> Node {
        let (mut not, mut must) = (false, false);
        loop {
            match self.peek(0) {
                Some(Tok::Not) if self.operand_at(1) => not = !not,
                Some(Tok::Minus) => not = !not,
                Some(Tok::Plus) => must = true,
                _ => break,
            }
            self.at += 1;
        }
        let node = self.primary(target);
        if not {
            Node::Not(Box::new(node))
        } else if must {
            Node::Must(Box::new(node))
        } else {
            node
        }
    }

    fn primary(&mut self, target: &Target) -> Node {
        let Some(tok) = self.peek(0).cloned() else {
            return Node::Seq(Vec::new());
        };
        self.at += 1;
        match tok {
            Tok::Open => self.seq(target),
            Tok::Phrase(text) => Node::Phrase(target.clone(), text.to_string()),
            Tok::Range(name, lower, upper) => Node::Range(name, lower, upper),
            Tok::Chunk("*") => Node::All,
            Tok::Chunk(chunk) => self.chunk(target, chunk),
            // Operators where no operand allows them are words.
            Tok::And => Node::Words(target.clone(), "AND".into()),
            Tok::Or => Node::Words(target.clone(), "OR".into()),
            Tok::Not => Node::Words(target.clone(), "NOT".into()),
            Tok::Plus | Tok::Minus | Tok::Close => Node::Seq(Vec::new()),
        }
    }

    /// A chunk: `field:value`, `field:` before a phrase or group, or words.
    fn chunk(&mut self, target: &Target, chunk: &'a str) -> Node {
        let field = (*target == Target::Text).then(|| field_prefix(chunk)).flatten();
        let Some((field, value)) = field else {
            return Node::Words(target.clone(), chunk.to_string());
        };
        if value.is_empty() {
            return match self.peek(0) {
                Some(Tok::Phrase(text)) if self.glued(0) => {
                    let node = Node::Phrase(field, text.to_string());
                    self.at += 1;
                    node
                }
                Some(Tok::Open) if self.glued(0) => {
                    self.at += 1;
                    self.seq(&field)
                }
                _ => Node::Words(Target::Text, chunk.to_string()),
            };
        }
        match field {
            Target::Field(name, FieldKind::Number) => {
                number_value(name, value).unwrap_or_else(|| Node::Words(Target::Text, chunk.to_string()))
            }
            field => Node::Words(field, value.to_string()),
        }
    }
}

/// `30`, `>=30`, `>30`, `<=30`, `<30` as a range; `None` when it is not a number.
fn number_value(name: &'static str, value: &str) -> Option<Node> {
    let (lower, upper) = if let Some(n) = value.strip_prefix(">=") {
        (Bound::Included(n.parse().ok()?), Bound::Unbounded)
    } else if let Some(n) = value.strip_prefix('>') {
        (Bound::Excluded(n.parse().ok()?), Bound::Unbounded)
    } else if let Some(n) = value.strip_prefix("<=") {
        (Bound::Unbounded, Bound::Included(n.parse().ok()?))
    } else if let Some(n) = value.strip_prefix('<') {
        (Bound::Unbounded, Bound::Excluded(n.parse().ok()?))
    } else {
        let n = value.parse().ok()?;
        (Bound::Included(n), Bound::Included(n))
    };
    Some(Node::Range(name, lower, upper))
}

/// Parses what a person typed.
pub fn parse(query: &str) -> Result<Node, QueryError> {
    let mut parser = Parser {
        toks: lex(query)?,
        at: 0,
    };
    // Parentheses pair up, so the outermost sequence reads every token.
    Ok(parser.seq(&Target::Text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Node {
        Node::Words(Target::Text, text.to_string())
    }

    fn seq(items: Vec<Node>) -> Node {
        Node::Seq(items)
    }

    fn p(query: &str) -> Node {
        parse(query).expect("parses")
    }

    #[test]
    fn text_as_people_write_it_is_words() {
        assert_eq!(
            p("Star Wars: Despecialized"),
            seq(vec![words("Star"), words("Wars:"), words("Despecialized")])
        );
        assert_eq!(
            p("O'Rourke Harmy's"),
            seq(vec![words("O'Rourke"), words("Harmy's")])
        );
        assert_eq!(p("foo:bar"), seq(vec![words("foo:bar")]));
        assert_eq!(p("AND ("), seq(vec![words("AND")]));
        assert_eq!(p("a AND"), seq(vec![words("a"), words("AND")]));
        assert_eq!(p("OR"), seq(vec![words("OR")]));
        assert_eq!(p("NOT"), seq(vec![words("NOT")]));
        assert_eq!(p("\"a b"), seq(vec![words("a"), words("b")]));
        assert_eq!(p(")a("), seq(vec![words("a")]));
        assert_eq!(p("scope: local"), seq(vec![words("scope:"), words("local")]));
        assert_eq!(p("line:abc"), seq(vec![words("line:abc")]));
        assert_eq!(p("- a"), seq(vec![words("-"), words("a")]));
        assert_eq!(p(""), seq(vec![]));
    }

    #[test]
    fn operators_bind_not_and_or_then_side_by_side() {
        let (a, b, c) = (words("a"), words("b"), words("c"));
        assert_eq!(
            p("a OR b c"),
            seq(vec![Node::Or(vec![a.clone(), b.clone()]), c.clone()])
        );
        assert_eq!(
            p("a OR b AND c"),
            seq(vec![Node::Or(vec![
                a.clone(),
                Node::And(vec![b.clone(), c.clone()])
            ])])
        );
        assert_eq!(
            p("a AND NOT b"),
            seq(vec![Node::And(vec![a.clone(), Node::Not(Box::new(b.clone()))])])
        );
        assert_eq!(
            p("+a -b NOT c"),
            seq(vec![
                Node::Must(Box::new(a.clone())),
                Node::Not(Box::new(b.clone())),
                Node::Not(Box::new(c.clone()))
            ])
        );
        assert_eq!(p("NOT NOT a"), seq(vec![a.clone()]));
        assert_eq!(
            p("(a OR b) -(c)"),
            seq(vec![
                seq(vec![Node::Or(vec![a, b])]),
                Node::Not(Box::new(seq(vec![c])))
            ])
        );
    }

    #[test]
    fn phrases_fields_and_ranges_where_well_formed() {
        let scope = Target::Field("scope", FieldKind::Keyword);
        assert_eq!(
            p("\"stille stemmene\" scope:local"),
            seq(vec![
                Node::Phrase(Target::Text, "stille stemmene".into()),
                Node::Words(scope.clone(), "local".into())
            ])
        );
        assert_eq!(
            p("scope:(local OR both)"),
            seq(vec![seq(vec![Node::Or(vec![
                Node::Words(scope.clone(), "local".into()),
                Node::Words(scope, "both".into())
            ])])])
        );
        assert_eq!(
            p("theme:\"a b\""),
            seq(vec![Node::Phrase(
                Target::Field("theme", FieldKind::Analysed),
                "a b".into()
            )])
        );
        assert_eq!(
            p("meta.alder_gruppe:18-29"),
            seq(vec![Node::Words(
                Target::Meta("alder_gruppe".into()),
                "18-29".into()
            )])
        );
        assert_eq!(
            p("line:[30 TO 40] line:{* TO 5] line:>=7 line:12"),
            seq(vec![
                Node::Range("line", Bound::Included(30), Bound::Included(40)),
                Node::Range("line", Bound::Unbounded, Bound::Included(5)),
                Node::Range("line", Bound::Included(7), Bound::Unbounded),
                Node::Range("line", Bound::Included(12), Bound::Included(12)),
            ])
        );
        assert_eq!(p("line:[30 TO"), seq(vec![words("line:[30"), words("TO")]));
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&deep), Err(QueryError::TooDeep(10_000)));
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        // Unpaired parentheses are not syntax, however many.
        assert_eq!(parse(&"(".repeat(10_000)), Ok(seq(vec![])));
        let nots = format!("{}a", "NOT ".repeat(10_001));
        assert_eq!(parse(&nots), Ok(seq(vec![Node::Not(Box::new(words("a")))])));
    }
}
