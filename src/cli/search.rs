//! `stemme search`, `stemme similar` and `stemme kwic`: queries over the index, printed for
//! people (snippets, facet counts, aligned concordance lines) or as JSON lines.

use clap::Args;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use stemme::analyze::Analyzer;
use stemme::index::kwic::concordance;
use stemme::index::{SearchOptions, SearchResult, Searcher};
use stemme::{Error, Result};

const QUERY_SYNTAX: &str = "\
Query syntax:
  kommune                 a word, all its inflections, and compounds it is part of
  \"de stille stemmene\"    a phrase
  innkjøp OR anskaffelse  either word (several words mean all of them; see --any)
  metode -workshop        exclude a word (also: NOT)
  scope:local             field filters: scope, theme, kind, label, source, collection,
  kind:spørsmål           id, question, theme_id, line, and meta.<column> for any input column
  line:[30 TO 40]         ranges on numbers";

/// Flags shared by the commands that query an index.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Index folder to search.
    #[arg(long, default_value = "out/index", value_name = "DIR")]
    pub index: PathBuf,
    /// Number of responses to show (default: 10; for kwic: every matching response).
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print JSON lines instead of text (see README: "JSON output").
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = QUERY_SYNTAX)]
pub struct SearchArgs {
    /// The query.
    pub query: String,
    #[command(flatten)]
    pub common: QueryArgs,
    /// Several words match when any of them occurs (default: all must, as with --all).
    #[arg(long, conflicts_with = "all")]
    pub any: bool,
    /// Several words must all occur (the default).
    #[arg(long)]
    pub all: bool,
    /// Match words with typos, up to N edits (default 2 when given without a number):
    /// `Howdan` finds `Hvordan`.
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "2", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub fuzzy: Option<u8>,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// Id of a response (as in responses.csv or search output, e.g. seed-0045).
    pub id: String,
    #[command(flatten)]
    pub common: QueryArgs,
}

#[derive(Debug, Args)]
#[command(after_help = QUERY_SYNTAX)]
pub struct KwicArgs {
    /// The word (or query) whose occurrences to show.
    pub query: String,
    #[command(flatten)]
    pub common: QueryArgs,
    /// Characters of context on each side.
    #[arg(short, long, default_value_t = 40, value_name = "N")]
    pub width: usize,
    /// Match words with typos, up to N edits (default 2 when given without a number).
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "2", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub fuzzy: Option<u8>,
}

/// Facet values shown per line in text output.
const TEXT_FACET_VALUES: usize = 8;

fn io(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

fn json_line(out: &mut impl Write, value: &impl Serialize) -> Result<()> {
    let line = serde_json::to_string(value).map_err(|e| Error::Usage(e.to_string()))?;
    writeln!(out, "{line}").map_err(io)
}

/// `text` as it may reach a terminal: control characters (escape codes included: ESC
/// starts a whole sequence, which is dropped with it) and the bidirectional overrides that
/// reorder what is shown are removed; line breaks and tabs become spaces. Text from
/// responses is untrusted: it must not move the cursor, recolour or retitle the terminal.
fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' | '\r' => out.push(' '),
            // ESC [ … final byte (CSI); ESC ] … BEL or ESC \ (OSC); ESC and one more char.
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            c if unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Prints a result: hits then facets as text, or JSON lines (`"type": "hit"` per hit, then
/// one `"type": "summary"` with the total and the facet counts).
fn print(result: &SearchResult, json: bool) -> Result<bool> {
    let stdout = std::io::stdout();
    let color = !json && stdout.is_terminal();
    // One write for the whole result rather than one per line.
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        #[derive(Serialize)]
        struct Tagged<'a, T: Serialize> {
            r#type: &'a str,
            #[serde(flatten)]
            value: T,
        }
        for hit in &result.hits {
            json_line(
                &mut out,
                &Tagged {
                    r#type: "hit",
                    value: hit,
                },
            )?;
        }
        let facets: BTreeMap<&str, &[(String, u64)]> = result
            .facets
            .iter()
            .map(|(name, count)| (name.as_str(), count.top.as_slice()))
            .collect();
        let values: BTreeMap<&str, usize> = result
            .facets
            .iter()
            .map(|(name, count)| (name.as_str(), count.values))
            .collect();
        let summary = serde_json::json!({
            "query": result.query,
            "total": result.total,
            "facets": facets,
            "facet_values": values,
            "unique_columns": result.unique_columns,
        });
        json_line(
            &mut out,
            &Tagged {
                r#type: "summary",
                value: summary,
            },
        )?;
        out.flush().map_err(io)?;
        return Ok(result.total > 0);
    }
    writeln!(
        out,
        "{} of {} matching responses for {:?}",
        result.hits.len(),
        result.total,
        terminal_safe(&result.query)
    )
    .map_err(io)?;
    for hit in &result.hits {
        let snippet = terminal_safe(&hit.snippet);
        let snippet: String = if color {
            snippet
                .split("**")
                .enumerate()
                .map(|(i, p)| {
                    if i % 2 == 1 {
                        format!("\x1b[1;31m{p}\x1b[0m")
                    } else {
                        p.to_string()
                    }
                })
                .collect()
        } else {
            snippet.into_owned()
        };
        writeln!(
            out,
            "\n{}  {}:{}  score {:.2}  [{} · {}]",
            terminal_safe(&hit.id),
            terminal_safe(&hit.source),
            hit.line,
            hit.score,
            terminal_safe(&hit.theme),
            terminal_safe(&hit.scope)
        )
        .map_err(io)?;
        writeln!(out, "  {snippet}").map_err(io)?;
    }
    if result.total > 0 {
        writeln!(out, "\nAll {} matches by", result.total).map_err(io)?;
        for (name, count) in &result.facets {
            let shown: Vec<String> = count
                .top
                .iter()
                .take(TEXT_FACET_VALUES)
                .map(|(v, n)| format!("{} ({n})", terminal_safe(v)))
                .collect();
            let more = if count.values > shown.len() {
                format!(", … {} more", count.values - shown.len())
            } else {
                String::new()
            };
            writeln!(out, "  {}: {}{more}", terminal_safe(name), shown.join(", ")).map_err(io)?;
        }
        for name in &result.unique_columns {
            writeln!(
                out,
                "  {}: not counted (most responses have a value of their own)",
                terminal_safe(name)
            )
            .map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    Ok(result.total > 0)
}

fn open(common: &QueryArgs) -> Result<Searcher> {
    stemme::index::search::quiet_index_panics();
    Searcher::open(&common.index, &Analyzer::norwegian())
}

/// Set in the environment of a re-executed worker (see [`supervised`]).
const WORKER: &str = "STEMME_QUERY_WORKER";

/// Whether this process runs a single thread (only `-j` starts others before a query).
fn single_threaded() -> bool {
    // Field 20 of /proc/self/stat, counted after the command name in parentheses.
    std::fs::read_to_string("/proc/self/stat").is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(17))
            .is_some_and(|n| n == "1")
    })
}

/// Runs a query command in a child process and reports how it ended. tantivy trusts
/// lengths read from the index: on some damaged files it asks for exabytes of memory,
/// which aborts the process (no unwinding to catch), so the parent turns an abnormal end
/// into an error naming the index (exit 2). The child's exit codes 0, 1 and 2 (with its
/// own message) pass through; output is written only after the search, so a crash leaves
/// none. The child is a `fork` of this process, which has opened nothing yet (about
/// 0.3 ms); when other threads run (`-j`), whose locks a fork could copy held, it is a
/// fresh start of the same binary with the same arguments instead (about 10 ms).
fn supervised(common: &QueryArgs, work: impl FnOnce() -> Result<bool>) -> Result<bool> {
    small_pages();
    if std::env::var_os(WORKER).is_some() {
        return work();
    }
    let status = if single_threaded() {
        // SAFETY: no other thread runs, so the child starts with no lock held; it goes on
        // as this process would have (doing the work, exiting from `main`).
        match unsafe { libc::fork() } {
            0 => return work(),
            -1 => return Err(Error::io("<fork>", std::io::Error::last_os_error())),
            child => wait(child)?,
        }
    } else {
        let exe = std::env::current_exe().map_err(|e| Error::io("<current executable>", e))?;
        std::process::Command::new(&exe)
            .args(std::env::args_os().skip(1))
            .env(WORKER, "1")
            .status()
            .map_err(|e| Error::io(exe, e))?
    };
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        // The worker printed its error.
        Some(2) => std::process::exit(2),
        _ => Err(Error::index(
            &common.index,
            format!(
                "the search stopped abnormally ({status}); the index is probably damaged: rebuild it with `stemme index` or `stemme run`"
            ),
        )),
    }
}

/// Keeps this process (and its query worker) on small pages (Linux). The allocator asks
/// for large (2 MiB) pages, which suit a run touching hundreds of megabytes; a query
/// touches a few, and each large page would be 2 MiB to clear, and in the forked worker
/// to copy, for a few KiB used. The runtime allocates before `main`, so on glibc
/// [`QUERY_PAGES`] does this before anything else runs; [`supervised`] does it again
/// where that could not.
fn small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets a flag of this process; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Runs [`query_pages`] when the program is loaded, before the runtime's first allocation
/// (glibc calls the functions of `.init_array` with the program's arguments).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[link_section = ".init_array"]
static QUERY_PAGES: extern "C" fn(libc::c_int, *const *const libc::c_char, *const *const libc::c_char) =
    query_pages;

/// Keeps a query command on small pages from its start ([`small_pages`]): the pages the
/// runtime and the argument parser take before [`supervised`] would otherwise be large
/// ones, cleared in full (about 0.8 ms of a query on a 1M-response index). The other
/// commands keep large pages. Reads the arguments without allocating: the command is the
/// first that is neither an option nor the number of `-j`/`--jobs`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn query_pages(
    argc: libc::c_int,
    argv: *const *const libc::c_char,
    _: *const *const libc::c_char,
) {
    let count = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() || count == 0 {
        return;
    }
    // SAFETY: glibc passes `main`'s own `argc` and `argv`: `argc` pointers to
    // NUL-terminated strings, which live as long as the process.
    let args = unsafe { std::slice::from_raw_parts(argv, count) };
    let mut args = args
        .iter()
        .skip(1)
        .filter(|a| !a.is_null())
        // SAFETY: as above.
        .map(|&a| unsafe { std::ffi::CStr::from_ptr(a) }.to_bytes());
    let command = loop {
        match args.next() {
            Some(b"-j" | b"--jobs") => {
                args.next();
            }
            Some(option) if option.starts_with(b"-") => {}
            command => break command,
        }
    };
    if matches!(command, Some(b"search" | b"similar" | b"kwic")) {
        small_pages();
    }
}

/// Waits for the forked `child` to end.
fn wait(child: libc::pid_t) -> Result<std::process::ExitStatus> {
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid place for the result.
        if unsafe { libc::waitpid(child, &mut status, 0) } == child {
            return Ok(std::process::ExitStatus::from_raw(status));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::io("<query worker>", err));
        }
    }
}

pub fn run(args: SearchArgs) -> Result<bool> {
    supervised(&args.common, || search(&args))
}

fn search(args: &SearchArgs) -> Result<bool> {
    let options = SearchOptions {
        limit: args.common.limit.unwrap_or(10),
        any: args.any,
        fuzzy: args.fuzzy,
    };
    let searcher = open(&args.common)?;
    let result = searcher.search(&args.query, &options)?;
    let found = print(&result, args.common.json);
    super::leave((searcher, result));
    found
}

pub fn similar(args: SimilarArgs) -> Result<bool> {
    supervised(&args.common, || {
        let searcher = open(&args.common)?;
        let result = searcher.similar(&args.id, args.common.limit.unwrap_or(10))?;
        let found = print(&result, args.common.json);
        super::leave((searcher, result));
        found
    })
}

pub fn kwic(args: KwicArgs) -> Result<bool> {
    supervised(&args.common, || concordances(&args))
}

fn concordances(args: &KwicArgs) -> Result<bool> {
    let options = SearchOptions {
        limit: args.common.limit.unwrap_or(usize::MAX),
        any: false,
        fuzzy: args.fuzzy,
    };
    let searcher = open(&args.common)?;
    let lines = concordance(&searcher, &args.query, &options, args.width)?;
    // One write for all lines rather than one per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for l in &lines {
        if args.common.json {
            json_line(&mut out, l)?;
        } else {
            let pad = args.width.saturating_sub(l.left.chars().count());
            writeln!(
                out,
                "{:>14}  {}{}[{}]{}",
                terminal_safe(&l.id),
                " ".repeat(pad),
                terminal_safe(&l.left),
                terminal_safe(&l.keyword),
                terminal_safe(&l.right)
            )
            .map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    let found = !lines.is_empty();
    super::leave((searcher, lines));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escape_codes_and_control_characters_do_not_reach_the_terminal() {
        assert_eq!(terminal_safe("kommune"), "kommune");
        assert_eq!(terminal_safe("\x1b[31mrød\x1b[0m tekst"), "rød tekst");
        assert_eq!(terminal_safe("a\x1b]0;tittel\x07b"), "ab");
        assert_eq!(terminal_safe("a\x1b]8;;http://x\x1b\\lenke"), "alenke");
        assert_eq!(terminal_safe("bell\x07\x08\x7f\u{9b}2J ok"), "bell2J ok");
        assert_eq!(terminal_safe("linje\nny\tfane"), "linje ny fane");
        assert_eq!(terminal_safe("abc\u{202e}fed"), "abcfed");
        assert_eq!(terminal_safe("\x1b"), "");
    }
}
