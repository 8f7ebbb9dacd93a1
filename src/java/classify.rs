//! Judging one jar against the validated BC-FIPS versions (the
//! `[[module]]` entries of signatures/java.toml). Statuses follow the
//! verdict model of ../shared/DESIGN.md.

use serde::Serialize;

use super::BC_FIPS_MODULE_PREFIX;
use super::jar::{JarFacts, JarKind};
use crate::score::Status;
use crate::signatures::Module;

/// A BC-FIPS version range and its certificate (a `[[module]]` of java.toml).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleCert {
    pub id: String,
    pub version_prefix: String,
    pub certificate: String,
    pub level: String,
    pub validated: bool,
}

impl ModuleCert {
    /// The BC-FIPS entries (`bc-fips-*` ids) of loaded signature data.
    pub fn from_modules(modules: &[Module]) -> Vec<ModuleCert> {
        modules
            .iter()
            .filter(|m| m.id.starts_with(BC_FIPS_MODULE_PREFIX))
            .map(|m| ModuleCert {
                id: m.id.clone(),
                version_prefix: m.version_prefix.clone(),
                certificate: m.certificate.clone(),
                level: m.level.clone(),
                validated: m.validated,
            })
            .collect()
    }

    /// Prefix match on whole version components: "1.0.2" covers "1.0.2.4"
    /// but "1.0.1" does not cover "1.0.10".
    pub fn covers(&self, version: &str) -> bool {
        version == self.version_prefix
            || version
                .strip_prefix(self.version_prefix.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// What one jar contributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "module", rename_all = "kebab-case")]
pub enum JavaCryptoStatus {
    BcFipsValidated {
        version: String,
        certificate: String,
        level: String,
    },
    BcFipsUnvalidated {
        version: Option<String>,
        reason: String,
    },
    /// bctls-fips / bcpkix-fips: they run on whatever bc-fips is loaded.
    BcFipsCompanion {
        kind: JarKind,
        version: Option<String>,
    },
    BcprovNonFips {
        version: Option<String>,
        shaded: bool,
    },
    NotBouncyCastle,
}

impl JavaCryptoStatus {
    /// The component status, or None for a jar that is not a crypto module.
    pub fn status(&self) -> Option<Status> {
        match self {
            JavaCryptoStatus::BcFipsValidated { .. } => Some(Status::Validated),
            JavaCryptoStatus::BcFipsUnvalidated { .. } => Some(Status::FipsCapable),
            JavaCryptoStatus::BcprovNonFips { .. } => Some(Status::NonFips),
            JavaCryptoStatus::BcFipsCompanion { .. } | JavaCryptoStatus::NotBouncyCastle => None,
        }
    }
}

/// Judges one archive (not its nested ones: walk `JarFacts::iter`).
pub fn classify_jar(f: &JarFacts, certs: &[ModuleCert]) -> JavaCryptoStatus {
    match f.kind {
        JarKind::BcFips => {
            let unvalidated = |reason: String| JavaCryptoStatus::BcFipsUnvalidated {
                version: f.version.clone(),
                reason,
            };
            if f.shaded {
                // The certificate covers the jar Bouncy Castle ships; a copy
                // merged into another jar is outside that boundary, whatever
                // its version (and may fail its own integrity self-test).
                return unvalidated("BC-FIPS classes repackaged into another jar".into());
            }
            let Some(version) = &f.version else {
                return unvalidated("BC-FIPS of unknown version".into());
            };
            match certs
                .iter()
                .filter(|c| c.validated && c.covers(version))
                .max_by_key(|c| c.version_prefix.len())
            {
                Some(c) => JavaCryptoStatus::BcFipsValidated {
                    version: version.clone(),
                    certificate: c.certificate.clone(),
                    level: c.level.clone(),
                },
                None => unvalidated(format!("no CMVP certificate for BC-FIPS {version}")),
            }
        }
        JarKind::BcTlsFips | JarKind::BcPkixFips => JavaCryptoStatus::BcFipsCompanion {
            kind: f.kind,
            version: f.version.clone(),
        },
        JarKind::Bcprov => JavaCryptoStatus::BcprovNonFips {
            version: f.version.clone(),
            shaded: f.shaded,
        },
        JarKind::Other => JavaCryptoStatus::NotBouncyCastle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_whole_components_only() {
        let c = ModuleCert {
            id: "bc-fips-1.0.1".into(),
            version_prefix: "1.0.1".into(),
            certificate: "CMVP #3152".into(),
            level: "fips140-2".into(),
            validated: true,
        };
        assert!(c.covers("1.0.1") && c.covers("1.0.1.0"));
        assert!(!c.covers("1.0.10") && !c.covers("1.0") && !c.covers("1.0.1-rc"));
    }
}
