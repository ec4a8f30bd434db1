//! Exports for research and spreadsheets: the document–feature matrix read back as a
//! Matrix Market reader would and checked against the concordance, and the `--excel`
//! tables read as Norwegian Excel reads them.

use super::*;
use std::collections::BTreeMap;

/// A Matrix Market coordinate file: (rows, columns, entries as (row, column, count)).
fn read_mtx(path: &Path) -> (usize, usize, Vec<(usize, usize, u64)>) {
    let text = std::fs::read_to_string(path).expect("dfm.mtx");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("%%MatrixMarket matrix coordinate integer general")
    );
    let mut lines = lines.filter(|l| !l.starts_with('%'));
    let size: Vec<usize> = lines
        .next()
        .expect("size line")
        .split(' ')
        .map(|n| n.parse().expect("number"))
        .collect();
    let entries: Vec<(usize, usize, u64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 3, "{l}");
            (
                f[0].parse().expect("row"),
                f[1].parse().expect("column"),
                f[2].parse().expect("count"),
            )
        })
        .collect();
    assert_eq!(size.len(), 3);
    assert_eq!(size[2], entries.len(), "the size line counts the entries");
    (size[0], size[1], entries)
}

#[test]
fn dfm_reads_back_with_the_counts_the_concordance_shows() {
    let dir = tempfile::tempdir().expect("temp");
    ok_in(dir.path(), &["-q", "run", "--dfm"]);
    let out = dir.path().join("out/dfm");
    let (rows, cols, entries) = read_mtx(&out.join("dfm.mtx"));
    let (doc_header, docs) = read_csv(&out.join("docs.csv"));
    let (feat_header, features) = read_csv(&out.join("features.csv"));
    assert_eq!(&doc_header[..3], ["doc", "id", "collection"]);
    assert_eq!(feat_header, ["column", "feature", "display", "count", "docfreq"]);
    assert_eq!((rows, cols), (docs.len(), features.len()));
    assert_eq!(rows, 88);
    // Entries in order, 1-based, in range, no zeros; column sums and document
    // frequencies agree with features.csv.
    assert!(entries.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    assert!(entries
        .iter()
        .all(|&(r, c, n)| (1..=rows).contains(&r) && (1..=cols).contains(&c) && n > 0));
    let mut sums = vec![(0u64, 0u64); cols];
    for &(_, c, n) in &entries {
        sums[c - 1].0 += n;
        sums[c - 1].1 += 1;
    }
    for (j, f) in features.iter().enumerate() {
        assert_eq!(f[0], (j + 1).to_string());
        assert_eq!(
            (
                f[3].parse::<u64>().expect("count"),
                f[4].parse::<u64>().expect("df")
            ),
            sums[j],
            "{f:?}"
        );
    }
    // `kommune` counted per response as the concordance finds it: every inflection and
    // every compound with it as a part.
    let stem = String::from_utf8_lossy(&ok_in(dir.path(), &["analyze", "kommune"]).stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(2).map(String::from))
        .expect("stem of kommune");
    let col = features
        .iter()
        .position(|f| f[1] == stem)
        .expect("kommune is a feature")
        + 1;
    let mut from_dfm: BTreeMap<String, u64> = BTreeMap::new();
    for &(r, c, n) in &entries {
        if c == col {
            from_dfm.insert(docs[r - 1][1].clone(), n);
        }
    }
    let kwic = ok_in(dir.path(), &["kwic", "kommune", "--json"]);
    let mut from_kwic: BTreeMap<String, u64> = BTreeMap::new();
    for line in String::from_utf8_lossy(&kwic.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        *from_kwic
            .entry(v["id"].as_str().expect("id").to_string())
            .or_default() += 1;
    }
    assert!(from_kwic.len() >= 15, "{from_kwic:?}");
    assert_eq!(from_dfm, from_kwic);
}

#[test]
fn excel_tables_have_a_bom_semicolons_and_norwegian_letters() {
    let dir = tempfile::tempdir().expect("temp");
    let csv = "svar,fylke\n\"Kommunen må lytte, også til de unge\",Trøndelag\n=1+1 er formel,Østfold\nLokalsamfunnet trenger møteplasser,Vestland\nStaten bør bestemme mindre over kommunene,Trøndelag\n";
    std::fs::write(dir.path().join("x.csv"), csv).expect("write");
    ok_in(dir.path(), &["-q", "run", "x.csv", "-k", "2", "--excel", "--dfm"]);
    for file in [
        "responses.csv",
        "themes.csv",
        "keyness.csv",
        "dfm/docs.csv",
        "dfm/features.csv",
    ] {
        let bytes = std::fs::read(dir.path().join("out").join(file)).expect(file);
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "{file} starts with a BOM"
        );
        let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
        assert!(text.contains("\r\n"), "{file}: CRLF line ends");
        let mut r = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(false)
            .from_reader(text.as_bytes());
        let width = r.headers().expect("header").len();
        assert!(width >= 2, "{file}: columns split on ;");
        let rows: Vec<csv::StringRecord> = r
            .records()
            .map(|x| x.expect("row has the header's width"))
            .collect();
        assert!(rows.iter().all(|row| row.len() == width));
        if file == "responses.csv" {
            assert_eq!(rows.len(), 4);
            let text = r
                .headers()
                .expect("header")
                .iter()
                .position(|h| h == "text")
                .expect("text column");
            let texts: Vec<&str> = rows.iter().filter_map(|row| row.get(text)).collect();
            assert!(
                texts.contains(&"Kommunen må lytte, også til de unge"),
                "{texts:?}"
            );
            assert!(texts.contains(&"'=1+1 er formel"), "{texts:?}");
        }
        if file == "dfm/docs.csv" {
            assert!(text.contains("Trøndelag") && text.contains("Østfold"));
        }
    }
    // Numbers with decimals (shares, intervals, p-values) get decimal commas: on the seed's groups.csv.
    ok_in(dir.path(), &["-q", "run", "-o", "seed", "--excel"]);
    let keyness = std::fs::read_to_string(dir.path().join("seed/groups.csv")).expect("groups");
    let fields: Vec<&str> = keyness.lines().skip(1).flat_map(|l| l.split(';')).collect();
    assert!(
        fields
            .iter()
            .any(|f| f.contains(',') && f.replace(',', ".").parse::<f64>().is_ok()),
        "{keyness}"
    );
    assert!(
        !fields.iter().any(|f| f.contains('.') && f.parse::<f64>().is_ok()),
        "{keyness}"
    );
}

/// The README's code block in `lang` under the heading "Exports for R, Python and Excel".
fn readme_block(lang: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    let section = readme
        .split("## Exports for R, Python and Excel")
        .nth(1)
        .expect("exports section");
    let start = section.find(&format!("```{lang}\n")).expect("code block") + lang.len() + 4;
    section[start..][..section[start..].find("```").expect("block end")].to_string()
}

/// Runs `program args…` in `dir` when the program (with the modules `probe` imports)
/// is there; `false` when it is not.
fn run_if_present(dir: &Path, program: &str, probe: &[&str], args: &[&str]) -> bool {
    let present = Command::new(program)
        .args(probe)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        eprintln!("{program} with {probe:?} not found: the README's lines for it are not run");
        return false;
    }
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{program}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// The README's Python and R lines load the matrix, where Python with scipy and pandas
/// (`$PYTHON`, default python3) or R with Matrix is installed (CI has neither; the Rust
/// reader above checks the file there).
#[test]
fn the_readmes_python_and_r_lines_load_the_matrix() {
    let dir = tempfile::tempdir().expect("temp");
    ok_in(dir.path(), &["-q", "run", "--dfm"]);
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let check = "\nassert m.shape == (len(docs), len(feats)) == (88, len(feats))\n\
assert (m.sum(axis=0).A1 == feats['count'].values).all()\n\
assert ((m > 0).sum(axis=0).A1 == feats['docfreq'].values).all()\n";
    let py = readme_block("python") + check;
    run_if_present(dir.path(), &python, &["-c", "import scipy, pandas"], &["-c", &py]);
    // quanteda is not in Debian: its line runs only where it is installed.
    let r: String = readme_block("r")
        .lines()
        .filter(|l| !l.contains("quanteda"))
        .map(|l| format!("{l}\n"))
        .collect();
    let r = r + "stopifnot(nrow(m) == 88, all(colSums(m) == feats$count))\n";
    run_if_present(dir.path(), "Rscript", &["-e", "library(Matrix)"], &["-e", &r]);
}
