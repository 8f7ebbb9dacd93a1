//! Programs, libraries, jars and JVMs as CycloneDX components: type, name,
//! version and purl where the evidence gives them, the file's SHA-256, the
//! judgement as `fipscan:*` properties, and the evidence as occurrences
//! (where in the image) and identity (how the version was read).

use super::model::{Component, Evidence, Hash, Identity, Method, Occurrence, Property, prop};
use crate::finding::Code;
use crate::report::{self, ComponentKind};

/// CycloneDX type: programs are applications, libraries and archives are
/// libraries, and a JVM is a `platform` ("a runtime environment which
/// interprets or executes software … such as those that execute bytecode").
pub fn cdx_type(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::GoProgram | ComponentKind::NativeProgram => "application",
        ComponentKind::SharedLibrary
        | ComponentKind::ManagedAssembly
        | ComponentKind::JavaArchive => "library",
        ComponentKind::JavaRuntime => "platform",
    }
}

/// The file name: the last segment of the path, inside a nested archive too
/// (`/app/app.jar!/BOOT-INF/lib/bcprov.jar` is `bcprov.jar`).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '!'])
        .find(|s| !s.is_empty())
        .unwrap_or(path)
}

/// A version read for this very file, and how it was read.
fn version(c: &report::Component) -> Option<(String, Identity)> {
    let identity = |v: &str, technique: &'static str, value: &str| Identity {
        field: "version",
        confidence: 1.0,
        concluded_value: v.to_string(),
        methods: vec![Method {
            technique,
            confidence: 1.0,
            value: value.to_string(),
        }],
    };
    if c.kind == ComponentKind::JavaArchive {
        // `1.72.0 (META-INF/MANIFEST.MF Implementation-Version)`
        let e = c.evidence.iter().find(|e| e.kind == "jar-version")?;
        let v = e.detail.split_whitespace().next()?;
        return Some((v.to_string(), identity(v, "manifest-analysis", &e.detail)));
    }
    // Only OpenSSL's own files carry their own version text; a program that
    // embeds OpenSSL has OpenSSL's version, not its own.
    if !matches!(c.code, Code::OpensslLibrary | Code::OpensslFipsProvider) {
        return None;
    }
    let e = c
        .evidence
        .iter()
        .find(|e| e.kind == "version-text" && e.path.as_deref() == Some(c.path.as_str()))?;
    let v = match e.detail.strip_prefix("OpenSSL FIPS Provider ") {
        Some(rest) => rest.split_whitespace().next(),
        None => e
            .detail
            .strip_prefix("OpenSSL ")
            .and_then(|rest| rest.split_whitespace().next()),
    }?;
    Some((v.to_string(), identity(v, "binary-analysis", &e.detail)))
}

/// The Maven artifact a Bouncy Castle jar is, from the judge's label
/// (`Bouncy Castle (bcprov) 1.72.0`): bc-fips, bctls-fips, bcpkix-fips keep
/// their names; bcprov is `bcprov-jdk18on` from 1.71 on (`-jdk15on` before),
/// and its Maven versions drop the `.0` its manifest writes (1.72.0 is 1.72).
fn maven_purl(c: &report::Component, version: &str) -> Option<String> {
    let label = c.module.as_deref()?;
    let artifact = label.split_once('(')?.1.split_once(')')?.0;
    let (artifact, version) = match artifact {
        "bc-fips" | "bctls-fips" | "bcpkix-fips" => (artifact.to_string(), version.to_string()),
        "bcprov" => {
            let parts: Vec<&str> = version.split('.').collect();
            let minor: u32 = parts.get(1)?.parse().ok()?;
            let maven = match parts.as_slice() {
                [major, minor, "0"] => format!("{major}.{minor}"),
                _ => version.to_string(),
            };
            let jdk = if parts.first() == Some(&"1") && minor < 71 {
                "jdk15on"
            } else {
                "jdk18on"
            };
            (format!("bcprov-{jdk}"), maven)
        }
        _ => return None,
    };
    Some(format!(
        "pkg:maven/org.bouncycastle/{artifact}@{}",
        super::image::encode(&version)
    ))
}

fn properties(c: &report::Component) -> Vec<Property> {
    let mut p = vec![
        prop("status", c.status.as_str()),
        prop("code", c.code.as_str()),
        prop("path", c.path.clone()),
        prop("layer", c.layer.clone()),
        prop("fips_mode_on", c.fips_mode_on.to_string()),
        prop("entrypoint", c.entrypoint.to_string()),
        prop("counts", c.counts.to_string()),
    ];
    if let Some(m) = &c.module {
        p.push(prop("module", m.clone()));
    }
    if let Some(cert) = &c.certificate {
        p.push(prop("certificate", cert.clone()));
    }
    if let Some(r) = &c.remediation {
        p.push(prop("remediation", r.clone()));
    }
    p.extend(c.needs.iter().map(|n| prop("needs", n.as_str())));
    if let Some(w) = &c.waiver {
        p.push(prop(
            "waiver",
            format!("{} (expires {})", w.reason, w.expires),
        ));
        p.push(prop("waiver_expires", w.expires.clone()));
    }
    p
}

/// Where the component and each piece of evidence sit in the image.
/// Evidence without a file of its own (a build setting, a config line)
/// is told at the component's own path.
fn occurrences(c: &report::Component) -> Vec<Occurrence> {
    let mut out = vec![Occurrence {
        location: c.path.clone(),
        additional_context: Some(format!("layer {}", c.layer)),
    }];
    out.extend(c.evidence.iter().map(|e| Occurrence {
        location: e.path.clone().unwrap_or_else(|| c.path.clone()),
        additional_context: Some(format!("{}: {}", e.kind, e.detail)),
    }));
    out
}

/// The component. A file an OS package owns gets no purl of its own: the
/// package's purl (on the package component) identifies it.
pub fn component(c: &report::Component, bom_ref: String) -> Component {
    let read = version(c);
    let mut identity = Vec::new();
    let mut purl = None;
    let mut version_text = None;
    if let Some((v, id)) = read {
        identity.push(id);
        purl = if c.kind == ComponentKind::JavaArchive {
            maven_purl(c, &v)
        } else if c.package.is_none() {
            Some(format!(
                "pkg:generic/{}@{}",
                super::image::encode(file_name(&c.path)),
                super::image::encode(&v)
            ))
        } else {
            None
        };
        if let (Some(p), ComponentKind::JavaArchive) = (&purl, c.kind) {
            identity.push(Identity {
                field: "purl",
                // The artifact is read from the jar's classes; which bcprov
                // build (jdk18on, jdk15to18) is not in the jar.
                confidence: 0.8,
                concluded_value: p.clone(),
                methods: c
                    .evidence
                    .iter()
                    .filter(|e| e.kind == "jar-entry")
                    .map(|e| Method {
                        technique: "binary-analysis",
                        confidence: 0.8,
                        value: e.detail.clone(),
                    })
                    .collect(),
            });
        }
        version_text = Some(v);
    }
    Component {
        kind: cdx_type(c.kind),
        bom_ref: Some(bom_ref),
        name: file_name(&c.path).to_string(),
        version: version_text,
        description: Some(c.summary.clone()),
        hashes: c
            .sha256
            .as_deref()
            .and_then(Hash::sha256)
            .into_iter()
            .collect(),
        purl,
        properties: properties(c),
        evidence: Some(Evidence {
            identity,
            occurrences: occurrences(c),
        }),
        ..Component::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Evidence as Ev;
    use crate::score::Status;

    fn jar(label: &str, version: &str) -> report::Component {
        report::Component {
            layer: "sha256:00".into(),
            kind: ComponentKind::JavaArchive,
            module: Some(format!("{label} {version}")),
            evidence: vec![Ev::new(
                "jar-version",
                format!("{version} (META-INF/MANIFEST.MF Implementation-Version)"),
            )],
            ..report::Component::sample("/app/lib/x.jar", Status::NonFips, Code::JavaBcprov)
        }
    }

    #[test]
    fn bouncy_castle_jars_get_their_maven_coordinates() {
        let purl = |label: &str, v: &str| component(&jar(label, v), "r".into()).purl;
        assert_eq!(
            purl("Bouncy Castle (bcprov)", "1.72.0").as_deref(),
            Some("pkg:maven/org.bouncycastle/bcprov-jdk18on@1.72")
        );
        assert_eq!(
            purl("Bouncy Castle (bcprov)", "1.78.1").as_deref(),
            Some("pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1")
        );
        assert_eq!(
            purl("Bouncy Castle (bcprov)", "1.70.0").as_deref(),
            Some("pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70")
        );
        assert_eq!(
            purl("Bouncy Castle FIPS (bc-fips)", "2.1.0").as_deref(),
            Some("pkg:maven/org.bouncycastle/bc-fips@2.1.0")
        );
        assert_eq!(purl("jar", "1.0"), None);
    }

    #[test]
    fn names_are_the_last_path_segment() {
        assert_eq!(file_name("/usr/bin/openssl"), "openssl");
        assert_eq!(
            file_name("/app/a.jar!/BOOT-INF/lib/bcprov.jar"),
            "bcprov.jar"
        );
        assert_eq!(file_name("/app/a.jar!/b.jar"), "b.jar");
    }
}
