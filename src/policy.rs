//! Policy files (`--policy FILE`, TOML): waivers by finding code, path glob
//! and image glob, each with a reason and an expiry date; a minimum score;
//! the default target. A waiver never hides anything: the waived finding or
//! component stays in every output, marked with the waiver, and only stops
//! weighing on the verdict. An expired waiver is itself a finding.
//!
//! ```toml
//! target = "aks-azurelinux"
//! min_score = 80
//!
//! [[waiver]]
//! code = "go-standard-crypto"
//! path = "/usr/local/bin/healthcheck"
//! image = "registry.example.com/team/*"
//! reason = "uses crypto/sha256 for cache keys only (SEC-123)"
//! expires = "2027-03-31"
//! ```

use std::path::Path;

use globset::{Glob, GlobBuilder, GlobMatcher};
use jiff::civil::Date;
use serde::Deserialize;

use crate::finding::{Code, Finding, unknown_code};
use crate::report::{ImageReport, PolicyRef, Waiver};
use crate::target::Target;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("policy {file} is not valid TOML for a policy: {message}")]
    Parse { file: String, message: String },
    #[error("policy {file} has {} problem(s):\n  {}", problems.len(), problems.join("\n  "))]
    Invalid { file: String, problems: Vec<String> },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    target: Option<String>,
    min_score: Option<i64>,
    #[serde(default, rename = "waiver")]
    waivers: Vec<WaiverFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    code: String,
    path: Option<String>,
    image: Option<String>,
    reason: String,
    expires: String,
}

#[derive(Debug, Clone)]
struct Pattern {
    text: String,
    matcher: GlobMatcher,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// 1-based position in the file, as users count them.
    pub number: usize,
    pub code: Code,
    path: Option<Pattern>,
    image: Option<Pattern>,
    pub reason: String,
    pub expires: Date,
}

impl Rule {
    fn describe(&self) -> String {
        let mut s = format!("waiver {} ({}", self.number, self.code.as_str());
        if let Some(p) = &self.path {
            s.push_str(&format!(" at {}", p.text));
        }
        if let Some(i) = &self.image {
            s.push_str(&format!(" in {}", i.text));
        }
        s.push(')');
        s
    }

    fn covers(&self, code: Code, path: Option<&str>) -> bool {
        code == self.code
            && match (&self.path, path) {
                (None, _) => true,
                (Some(p), Some(path)) => p.matcher.is_match(path),
                (Some(_), None) => false,
            }
    }

    fn for_image(&self, reference: &str) -> bool {
        self.image
            .as_ref()
            .is_none_or(|i| i.matcher.is_match(reference))
    }

    fn waiver(&self) -> Waiver {
        Waiver {
            reason: self.reason.clone(),
            expires: self.expires.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub file: String,
    pub target: Option<Target>,
    pub min_score: Option<u8>,
    pub rules: Vec<Rule>,
    /// The day expiry is judged against (UTC today, or fixed by tests).
    pub today: Date,
}

/// Today in UTC: a waiver that expires on a date still applies all that day.
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

impl Policy {
    pub fn load(path: &Path, today: Date) -> Result<Policy, PolicyError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            file: file.clone(),
            source,
        })?;
        Policy::parse(&file, &text, today)
    }

    /// Parses and checks everything, reporting every problem at once.
    pub fn parse(file: &str, text: &str, today: Date) -> Result<Policy, PolicyError> {
        let raw: PolicyFile = toml::from_str(text).map_err(|e| PolicyError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut problems = Vec::new();
        let target = raw.target.as_deref().and_then(|t| {
            let found = Target::by_name(t);
            if found.is_none() {
                problems.push(format!(
                    "target {t:?} is not one of {}",
                    Target::names().join(", ")
                ));
            }
            found
        });
        let min_score = raw.min_score.and_then(|m| match u8::try_from(m) {
            Ok(m) if m <= 100 => Some(m),
            _ => {
                problems.push(format!("min_score {m} is not between 0 and 100"));
                None
            }
        });
        let mut rules = Vec::new();
        for (i, w) in raw.waivers.iter().enumerate() {
            let number = i + 1;
            let mut bad = |what: String| problems.push(format!("waiver {number}: {what}"));
            let code = Code::parse(&w.code);
            if code.is_none() {
                bad(unknown_code(&w.code));
            }
            let path = w.path.as_deref().and_then(|p| match pattern(p, true) {
                Ok(p) => Some(p),
                Err(e) => {
                    bad(format!("path glob {p:?}: {e}"));
                    None
                }
            });
            let image = w.image.as_deref().and_then(|p| match pattern(p, false) {
                Ok(p) => Some(p),
                Err(e) => {
                    bad(format!("image glob {p:?}: {e}"));
                    None
                }
            });
            if w.reason.trim().is_empty() {
                bad("reason is empty; say why the finding is accepted".into());
            }
            let expires = match w.expires.parse::<Date>() {
                Ok(d) => Some(d),
                Err(e) => {
                    bad(format!(
                        "expires {:?} is not a date like 2027-03-31 ({e})",
                        w.expires
                    ));
                    None
                }
            };
            if let (Some(code), Some(expires)) = (code, expires) {
                rules.push(Rule {
                    number,
                    code,
                    path,
                    image,
                    reason: w.reason.trim().to_string(),
                    expires,
                });
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError::Invalid {
                file: file.to_string(),
                problems,
            });
        }
        Ok(Policy {
            file: file.to_string(),
            target,
            min_score,
            rules,
            today,
        })
    }

    pub fn as_ref(&self) -> PolicyRef {
        PolicyRef {
            file: self.file.clone(),
            min_score: self.min_score,
            waivers: self.rules.len(),
        }
    }

    pub fn expired(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| r.expires < self.today)
    }

    /// Marks what the waivers cover, before scoring. The first rule that
    /// covers an item wins; an expired rule that covers it adds a finding
    /// instead, so it counts again and says why.
    pub fn apply(&self, report: &mut ImageReport) {
        let rules: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.for_image(&report.reference))
            .collect();
        let mut used = vec![false; rules.len()];
        let mut added = Vec::new();
        let mut mark = |code: Code, path: Option<&str>, layer: Option<&str>| -> Option<Waiver> {
            for (i, rule) in rules.iter().enumerate() {
                if !rule.covers(code, path) {
                    continue;
                }
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                if rule.expires < self.today {
                    let mut f = Finding::new(
                        Code::PolicyWaiverExpired,
                        format!(
                            "{} expired on {}, so {} counts again (reason given: {})",
                            rule.describe(),
                            rule.expires,
                            code.as_str(),
                            rule.reason
                        ),
                    );
                    f.path = path.map(str::to_string);
                    f.layer = layer.map(str::to_string);
                    added.push(f);
                    return None;
                }
                return Some(rule.waiver());
            }
            None
        };
        for c in &mut report.components {
            c.waiver = mark(c.code, Some(&c.path), Some(&c.layer));
        }
        for f in &mut report.findings {
            f.waiver = mark(f.code, f.path.as_deref(), f.layer.as_deref());
        }
        for (rule, used) in rules.iter().zip(used) {
            if !used {
                added.push(Finding::new(
                    Code::PolicyWaiverUnused,
                    format!(
                        "{} matched nothing in this image; remove it or fix its code or glob",
                        rule.describe()
                    ),
                ));
            }
        }
        report.findings.extend(added);
    }

    /// After scoring: an image under the minimum score gets a finding that
    /// fails the gate whatever its verdict.
    pub fn check_score(&self, report: &mut ImageReport) {
        if let Some(min) = self.min_score
            && report.score < min
        {
            report.findings.push(Finding::new(
                Code::PolicyMinScore,
                format!(
                    "score {} is below the policy's min_score {min} ({})",
                    report.score, self.file
                ),
            ));
        }
    }
}

fn pattern(text: &str, literal_separator: bool) -> Result<Pattern, globset::Error> {
    let glob: Glob = GlobBuilder::new(text)
        .literal_separator(literal_separator)
        .build()?;
    Ok(Pattern {
        text: text.to_string(),
        matcher: glob.compile_matcher(),
    })
}

#[cfg(test)]
mod tests;
