//! The image as a CycloneDX `container` component: its name and version
//! from the reference, its manifest digest as hash and as an OCI purl
//! (`pkg:oci/NAME@sha256%3A…`), and the verdict as properties.

use std::path::Path;

use super::model::{Component, Hash, Property, prop};
use crate::image::Platform;
use crate::report::ImageReport;
use crate::source::{SourceRef, parse_reference};

/// Name, version and purl of an image, from how it was referenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
}

pub fn identity(img: &ImageReport) -> Identity {
    let digest = img.manifest_digest.as_deref();
    // (name, tag, repository_url)
    let (name, tag, repository_url) = match parse_reference(&img.reference) {
        Ok(SourceRef::Registry { reference: r, .. }) => {
            let repo = format!("{}/{}", r.registry, r.repository);
            (repo.clone(), r.tag.clone(), Some(repo))
        }
        Ok(SourceRef::OciLayout { path, tag, .. }) => (
            file_name(&path).unwrap_or_else(|| img.reference.clone()),
            tag,
            None,
        ),
        Ok(SourceRef::DockerArchive { path, tag, .. }) => {
            // `docker-archive:FILE:REPO:TAG` names the image inside the archive.
            match tag.as_deref().and_then(|t| t.rsplit_once(':')) {
                Some((repo, t)) if !repo.is_empty() && !t.contains('/') => {
                    (repo.to_string(), Some(t.to_string()), None)
                }
                _ => (
                    tag.clone()
                        .or_else(|| file_name(&path))
                        .unwrap_or_else(|| img.reference.clone()),
                    None,
                    None,
                ),
            }
        }
        Ok(SourceRef::Dir { path, .. }) => (
            file_name(&path).unwrap_or_else(|| img.reference.clone()),
            None,
            None,
        ),
        Err(_) => (img.reference.clone(), None, None),
    };
    let version = tag.clone().or_else(|| digest.map(str::to_string));
    let purl = digest.map(|d| {
        oci_purl(
            &name,
            d,
            img.platform.as_ref(),
            repository_url.as_deref(),
            tag.as_deref(),
        )
    });
    Identity {
        name,
        version,
        purl,
    }
}

/// `pkg:oci/NAME@sha256%3AHEX?arch=…&repository_url=…&tag=…` (purl-spec
/// `oci` type: the name is the last path segment, lowercased; the version
/// is the manifest digest; qualifiers sorted by key).
pub fn oci_purl(
    name: &str,
    digest: &str,
    platform: Option<&Platform>,
    repository_url: Option<&str>,
    tag: Option<&str>,
) -> String {
    let last = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let mut purl = format!("pkg:oci/{}@{}", encode(&last), encode(digest));
    let mut qualifiers: Vec<(&str, String)> = Vec::new();
    if let Some(p) = platform {
        qualifiers.push(("arch", p.architecture.clone()));
    }
    if let Some(r) = repository_url {
        qualifiers.push(("repository_url", r.to_string()));
    }
    if let Some(t) = tag {
        qualifiers.push(("tag", t.to_string()));
    }
    for (i, (k, v)) in qualifiers.iter().enumerate() {
        purl.push(if i == 0 { '?' } else { '&' });
        purl.push_str(k);
        purl.push('=');
        // `/` stays readable in a repository URL, as the purl-spec examples write it.
        purl.push_str(&encode(v).replace("%2F", "/"));
    }
    purl
}

/// Percent-encodes all but alphanumerics and `.-_~` (so `:` becomes `%3A`,
/// as the purl-spec `oci` examples write the digest).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn platform_text(p: &Platform) -> String {
    match &p.variant {
        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
        None => format!("{}/{}", p.os, p.architecture),
    }
}

/// What the image verdict says, as properties (on the image component, and
/// in a BOM of one image also in `metadata.properties`).
pub fn verdict_properties(img: &ImageReport) -> Vec<Property> {
    let mut props = vec![
        prop("verdict", img.verdict.as_str()),
        prop("score", img.score.to_string()),
        prop("incomplete", img.incomplete.to_string()),
    ];
    props.extend(img.reasons.iter().map(|r| prop("reason", r.clone())));
    props
}

/// The image as a `container` component (without its parts).
pub fn component(img: &ImageReport, bom_ref: String) -> Component {
    let id = identity(img);
    let mut properties = vec![
        prop("reference", img.reference.clone()),
        prop("source", img.source),
    ];
    if let Some(d) = &img.manifest_digest {
        properties.push(prop("manifest_digest", d.clone()));
    }
    if let Some(d) = &img.config_digest {
        properties.push(prop("config_digest", d.clone()));
    }
    if let Some(p) = &img.platform {
        properties.push(prop("platform", platform_text(p)));
    }
    if let Some(e) = &img.entrypoint {
        properties.push(prop("entrypoint", e.command.join(" ")));
    }
    properties.extend(img.env.iter().map(|e| prop("env", e.clone())));
    properties.extend(verdict_properties(img));
    Component {
        kind: "container",
        bom_ref: Some(bom_ref),
        name: id.name,
        version: id.version,
        hashes: img
            .manifest_digest
            .as_deref()
            .and_then(Hash::sha256)
            .into_iter()
            .collect(),
        purl: id.purl,
        properties,
        ..Component::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oci_purls_follow_the_spec_examples() {
        let d = "sha256:244fd47e07d1004f0aed9c156aa09083c9e35d04df2ffd3ebea0b1f1f1f1f1f1";
        assert_eq!(
            oci_purl(
                "ghcr.io/Org/App",
                d,
                Some(&Platform {
                    os: "linux".into(),
                    architecture: "arm64".into(),
                    variant: Some("v8".into())
                }),
                Some("ghcr.io/Org/App"),
                Some("1.4.2")
            ),
            "pkg:oci/app@sha256%3A244fd47e07d1004f0aed9c156aa09083c9e35d04df2ffd3ebea0b1f1f1f1f1f1?arch=arm64&repository_url=ghcr.io/Org/App&tag=1.4.2"
        );
        assert_eq!(
            oci_purl("go-fips-on", d, None, None, None),
            "pkg:oci/go-fips-on@sha256%3A244fd47e07d1004f0aed9c156aa09083c9e35d04df2ffd3ebea0b1f1f1f1f1f1"
        );
    }

    #[test]
    fn encoding_keeps_only_the_unreserved_set() {
        assert_eq!(encode("a b:c/d+e"), "a%20b%3Ac%2Fd%2Be");
        assert_eq!(encode("1.0-rc_1~x"), "1.0-rc_1~x");
    }
}
