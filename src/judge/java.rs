//! Java: every Bouncy Castle jar (nested ones too) is judged by what it
//! is, and every JVM by the provider order its `java.security` sets — the
//! file the JDK really reads, following Debian's symlink into /etc.

use crate::detect::FileFacts;
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::java::{self, JarKind, JavaCryptoStatus, JavaMarkers, ModuleCert};
use crate::layer::path;
use crate::layer::squash::FsView;
use crate::report::{Component, ComponentKind, Evidence};
use crate::score::Status;
use crate::signatures::Signatures;

/// Java options in the image Env that turn Red Hat's FIPS switch off.
const RED_HAT_FIPS_OFF: &[&str] = &[
    "-Dcom.redhat.fips=false",
    "-Djava.security.disableSystemPropertiesFile=true",
];

fn jar_label(kind: JarKind, version: Option<&str>) -> String {
    let name = match kind {
        JarKind::BcFips => "Bouncy Castle FIPS (bc-fips)",
        JarKind::BcTlsFips => "Bouncy Castle FIPS TLS (bctls-fips)",
        JarKind::BcPkixFips => "Bouncy Castle FIPS PKIX (bcpkix-fips)",
        JarKind::Bcprov => "Bouncy Castle (bcprov)",
        JarKind::Other => "jar",
    };
    match version {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    }
}

/// Components for every Bouncy Castle jar, and for every JVM.
pub fn components(view: &FsView, config: &ImageConfig, sigs: &Signatures) -> Vec<Component> {
    let certs = ModuleCert::from_modules(sigs.modules());
    let mut out = Vec::new();
    let mut statuses: Vec<JavaCryptoStatus> = Vec::new();
    for (p, vn) in &view.nodes {
        let Some(FileFacts::Jar(top)) = vn.node.facts.as_deref() else {
            continue;
        };
        let layer = view.layer_id(vn.layer).to_string();
        for jar in top.iter() {
            let status = java::classify_jar(jar, &certs);
            let Some(st) = status.status() else { continue };
            let inner = jar
                .path_in_archive
                .iter()
                .map(|e| format!("!/{e}"))
                .collect::<String>();
            let label = jar_label(jar.kind, jar.version.as_deref());
            let (code, summary, certificate, remediation) = match &status {
                JavaCryptoStatus::BcFipsValidated { certificate, level, .. } => (
                    Code::JavaBcFipsValidated,
                    format!("{label}, a validated module ({certificate}, {level})"),
                    Some(certificate.clone()),
                    None,
                ),
                JavaCryptoStatus::BcFipsUnvalidated { reason, .. } => (
                    Code::JavaBcFipsUnvalidated,
                    format!("{label}: {reason}"),
                    None,
                    Some("ship an unmodified, validated bc-fips jar (1.0.2.x, 2.1.0 or 2.1.2)".to_string()),
                ),
                _ => (
                    Code::JavaBcprov,
                    format!("{label} has no FIPS validation"),
                    None,
                    Some("replace bcprov with bc-fips (and bctls-fips / bcpkix-fips) and register BCFIPS as the first provider".to_string()),
                ),
            };
            let mut evidence: Vec<Evidence> = jar
                .evidence
                .iter()
                .map(|e| Evidence::new("jar-entry", e.clone()).at(p, &layer))
                .collect();
            if let (Some(v), Some(src)) = (&jar.version, &jar.version_source) {
                evidence.push(Evidence::new("jar-version", format!("{v} ({src})")));
            }
            out.push(Component {
                path: format!("/{p}{inner}"),
                layer: layer.clone(),
                kind: ComponentKind::JavaArchive,
                status: st,
                fips_mode_on: st == Status::Validated,
                code,
                summary,
                module: Some(label),
                certificate,
                entrypoint: false,
                counts: true,
                evidence,
                remediation,
                uses: Vec::new(),
                used_by: Vec::new(),
                package: None,
                sha256: jar.sha256.clone(),
                needs: Vec::new(),
                waiver: None,
            });
            statuses.push(status);
        }
    }
    // The best BC-FIPS in the image is what a BCFIPS-first JVM would load.
    let best = statuses
        .iter()
        .find(|s| matches!(s, JavaCryptoStatus::BcFipsValidated { .. }))
        .or_else(|| {
            statuses
                .iter()
                .find(|s| matches!(s, JavaCryptoStatus::BcFipsUnvalidated { .. }))
        });
    if let Ok(markers) = JavaMarkers::from_signatures(sigs) {
        out.extend(jvms(view, config, &markers, best));
    }
    out
}

fn jvms(
    view: &FsView,
    config: &ImageConfig,
    markers: &JavaMarkers,
    best: Option<&JavaCryptoStatus>,
) -> Vec<Component> {
    let mut out = Vec::new();
    let homes: Vec<String> = view
        .nodes
        .keys()
        .filter(|k| k.ends_with("/release") && k.contains("/jvm/"))
        .map(|k| path::parent(k).to_string())
        .filter(|home| view.resolve(&format!("{home}/bin/java")).is_some())
        .collect();
    let java_opts: String = ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS"]
        .iter()
        .filter_map(|n| config.env_var(n))
        .collect::<Vec<_>>()
        .join(" ");
    for home in homes {
        let text_of = |p: &str| match view.resolve(p).map(|(r, n)| (r, n.node.facts.as_deref())) {
            Some((r, Some(FileFacts::Text { text }))) => Some((r, text.clone())),
            _ => None,
        };
        let Some((_, release_text)) = text_of(&format!("{home}/release")) else {
            continue;
        };
        let release = java::parse_release(&release_text);
        let security_path = format!("{home}/{}", release.java_security_path());
        let security = text_of(&security_path);
        let (bin, node) = match view.resolve(&format!("{home}/bin/java")) {
            Some(found) => found,
            None => continue,
        };
        let layer = view.layer_id(node.layer).to_string();
        let jdk = format!(
            "{} Java {}",
            release.implementor.as_deref().unwrap_or("unknown vendor"),
            release
                .java_version
                .as_deref()
                .unwrap_or("of unknown version")
        );
        let mut evidence = vec![Evidence::new(
            "jdk-release",
            format!("{jdk} (/{home}/release)"),
        )];
        let (status, on, summary, remediation) = match &security {
            Some((resolved, text)) => {
                evidence.push(
                    Evidence::new("file", format!("java.security read from /{resolved}"))
                        .at(resolved, &layer),
                );
                let mut sec = java::parse_java_security(text, markers);
                // `fips.provider.N` is read by Red Hat's OpenJDK patches
                // only; any other build ignores the lines.
                if let Some(vendor) = release.implementor.as_deref()
                    && !vendor.contains("Red Hat")
                    && !sec.fips_providers.is_empty()
                {
                    evidence.push(Evidence::new(
                        "java-provider",
                        format!("fips.provider.N lines ignored: only Red Hat builds of OpenJDK read them, and this JDK's release names IMPLEMENTOR={vendor}"),
                    ));
                    sec.fips_providers.clear();
                }
                let order = java::classify_provider_order(&sec, markers);
                let j = java::judge_jvm(&order, best);
                for (n, entry) in sec.providers.iter().take(3).enumerate() {
                    evidence.push(Evidence::new(
                        "java-provider",
                        format!("security.provider.{}={}", n + 1, entry.name),
                    ));
                }
                let red_hat_off = j.status == Status::HostDependent
                    && RED_HAT_FIPS_OFF.iter().any(|o| java_opts.contains(o));
                // In FIPS mode the JVM's first provider is SunPKCS11 over the
                // image's NSS softoken: without it the JVM cannot start its
                // FIPS providers, so the path never switches on.
                let softoken = match &order {
                    java::ProviderOrder::RedHatNssFips { entry, .. }
                        if j.status == Status::HostDependent =>
                    {
                        Some(nss_softoken(view, &home, entry.arg.as_deref()))
                    }
                    _ => None,
                };
                // The softoken's evidence is kept either way; only its absence changes the judgement.
                let missing = match softoken {
                    Some(Ok(ev)) => {
                        evidence.extend(ev);
                        None
                    }
                    Some(Err((why, ev))) => {
                        evidence.extend(ev);
                        Some(why)
                    }
                    None => None,
                };
                if let Some(why) = missing {
                    (
                        Status::FipsCapable,
                        false,
                        format!("{}, but {why}", j.summary),
                        Some("install the NSS softoken (libsoftokn3.so, with libfreeblpriv3.so) in the nssLibraryDirectory that nss.fips.cfg names".to_string()),
                    )
                } else if red_hat_off {
                    (
                        Status::FipsCapable,
                        false,
                        format!(
                            "{}, but the image Env turns it off ({java_opts})",
                            j.summary
                        ),
                        Some("remove -Dcom.redhat.fips=false from the Java options".to_string()),
                    )
                } else {
                    (j.status, j.fips_mode_on, j.summary, j.remediation)
                }
            }
            None => (
                Status::Unknown,
                false,
                format!("no java.security at /{security_path}"),
                None,
            ),
        };
        let code = match (status, on) {
            (Status::Validated | Status::HostDependent, _) => Code::JavaJvmFips,
            (Status::FipsCapable, false) => Code::JavaJvmFipsOff,
            (Status::FipsCapable, true) => Code::JavaJvmFips,
            (Status::NonFips, _) => Code::JavaJvmNonFips,
            (Status::Unknown, _) => Code::JavaJvmUnknown,
        };
        out.push(Component {
            path: format!("/{bin}"),
            layer,
            kind: ComponentKind::JavaRuntime,
            status,
            fips_mode_on: on,
            code,
            summary: format!("{jdk}: {summary}"),
            module: Some(jdk),
            certificate: None,
            entrypoint: false,
            counts: true,
            evidence,
            remediation,
            uses: Vec::new(),
            used_by: Vec::new(),
            package: None,
            sha256: match node.node.facts.as_deref() {
                Some(FileFacts::Elf(e)) => e.sha256.clone(),
                _ => None,
            },
            // Red Hat OpenJDK asks NSS whether the system is in FIPS mode,
            // which reads the kernel flag.
            needs: if status == Status::HostDependent {
                vec![crate::target::HostNeed::KernelFipsMode]
            } else {
                Vec::new()
            },
            waiver: None,
        });
    }
    out
}

/// Finds the NSS softoken that Red Hat's `SunPKCS11 …/nss.fips.cfg` loads:
/// the config's `nssLibraryDirectory` (or the loader's default directories)
/// must hold `libsoftokn3.so`. Evidence either way.
fn nss_softoken(
    view: &FsView,
    home: &str,
    cfg_arg: Option<&str>,
) -> Result<Vec<Evidence>, (String, Vec<Evidence>)> {
    let cfg = cfg_arg
        .unwrap_or("${java.home}/conf/security/nss.fips.cfg")
        .replace("${java.home}", &format!("/{home}"));
    let cfg = cfg.trim_start_matches('/');
    let text = match view.resolve(cfg).map(|(r, n)| (r, n.node.facts.as_deref())) {
        Some((_, Some(FileFacts::Text { text }))) => text.clone(),
        _ => {
            return Err((
                format!("its NSS config /{cfg} is not in the image"),
                Vec::new(),
            ));
        }
    };
    let dir = text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "nssLibraryDirectory").then(|| v.trim().trim_matches('"').to_string())
    });
    let mut ev = vec![Evidence::new(
        "file",
        format!(
            "/{cfg}: nssLibraryDirectory = {}",
            dir.as_deref().unwrap_or("(not set)")
        ),
    )];
    let dirs: Vec<String> = match &dir {
        Some(d) => vec![d.trim_matches('/').to_string()],
        None => [
            "usr/lib64",
            "usr/lib/x86_64-linux-gnu",
            "usr/lib/aarch64-linux-gnu",
            "usr/lib",
        ]
        .iter()
        .map(|d| d.to_string())
        .collect(),
    };
    for d in &dirs {
        let lib = format!("{d}/libsoftokn3.so");
        if let Some((resolved, node)) = view.resolve(&lib) {
            ev.push(
                Evidence::new("file", format!("NSS softoken /{resolved}"))
                    .at(&resolved, view.layer_id(node.layer)),
            );
            return Ok(ev);
        }
    }
    Err((
        format!(
            "the NSS softoken (libsoftokn3.so) is not in /{}",
            dirs.join(", /")
        ),
        ev,
    ))
}
