//! Package URLs (https://github.com/package-url/purl-spec) for OS packages,
//! and the os-release facts that choose their namespace and `distro`.
//!
//! The os-release of an image may be seen after its package database in the
//! layer walk, so packages keep what their purl is made of and
//! [`crate::packages::Package::set_distro`] can rebuild it later.

use super::{Package, PackageType};

/// The fields of `/etc/os-release` (or `/usr/lib/os-release`) that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsRelease {
    pub id: Option<String>,
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    pub id_like: Vec<String>,
    pub pretty_name: Option<String>,
}

/// Parses os-release text (shell-style `KEY=value`, values optionally
/// quoted). Unknown keys, comments and malformed lines are ignored: the
/// file is advisory and a bad line must not hide the rest.
pub fn parse_os_release(text: &str) -> OsRelease {
    let mut os = OsRelease::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "ID" => os.id = Some(value.to_ascii_lowercase()),
            "VERSION_ID" => os.version_id = Some(value),
            "VERSION_CODENAME" => os.version_codename = Some(value),
            "ID_LIKE" => os.id_like = value.split_whitespace().map(str::to_owned).collect(),
            "PRETTY_NAME" => os.pretty_name = Some(value),
            _ => {}
        }
    }
    os
}

/// Removes one level of shell quoting: `"..."` with backslash escapes for
/// `"`, `\`, `$` and `` ` ``, or `'...'` taken literally.
fn unquote(raw: &str) -> String {
    let inner = |q: char| raw.strip_prefix(q).and_then(|r| r.strip_suffix(q));
    if let Some(literal) = inner('\'') {
        return literal.to_owned();
    }
    let Some(body) = inner('"') else {
        return raw.to_owned();
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\' | '$' | '`')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Where a purl says a package comes from: the namespace (the distribution's
/// vendor) and the `distro` qualifier, e.g. `debian` and `debian-12`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distro {
    pub namespace: Option<String>,
    pub qualifier: Option<String>,
}

impl Distro {
    /// Nothing known: deb and apk purls fall back to the `debian` and
    /// `alpine` namespaces, rpm purls get none (the vendor is a guess).
    pub fn unknown() -> Self {
        Distro::default()
    }

    /// Maps os-release ID to the purl namespace the purl-spec types and
    /// common scanners use (`rhel` is `redhat`, `ol` is `oracle`...), and
    /// ID-VERSION_ID (or ID-VERSION_CODENAME) to the `distro` qualifier.
    pub fn from_os_release(os: &OsRelease) -> Self {
        let Some(id) = os.id.as_deref() else {
            return Distro::unknown();
        };
        let namespace = match id {
            "rhel" => "redhat",
            "ol" => "oracle",
            "amzn" => "amazon",
            "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" | "opensuse-microos" => "opensuse",
            "sles" | "sles_sap" | "sled" | "sle-micro" | "sl-micro" => "suse",
            other => other,
        };
        let qualifier = match (&os.version_id, &os.version_codename) {
            (Some(v), _) => format!("{id}-{v}"),
            (None, Some(c)) => format!("{id}-{c}"),
            (None, None) => id.to_owned(),
        };
        Distro {
            namespace: Some(namespace.to_owned()),
            qualifier: Some(qualifier),
        }
    }
}

/// The canonical purl of a package: type-specific name and version rules,
/// qualifiers sorted by key, empty ones left out.
pub fn package_purl(p: &Package, distro: &Distro) -> String {
    let (ty, default_ns) = match p.kind {
        PackageType::Deb => ("deb", Some("debian")),
        PackageType::Apk => ("apk", Some("alpine")),
        PackageType::Rpm => ("rpm", None),
    };
    let namespace = distro.namespace.as_deref().or(default_ns);
    // deb and apk names are case-insensitive and lowercased; rpm's are not.
    let name = match p.kind {
        PackageType::Rpm => p.name.clone(),
        _ => p.name.to_ascii_lowercase(),
    };
    // rpm's epoch is a qualifier, not part of the version; dpkg's stays in.
    let version = match (p.kind, p.epoch) {
        (PackageType::Rpm, Some(e)) => p
            .version
            .strip_prefix(&format!("{e}:"))
            .unwrap_or(&p.version)
            .to_owned(),
        _ => p.version.clone(),
    };
    let epoch = p.epoch.map(|e| e.to_string());
    let mut qualifiers = vec![
        ("arch", p.arch.as_deref()),
        ("distro", distro.qualifier.as_deref()),
        ("epoch", epoch.as_deref()),
    ];
    qualifiers.sort_by_key(|(k, _)| *k);

    let mut out = format!("pkg:{ty}/");
    if let Some(ns) = namespace {
        out.push_str(&encode(&ns.to_ascii_lowercase()));
        out.push('/');
    }
    out.push_str(&encode(&name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(&version));
    }
    let mut sep = '?';
    for (key, value) in qualifiers {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push(sep);
            out.push_str(key);
            out.push('=');
            out.push_str(&encode(v));
            sep = '&';
        }
    }
    out
}

/// Percent-encodes everything but the purl-spec's never-encoded set:
/// alphanumerics, `.-_~`, and the colon.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::testutil::fixture_text;

    fn pkg(kind: PackageType, name: &str, version: &str, epoch: Option<u32>) -> Package {
        Package {
            kind,
            name: name.into(),
            version: version.into(),
            epoch,
            arch: Some("x86_64".into()),
            source_name: None,
            purl: String::new(),
            files: vec![],
        }
    }

    #[test]
    fn real_os_release_files() {
        let alpine = parse_os_release(&fixture_text("apk/etc/os-release"));
        assert_eq!(alpine.id.as_deref(), Some("alpine"));
        assert_eq!(alpine.version_id.as_deref(), Some("3.23.6"));
        assert_eq!(alpine.pretty_name.as_deref(), Some("Alpine Linux v3.23"));
        let d = Distro::from_os_release(&alpine);
        assert_eq!(d.qualifier.as_deref(), Some("alpine-3.23.6"));

        let debian = parse_os_release(&fixture_text("dpkg-host/os-release"));
        assert_eq!(debian.id.as_deref(), Some("debian"));
        assert_eq!(debian.version_id.as_deref(), Some("12"));
        assert_eq!(debian.version_codename.as_deref(), Some("bookworm"));
        let d = Distro::from_os_release(&debian);
        assert_eq!(d.namespace.as_deref(), Some("debian"));
        assert_eq!(d.qualifier.as_deref(), Some("debian-12"));
    }

    #[test]
    fn rhel_and_friends_map_to_vendor_namespaces() {
        let rhel = "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\n\
                    VERSION_ID=\"9.4\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n";
        let os = parse_os_release(rhel);
        assert_eq!(os.id_like, vec!["fedora"]);
        let d = Distro::from_os_release(&os);
        assert_eq!(d.namespace.as_deref(), Some("redhat"));
        assert_eq!(d.qualifier.as_deref(), Some("rhel-9.4"));
        for (id, ns) in [("ol", "oracle"), ("sles", "suse"), ("wolfi", "wolfi")] {
            let os = parse_os_release(&format!("ID={id}\n"));
            assert_eq!(Distro::from_os_release(&os).namespace.as_deref(), Some(ns));
            assert_eq!(Distro::from_os_release(&os).qualifier.as_deref(), Some(id));
        }
        let sid = parse_os_release("ID=debian\nVERSION_CODENAME=trixie\n");
        assert_eq!(
            Distro::from_os_release(&sid).qualifier.as_deref(),
            Some("debian-trixie")
        );
    }

    #[test]
    fn os_release_quoting_and_junk() {
        let os = parse_os_release("# c\nPRETTY_NAME='a \"b\"'\nID=\"x\\\"y\"\nnot a line\n=\n");
        assert_eq!(os.pretty_name.as_deref(), Some("a \"b\""));
        assert_eq!(os.id.as_deref(), Some("x\"y"));
        assert_eq!(
            parse_os_release("ID=\"\n"),
            OsRelease {
                id: Some("\"".into()),
                ..Default::default()
            }
        );
    }

    #[test]
    fn purls_follow_the_spec() {
        let d = Distro::from_os_release(&parse_os_release("ID=rhel\nVERSION_ID=9.4\n"));
        let p = pkg(PackageType::Rpm, "openssl-libs", "1:3.0.7-27.el9", Some(1));
        assert_eq!(
            package_purl(&p, &d),
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
        );
        let mut deb = pkg(PackageType::Deb, "libc6", "2.36-9+deb12u14", None);
        deb.arch = Some("amd64".into());
        assert_eq!(
            package_purl(&deb, &Distro::unknown()),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64"
        );
        let epoch = pkg(PackageType::Deb, "Attr", "1:2.4.47-2", None);
        assert!(
            package_purl(&epoch, &Distro::unknown()).starts_with("pkg:deb/debian/attr@1:2.4.47-2?")
        );
        let apk = pkg(PackageType::Apk, "py3-a b", "1.0-r0", None);
        assert_eq!(
            package_purl(&apk, &Distro::unknown()),
            "pkg:apk/alpine/py3-a%20b@1.0-r0?arch=x86_64"
        );
        let mut key = pkg(PackageType::Rpm, "gpg-pubkey", "8783d481-63ceb953", None);
        key.arch = None;
        assert_eq!(
            package_purl(&key, &Distro::unknown()),
            "pkg:rpm/gpg-pubkey@8783d481-63ceb953"
        );
    }
}
