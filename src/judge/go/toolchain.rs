//! What a Go binary's build info says about the toolchain that built it:
//! its crypto mode (OpenSSL backend selected or not), whether it is the
//! Microsoft build of Go, and whether that backend can load OpenSSL without
//! cgo. These are facts about the toolchain, not about the program: whether
//! the program uses crypto at all only its function table can tell.

use crate::detect::gofacts::GoFacts;
use crate::signatures::{self as sig, Signatures};

/// The first Microsoft Go release whose OpenSSL backend works without cgo
/// by default (microsoft/go eng/doc/NocgoOpenSSL.md: "In Go 1.27, the
/// experiment will be removed and the cgo requirement for `systemcrypto` on
/// Linux will be lifted by default"; PR #2106). A version, not a string
/// marker, so it lives here rather than in signatures/.
const MS_CGO_LESS_DEFAULT: (u32, u32) = (1, 27);

/// The release (`go1.26.4` -> (1, 26)) of a Go version string, as the build
/// info (`go1.27.3-X:boringcrypto`, `go1.25-devel_04738e85ef2 …`) or
/// Microsoft's toolset setting (`go1.26.4-1-microsoft`) writes it.
pub(super) fn release(version: &str) -> Option<(u32, u32)> {
    let v = version
        .trim()
        .trim_start_matches("devel ")
        .strip_prefix("go")?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Experiments as the build recorded them: the raw GOEXPERIMENT setting, then
/// the non-default ones the linker appends to the version (` X:a,b` or
/// `-X:a,b`), in that order.
fn experiments(facts: &GoFacts, sigs: &Signatures) -> Vec<String> {
    let raw = facts
        .setting(sigs.pattern(sig::GO_SETTING_GOEXPERIMENT))
        .unwrap_or("");
    let suffix = facts
        .version
        .as_deref()
        .and_then(|v| v.split_once("X:"))
        .map_or("", |(_, rest)| rest.split_whitespace().next().unwrap_or(""));
    raw.split(',')
        .chain(suffix.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) struct Toolchain {
    experiments: Vec<String>,
    /// `microsoft_systemcrypto=1`: Microsoft Go >= 1.25 with systemcrypto on.
    pub ms_systemcrypto: bool,
    /// `microsoft_toolset_version`, e.g. `go1.26.4-1-microsoft` (Go >= 1.26).
    pub ms_toolset: Option<String>,
    pub release: Option<(u32, u32)>,
}

impl Toolchain {
    pub fn read(facts: &GoFacts, sigs: &Signatures) -> Toolchain {
        let ms_toolset = facts
            .setting(sigs.pattern(sig::GO_SETTING_MS_TOOLSET_VERSION))
            .map(str::to_string);
        let release = facts
            .version
            .as_deref()
            .and_then(release)
            .or_else(|| ms_toolset.as_deref().and_then(release));
        Toolchain {
            experiments: experiments(facts, sigs),
            ms_systemcrypto: facts.setting(sigs.pattern(sig::GO_SETTING_MS_SYSTEMCRYPTO))
                == Some("1"),
            ms_toolset,
            release,
        }
    }

    /// Whether experiment `name` is on: the last of `name` / `noname` wins,
    /// as Go's own GOEXPERIMENT parser reads the list.
    pub fn experiment(&self, name: &str) -> bool {
        self.experiments
            .iter()
            .rev()
            .find_map(|e| match e.strip_prefix("no") {
                Some(rest) if rest == name => Some(false),
                _ => (e == name).then_some(true),
            })
            .unwrap_or(false)
    }

    /// The toolchain routes crypto to OpenSSL (if the program has any):
    /// Microsoft's systemcrypto, or an OpenSSL experiment of Microsoft Go or
    /// golang-fips.
    pub fn openssl_mode(&self, sigs: &Signatures) -> bool {
        self.ms_systemcrypto
            || sigs
                .pattern(sig::GO_EXPERIMENT_OPENSSL)
                .split(',')
                .any(|e| self.experiment(e))
            || self.experiment(sigs.pattern(sig::GO_EXPERIMENT_MS_NOCGO_OPENSSL))
    }

    /// Built by the Microsoft build of Go (MicrosoftToolsetIdentification.md:
    /// `microsoft_toolset_version`, `microsoft_systemcrypto=1` or a
    /// systemcrypto experiment, all unique to it).
    pub fn microsoft(&self, sigs: &Signatures) -> bool {
        self.ms_systemcrypto
            || self.ms_toolset.is_some()
            || self
                .experiments
                .iter()
                .any(|e| e == "systemcrypto" || e == "nosystemcrypto")
            || self.experiment(sigs.pattern(sig::GO_EXPERIMENT_MS_NOCGO_OPENSSL))
    }

    /// A Microsoft Go OpenSSL backend that loads libcrypto without cgo:
    /// Go 1.26 with GOEXPERIMENT=ms_nocgo_opensslcrypto, or any Go >= 1.27
    /// (NocgoOpenSSL.md; with CGO_ENABLED=1 the cgo backend is used instead).
    /// golang-fips has no such backend.
    pub fn ms_cgo_less_openssl(&self, sigs: &Signatures) -> bool {
        self.microsoft(sigs)
            && (self.experiment(sigs.pattern(sig::GO_EXPERIMENT_MS_NOCGO_OPENSSL))
                || self.release.is_some_and(|r| r >= MS_CGO_LESS_DEFAULT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(version: &str, settings: &[(&str, &str)]) -> GoFacts {
        GoFacts {
            version: Some(version.into()),
            settings: settings
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn releases_from_real_version_strings() {
        assert_eq!(release("go1.26.4"), Some((1, 26)));
        assert_eq!(release("go1.27.3-X:boringcrypto"), Some((1, 27)));
        assert_eq!(release("go1.26.4-1-microsoft"), Some((1, 26)));
        assert_eq!(
            release("go1.25-devel_04738e85ef2 Thu Jun 12 12:49:08 2025 +0200"),
            Some((1, 25))
        );
        assert_eq!(
            release("devel go1.21-a37c2efaa4 Wed May 31 16:54:31 2023 -0500 X:opensslcrypto"),
            Some((1, 21))
        );
        assert_eq!(release("go1"), None);
        assert_eq!(release("unknown"), None);
    }

    #[test]
    fn tsgo_build_info_is_microsoft_systemcrypto_without_experiments() {
        // The settings of the real tsgo (fixtures/parts/go-microsoft.sh).
        let tsgo = facts(
            "go1.26.4",
            &[
                ("microsoft_systemcrypto", "1"),
                ("microsoft_toolset_version", "go1.26.4-1-microsoft"),
                ("CGO_ENABLED", "0"),
                ("-tags", "noembed"),
            ],
        );
        let sigs = Signatures::embedded();
        let t = Toolchain::read(&tsgo, sigs);
        assert!(t.ms_systemcrypto);
        assert_eq!(t.ms_toolset.as_deref(), Some("go1.26.4-1-microsoft"));
        assert_eq!(t.release, Some((1, 26)));
        assert!(t.openssl_mode(sigs));
        assert!(t.microsoft(sigs));
        assert!(!t.ms_cgo_less_openssl(sigs));
    }

    #[test]
    fn experiments_from_setting_and_version_last_one_wins() {
        let sigs = Signatures::embedded();
        let both = facts(
            "go1.26.1 X:ms_nocgo_opensslcrypto",
            &[("GOEXPERIMENT", "ms_nocgo_opensslcrypto")],
        );
        let t = Toolchain::read(&both, sigs);
        assert!(t.experiment("ms_nocgo_opensslcrypto"));
        assert!(t.microsoft(sigs));
        assert!(t.ms_cgo_less_openssl(sigs));
        let off = facts(
            "go1.24.2",
            &[("GOEXPERIMENT", "systemcrypto,nosystemcrypto")],
        );
        let t = Toolchain::read(&off, sigs);
        assert!(!t.experiment("systemcrypto"));
        assert!(!t.openssl_mode(sigs));
        assert!(t.microsoft(sigs));
        let golang_fips = facts("go1.22.5", &[("GOEXPERIMENT", "strictfipsruntime")]);
        let t = Toolchain::read(&golang_fips, sigs);
        assert!(t.openssl_mode(sigs));
        assert!(!t.microsoft(sigs));
        // A golang-fips toolchain does not become cgo-less by its version.
        let t = Toolchain::read(
            &facts("go1.27.1", &[("GOEXPERIMENT", "strictfipsruntime")]),
            sigs,
        );
        assert!(!t.ms_cgo_less_openssl(sigs));
        let t = Toolchain::read(&facts("go1.27.0", &[("microsoft_systemcrypto", "1")]), sigs);
        assert!(t.ms_cgo_less_openssl(sigs));
    }
}
