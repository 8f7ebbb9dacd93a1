//! Java facts, as a pure library: what a jar (and the jars nested in it)
//! holds of Bouncy Castle, what a JDK's `java.security` says about its
//! provider order, which JDK a `release` file names, and how those facts
//! judge against the validated BC-FIPS versions.
//!
//! Nothing here touches the file system or the image: callers hand in bytes
//! or text (bounded by the caller) and get plain data back. Marker strings
//! come from `signatures/java.toml`; [`JavaMarkers::default`] holds the same
//! values (a test proves it), and [`JavaMarkers::from_signatures`] reads
//! them from loaded signature data once the lead wires `java.toml` in.

mod bounded;
pub mod classify;
pub mod jar;
pub mod properties;
pub mod provider;
pub mod release;
pub mod security;

pub use classify::{JavaCryptoStatus, ModuleCert, classify_jar};
pub use jar::{JarFacts, JarKind, JarLimits, analyze_jar};
pub use provider::{JvmJudgement, ProviderOrder, classify_provider_order, judge_jvm};
pub use release::{JdkRelease, parse_release};
pub use security::{JavaSecurity, ProviderEntry, parse_java_security};

use crate::signatures::{MatchKind, Signatures};

/// Why a Java artefact could not be looked at at all. Problems inside an
/// archive that could be opened (a broken nested jar, a bound hit) are not
/// errors: they land in [`JarFacts::problems`] and the walk goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JavaError {
    #[error("{name}: not a readable zip archive")]
    Zip {
        name: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("signature data lacks Java marker {0:?}")]
    MissingMarker(String),
}

/// One marker as the code applies it: how to compare, and with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pat {
    pub kind: MatchKind,
    pub pattern: String,
}

impl Pat {
    fn new(kind: MatchKind, pattern: &str) -> Pat {
        Pat {
            kind,
            pattern: pattern.to_string(),
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        match self.kind {
            MatchKind::Prefix => s.starts_with(&self.pattern),
            MatchKind::Contains => s.contains(&self.pattern),
            MatchKind::Exact => s == self.pattern,
        }
    }
}

/// Every marker the Java code applies, by field. The ids are the
/// `[[marker]]` ids of `signatures/java.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaMarkers {
    /// Jar entries only BC-FIPS (bc-fips-*.jar) has.
    pub bcfips_status_class: Pat,
    pub bcfips_provider_class: Pat,
    /// The regular (non-FIPS) provider class of bcprov-*.jar.
    pub bcprov_provider_class: Pat,
    /// Any Bouncy Castle class entry (to tell a BC jar from a shaded one).
    pub bc_package: Pat,
    /// BC-FIPS's integrity MAC entry.
    pub bcfips_hmac: Pat,
    /// Jar file names and Maven artifactIds.
    pub bc_fips_name: Pat,
    pub bctls_fips_name: Pat,
    pub bcpkix_fips_name: Pat,
    pub bcprov_name: Pat,
    /// Maven groupId and manifest `Implementation-Vendor-Id` of Bouncy Castle.
    pub bc_group_id: Pat,
    /// `java.security` keys.
    pub security_provider_key: Pat,
    pub fips_provider_key: Pat,
    pub use_system_properties_file_key: Pat,
    /// Provider names and classes in `java.security` values.
    pub bcfips_provider: Pat,
    pub bcfips_provider_name: Pat,
    pub bc_provider: Pat,
    pub bc_provider_name: Pat,
    pub pkcs11_provider: Pat,
    pub nss_fips_cfg: Pat,
}

/// The marker ids this module reads (for the lead's `REQUIRED_MARKERS`).
pub const MARKER_IDS: [&str; 19] = [
    "java.class.bcfips-status",
    "java.class.bcfips-provider",
    "java.class.bcprov-provider",
    "java.class.bc-package",
    "java.jar.bcfips-hmac",
    "java.jar.bc-fips",
    "java.jar.bctls-fips",
    "java.jar.bcpkix-fips",
    "java.jar.bcprov",
    "java.bc-group-id",
    "java.security.provider",
    "java.security.fips-provider",
    "java.security.use-system-properties-file",
    "java.provider.bcfips-class",
    "java.provider.bcfips-name",
    "java.provider.bc-class",
    "java.provider.bc-name",
    "java.provider.pkcs11",
    "java.provider.nss-fips-cfg",
];

/// Module ids in `signatures/java.toml` start with this.
pub const BC_FIPS_MODULE_PREFIX: &str = "bc-fips-";

impl Default for JavaMarkers {
    fn default() -> JavaMarkers {
        use MatchKind::{Contains, Exact, Prefix};
        JavaMarkers {
            bcfips_status_class: Pat::new(Exact, "org/bouncycastle/crypto/fips/FipsStatus.class"),
            bcfips_provider_class: Pat::new(
                Exact,
                "org/bouncycastle/jcajce/provider/BouncyCastleFipsProvider.class",
            ),
            bcprov_provider_class: Pat::new(
                Exact,
                "org/bouncycastle/jce/provider/BouncyCastleProvider.class",
            ),
            bc_package: Pat::new(Prefix, "org/bouncycastle/"),
            bcfips_hmac: Pat::new(Exact, "META-INF/HMAC.SHA256"),
            bc_fips_name: Pat::new(Prefix, "bc-fips"),
            bctls_fips_name: Pat::new(Prefix, "bctls-fips"),
            bcpkix_fips_name: Pat::new(Prefix, "bcpkix-fips"),
            bcprov_name: Pat::new(Prefix, "bcprov"),
            bc_group_id: Pat::new(Exact, "org.bouncycastle"),
            security_provider_key: Pat::new(Prefix, "security.provider."),
            fips_provider_key: Pat::new(Prefix, "fips.provider."),
            use_system_properties_file_key: Pat::new(Exact, "security.useSystemPropertiesFile"),
            bcfips_provider: Pat::new(
                Exact,
                "org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider",
            ),
            bcfips_provider_name: Pat::new(Exact, "BCFIPS"),
            bc_provider: Pat::new(Exact, "org.bouncycastle.jce.provider.BouncyCastleProvider"),
            bc_provider_name: Pat::new(Exact, "BC"),
            pkcs11_provider: Pat::new(Contains, "SunPKCS11"),
            nss_fips_cfg: Pat::new(Contains, "nss.fips.cfg"),
        }
    }
}

impl JavaMarkers {
    /// Each field with its marker id, in [`MARKER_IDS`] order.
    fn fields_mut(&mut self) -> [(&'static str, &mut Pat); 19] {
        let ids = MARKER_IDS;
        [
            (ids[0], &mut self.bcfips_status_class),
            (ids[1], &mut self.bcfips_provider_class),
            (ids[2], &mut self.bcprov_provider_class),
            (ids[3], &mut self.bc_package),
            (ids[4], &mut self.bcfips_hmac),
            (ids[5], &mut self.bc_fips_name),
            (ids[6], &mut self.bctls_fips_name),
            (ids[7], &mut self.bcpkix_fips_name),
            (ids[8], &mut self.bcprov_name),
            (ids[9], &mut self.bc_group_id),
            (ids[10], &mut self.security_provider_key),
            (ids[11], &mut self.fips_provider_key),
            (ids[12], &mut self.use_system_properties_file_key),
            (ids[13], &mut self.bcfips_provider),
            (ids[14], &mut self.bcfips_provider_name),
            (ids[15], &mut self.bc_provider),
            (ids[16], &mut self.bc_provider_name),
            (ids[17], &mut self.pkcs11_provider),
            (ids[18], &mut self.nss_fips_cfg),
        ]
    }

    /// Every marker with its id.
    pub fn entries(&self) -> Vec<(&'static str, Pat)> {
        let mut copy = self.clone();
        copy.fields_mut()
            .into_iter()
            .map(|(id, p)| (id, p.clone()))
            .collect()
    }

    /// Builds the markers from any id -> (kind, pattern) lookup; fails on
    /// the first id the lookup lacks, so a renamed id is never a silent miss.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<(MatchKind, String)>,
    ) -> Result<JavaMarkers, JavaError> {
        let mut m = JavaMarkers::default();
        for (id, field) in m.fields_mut() {
            let (kind, pattern) = lookup(id).ok_or_else(|| JavaError::MissingMarker(id.into()))?;
            *field = Pat { kind, pattern };
        }
        Ok(m)
    }

    /// The markers of loaded signature data (which must include java.toml).
    pub fn from_signatures(sigs: &Signatures) -> Result<JavaMarkers, JavaError> {
        JavaMarkers::from_lookup(|id| sigs.marker(id).map(|m| (m.match_kind, m.pattern.clone())))
    }
}

#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod jar_tests;

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;

    use crate::signatures::Signatures;

    pub const SIGNATURE_FILES: [(&str, &str); 5] = [
        ("meta.toml", include_str!("../signatures/meta.toml")),
        ("go.toml", include_str!("../signatures/go.toml")),
        ("openssl.toml", include_str!("../signatures/openssl.toml")),
        ("modules.toml", include_str!("../signatures/modules.toml")),
        ("java.toml", include_str!("../signatures/java.toml")),
    ];

    /// The embedded signature data (java.toml included), as the scanner loads it.
    pub fn signatures() -> &'static Signatures {
        Signatures::embedded()
    }

    pub fn certs() -> Vec<super::ModuleCert> {
        super::ModuleCert::from_modules(signatures().modules())
    }

    /// `$FIPSCAN_FIXTURES/work/java/REL`. Fails (never skips) when the Java
    /// fixtures were not built, so a missing build cannot pass as green.
    pub fn fixture(rel: &str) -> PathBuf {
        let base = std::env::var_os("FIPSCAN_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
        let dir = base.join("work/java");
        assert!(
            dir.join("stamp").is_file(),
            "Java fixtures missing in {}: run `bash fixtures/build.sh` first",
            dir.display()
        );
        dir.join(rel)
    }

    pub fn read(rel: &str) -> Vec<u8> {
        let p = fixture(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{SIGNATURE_FILES, signatures};
    use super::*;

    /// The project's own loader accepts java.toml (patterns match their
    /// samples, no id twice), and the code's defaults are exactly its data.
    #[test]
    fn default_markers_equal_java_toml() {
        let sigs = signatures();
        let from_data = JavaMarkers::from_signatures(sigs).unwrap();
        assert_eq!(from_data, JavaMarkers::default());
        let java_ids: Vec<&str> = sigs
            .markers()
            .filter(|m| m.id.starts_with("java."))
            .map(|m| m.id.as_str())
            .collect();
        for id in &java_ids {
            assert!(
                MARKER_IDS.contains(id),
                "java.toml marker {id} is read by no code"
            );
        }
        assert_eq!(java_ids.len(), MARKER_IDS.len());
    }

    /// java.toml parsed on its own with the `toml` crate: every module the
    /// classifier gets has the certificate SIGNATURES.md section 4 names.
    #[test]
    fn java_toml_modules_are_the_catalogue_ones() {
        let v: toml::Value = toml::from_str(SIGNATURE_FILES[4].1).unwrap();
        let modules = v.get("module").and_then(|m| m.as_array()).unwrap();
        let got: Vec<(String, String, String)> = modules
            .iter()
            .map(|m| {
                let s = |k: &str| m.get(k).and_then(|x| x.as_str()).unwrap().to_string();
                (s("version_prefix"), s("certificate"), s("level"))
            })
            .collect();
        let want = [
            ("1.0.1", "CMVP #3152", "fips140-2"),
            ("1.0.2", "CMVP #4616", "fips140-2"),
            ("2.1.0", "CMVP #4943", "fips140-3"),
            ("2.1.2", "CMVP #4943", "fips140-3"),
        ];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0.as_str(), g.1.as_str(), g.2.as_str()), w);
        }
        let certs = ModuleCert::from_modules(signatures().modules());
        assert_eq!(certs.len(), 4);
        assert!(certs.iter().all(|c| c.validated));
    }

    #[test]
    fn missing_marker_is_an_error() {
        let err = JavaMarkers::from_lookup(|id| {
            (id != "java.provider.bcfips-name").then(|| (MatchKind::Exact, "x".to_string()))
        })
        .unwrap_err();
        assert!(err.to_string().contains("java.provider.bcfips-name"));
    }
}
