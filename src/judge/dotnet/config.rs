//! The .NET host's JSON files, typed: `*.runtimeconfig.json` (which
//! framework an app runs on, how it rolls forward, or which frameworks a
//! self-contained app carries) and `*.deps.json` (the packages and runtime
//! packs an app was published with). Formats: dotnet/runtime
//! docs/design/features/host-runtime-information.md and the "Runtime
//! configuration" and "framework version selection" docs. Anything that does
//! not parse is an error value, never a panic: serde_json bounds nesting
//! (128 levels) and the layer walk bounds the size.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// `*.runtimeconfig.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuntimeConfigFile {
    runtime_options: Option<RuntimeOptions>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeOptions {
    pub tfm: Option<String>,
    pub roll_forward: Option<String>,
    /// The pre-3.0 setting: 0 = LatestPatch, 1 = Minor, 2 = Major.
    pub roll_forward_on_no_candidate_fx: Option<u8>,
    pub framework: Option<FrameworkRef>,
    #[serde(default)]
    pub frameworks: Vec<FrameworkRef>,
    /// Self-contained apps: the frameworks published with the app.
    #[serde(default)]
    pub included_frameworks: Vec<FrameworkRef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameworkRef {
    pub name: String,
    pub version: String,
    /// A per-framework setting overrides the app's.
    pub roll_forward: Option<String>,
}

impl RuntimeOptions {
    /// The frameworks a framework-dependent app asks for (`framework` and `frameworks`).
    pub fn framework_refs(&self) -> Vec<&FrameworkRef> {
        self.framework.iter().chain(&self.frameworks).collect()
    }

    /// The app-wide roll-forward policy: `rollForward`, else the legacy
    /// `rollForwardOnNoCandidateFx`, else Minor.
    pub fn roll_forward(&self) -> Result<RollForward, String> {
        match (&self.roll_forward, self.roll_forward_on_no_candidate_fx) {
            (Some(r), _) => RollForward::parse(r),
            (None, Some(0)) => Ok(RollForward::LatestPatch),
            (None, Some(1)) => Ok(RollForward::Minor),
            (None, Some(2)) => Ok(RollForward::Major),
            (None, Some(n)) => Err(format!("rollForwardOnNoCandidateFx {n} is not 0, 1 or 2")),
            (None, None) => Ok(RollForward::Minor),
        }
    }
}

pub fn parse_runtimeconfig(text: &str) -> Result<RuntimeOptions, String> {
    let file: RuntimeConfigFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(file.runtime_options.unwrap_or_default())
}

/// `*.deps.json`: only what judgement needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepsFile {
    pub runtime_target: Option<RuntimeTarget>,
    /// `"Name/Version"` → what it is.
    #[serde(default)]
    pub libraries: BTreeMap<String, DepsLibrary>,
}

#[derive(Debug, Deserialize)]
pub struct RuntimeTarget {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct DepsLibrary {
    /// `project`, `package`, `reference`, `runtimepack`...
    #[serde(rename = "type")]
    pub kind: String,
}

impl DepsFile {
    /// Libraries as (name, version, type), in key order.
    pub fn libraries(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.libraries.iter().filter_map(|(k, l)| {
            let (name, version) = k.rsplit_once('/')?;
            Some((name, version, l.kind.as_str()))
        })
    }
}

pub fn parse_deps(text: &str) -> Result<DepsFile, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// A framework version: `8.0.11`, `3.1.23-servicing.22122.4`, `9.0.0-rc.2.24473.5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Option<String>,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let (nums, pre) = match s.split_once('-') {
            Some((n, p)) if !p.is_empty() => (n, Some(p.to_string())),
            Some(_) => return None,
            None => (s, None),
        };
        let mut it = nums.split('.').map(|n| n.parse::<u64>().ok());
        let (major, minor, patch) = (it.next()??, it.next()??, it.next()??);
        it.next().is_none().then_some(Version {
            major,
            minor,
            patch,
            pre,
        })
    }
}

impl Ord for Version {
    /// SemVer order, roughly: a release sorts after its pre-releases.
    fn cmp(&self, o: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (&self.pre, &o.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        match &self.pre {
            Some(p) => write!(f, "-{p}"),
            None => Ok(()),
        }
    }
}

/// The host's roll-forward policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollForward {
    Disable,
    LatestPatch,
    Minor,
    LatestMinor,
    Major,
    LatestMajor,
}

impl RollForward {
    /// The host compares case-insensitively and refuses anything else.
    pub fn parse(s: &str) -> Result<RollForward, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "disable" => RollForward::Disable,
            "latestpatch" => RollForward::LatestPatch,
            "minor" => RollForward::Minor,
            "latestminor" => RollForward::LatestMinor,
            "major" => RollForward::Major,
            "latestmajor" => RollForward::LatestMajor,
            _ => {
                return Err(format!(
                    "rollForward {s:?} is not a value the .NET host knows"
                ));
            }
        })
    }

    /// Picks the version the host would run, from those installed. A
    /// release request never rolls onto a pre-release; within the chosen
    /// major.minor the latest patch wins, except under Disable.
    pub fn resolve<'v>(self, want: &Version, have: &'v [Version]) -> Option<&'v Version> {
        let ok: Vec<&Version> = have
            .iter()
            .filter(|v| *v >= want && (want.pre.is_some() || v.pre.is_none()))
            .collect();
        let latest_patch_of = |major: u64, minor: u64| {
            ok.iter()
                .copied()
                .filter(|v| v.major == major && v.minor == minor)
                .max()
        };
        // The lowest minor (in `major`) above the wanted one, with its latest patch.
        let lowest_minor_in = |major: u64| {
            let minor = ok
                .iter()
                .filter(|v| v.major == major)
                .map(|v| v.minor)
                .min()?;
            latest_patch_of(major, minor)
        };
        let same_major = |v: &&Version| v.major == want.major;
        match self {
            RollForward::Disable => ok.into_iter().find(|v| *v == want),
            RollForward::LatestPatch => latest_patch_of(want.major, want.minor),
            RollForward::Minor => lowest_minor_in(want.major),
            RollForward::LatestMinor => ok.iter().copied().filter(same_major).max(),
            RollForward::Major => lowest_minor_in(want.major).or_else(|| {
                let major = ok
                    .iter()
                    .map(|v| v.major)
                    .filter(|m| *m > want.major)
                    .min()?;
                lowest_minor_in(major)
            }),
            RollForward::LatestMajor => ok.iter().copied().max(),
        }
    }
}

impl fmt::Display for RollForward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RollForward::Disable => "Disable",
            RollForward::LatestPatch => "LatestPatch",
            RollForward::Minor => "Minor",
            RollForward::LatestMinor => "LatestMinor",
            RollForward::Major => "Major",
            RollForward::LatestMajor => "LatestMajor",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn versions() {
        assert_eq!(v("8.0.11").to_string(), "8.0.11");
        assert_eq!(
            v("3.1.23-servicing.22122.4").pre.as_deref(),
            Some("servicing.22122.4")
        );
        assert!(v("8.0.0-rc.2") < v("8.0.0"));
        assert!(v("8.0.10") > v("8.0.9"));
        for bad in ["8.0", "8.0.x", "8.0.0.0", "", "8.0.0-", "-1.0.0"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn roll_forward_follows_the_host_rules() {
        let have: Vec<Version> = ["3.1.23", "6.0.5", "6.0.36", "6.2.1", "8.0.11", "9.0.0-rc.2"]
            .into_iter()
            .map(v)
            .collect();
        let r = |p: RollForward, want: &str| p.resolve(&v(want), &have).map(|x| x.to_string());
        use RollForward::*;
        assert_eq!(r(Minor, "6.0.0").as_deref(), Some("6.0.36"));
        assert_eq!(r(Minor, "6.1.0").as_deref(), Some("6.2.1"));
        assert_eq!(r(Minor, "7.0.0"), None);
        assert_eq!(r(LatestPatch, "6.1.0"), None);
        assert_eq!(r(LatestPatch, "3.1.0").as_deref(), Some("3.1.23"));
        assert_eq!(r(LatestMinor, "6.0.0").as_deref(), Some("6.2.1"));
        assert_eq!(r(Major, "7.0.0").as_deref(), Some("8.0.11"));
        assert_eq!(r(Major, "4.0.0").as_deref(), Some("6.0.36"));
        assert_eq!(r(LatestMajor, "3.1.0").as_deref(), Some("8.0.11"));
        assert_eq!(r(Disable, "6.0.5").as_deref(), Some("6.0.5"));
        assert_eq!(r(Disable, "6.0.6"), None);
        assert_eq!(r(LatestMajor, "9.0.0-rc.1").as_deref(), Some("9.0.0-rc.2"));
        assert_eq!(RollForward::parse("latestPATCH"), Ok(LatestPatch));
        assert!(RollForward::parse("Newest").is_err());
    }

    #[test]
    fn runtimeconfig_shapes() {
        let o = parse_runtimeconfig(
            r#"{"runtimeOptions":{"tfm":"net8.0","rollForward":"Major",
                "framework":{"name":"Microsoft.NETCore.App","version":"8.0.0"},
                "frameworks":[{"name":"Microsoft.AspNetCore.App","version":"8.0.0","rollForward":"LatestPatch"}]}}"#,
        )
        .unwrap();
        assert_eq!(o.framework_refs().len(), 2);
        assert_eq!(o.roll_forward(), Ok(RollForward::Major));
        assert_eq!(o.frameworks[0].roll_forward.as_deref(), Some("LatestPatch"));
        let legacy =
            parse_runtimeconfig(r#"{"runtimeOptions":{"rollForwardOnNoCandidateFx":2}}"#).unwrap();
        assert_eq!(legacy.roll_forward(), Ok(RollForward::Major));
        assert_eq!(parse_runtimeconfig("{}").unwrap().framework_refs().len(), 0);
    }

    #[test]
    fn hostile_json_is_an_error_not_a_panic() {
        let deep = "[".repeat(100_000);
        assert!(parse_runtimeconfig(&deep).is_err());
        assert!(parse_deps(&format!("{{\"libraries\":{deep}")).is_err());
        assert!(parse_runtimeconfig(r#"{"runtimeOptions":{"framework":{"name":1}}}"#).is_err());
        assert!(parse_runtimeconfig("{\"runtimeOptions\":").is_err());
        assert!(parse_deps("\u{0}\u{ffff}").is_err());
        let e = parse_runtimeconfig(r#"{"runtimeOptions":{"rollForwardOnNoCandidateFx":9}}"#)
            .unwrap()
            .roll_forward();
        assert_eq!(
            e,
            Err("rollForwardOnNoCandidateFx 9 is not 0, 1 or 2".into())
        );
    }

    #[test]
    fn deps_libraries() {
        let d = parse_deps(
            r#"{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},
                "libraries":{"app/1.0.0":{"type":"project"},
                             "BouncyCastle.Cryptography/2.4.0":{"type":"package","sha512":"x"},
                             "nameless":{"type":"package"}}}"#,
        )
        .unwrap();
        let libs: Vec<_> = d.libraries().collect();
        assert_eq!(
            libs,
            [
                ("BouncyCastle.Cryptography", "2.4.0", "package"),
                ("app", "1.0.0", "project")
            ]
        );
    }
}
