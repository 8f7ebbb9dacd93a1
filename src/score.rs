//! Statuses, the image verdict and the 0–100 score (../shared/DESIGN.md,
//! "Verdict model").

use serde::Serialize;

use crate::target::HostNeed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Validated,
    HostDependent,
    FipsCapable,
    NonFips,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Validated => "validated",
            Status::HostDependent => "host-dependent",
            Status::FipsCapable => "fips-capable",
            Status::NonFips => "non-fips",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ready,
    ReadyWithWarnings,
    NotReady,
    NoCrypto,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ReadyWithWarnings => "ready-with-warnings",
            Verdict::NotReady => "not-ready",
            Verdict::NoCrypto => "no-crypto",
        }
    }
}

/// What a component contributes to the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Blocks: non-fips, or a FIPS path that is not switched on.
    Blocker,
    /// Passes with a warning: FIPS mode on but the module is not validated, or unknown.
    Warning,
    Fine,
}

/// One component as scoring sees it.
pub struct Scored<'a> {
    pub label: &'a str,
    pub status: Status,
    /// A FIPS path exists and is switched on as the image ships.
    pub fips_mode_on: bool,
    pub entrypoint: bool,
    pub counts: bool,
    /// What a host-dependent component needs that the target node does not provide.
    pub unmet: &'a [HostNeed],
    /// A policy waiver covers it: shown, but it weighs nothing.
    pub waived: bool,
}

pub fn weight(status: Status, fips_mode_on: bool, unmet: &[HostNeed]) -> Weight {
    match status {
        Status::NonFips => Weight::Blocker,
        Status::FipsCapable if !fips_mode_on => Weight::Blocker,
        // A FIPS mode that switches on from the node only (libgcrypt, NSS
        // on the kernel flag) stays off on a node that lacks what it needs.
        Status::FipsCapable if unmet.iter().any(|n| n.switches_fips_on()) => Weight::Blocker,
        Status::FipsCapable | Status::Unknown => Weight::Warning,
        // Without what it needs from the node, a host-dependent module
        // never switches on (kernel flag, system-fips marker) or runs
        // outside its validated environment (vendor host).
        Status::HostDependent if unmet.iter().any(|n| n.switches_fips_on()) => Weight::Blocker,
        Status::HostDependent if !unmet.is_empty() => Weight::Warning,
        Status::Validated | Status::HostDependent => Weight::Fine,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub score: u8,
    pub reasons: Vec<String>,
}

/// Points lost per component: what the workload most likely runs (the
/// entrypoint) weighs most.
fn penalty(w: Weight, entrypoint: bool) -> u32 {
    match (w, entrypoint) {
        (Weight::Blocker, true) => 60,
        (Weight::Blocker, false) => 25,
        (Weight::Warning, true) => 15,
        (Weight::Warning, false) => 5,
        (Weight::Fine, _) => 0,
    }
}

/// `incomplete`: part of the image could not be read, so `ready` cannot be
/// claimed for it.
pub fn judge(components: &[Scored<'_>], incomplete: bool, unscannable: usize) -> Outcome {
    let counted: Vec<&Scored<'_>> = components.iter().filter(|c| c.counts).collect();
    let mut reasons = Vec::new();
    let mut lost: u32 = 0;
    let mut worst = Weight::Fine;
    for c in &counted {
        let w = weight(c.status, c.fips_mode_on, c.unmet);
        let ep = if c.entrypoint { " (entrypoint)" } else { "" };
        if c.waived {
            if w != Weight::Fine {
                reasons.push(format!(
                    "waived: {}{ep} is {} (a policy waiver applies)",
                    c.label,
                    c.status.as_str()
                ));
            }
            continue;
        }
        let p = penalty(w, c.entrypoint);
        if p > 0 {
            let unmet = || {
                c.unmet
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let what = match w {
                Weight::Blocker
                    if c.status == Status::HostDependent
                        || (c.status == Status::FipsCapable && !c.unmet.is_empty()) =>
                {
                    format!(
                        "the target node does not provide {}, so FIPS mode never switches on",
                        unmet()
                    )
                }
                Weight::Blocker if c.status == Status::FipsCapable => {
                    "FIPS path not switched on".to_string()
                }
                Weight::Blocker => "no FIPS path".to_string(),
                _ if c.status == Status::HostDependent => {
                    format!(
                        "the target node does not provide {}, the module's validated environment",
                        unmet()
                    )
                }
                _ if c.status == Status::Unknown => "crypto not identified".to_string(),
                _ => "FIPS mode on, module not validated".to_string(),
            };
            reasons.push(format!(
                "-{p}: {}{ep} is {}: {what}",
                c.label,
                c.status.as_str()
            ));
        }
        lost += p;
        worst = match (worst, w) {
            (Weight::Blocker, _) | (_, Weight::Blocker) => Weight::Blocker,
            (Weight::Warning, _) | (_, Weight::Warning) => Weight::Warning,
            _ => Weight::Fine,
        };
    }
    if incomplete {
        lost += 30;
        reasons.push("-30: part of the image could not be read; its files were not judged".into());
    }
    if unscannable > 0 {
        let p = (5 * unscannable as u32).min(20);
        lost += p;
        reasons.push(format!(
            "-{p}: {unscannable} file(s) could not be parsed and were not judged"
        ));
    }
    let score = 100u32.saturating_sub(lost) as u8;
    let verdict = match worst {
        Weight::Blocker => Verdict::NotReady,
        Weight::Warning => Verdict::ReadyWithWarnings,
        Weight::Fine if counted.is_empty() && !incomplete && unscannable == 0 => Verdict::NoCrypto,
        Weight::Fine if incomplete || unscannable > 0 => Verdict::ReadyWithWarnings,
        Weight::Fine => Verdict::Ready,
    };
    if reasons.is_empty() {
        reasons.push(match verdict {
            Verdict::NoCrypto => "no program in the image uses cryptography".into(),
            _ => format!(
                "all {} crypto-using program(s) use a validated or host-provided FIPS module",
                counted.len()
            ),
        });
    }
    Outcome {
        verdict,
        score,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(status: Status, on: bool, ep: bool) -> Scored<'static> {
        Scored {
            label: "/x",
            status,
            fips_mode_on: on,
            entrypoint: ep,
            counts: true,
            unmet: &[],
            waived: false,
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(judge(&[], false, 0).verdict, Verdict::NoCrypto);
        assert_eq!(
            judge(&[c(Status::Validated, true, true)], false, 0).verdict,
            Verdict::Ready
        );
        assert_eq!(
            judge(&[c(Status::Validated, true, true)], false, 0).score,
            100
        );
        assert_eq!(
            judge(&[c(Status::FipsCapable, true, true)], false, 0).verdict,
            Verdict::ReadyWithWarnings
        );
        let off = judge(&[c(Status::FipsCapable, false, true)], false, 0);
        assert_eq!((off.verdict, off.score), (Verdict::NotReady, 40));
        let mixed = judge(
            &[
                c(Status::Validated, true, true),
                c(Status::NonFips, false, false),
            ],
            false,
            0,
        );
        assert_eq!((mixed.verdict, mixed.score), (Verdict::NotReady, 75));
        assert_eq!(
            judge(&[c(Status::Validated, true, true)], true, 0).verdict,
            Verdict::ReadyWithWarnings
        );
    }

    #[test]
    fn host_dependent_is_judged_by_what_the_target_lacks() {
        let hd = |unmet: &'static [HostNeed]| Scored {
            label: "/x",
            status: Status::HostDependent,
            fips_mode_on: true,
            entrypoint: true,
            counts: true,
            unmet,
            waived: false,
        };
        assert_eq!(judge(&[hd(&[])], false, 0).verdict, Verdict::Ready);
        let off = judge(&[hd(&[HostNeed::RuntimeFipsSecrets])], false, 0);
        assert_eq!((off.verdict, off.score), (Verdict::NotReady, 40));
        assert_eq!(
            off.reasons,
            [
                "-60: /x (entrypoint) is host-dependent: the target node does not provide runtime-fips-secrets, so FIPS mode never switches on"
            ]
        );
        let outside = judge(&[hd(&[HostNeed::UbuntuFipsHost])], false, 0);
        assert_eq!(
            (outside.verdict, outside.score),
            (Verdict::ReadyWithWarnings, 85)
        );
        assert_eq!(
            outside.reasons,
            [
                "-15: /x (entrypoint) is host-dependent: the target node does not provide ubuntu-fips-host, the module's validated environment"
            ]
        );
    }

    #[test]
    fn waived_components_weigh_nothing_but_are_named() {
        let mut w = c(Status::NonFips, false, true);
        w.waived = true;
        let out = judge(&[w, c(Status::Validated, true, false)], false, 0);
        assert_eq!((out.verdict, out.score), (Verdict::Ready, 100));
        assert_eq!(
            out.reasons,
            ["waived: /x (entrypoint) is non-fips (a policy waiver applies)"]
        );
    }

    #[test]
    fn a_fips_mode_the_node_must_switch_on_stays_off_without_it() {
        // libgcrypt / NSS: fips-capable, on from the kernel flag.
        let lacking = [HostNeed::KernelFipsMode];
        let mut comp = c(Status::FipsCapable, true, true);
        assert_eq!(judge(&[comp], false, 0).verdict, Verdict::ReadyWithWarnings);
        comp = Scored {
            unmet: &lacking,
            ..c(Status::FipsCapable, true, true)
        };
        let out = judge(&[comp], false, 0);
        assert_eq!((out.verdict, out.score), (Verdict::NotReady, 40));
        assert_eq!(
            out.reasons,
            [
                "-60: /x (entrypoint) is fips-capable: the target node does not provide kernel-fips-mode, so FIPS mode never switches on"
            ]
        );
    }

    #[test]
    fn libraries_that_do_not_count_are_information() {
        let lib = Scored {
            label: "/lib",
            status: Status::NonFips,
            fips_mode_on: false,
            entrypoint: false,
            counts: false,
            unmet: &[],
            waived: false,
        };
        assert_eq!(judge(&[lib], false, 0).verdict, Verdict::NoCrypto);
    }
}
