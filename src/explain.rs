//! `fipscan explain`: for every finding code, what it means, why it matters
//! on a FIPS node, how to fix it, and an example. The texts are data
//! (`explain/codes.toml`, embedded at build time and checked once on first
//! use); the one-line title and the severity stay in `finding.rs`. SARIF
//! rules carry the same text as their help.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::finding::{Code, Severity, unknown_code};

const DATA: &str = include_str!("explain/codes.toml");

/// Printed text is wrapped to this many columns.
const WIDTH: usize = 78;
const INDENT: &str = "  ";

/// Where a code belongs; `fipscan explain` lists codes by area and SARIF
/// rules carry it as a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Image,
    Packages,
    Go,
    Openssl,
    Java,
    Rust,
    Dotnet,
    Native,
    Policy,
}

impl Area {
    pub const ALL: &'static [Area] = &[
        Area::Image,
        Area::Packages,
        Area::Go,
        Area::Openssl,
        Area::Java,
        Area::Rust,
        Area::Dotnet,
        Area::Native,
        Area::Policy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Image => "image",
            Area::Packages => "packages",
            Area::Go => "go",
            Area::Openssl => "openssl",
            Area::Java => "java",
            Area::Rust => "rust",
            Area::Dotnet => "dotnet",
            Area::Native => "native",
            Area::Policy => "policy",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Area::Image => "Reading the image",
            Area::Packages => "Packages",
            Area::Go => "Go",
            Area::Openssl => "Native code and OpenSSL",
            Area::Java => "Java",
            Area::Rust => "Rust",
            Area::Dotnet => ".NET",
            Area::Native => "Other native crypto libraries",
            Area::Policy => "Policy",
        }
    }
}

/// One code's explanation, as the data file holds it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub area: Area,
    pub meaning: String,
    pub why: String,
    pub fix: String,
    pub example: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{0}")]
    UnknownCode(String),
    /// The embedded data is broken; the unit tests keep this from shipping.
    #[error("the built-in code explanations are broken: {0}")]
    Data(String),
}

/// The section headings, in the order both renderings use.
pub const SECTIONS: [&str; 4] = [
    "Meaning",
    "Why it matters on a FIPS node",
    "How to fix",
    "Example",
];

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Parses and checks a data file: every key a known code, every known code
/// present, no field blank.
fn load(text: &str) -> Result<BTreeMap<Code, Entry>, String> {
    let raw: BTreeMap<String, Entry> = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    let mut table = BTreeMap::new();
    for (key, entry) in raw {
        let Some(code) = Code::parse(&key) else {
            problems.push(format!("[{key}]: {}", unknown_code(&key)));
            continue;
        };
        for (field, value) in [
            ("meaning", &entry.meaning),
            ("why", &entry.why),
            ("fix", &entry.fix),
            ("example", &entry.example),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("[{key}]: {field} is empty"));
            }
        }
        table.insert(code, entry);
    }
    for code in Code::ALL {
        if !table.contains_key(code) {
            problems.push(format!("[{}] is missing", code.as_str()));
        }
    }
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(problems.join("; "))
    }
}

fn table() -> Result<&'static BTreeMap<Code, Entry>, ExplainError> {
    static TABLE: OnceLock<Result<BTreeMap<Code, Entry>, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| load(DATA))
        .as_ref()
        .map_err(|e| ExplainError::Data(e.clone()))
}

pub fn entry(code: Code) -> Result<&'static Entry, ExplainError> {
    table()?
        .get(&code)
        .ok_or_else(|| ExplainError::Data(format!("[{}] is missing", code.as_str())))
}

/// A code as the user typed it, or an error naming the nearest one.
pub fn parse_code(text: &str) -> Result<Code, ExplainError> {
    Code::parse(text).ok_or_else(|| ExplainError::UnknownCode(unknown_code(text)))
}

/// Paragraphs of a field: blank-line separated, each joined into one line.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Greedy word wrap; a word longer than the line stands alone.
fn wrap(out: &mut String, text: &str, indent: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

fn example_lines(e: &Entry) -> impl Iterator<Item = &str> {
    e.example.trim_matches('\n').lines().map(str::trim_end)
}

/// What `fipscan explain CODE` prints (also each SARIF rule's help.text).
pub fn text(code: Code) -> Result<String, ExplainError> {
    let e = entry(code)?;
    let mut out = String::new();
    wrap(
        &mut out,
        &format!(
            "{} ({}): {}",
            code.as_str(),
            severity_name(code.severity()),
            code.title()
        ),
        "",
    );
    for (heading, field) in SECTIONS.iter().zip([&e.meaning, &e.why, &e.fix]) {
        let _ = writeln!(out, "\n{heading}");
        for (i, p) in paragraphs(field).iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            wrap(&mut out, p, INDENT);
        }
    }
    let _ = writeln!(out, "\n{}", SECTIONS[3]);
    for line in example_lines(e) {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{INDENT}{line}");
        }
    }
    Ok(out)
}

/// The same explanation as Markdown (each SARIF rule's help.markdown).
pub fn markdown(code: Code) -> Result<String, ExplainError> {
    let e = entry(code)?;
    let mut out = format!(
        "**`{}`** ({}): {}\n",
        code.as_str(),
        severity_name(code.severity()),
        code.title()
    );
    for (heading, field) in SECTIONS.iter().zip([&e.meaning, &e.why, &e.fix]) {
        let _ = write!(out, "\n#### {heading}\n");
        for p in paragraphs(field) {
            let _ = write!(out, "\n{p}\n");
        }
    }
    let _ = write!(out, "\n#### {}\n\n```\n", SECTIONS[3]);
    for line in example_lines(e) {
        let _ = writeln!(out, "{line}");
    }
    out.push_str("```\n");
    Ok(out)
}

/// `fipscan explain` without a code: every code with its severity and title, by area.
pub fn list() -> Result<String, ExplainError> {
    let table = table()?;
    let width = Code::ALL
        .iter()
        .map(|c| c.as_str().len())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{} finding codes; `fipscan explain CODE` explains one.\n",
        Code::ALL.len()
    );
    for &area in Area::ALL {
        let codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| table.get(c).is_some_and(|e| e.area == area))
            .collect();
        if codes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", area.heading());
        for c in codes {
            let _ = writeln!(
                out,
                "{INDENT}{:<width$}  {:<7}  {}",
                c.as_str(),
                severity_name(c.severity()),
                c.title()
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_complete_entry_and_no_entry_names_an_unknown_code() {
        let table = load(DATA).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.len(), Code::ALL.len());
        for &code in Code::ALL {
            let e = &table[&code];
            for field in [&e.meaning, &e.why, &e.fix, &e.example] {
                assert!(field.trim().len() >= 10, "{code:?}: {field:?}");
            }
            // Prose ends as sentences do; the example is left as written.
            for field in [&e.meaning, &e.why, &e.fix] {
                let end = field.trim_end();
                assert!(
                    end.ends_with('.') || end.ends_with(".)"),
                    "{code:?}: {field:?}"
                );
            }
        }
        assert!(super::table().is_ok());
    }

    #[test]
    fn the_loader_rejects_unknown_missing_and_blank_entries() {
        let one = |key: &str, fix: &str| {
            format!(
                "[{key}]\narea = \"go\"\nmeaning = \"m.\"\nwhy = \"w.\"\nfix = \"{fix}\"\nexample = \"e\"\n"
            )
        };
        let err = load(&one("go-fips-of", "f.")).unwrap_err();
        assert!(
            err.starts_with("[go-fips-of]: unknown finding code \"go-fips-of\" (did you mean \"go-fips-off\"?); [layer-unreadable] is missing"),
            "{err}"
        );
        let err = load(&one("go-fips-off", " ")).unwrap_err();
        assert!(err.starts_with("[go-fips-off]: fix is empty; "), "{err}");
        assert!(
            load("[go-fips-off]\narea = \"cobol\"\n")
                .unwrap_err()
                .contains("unknown variant `cobol`")
        );
    }

    #[test]
    fn text_wraps_prose_and_keeps_the_example() {
        let t = text(Code::GoFipsOff).unwrap_or_default();
        assert!(t.lines().all(|l| l.chars().count() <= WIDTH), "{t}");
        assert!(t.starts_with("go-fips-off (error): Go program carries"));
        assert!(t.ends_with("\nExample\n  ENV GODEBUG=fips140=on\n"), "{t}");
        let md = markdown(Code::GoFipsOff).unwrap_or_default();
        assert!(md.starts_with("**`go-fips-off`** (error): Go program carries"));
        assert!(md.ends_with("#### Example\n\n```\nENV GODEBUG=fips140=on\n```\n"));
    }

    #[test]
    fn list_names_every_code_once() {
        let l = list().unwrap_or_default();
        for c in Code::ALL {
            let rows = l
                .lines()
                .filter(|r| r.split_whitespace().next() == Some(c.as_str()))
                .count();
            assert_eq!(rows, 1, "{c:?}");
        }
        assert_eq!(
            parse_code("rust-non-fip").unwrap_err().to_string(),
            "unknown finding code \"rust-non-fip\" (did you mean \"rust-non-fips\"?)"
        );
    }
}
