//! The report model (serialised as the versioned JSON schema in
//! `schema/report.schema.json`) and its renderers.

pub mod cyclonedx;
pub mod html;
pub mod json;
pub mod sarif;
pub mod text;

use serde::Serialize;

use crate::finding::{Code, Finding};
use crate::image::Platform;
use crate::layer::LayerStats;
use crate::score::{Outcome, Status, Verdict};

/// Bump the major part on any incompatible change to the JSON shape.
pub const SCHEMA_VERSION: &str = "1.0.0";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: Tool,
    /// The node the images were judged for (`--target`).
    pub target: TargetRef,
    /// The policy applied (`--policy`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyRef>,
    pub images: Vec<ImageReport>,
    /// References that could not be scanned at all (each also exits 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<FailedReference>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetRef {
    pub name: &'static str,
    pub description: &'static str,
    /// What the node provides that host-dependent components may need.
    pub provides: Vec<crate::target::HostNeed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    /// The policy file as given on the command line.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_score: Option<u8>,
    /// Waivers in the file (applied or not).
    pub waivers: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailedReference {
    pub reference: String,
    pub error: String,
}

/// A policy waiver that matched a finding or component: it stays in every
/// output, marked, and no longer counts toward the verdict or the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub reason: String,
    /// Last day the waiver applies (YYYY-MM-DD).
    pub expires: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    pub signatures_version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    pub reference: String,
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Entrypoint>,
    /// The OS the image is built on, from os-release and its package databases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<crate::judge::packages::OsInfo>,
    /// Image config Env entries that switch crypto behaviour (`NAME=value`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    pub verdict: Verdict,
    pub score: u8,
    pub reasons: Vec<String>,
    /// Part of the image could not be read (see findings).
    pub incomplete: bool,
    pub components: Vec<Component>,
    pub findings: Vec<Finding>,
    pub layers: Vec<LayerSummary>,
    /// Every installed OS package (name order), from the image's package databases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entrypoint {
    /// The command as the config gives it (Entrypoint, else Cmd).
    pub command: Vec<String>,
    /// The file it resolves to in the image, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The crypto the entrypoint uses: its own component, or the modules of what it loads.
    pub crypto: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    GoProgram,
    NativeProgram,
    SharedLibrary,
    /// A managed (.NET) assembly.
    ManagedAssembly,
    /// A jar, war or ear (or one nested inside another).
    JavaArchive,
    /// A Java runtime (`JAVA_HOME/bin/java`), judged by its provider configuration.
    JavaRuntime,
}

#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub path: String,
    pub layer: String,
    pub kind: ComponentKind,
    pub status: Status,
    /// Whether the FIPS path is switched on as the image ships (host-dependent: on a FIPS node).
    pub fips_mode_on: bool,
    pub code: Code,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    pub entrypoint: bool,
    /// Counts toward the verdict (programs do; libraries count through the programs that use them).
    pub counts: bool,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Crypto libraries this program loads, resolved in the image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
    /// Programs that load this library.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
    /// The OS package that owns the file, from the image's package database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// SHA-256 of the file (hex), for programs, libraries and archives read whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// What a host-dependent component needs from the node to run in FIPS mode.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<crate::target::HostNeed>,
    /// Set when a policy waiver covers this component's code and path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    pub purl: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What kind of marker: go-build-setting, go-version, go-function, elf-needed, file, image-env, version-text.
    pub kind: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

impl Evidence {
    pub fn new(kind: &'static str, detail: impl Into<String>) -> Evidence {
        Evidence {
            kind,
            detail: detail.into(),
            path: None,
            layer: None,
        }
    }
    pub fn at(mut self, path: &str, layer: &str) -> Evidence {
        self.path = Some(format!("/{path}"));
        self.layer = Some(layer.to_string());
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerSummary {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<crate::image::Compression>,
    /// `ok`, or `failed` when its content was not trusted.
    pub status: &'static str,
    pub stats: LayerStats,
}

impl ImageReport {
    pub fn apply(&mut self, outcome: Outcome) {
        self.verdict = outcome.verdict;
        self.score = outcome.score;
        self.reasons = outcome.reasons;
    }
}

impl Component {
    /// A component with what every judge sets; the rest empty, counting
    /// toward the verdict. Callers set the other fields they know.
    pub fn new(
        path: String,
        layer: String,
        kind: ComponentKind,
        status: Status,
        code: Code,
        summary: String,
    ) -> Component {
        Component {
            path,
            layer,
            kind,
            status,
            fips_mode_on: false,
            code,
            summary,
            module: None,
            certificate: None,
            entrypoint: false,
            counts: true,
            evidence: Vec::new(),
            remediation: None,
            uses: Vec::new(),
            used_by: Vec::new(),
            package: None,
            sha256: None,
            needs: Vec::new(),
            waiver: None,
        }
    }

    /// Minimal values for unit tests to override with struct update syntax.
    #[cfg(test)]
    pub(crate) fn sample(path: &str, status: Status, code: Code) -> Component {
        Component::new(
            path.into(),
            "sha256:layer".into(),
            ComponentKind::GoProgram,
            status,
            code,
            String::new(),
        )
    }
}

#[cfg(test)]
impl ImageReport {
    pub(crate) fn sample(reference: &str) -> ImageReport {
        ImageReport {
            reference: reference.into(),
            source: "oci",
            manifest_digest: None,
            config_digest: None,
            platform: None,
            entrypoint: None,
            os: None,
            env: Vec::new(),
            verdict: Verdict::NoCrypto,
            score: 0,
            reasons: Vec::new(),
            incomplete: false,
            components: Vec::new(),
            findings: Vec::new(),
            layers: Vec::new(),
            packages: Vec::new(),
        }
    }
}

#[cfg(test)]
impl Report {
    pub(crate) fn sample(images: Vec<ImageReport>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "fipscan",
                version: "0.1.0",
                signatures_version: "test".into(),
            },
            target: crate::target::GENERIC.as_ref(),
            policy: None,
            images,
            failed: Vec::new(),
        }
    }
}
