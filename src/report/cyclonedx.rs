//! CycloneDX 1.6 JSON output (`--format cyclonedx`): an SBOM of what the
//! scan found, with the crypto modules as cryptographic assets (a CBOM).
//!
//! One image: `metadata.component` is the image (`container`) and its
//! programs, libraries, jars, crypto assets, OS and packages are the
//! top-level components. Several images (a batch, `--all-platforms`): a
//! JSON array of BOMs is not CycloneDX, so the BOM describes the set as an
//! assembly: `metadata.component` is an `application` standing for the
//! images scanned together, each image is a top-level `container` whose
//! parts are nested under it, and every `bom-ref` of an image's parts starts
//! with `image-N/`.

mod crypto;
mod files;
mod image;
mod model;

use std::collections::HashSet;

use model::{
    Annotation, Annotator, Bom, Component, Dependency, Metadata, Property, SCHEMA_URL,
    SPEC_VERSION, Tools, prop,
};

use super::{ImageReport, Report};
use crate::signatures::Signatures;

/// Renders the report; `timestamp` is `metadata.timestamp` (the run's time).
pub fn render(report: &Report, timestamp: jiff::Timestamp) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(&bom(report, timestamp))?;
    s.push('\n');
    Ok(s)
}

/// `urn:uuid:` of a name-based UUID (v5) over what the BOM is of: the
/// images' digests, the tool and signature data versions and the target, so
/// a re-run over the same images names the same BOM.
pub fn serial_number(report: &Report) -> String {
    let mut name = format!(
        "fipscan/{}/signatures/{}/target/{}",
        report.tool.version, report.tool.signatures_version, report.target.name
    );
    for img in &report.images {
        name.push('/');
        name.push_str(
            img.manifest_digest
                .as_deref()
                .or(img.config_digest.as_deref())
                .unwrap_or(&img.reference),
        );
    }
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
    format!("urn:uuid:{id}")
}

fn tool(report: &Report) -> Component {
    Component {
        kind: "application",
        name: report.tool.name.to_string(),
        version: Some(report.tool.version.to_string()),
        properties: vec![prop(
            "signatures_version",
            report.tool.signatures_version.clone(),
        )],
        ..Component::default()
    }
}

/// An image's parts, with `bom-ref`s under `prefix`.
struct Parts {
    image: Component,
    components: Vec<Component>,
    dependencies: Vec<Dependency>,
    annotations: Vec<Annotation>,
}

fn image_parts(
    img: &ImageReport,
    prefix: &str,
    tool: &Component,
    timestamp: &str,
    sigs: &Signatures,
) -> Parts {
    let image_ref = format!("{prefix}image");
    let file_ref = |path: &str| format!("{prefix}file:{path}");
    let crypto_ref = |name: &str| format!("{prefix}crypto:{name}");
    let package_ref = |purl: &str| format!("{prefix}{purl}");

    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    let mut image_deps = Vec::new();
    let file_refs: HashSet<String> = img.components.iter().map(|c| file_ref(&c.path)).collect();

    for c in &img.components {
        let r = file_ref(&c.path);
        components.push(files::component(c, r.clone()));
        image_deps.push(r.clone());
        let mut depends_on: Vec<String> = c
            .uses
            .iter()
            .map(|u| file_ref(u))
            .filter(|u| file_refs.contains(u) && *u != r)
            .collect();
        let mut provides = Vec::new();
        if let Some(m) = &c.module {
            if crypto::implements_module(c) {
                provides.push(crypto_ref(m));
            } else {
                depends_on.push(crypto_ref(m));
            }
        }
        if let Some(p) = &c.package {
            depends_on.push(package_ref(&p.purl));
        }
        dedup(&mut depends_on);
        dependencies.push(Dependency {
            reference: r,
            depends_on,
            provides,
        });
    }

    for m in crypto::modules(&img.components) {
        let r = crypto_ref(&m.name);
        components.push(crypto::asset(&m, r.clone(), img.platform.as_ref(), sigs));
        dependencies.push(Dependency {
            reference: r,
            depends_on: Vec::new(),
            provides: Vec::new(),
        });
    }

    // Every installed package, and any owning package the list lacks.
    let mut packages: Vec<&super::PackageRef> = img.packages.iter().collect();
    packages.extend(img.components.iter().filter_map(|c| c.package.as_ref()));
    let mut seen = HashSet::new();
    let mut package_refs = Vec::new();
    for p in packages {
        if !seen.insert(p.purl.clone()) {
            continue;
        }
        let r = package_ref(&p.purl);
        components.push(Component {
            kind: "library",
            bom_ref: Some(r.clone()),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            purl: Some(p.purl.clone()),
            ..Component::default()
        });
        dependencies.push(Dependency {
            reference: r.clone(),
            depends_on: Vec::new(),
            provides: Vec::new(),
        });
        package_refs.push(r);
    }

    if let Some(os) = &img.os {
        let r = format!(
            "{prefix}os:{}@{}",
            os.id.as_deref().unwrap_or("unknown"),
            os.version_id.as_deref().unwrap_or("unknown")
        );
        let mut properties = vec![prop("packages", os.packages.to_string())];
        if let Some(cp) = &os.crypto_policy {
            properties.push(prop("crypto_policy", cp.clone()));
        }
        components.push(Component {
            kind: "operating-system",
            bom_ref: Some(r.clone()),
            name: os.id.clone().unwrap_or_else(|| "unknown".into()),
            version: os.version_id.clone(),
            description: os.pretty_name.clone(),
            properties,
            ..Component::default()
        });
        // The OS is made of its packages.
        dependencies.push(Dependency {
            reference: r.clone(),
            depends_on: package_refs,
            provides: Vec::new(),
        });
        image_deps.push(r);
    }

    dependencies.insert(
        0,
        Dependency {
            reference: image_ref.clone(),
            depends_on: image_deps,
            provides: Vec::new(),
        },
    );

    let annotations = img
        .findings
        .iter()
        .map(|f| {
            let subject = f
                .path
                .as_deref()
                .map(file_ref)
                .filter(|r| file_refs.contains(r))
                .unwrap_or_else(|| image_ref.clone());
            let mut text = format!(
                "{} {}: {}",
                severity_text(f.severity),
                f.code.as_str(),
                f.message
            );
            if let Some(p) = &f.path {
                text.push_str(&format!(" [path {p}]"));
            }
            if let Some(l) = &f.layer {
                text.push_str(&format!(" [layer {l}]"));
            }
            if let Some(w) = &f.waiver {
                text.push_str(&format!(" [waived until {}: {}]", w.expires, w.reason));
            }
            Annotation {
                subjects: vec![subject],
                annotator: Annotator {
                    component: tool.clone(),
                },
                timestamp: timestamp.to_string(),
                text,
            }
        })
        .collect();

    Parts {
        image: image::component(img, image_ref),
        components,
        dependencies,
        annotations,
    }
}

fn severity_text(s: crate::finding::Severity) -> &'static str {
    match s {
        crate::finding::Severity::Info => "info",
        crate::finding::Severity::Warning => "warning",
        crate::finding::Severity::Error => "error",
    }
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

fn run_properties(report: &Report) -> Vec<Property> {
    let mut p = vec![prop("target", report.target.name)];
    if let Some(policy) = &report.policy {
        p.push(prop("policy", policy.file.clone()));
        if let Some(m) = policy.min_score {
            p.push(prop("policy_min_score", m.to_string()));
        }
    }
    p.extend(
        report
            .failed
            .iter()
            .map(|f| prop("failed", format!("{}: {}", f.reference, f.error))),
    );
    p
}

pub fn bom(report: &Report, timestamp: jiff::Timestamp) -> Bom {
    // Whole seconds, as `date-time` readers most often expect.
    let timestamp = jiff::Timestamp::from_second(timestamp.as_second())
        .unwrap_or(timestamp)
        .to_string();
    let sigs = Signatures::active();
    let tool = tool(report);
    let mut metadata_properties = run_properties(report);
    let (component, components, dependencies, annotations) = match report.images.as_slice() {
        [img] => {
            let parts = image_parts(img, "", &tool, &timestamp, sigs);
            metadata_properties.extend(image::verdict_properties(img));
            (
                parts.image,
                parts.components,
                parts.dependencies,
                parts.annotations,
            )
        }
        images => {
            let mut top = Vec::new();
            let mut dependencies = Vec::new();
            let mut annotations = Vec::new();
            let mut refs = Vec::new();
            for (i, img) in images.iter().enumerate() {
                let prefix = format!("image-{}/", i + 1);
                let parts = image_parts(img, &prefix, &tool, &timestamp, sigs);
                let mut container = parts.image;
                refs.extend(container.bom_ref.clone());
                container.components = parts.components;
                top.push(container);
                dependencies.extend(parts.dependencies);
                annotations.extend(parts.annotations);
            }
            dependencies.insert(
                0,
                Dependency {
                    reference: "images".into(),
                    depends_on: refs,
                    provides: Vec::new(),
                },
            );
            metadata_properties.push(prop("images", images.len().to_string()));
            let set = Component {
                kind: "application",
                bom_ref: Some("images".into()),
                name: "fipscan image set".into(),
                description: Some(format!(
                    "{} images scanned together; each is a container component with its parts nested",
                    images.len()
                )),
                ..Component::default()
            };
            (set, top, dependencies, annotations)
        }
    };
    Bom {
        schema: SCHEMA_URL,
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: serial_number(report),
        version: 1,
        metadata: Metadata {
            timestamp,
            tools: Tools {
                components: vec![tool],
            },
            component,
            properties: metadata_properties,
        },
        components,
        dependencies,
        annotations,
    }
}
