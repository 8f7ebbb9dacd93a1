//! Crypto modules as CycloneDX cryptographic assets.
//!
//! CycloneDX 1.6 has no asset type for a "crypto module": a library is a
//! component, and what it implements is a `cryptographic-asset` the library
//! `provides` (the schema's own example for `dependencies[].provides`). A
//! FIPS 140 certificate covers the module's algorithm implementations, and
//! the schema carries it as `algorithmProperties.certificationLevel` ("the
//! certification that the implementation of the cryptographic algorithm has
//! received"). So each distinct module is one asset of `assetType`
//! `algorithm` standing for the module's algorithm implementations as a
//! whole, with the certificate's level (`fips140-3-l1`, or `none`) and the
//! CMVP certificate as a `certification-report` reference.

use super::model::{AlgorithmProperties, Component, CryptoProperties, ExternalReference, prop};
use crate::finding::Code;
use crate::image::Platform;
use crate::report::{self, ComponentKind};
use crate::signatures::Signatures;

/// One distinct module named by the report's components.
#[derive(Debug, Clone)]
pub struct Module {
    pub name: String,
    pub certificate: Option<String>,
}

/// Distinct modules in the order components first name them.
pub fn modules(components: &[report::Component]) -> Vec<Module> {
    let mut out: Vec<Module> = Vec::new();
    for c in components {
        let Some(name) = &c.module else { continue };
        match out.iter_mut().find(|m| &m.name == name) {
            Some(m) => {
                if m.certificate.is_none() {
                    m.certificate = c.certificate.clone();
                }
            }
            None => out.push(Module {
                name: name.clone(),
                certificate: c.certificate.clone(),
            }),
        }
    }
    out
}

/// CycloneDX `implementationPlatform` for an OCI architecture.
fn implementation_platform(p: Option<&Platform>) -> &'static str {
    let Some(p) = p else { return "unknown" };
    match (p.architecture.as_str(), p.variant.as_deref()) {
        ("amd64", _) => "x86_64",
        ("386", _) => "x86_32",
        ("arm64", _) => "armv8-a",
        ("arm", Some("v7")) => "armv7-a",
        ("s390x", _) => "s390x",
        ("ppc64le", _) => "ppc64le",
        ("ppc64", _) => "ppc64",
        _ => "other",
    }
}

/// `https://csrc.nist.gov/…/certificate/4985` for `CMVP #4985`.
fn certificate_url(certificate: &str) -> Option<String> {
    let n = certificate.strip_prefix("CMVP #")?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| {
        format!(
            "https://csrc.nist.gov/projects/cryptographic-module-validation-program/certificate/{n}"
        )
    })
}

pub fn asset(
    m: &Module,
    bom_ref: String,
    platform: Option<&Platform>,
    sigs: &Signatures,
) -> Component {
    let entry = m
        .certificate
        .as_deref()
        .and_then(|c| sigs.module_by_certificate(c));
    // No certificate: "none". A certificate whose data lacks the level
    // (user-supplied signature data may): "unknown".
    let level = match (&m.certificate, entry.and_then(|e| e.certification_level())) {
        (None, _) => "none".to_string(),
        (Some(_), Some(l)) => l,
        (Some(_), None) => "unknown".to_string(),
    };
    let description = match (&m.certificate, entry) {
        (Some(c), Some(e)) => format!(
            "{}: validated crypto module ({c}, {}); this asset stands for its algorithm implementations",
            m.name, e.level
        ),
        (Some(c), None) => format!("{}: crypto module with certificate {c}", m.name),
        (None, _) => format!(
            "{}: crypto implementation without a FIPS 140 certificate for this version",
            m.name
        ),
    };
    let mut properties = Vec::new();
    if let Some(c) = &m.certificate {
        properties.push(prop("certificate", c.clone()));
    }
    if let Some(e) = entry {
        properties.push(prop("signature_id", e.id.clone()));
    }
    Component {
        kind: "cryptographic-asset",
        bom_ref: Some(bom_ref),
        name: m.name.clone(),
        description: Some(description),
        external_references: m
            .certificate
            .as_deref()
            .and_then(certificate_url)
            .map(|url| ExternalReference {
                kind: "certification-report",
                url,
                comment: m.certificate.clone(),
            })
            .into_iter()
            .collect(),
        properties,
        crypto_properties: Some(CryptoProperties {
            asset_type: "algorithm",
            algorithm_properties: AlgorithmProperties {
                execution_environment: "software-plain-ram",
                implementation_platform: implementation_platform(platform),
                certification_level: vec![level],
            },
        }),
        ..Component::default()
    }
}

/// Whether the component's own file implements its module (and so
/// `provides` it) rather than loading it from elsewhere (`dependsOn`).
pub fn implements_module(c: &report::Component) -> bool {
    match c.code {
        // Compiled into the program or the jar itself.
        Code::GoFipsValidated
        | Code::GoFipsOff
        | Code::GoFipsUnvalidated
        | Code::GoBoringCrypto
        | Code::GoBoringNoCgo
        | Code::GoStandardCrypto
        | Code::OpensslStatic
        | Code::RustAwsLcFips
        | Code::RustBoringFips
        | Code::RustNonFips
        | Code::DotnetManagedCrypto
        | Code::OpensslFipsProvider => true,
        Code::JavaBcFipsValidated | Code::JavaBcFipsUnvalidated | Code::JavaBcprov => {
            c.kind == ComponentKind::JavaArchive
        }
        // A libcrypto without a FIPS provider is the module itself; the
        // judge names that module after the library's own path.
        Code::OpensslLibrary => c
            .module
            .as_deref()
            .is_some_and(|m| m.ends_with(&format!("({})", c.path))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_urls_only_for_cmvp_numbers() {
        assert_eq!(
            certificate_url("CMVP #4985").as_deref(),
            Some(
                "https://csrc.nist.gov/projects/cryptographic-module-validation-program/certificate/4985"
            )
        );
        assert_eq!(certificate_url("CMVP #"), None);
        assert_eq!(certificate_url("pending"), None);
    }

    #[test]
    fn platforms_map_to_the_schema_enum() {
        let p = |a: &str, v: Option<&str>| Platform {
            os: "linux".into(),
            architecture: a.into(),
            variant: v.map(str::to_string),
        };
        assert_eq!(implementation_platform(Some(&p("amd64", None))), "x86_64");
        assert_eq!(
            implementation_platform(Some(&p("arm64", Some("v8")))),
            "armv8-a"
        );
        assert_eq!(implementation_platform(Some(&p("riscv64", None))), "other");
        assert_eq!(implementation_platform(None), "unknown");
    }

    #[test]
    fn levels_come_from_the_signature_data() {
        let sigs = Signatures::embedded();
        let level = |cert: Option<&str>| {
            let a = asset(
                &Module {
                    name: "m".into(),
                    certificate: cert.map(str::to_string),
                },
                "r".into(),
                None,
                sigs,
            );
            a.crypto_properties
                .map(|c| c.algorithm_properties.certification_level)
                .unwrap_or_default()
        };
        assert_eq!(level(Some("CMVP #4985")), ["fips140-3-l1"]);
        assert_eq!(level(Some("CMVP #4407")), ["fips140-2-l1"]);
        assert_eq!(level(Some("CMVP #1")), ["unknown"]);
        assert_eq!(level(None), ["none"]);
    }
}
