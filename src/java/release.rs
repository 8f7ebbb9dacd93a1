//! `$JAVA_HOME/release`: which JDK build an image carries (vendor and
//! version), written by the JDK build as shell-style `KEY="value"` lines.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JdkRelease {
    /// `IMPLEMENTOR`: "Debian", "Eclipse Adoptium", "Red Hat, Inc."...
    pub implementor: Option<String>,
    /// `JAVA_VERSION`: "17.0.21.1", or "1.8.0_412" on Java 8.
    pub java_version: Option<String>,
    /// `JAVA_RUNTIME_VERSION`: the full build string.
    pub runtime_version: Option<String>,
    /// `IMPLEMENTOR_VERSION`: vendor build name ("Temurin-25.0.3+9").
    pub implementor_version: Option<String>,
}

impl JdkRelease {
    /// The feature release: 17 for "17.0.21.1", 8 for "1.8.0_412".
    pub fn major(&self) -> Option<u32> {
        let v = self.java_version.as_deref()?;
        let mut parts = v.split(['.', '_', '+', '-']);
        let first: u32 = parts.next()?.parse().ok()?;
        if first == 1 {
            parts.next()?.parse().ok()
        } else {
            Some(first)
        }
    }

    /// Where this JDK keeps its master `java.security`, relative to
    /// `JAVA_HOME` (the file may be a symlink, as on Debian).
    pub fn java_security_path(&self) -> &'static str {
        match self.major() {
            Some(m) if m <= 8 => "jre/lib/security/java.security",
            _ => "conf/security/java.security",
        }
    }
}

/// Reads the keys above; other keys, comments and malformed lines are
/// skipped. Values lose one pair of surrounding double quotes.
pub fn parse_release(text: &str) -> JdkRelease {
    let mut r = JdkRelease::default();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value)
            .to_string();
        let slot = match key.trim() {
            "IMPLEMENTOR" => &mut r.implementor,
            "JAVA_VERSION" => &mut r.java_version,
            "JAVA_RUNTIME_VERSION" => &mut r.runtime_version,
            "IMPLEMENTOR_VERSION" => &mut r.implementor_version,
            _ => continue,
        };
        *slot = Some(value);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::java::testutil;

    #[test]
    fn debian_openjdk17_release_file() {
        let text = String::from_utf8(testutil::read(
            "root/usr/lib/jvm/java-17-openjdk-amd64/release",
        ))
        .unwrap();
        let r = parse_release(&text);
        assert_eq!(r.implementor.as_deref(), Some("Debian"));
        // The exact build moves with Debian security updates; its shape does not.
        let v = r.java_version.as_deref().unwrap();
        assert!(v.starts_with("17.0."), "{v}");
        let rt = r.runtime_version.as_deref().unwrap();
        assert!(rt.starts_with(v) && rt.ends_with("-Debian"), "{rt}");
        assert_eq!(r.implementor_version, None);
        assert_eq!(r.major(), Some(17));
        assert_eq!(r.java_security_path(), "conf/security/java.security");
    }

    #[test]
    fn temurin_and_java8_samples() {
        // Values from SIGNATURES.md section 4 ([E] Temurin 25).
        let r = parse_release(
            "IMPLEMENTOR=\"Eclipse Adoptium\"\nIMPLEMENTOR_VERSION=\"Temurin-25.0.3+9\"\nJAVA_VERSION=\"25.0.3\"\n",
        );
        assert_eq!(r.implementor.as_deref(), Some("Eclipse Adoptium"));
        assert_eq!(r.implementor_version.as_deref(), Some("Temurin-25.0.3+9"));
        assert_eq!(r.major(), Some(25));
        let j8 = parse_release("JAVA_VERSION=\"1.8.0_412\"\n");
        assert_eq!(j8.major(), Some(8));
        assert_eq!(j8.java_security_path(), "jre/lib/security/java.security");
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let r = parse_release("garbage\n=\nJAVA_VERSION=unquoted\nIMPLEMENTOR=\"\n\u{0}=\"x\"");
        assert_eq!(r.java_version.as_deref(), Some("unquoted"));
        assert_eq!(r.implementor.as_deref(), Some("\""));
        assert_eq!(r.major(), None);
        assert_eq!(parse_release(""), JdkRelease::default());
    }
}
