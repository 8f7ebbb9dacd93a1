//! A JDK's master security properties file (`$JAVA_HOME/conf/security/java.security`
//! on Java 9+, `jre/lib/security/java.security` on 8): the provider order
//! the JVM will use, Red Hat's FIPS provider list, and the switches that
//! let other files change either.

use serde::Serialize;

use super::JavaMarkers;
use super::properties::{parse_properties, prop};

/// One `security.provider.N` / `fips.provider.N` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderEntry {
    pub position: u32,
    /// Provider name (`SUN`, `BCFIPS`) or class name.
    pub name: String,
    /// What follows the first space: a config file (`SunPKCS11 <cfg>`), a
    /// BC-FIPS mode string, or the provider a JSSE provider should use.
    pub arg: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JavaSecurity {
    /// The providers the JVM registers, in order.
    pub providers: Vec<ProviderEntry>,
    /// Red Hat's FIPS list: replaces `providers` when the JVM enters FIPS mode.
    pub fips_providers: Vec<ProviderEntry>,
    /// Entries the JVM never reaches: it reads `.1`, `.2`, ... and stops at
    /// the first number that is missing or empty, so anything after a gap
    /// (or with a non-numeric suffix, like the `.tbd` of build templates)
    /// is dead configuration. Kept as evidence.
    pub unreachable: Vec<String>,
    /// `security.useSystemPropertiesFile` (Red Hat builds): true makes the
    /// JVM append /etc/crypto-policies/back-ends/java.config and, on a
    /// FIPS host, switch to `fips_providers`.
    pub use_system_properties_file: Option<bool>,
    /// `security.overridePropertiesFile`: whether `-Djava.security.properties`
    /// (for example in `JAVA_TOOL_OPTIONS`) may add to or replace this file.
    pub override_properties_file: Option<bool>,
    /// `include FILE` directives (security properties file inclusion,
    /// JDK-8319332, JDK 24+; older JDKs read them as a property named `include`).
    pub includes: Vec<String>,
}

/// Parses `text` with properties-file syntax. Never fails: a file that says
/// nothing useful gives an empty `JavaSecurity`.
pub fn parse_java_security(text: &str, markers: &JavaMarkers) -> JavaSecurity {
    let pairs = parse_properties(text);
    let mut sec = JavaSecurity::default();
    sec.providers = provider_list(
        &pairs,
        &markers.security_provider_key.pattern,
        &mut sec.unreachable,
    );
    sec.fips_providers = provider_list(
        &pairs,
        &markers.fips_provider_key.pattern,
        &mut sec.unreachable,
    );
    sec.use_system_properties_file = pairs
        .iter()
        .rev()
        .find(|(k, _)| markers.use_system_properties_file_key.matches(k))
        .and_then(|(_, v)| parse_bool(v));
    sec.override_properties_file =
        prop(&pairs, "security.overridePropertiesFile").and_then(parse_bool);
    sec.includes = pairs
        .iter()
        .filter(|(k, _)| k == "include")
        .map(|(_, v)| v.trim().to_string())
        .collect();
    sec
}

/// `Boolean.parseBoolean` would read anything but "true" as false; an
/// unreadable value is reported as unknown instead, so a typo is visible.
fn parse_bool(v: &str) -> Option<bool> {
    match v.trim() {
        s if s.eq_ignore_ascii_case("true") => Some(true),
        s if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// The list as `sun.security.jca.ProviderList` (and Red Hat's
/// `SystemConfigurator` for `fips.provider.`) builds it: numbers from 1 up,
/// stopping at the first missing or blank one; the last duplicate wins.
fn provider_list(
    pairs: &[(String, String)],
    prefix: &str,
    unreachable: &mut Vec<String>,
) -> Vec<ProviderEntry> {
    let mut numbered: Vec<(u32, &str)> = Vec::new();
    for (k, v) in pairs {
        let Some(suffix) = k.strip_prefix(prefix) else {
            continue;
        };
        match suffix.parse::<u32>() {
            Ok(n) if n > 0 && !suffix.starts_with(['+', '0']) => {
                numbered.retain(|(m, _)| *m != n);
                numbered.push((n, v.as_str()));
            }
            _ => unreachable.push(format!("{k}={v}")),
        }
    }
    numbered.sort_by_key(|(n, _)| *n);
    let mut out = Vec::new();
    let mut expect = 1;
    for (n, v) in numbered {
        let v = v.trim();
        if n != expect || v.is_empty() {
            unreachable.push(format!("{prefix}{n}={v}"));
            expect = 0; // everything after the gap is dead too
            continue;
        }
        expect += 1;
        // The JDK splits at the first space only (not at tabs).
        let (name, arg) = match v.split_once(' ') {
            Some((name, arg)) => (name, Some(arg.trim().to_string())),
            None => (v, None),
        };
        out.push(ProviderEntry {
            position: n,
            name: name.to_string(),
            arg: arg.filter(|a| !a.is_empty()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::java::testutil;

    fn parse(text: &str) -> JavaSecurity {
        parse_java_security(text, &JavaMarkers::default())
    }

    fn names(list: &[ProviderEntry]) -> Vec<&str> {
        list.iter().map(|p| p.name.as_str()).collect()
    }

    /// Debian 12's openjdk-17-jre-headless, read from the unpacked deb
    /// (its conf/security/java.security is a symlink to this file in /etc).
    #[test]
    fn debian_openjdk17_java_security() {
        let jvm = "root/usr/lib/jvm/java-17-openjdk-amd64/conf/security/java.security";
        let link = std::fs::read_link(testutil::fixture(jvm)).unwrap();
        assert_eq!(
            link.to_str(),
            Some("/etc/java-17-openjdk/security/java.security")
        );
        // Read the image's copy, never the link: on this host it would
        // resolve to the host's own /etc.
        let text = String::from_utf8(testutil::read(
            "root/etc/java-17-openjdk/security/java.security",
        ))
        .unwrap();
        let sec = parse(&text);
        assert_eq!(
            names(&sec.providers),
            [
                "SUN",
                "SunRsaSign",
                "SunEC",
                "SunJSSE",
                "SunJCE",
                "SunJGSS",
                "SunSASL",
                "XMLDSig",
                "SunPCSC",
                "JdkLDAP",
                "JdkSASL",
                "SunPKCS11"
            ]
        );
        assert!(sec.providers.iter().all(|p| p.arg.is_none()));
        assert!(sec.fips_providers.is_empty());
        assert_eq!(sec.use_system_properties_file, None);
        assert_eq!(sec.override_properties_file, Some(true));
        assert!(sec.includes.is_empty() && sec.unreachable.is_empty());
    }

    /// rh-openjdk/jdk src/java.base/share/conf/security/java.security
    /// (commit 002f6d35), the lines that matter, verbatim; the `.tbd`
    /// numbers are filled in by the build.
    #[test]
    fn red_hat_source_template() {
        let text = "security.provider.tbd=SUN\nsecurity.provider.tbd=SunRsaSign\n#ifdef windows\nsecurity.provider.tbd=SunMSCAPI\n#endif\n\n#\n# Security providers used when FIPS mode support is active\n#\nfips.provider.1=SunPKCS11 ${java.home}/conf/security/nss.fips.cfg\nfips.provider.2=SUN\nfips.provider.3=SunEC\nfips.provider.4=SunJSSE\nfips.provider.5=SunJCE\nfips.provider.6=SunRsaSign\nfips.keystore.type=PKCS11\nsecurity.useSystemPropertiesFile=false\n";
        let sec = parse(text);
        assert!(sec.providers.is_empty());
        assert_eq!(sec.unreachable.len(), 3);
        assert_eq!(
            names(&sec.fips_providers),
            [
                "SunPKCS11",
                "SUN",
                "SunEC",
                "SunJSSE",
                "SunJCE",
                "SunRsaSign"
            ]
        );
        assert_eq!(
            sec.fips_providers[0].arg.as_deref(),
            Some("${java.home}/conf/security/nss.fips.cfg")
        );
        assert_eq!(sec.use_system_properties_file, Some(false));
        // The RPM spec seds the switch to true.
        let on = parse(&text.replace("PropertiesFile=false", "PropertiesFile=true"));
        assert_eq!(on.use_system_properties_file, Some(true));
    }

    #[test]
    fn bc_fips_order_args_gaps_and_includes() {
        // Provider lines as SIGNATURES.md section 4 quotes them (RH OpenJDK
        // test Makefile), with `key: value` and `key value` forms mixed in.
        let text = "security.provider.1=org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider C:HYBRID;ENABLE{All};\nsecurity.provider.2: SunJSSE BCFIPS\nsecurity.provider.3 SUN\nsecurity.provider.5=SunJCE\nsecurity.provider.03=X\nsecurity.provider.2=SunJSSE  BCFIPS \ninclude /etc/crypto/java.security\ninclude ${java.home}/conf/security/extra.security\nsecurity.useSystemPropertiesFile=yes\n";
        let sec = parse(text);
        assert_eq!(
            names(&sec.providers),
            [
                "org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider",
                "SunJSSE",
                "SUN"
            ]
        );
        assert_eq!(
            sec.providers[0].arg.as_deref(),
            Some("C:HYBRID;ENABLE{All};")
        );
        assert_eq!(sec.providers[1].arg.as_deref(), Some("BCFIPS"));
        assert_eq!(
            sec.unreachable,
            ["security.provider.03=X", "security.provider.5=SunJCE"]
        );
        assert_eq!(
            sec.includes,
            [
                "/etc/crypto/java.security",
                "${java.home}/conf/security/extra.security"
            ]
        );
        assert_eq!(
            sec.use_system_properties_file, None,
            "`yes` is not a boolean"
        );
    }

    #[test]
    fn blank_entry_ends_the_list() {
        let sec =
            parse("security.provider.1=SUN\nsecurity.provider.2=\nsecurity.provider.3=SunJCE\n");
        assert_eq!(names(&sec.providers), ["SUN"]);
        assert_eq!(sec.unreachable.len(), 2);
        assert_eq!(parse(""), JavaSecurity::default());
    }
}
