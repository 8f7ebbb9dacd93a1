//! Signature data: marker strings, module versions and certificates, kept
//! as TOML in `signatures/` (embedded at build time, overridable with
//! `--signatures DIR`). Code asks for markers by id; loading fails unless
//! every id the code uses is present, so a typo never becomes a silent miss.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};

pub const GO_FUNC_CRYPTO: &str = "go.func.crypto";
pub const GO_FUNC_XCRYPTO: &str = "go.func.xcrypto";
pub const GO_FUNC_FIPS_MODULE: &str = "go.func.fips-module";
pub const GO_FUNC_FIPS_SNAPSHOT: &str = "go.func.fips-snapshot";
pub const GO_FUNC_BORING_CFUNC: &str = "go.func.boring-cfunc";
pub const GO_FUNC_BORING_SIG: &str = "go.func.boring-sig";
pub const GO_FUNC_OPENSSL_BACKEND: &str = "go.func.openssl-backend";
pub const GO_FUNC_GOLANG_FIPS_OPENSSL: &str = "go.func.golang-fips-openssl";
pub const GO_VERSION_BORINGCRYPTO: &str = "go.version.boringcrypto";
pub const GO_SETTING_GOFIPS140: &str = "go.setting.gofips140";
pub const GO_SETTING_DEFAULT_GODEBUG: &str = "go.setting.default-godebug";
pub const GO_SETTING_GOEXPERIMENT: &str = "go.setting.goexperiment";
pub const GO_SETTING_MS_SYSTEMCRYPTO: &str = "go.setting.ms-systemcrypto";
pub const GO_SETTING_MS_TOOLSET_VERSION: &str = "go.setting.ms-toolset-version";
pub const GO_EXPERIMENT_OPENSSL: &str = "go.experiment.openssl";
pub const GO_EXPERIMENT_MS_NOCGO_OPENSSL: &str = "go.experiment.ms-nocgo-openssl";
pub const OPENSSL_VERSION_TEXT: &str = "openssl.version-text";
pub const OPENSSL_OPENSSLDIR: &str = "openssl.openssldir";
pub const OPENSSL_MODULESDIR: &str = "openssl.modulesdir";
pub const OPENSSL_LIBCRYPTO_SONAME: &str = "openssl.libcrypto-soname";
pub const OPENSSL_LIBSSL_SONAME: &str = "openssl.libssl-soname";
pub const OPENSSL_FIPS_PROVIDER_FILE: &str = "openssl.fips-provider-file";
pub const OPENSSL_FIPS_PROVIDER_NAME: &str = "openssl.fips-provider-name";
pub const OPENSSL_KERNEL_FIPS_SWITCH: &str = "openssl.kernel-fips-switch";
pub const OPENSSL_FORCE_FIPS_ENV: &str = "openssl.force-fips-env";
pub const OPENSSL_SWITCH_PATH_ENV: &str = "openssl.fips-switch-path-env";
pub const OPENSSL_RH_HMAC_KEY: &str = "openssl.rh-hmac-key";
pub const OPENSSL_SYSTEM_FIPS_FILE: &str = "openssl.system-fips-file";
pub const OPENSSL_SYMCRYPT_AUTOLOAD: &str = "openssl.symcrypt-autoload";
pub const OPENSSL_SYMCRYPT_PROVIDER_FILE: &str = "openssl.symcrypt-provider-file";
pub const OPENSSL_FOM_PREMAIN: &str = "openssl.fom-premain";
pub const OPENSSL_FOM_VERSION_API: &str = "openssl.fom-version-api";
pub const MODULE_GO_BORINGCRYPTO: &str = "go-boringcrypto";

/// Every marker id the code looks up.
pub const REQUIRED_MARKERS: &[&str] = &[
    GO_FUNC_CRYPTO,
    GO_FUNC_XCRYPTO,
    GO_FUNC_FIPS_MODULE,
    GO_FUNC_FIPS_SNAPSHOT,
    GO_FUNC_BORING_CFUNC,
    GO_FUNC_BORING_SIG,
    GO_FUNC_OPENSSL_BACKEND,
    GO_FUNC_GOLANG_FIPS_OPENSSL,
    GO_VERSION_BORINGCRYPTO,
    GO_SETTING_GOFIPS140,
    GO_SETTING_DEFAULT_GODEBUG,
    GO_SETTING_GOEXPERIMENT,
    GO_SETTING_MS_SYSTEMCRYPTO,
    GO_SETTING_MS_TOOLSET_VERSION,
    GO_EXPERIMENT_OPENSSL,
    GO_EXPERIMENT_MS_NOCGO_OPENSSL,
    OPENSSL_VERSION_TEXT,
    OPENSSL_OPENSSLDIR,
    OPENSSL_MODULESDIR,
    OPENSSL_LIBCRYPTO_SONAME,
    OPENSSL_LIBSSL_SONAME,
    OPENSSL_FIPS_PROVIDER_FILE,
    OPENSSL_FIPS_PROVIDER_NAME,
    OPENSSL_KERNEL_FIPS_SWITCH,
    OPENSSL_FORCE_FIPS_ENV,
    OPENSSL_SWITCH_PATH_ENV,
    OPENSSL_RH_HMAC_KEY,
    OPENSSL_SYSTEM_FIPS_FILE,
    OPENSSL_SYMCRYPT_AUTOLOAD,
    OPENSSL_SYMCRYPT_PROVIDER_FILE,
    OPENSSL_FOM_PREMAIN,
    OPENSSL_FOM_VERSION_API,
];
pub const REQUIRED_MODULES: &[&str] = &[MODULE_GO_BORINGCRYPTO];

const EMBEDDED: &[(&str, &str)] = &[
    ("meta.toml", include_str!("../signatures/meta.toml")),
    ("go.toml", include_str!("../signatures/go.toml")),
    ("openssl.toml", include_str!("../signatures/openssl.toml")),
    ("modules.toml", include_str!("../signatures/modules.toml")),
    ("java.toml", include_str!("../signatures/java.toml")),
    ("rust.toml", include_str!("../signatures/rust.toml")),
    ("native.toml", include_str!("../signatures/native.toml")),
    ("node.toml", include_str!("../signatures/node.toml")),
    ("dotnet.toml", include_str!("../signatures/dotnet.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Prefix,
    Contains,
    Exact,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub id: String,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    pub pattern: String,
    pub meaning: String,
    pub sample: String,
    pub source: String,
}

impl Marker {
    pub fn matches(&self, s: &str) -> bool {
        match self.match_kind {
            MatchKind::Prefix => s.starts_with(&self.pattern),
            MatchKind::Contains => s.contains(&self.pattern),
            MatchKind::Exact => s == self.pattern,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub id: String,
    pub name: String,
    /// The module versions this entry covers start with this.
    pub version_prefix: String,
    pub certificate: String,
    /// `fips140-2` or `fips140-3`.
    pub level: String,
    /// The certificate's Overall Security Level (1 to 4), with where it comes
    /// from; CycloneDX's `certificationLevel` needs it (`fips140-3-l1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_level: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_level_source: Option<String>,
    pub validated: bool,
    /// The day the certificate moved to CMVP's Historical list (`2026-09-21`
    /// for every FIPS 140-2 certificate still active then), with its source
    /// and what to move to: a historical module may stay in systems that
    /// already use it, but is not for new procurements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical_since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    pub sample: String,
    pub source: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    marker: Vec<Marker>,
    #[serde(default)]
    module: Vec<Module>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    #[error("signature file {file}: {source}")]
    Parse {
        file: String,
        source: Box<toml::de::Error>,
    },
    #[error("signature file {file}: {reason}")]
    Invalid { file: String, reason: String },
    #[error("cannot read signature directory {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("signature data lacks {kind} {id:?}, which fipscan needs")]
    Missing { kind: &'static str, id: String },
}

#[derive(Debug)]
pub struct Signatures {
    pub version: String,
    markers: HashMap<String, Marker>,
    modules: Vec<Module>,
    /// Built on first use: one automaton for every ELF file of a scan.
    openssl_matcher: OnceLock<Option<AhoCorasick>>,
}

static EMBEDDED_SIGS: OnceLock<Signatures> = OnceLock::new();
static ACTIVE: OnceLock<Signatures> = OnceLock::new();

impl Signatures {
    pub fn parse(files: &[(String, String)]) -> Result<Signatures, SignatureError> {
        let mut sigs = Signatures {
            version: String::new(),
            markers: HashMap::new(),
            modules: Vec::new(),
            openssl_matcher: OnceLock::new(),
        };
        for (name, text) in files {
            let f: File = toml::from_str(text).map_err(|source| SignatureError::Parse {
                file: name.clone(),
                source: Box::new(source),
            })?;
            if let Some(v) = f.version {
                sigs.version = v;
            }
            for m in f.marker {
                let invalid = |reason: &str| SignatureError::Invalid {
                    file: name.clone(),
                    reason: format!("marker {:?}: {reason}", m.id),
                };
                if m.pattern.is_empty() || m.sample.is_empty() || m.source.is_empty() {
                    return Err(invalid("pattern, sample and source must not be empty"));
                }
                if !m.matches(&m.sample) {
                    return Err(invalid("pattern does not match its own sample"));
                }
                if sigs.markers.contains_key(&m.id) {
                    return Err(invalid("defined twice"));
                }
                sigs.markers.insert(m.id.clone(), m);
            }
            for m in f.module {
                if m.sample.is_empty() || m.source.is_empty() || m.certificate.is_empty() {
                    return Err(SignatureError::Invalid {
                        file: name.clone(),
                        reason: format!(
                            "module {:?}: sample, source and certificate are required",
                            m.id
                        ),
                    });
                }
                let historical_ok = match (&m.historical_since, &m.historical_source, &m.successor)
                {
                    (None, None, None) => true,
                    (Some(day), Some(src), Some(next)) => {
                        day.parse::<jiff::civil::Date>().is_ok()
                            && !src.is_empty()
                            && !next.is_empty()
                    }
                    _ => false,
                };
                if !historical_ok {
                    return Err(SignatureError::Invalid {
                        file: name.clone(),
                        reason: format!(
                            "module {:?}: historical_since must be a date like 2026-09-21 and come with historical_source and successor",
                            m.id
                        ),
                    });
                }
                let level_ok = match (m.security_level, &m.security_level_source) {
                    (None, None) => true,
                    (Some(l), Some(src)) => (1..=4).contains(&l) && !src.is_empty(),
                    _ => false,
                };
                if !level_ok {
                    return Err(SignatureError::Invalid {
                        file: name.clone(),
                        reason: format!(
                            "module {:?}: security_level must be 1 to 4 and come with security_level_source",
                            m.id
                        ),
                    });
                }
                sigs.modules.push(m);
            }
        }
        if sigs.version.is_empty() {
            return Err(SignatureError::Missing {
                kind: "version",
                id: "meta.toml version".into(),
            });
        }
        for id in REQUIRED_MARKERS
            .iter()
            .chain(crate::java::MARKER_IDS.iter())
            .chain(crate::rustbin::MARKER_IDS.iter())
            .chain(crate::detect::native::MARKER_IDS.iter())
            .chain(crate::detect::node::MARKER_IDS.iter())
            .chain(crate::judge::dotnet::aot::MARKER_IDS.iter())
        {
            if !sigs.markers.contains_key(*id) {
                return Err(SignatureError::Missing {
                    kind: "marker",
                    id: (*id).into(),
                });
            }
        }
        for id in REQUIRED_MODULES {
            if !sigs.modules.iter().any(|m| m.id == *id) {
                return Err(SignatureError::Missing {
                    kind: "module",
                    id: (*id).into(),
                });
            }
        }
        Ok(sigs)
    }

    fn parse_embedded() -> Result<Signatures, SignatureError> {
        let files: Vec<(String, String)> = EMBEDDED
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        Signatures::parse(&files)
    }

    /// The data compiled into this binary. Its validity is proven by tests,
    /// so failing here means the build itself is broken.
    pub fn embedded() -> &'static Signatures {
        EMBEDDED_SIGS.get_or_init(|| match Signatures::parse_embedded() {
            Ok(s) => s,
            Err(e) => panic!("embedded signature data is invalid: {e}"),
        })
    }

    /// Loads every `*.toml` in `dir` (replacing the embedded data).
    pub fn from_dir(dir: &Path) -> Result<Signatures, SignatureError> {
        let io = |source| SignatureError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).map_err(io)?;
                files.push((path.display().to_string(), text));
            }
        }
        files.sort();
        Signatures::parse(&files)
    }

    /// Makes `sigs` the data every detector uses from now on. Call once,
    /// before scanning; returns false if data was already activated.
    pub fn activate(sigs: Signatures) -> bool {
        ACTIVE.set(sigs).is_ok()
    }

    pub fn active() -> &'static Signatures {
        ACTIVE.get().unwrap_or_else(|| Signatures::embedded())
    }

    /// Ids are checked at load time (`REQUIRED_MARKERS`), so this finds one.
    pub fn marker(&self, id: &str) -> Option<&Marker> {
        self.markers.get(id)
    }

    /// The pattern of a required marker; empty (matching nothing useful) if absent.
    pub fn pattern(&self, id: &str) -> &str {
        self.markers.get(id).map_or("", |m| m.pattern.as_str())
    }

    pub fn matches(&self, id: &str, s: &str) -> bool {
        self.markers.get(id).is_some_and(|m| m.matches(s))
    }

    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    /// The validated module entry whose prefix fits `version`, longest prefix first.
    pub fn validated_module(&self, id_prefix: &str, version: &str) -> Option<&Module> {
        self.modules
            .iter()
            .filter(|m| {
                m.id.starts_with(id_prefix) && m.validated && version.starts_with(&m.version_prefix)
            })
            .max_by_key(|m| m.version_prefix.len())
    }

    /// Finds OpenSSL's version text, OPENSSLDIR and MODULESDIR markers in
    /// one pass, a FIPS provider's name, and the distro FIPS patches' strings
    /// and the OpenSSL 1.0.2 FIPS Object Module's symbols (pattern ids
    /// 0..=10 in that order).
    pub fn openssl_matcher(&self) -> Option<&AhoCorasick> {
        self.openssl_matcher
            .get_or_init(|| {
                AhoCorasick::new([
                    self.pattern(OPENSSL_VERSION_TEXT),
                    self.pattern(OPENSSL_OPENSSLDIR),
                    self.pattern(OPENSSL_MODULESDIR),
                    self.pattern(OPENSSL_FIPS_PROVIDER_NAME),
                    self.pattern(OPENSSL_KERNEL_FIPS_SWITCH),
                    self.pattern(OPENSSL_FORCE_FIPS_ENV),
                    self.pattern(OPENSSL_RH_HMAC_KEY),
                    self.pattern(OPENSSL_SYSTEM_FIPS_FILE),
                    self.pattern(OPENSSL_SYMCRYPT_AUTOLOAD),
                    self.pattern(OPENSSL_FOM_PREMAIN),
                    self.pattern(OPENSSL_FOM_VERSION_API),
                    self.pattern(OPENSSL_SWITCH_PATH_ENV),
                ])
                .ok()
            })
            .as_ref()
    }

    pub fn markers(&self) -> impl Iterator<Item = &Marker> {
        self.markers.values()
    }
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The day a certificate moved to CMVP's Historical list, when that is
    /// on or before `day`.
    pub fn historical_on(
        &self,
        certificate: &str,
        day: jiff::civil::Date,
    ) -> Option<(jiff::civil::Date, &Module)> {
        let m = self.module_by_certificate(certificate)?;
        let since = m
            .historical_since
            .as_deref()?
            .parse::<jiff::civil::Date>()
            .ok()?;
        (since <= day).then_some((since, m))
    }

    /// The module entry a certificate (`CMVP #4985`) belongs to; entries
    /// sharing a certificate share its standard and level.
    pub fn module_by_certificate(&self, certificate: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.certificate == certificate)
    }
}

impl Module {
    /// CycloneDX 1.6 `certificationLevel` (`fips140-2-l1`, `fips140-3-l1`),
    /// when the data gives both the standard and the security level.
    pub fn certification_level(&self) -> Option<String> {
        let standard = match self.level.as_str() {
            "fips140-2" | "fips140-3" => self.level.as_str(),
            _ => return None,
        };
        self.security_level.map(|l| format!("{standard}-l{l}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_and_every_sample_matches() {
        let s = Signatures::parse_embedded().unwrap();
        for m in s.markers() {
            assert!(m.matches(&m.sample), "{} does not match its sample", m.id);
            assert!(!m.source.is_empty());
        }
        for m in s.modules() {
            assert!(
                m.sample.starts_with(&m.version_prefix),
                "{}: sample outside its version prefix",
                m.id
            );
            // Every certificate states its standard and level (CycloneDX
            // certificationLevel is built from both).
            assert!(
                m.certification_level().is_some(),
                "{}: no FIPS 140 standard and security level",
                m.id
            );
        }
        assert!(!s.version.is_empty());
    }

    #[test]
    fn every_marker_is_used_by_the_code() {
        let s = Signatures::parse_embedded().unwrap();
        for m in s.markers() {
            assert!(
                REQUIRED_MARKERS.contains(&m.id.as_str())
                    || crate::java::MARKER_IDS.contains(&m.id.as_str())
                    || crate::rustbin::MARKER_IDS.contains(&m.id.as_str())
                    || crate::detect::native::MARKER_IDS.contains(&m.id.as_str())
                    || crate::detect::node::MARKER_IDS.contains(&m.id.as_str())
                    || crate::judge::dotnet::aot::MARKER_IDS.contains(&m.id.as_str()),
                "marker {} is data nothing reads",
                m.id
            );
        }
    }

    #[test]
    fn broken_data_is_refused() {
        let base: Vec<(String, String)> = EMBEDDED
            .iter()
            .map(|(n, t)| ((*n).into(), (*t).into()))
            .collect();
        let mut bad = base.clone();
        bad.push(("x.toml".into(), "[[marker]]\nid='a'\nmatch='prefix'\npattern='zz'\nmeaning='m'\nsample='yy'\nsource='s'\n".into()));
        assert!(matches!(
            Signatures::parse(&bad),
            Err(SignatureError::Invalid { .. })
        ));
        let missing: Vec<_> = base
            .into_iter()
            .filter(|(n, _)| n != "openssl.toml")
            .collect();
        assert!(matches!(
            Signatures::parse(&missing),
            Err(SignatureError::Missing { .. })
        ));
    }

    #[test]
    fn validated_module_lookup() {
        let s = Signatures::embedded();
        assert_eq!(
            s.validated_module("go-native", "v1.0.0-c2097c7c")
                .unwrap()
                .certificate,
            "CMVP #5247"
        );
        assert!(s.validated_module("go-native", "v1.26.0").is_none());
        assert_eq!(
            s.validated_module("openssl-fips", "3.1.2")
                .unwrap()
                .certificate,
            "CMVP #4985"
        );
        assert!(s.validated_module("openssl-fips", "3.5.4").is_none());
    }

    #[test]
    fn certification_levels_follow_the_certificate() {
        let s = Signatures::embedded();
        let level = |cert: &str| {
            s.module_by_certificate(cert)
                .and_then(Module::certification_level)
        };
        assert_eq!(level("CMVP #4985").as_deref(), Some("fips140-3-l1"));
        assert_eq!(level("CMVP #4282").as_deref(), Some("fips140-2-l1"));
        assert_eq!(level("CMVP #5247").as_deref(), Some("fips140-3-l1"));
        assert_eq!(level("CMVP #4407").as_deref(), Some("fips140-2-l1"));
        assert_eq!(level("CMVP #4943").as_deref(), Some("fips140-3-l1"));
        assert_eq!(level("CMVP #9999"), None);
    }

    #[test]
    fn a_security_level_needs_its_source_and_a_valid_number() {
        let base: Vec<(String, String)> = EMBEDDED
            .iter()
            .map(|(n, t)| ((*n).into(), (*t).into()))
            .collect();
        let module = |extra: &str| {
            let mut files = base.clone();
            files.push((
                "x.toml".into(),
                format!(
                    "[[module]]\nid='x'\nname='X'\nversion_prefix='1'\ncertificate='CMVP #1'\nlevel='fips140-3'\nvalidated=true\nsample='1'\nsource='s'\n{extra}"
                ),
            ));
            Signatures::parse(&files)
        };
        assert!(module("").is_ok());
        assert!(module("security_level=1\nsecurity_level_source='policy'\n").is_ok());
        for bad in [
            "security_level=1\n",
            "security_level=5\nsecurity_level_source='p'\n",
            "security_level=0\nsecurity_level_source='p'\n",
            "security_level_source='p'\n",
            // A historical date needs its source and successor, and a real date.
            "historical_since='2026-09-21'\n",
            "historical_since='2026-09-21'\nhistorical_source='s'\n",
            "historical_since='21.09.2026'\nhistorical_source='s'\nsuccessor='n'\n",
            "historical_source='s'\nsuccessor='n'\n",
        ] {
            assert!(
                matches!(module(bad), Err(SignatureError::Invalid { .. })),
                "{bad}"
            );
        }
        assert!(
            module("historical_since='2026-09-21'\nhistorical_source='s'\nsuccessor='n'\n").is_ok()
        );
    }

    #[test]
    fn fips_140_2_certificates_carry_their_historical_date() {
        let sigs = Signatures::embedded();
        for m in sigs.modules() {
            assert_eq!(
                m.historical_since.as_deref(),
                (m.level == "fips140-2").then_some("2026-09-21"),
                "{}",
                m.id
            );
        }
        let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert!(
            sigs.historical_on("CMVP #4282", day("2026-09-20"))
                .is_none()
        );
        let (since, m) = sigs.historical_on("CMVP #4282", day("2026-11-22")).unwrap();
        assert_eq!((since, m.level.as_str()), (day("2026-09-21"), "fips140-2"));
        assert!(
            sigs.historical_on("CMVP #4985", day("2030-01-01"))
                .is_none()
        );
    }
}
