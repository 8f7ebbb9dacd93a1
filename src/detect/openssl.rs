//! OpenSSL facts readable from a single library or binary: the version text
//! and the compiled-in directories (`openssl version -d -m` prints the same).

use serde::Serialize;

use crate::signatures::{self, Signatures};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpensslText {
    /// As found, e.g. `OpenSSL 3.0.19 27 Jan 2026`.
    pub text: String,
    /// e.g. `3.0.19`, `1.1.1k`.
    pub version: String,
    /// Red Hat FIPS builds put `FIPS` or `-fips` in the version text.
    pub fips_build: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openssldir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modulesdir: Option<String>,
    /// In a FIPS provider (fips.so): the name it reports, e.g. `OpenSSL FIPS Provider`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    /// In a FIPS provider: its own version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_version: Option<String>,
    /// Distro patches (Red Hat, Fedora and their kin) that make the library
    /// follow the kernel's FIPS flag; upstream OpenSSL carries none of them.
    #[serde(skip_serializing_if = "DistroFips::is_empty")]
    pub distro: DistroFips,
}

/// What a distro-patched OpenSSL reads to decide on FIPS mode by itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DistroFips {
    /// Reads `/proc/sys/crypto/fips_enabled`: enters FIPS mode on a FIPS host.
    pub kernel_switch: bool,
    /// Honours `OPENSSL_FORCE_FIPS_MODE` (any value but none forces FIPS mode).
    pub force_env: bool,
    /// Reads the file `OPENSSL_FIPS_MODE_SWITCH_PATH` names instead of the
    /// kernel flag (Ubuntu's `fips_mode.c`, where `OPENSSL_FORCE_FIPS_MODE=0`
    /// also keeps FIPS mode off).
    pub switch_path_env: bool,
    /// Checks `.<lib>.hmac` integrity files with Red Hat's fixed HMAC key.
    pub hmac_integrity: bool,
    /// Mentions `/etc/system-fips` (RHEL 7's 1.0.2 needs it to switch on).
    pub system_fips_file: bool,
    /// Azure Linux 3: on a FIPS host the SymCrypt provider is loaded first.
    pub symcrypt_autoload: bool,
    /// Linked with the OpenSSL 1.0.2 FIPS Object Module (the fipscanister:
    /// `FINGERPRINT_premain` or `FIPS_module_version_text`). Not a distro
    /// patch, but like them something upstream OpenSSL 3 never carries.
    pub fips_object_module: bool,
}

impl DistroFips {
    pub fn is_empty(&self) -> bool {
        *self == DistroFips::default()
    }
}

/// The longest string we take as a version or directory: real ones are
/// well under this; anything longer is not what we are looking for.
const MAX_FIELD: usize = 256;

fn c_string_at(data: &[u8], start: usize) -> Option<&str> {
    let tail = data.get(start..)?;
    let end = memchr::memchr(0, tail.get(..MAX_FIELD.min(tail.len()))?)?;
    std::str::from_utf8(tail.get(..end)?).ok()
}

/// Parses `OpenSSL 3.0.19 27 Jan 2026` and keeps the version word.
fn version_of(text: &str, sigs: &Signatures) -> Option<String> {
    let rest = text.strip_prefix(sigs.pattern(signatures::OPENSSL_VERSION_TEXT))?;
    let word = rest.split(' ').next()?;
    let ok = word.chars().next()?.is_ascii_digit()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && word.contains('.');
    ok.then(|| word.to_string())
}

/// Looks for OpenSSL's version text and build directories in `data`.
pub fn find(data: &[u8], sigs: &Signatures) -> Option<OpensslText> {
    let ac = sigs.openssl_matcher()?;
    let mut found: Option<OpensslText> = None;
    let (mut openssldir, mut modulesdir, mut provider) = (None, None, None);
    let mut distro = DistroFips::default();
    for m in ac.find_iter(data) {
        let whole_c_string = || {
            (m.start() == 0 || data.get(m.start() - 1) == Some(&0))
                && data.get(m.end()).is_none_or(|&b| b == 0)
        };
        match m.pattern().as_usize() {
            0 => {
                // A real version string is a C string of its own.
                if found.is_some() || (m.start() > 0 && data.get(m.start() - 1) != Some(&0)) {
                    continue;
                }
                if let Some(text) = c_string_at(data, m.start())
                    && let Some(version) = version_of(text, sigs)
                {
                    let fips_build = text.contains(" FIPS") || version.ends_with("-fips");
                    found = Some(OpensslText {
                        text: text.to_string(),
                        version,
                        fips_build,
                        openssldir: None,
                        modulesdir: None,
                        provider_name: None,
                        provider_version: None,
                        distro: DistroFips::default(),
                    });
                }
            }
            3 => {
                if provider.is_none() {
                    provider = provider_at(data, m.start());
                }
            }
            4 if whole_c_string() => distro.kernel_switch = true,
            5 if whole_c_string() => distro.force_env = true,
            6 if whole_c_string() => distro.hmac_integrity = true,
            7 if whole_c_string() => distro.system_fips_file = true,
            8 if whole_c_string() => distro.symcrypt_autoload = true,
            9 | 10 if whole_c_string() => distro.fips_object_module = true,
            11 if whole_c_string() => distro.switch_path_env = true,
            4..=11 => {}
            i => {
                if let Some(value) = c_string_at(data, m.end()).and_then(|s| s.strip_suffix('"')) {
                    if i == 1 {
                        openssldir.get_or_insert_with(|| value.to_string());
                    } else {
                        modulesdir.get_or_insert_with(|| value.to_string());
                    }
                }
            }
        }
    }
    match (found, provider) {
        (Some(f), provider) => Some(OpensslText {
            openssldir,
            modulesdir,
            provider_name: provider.as_ref().map(|(n, _)| n.clone()),
            provider_version: provider.and_then(|(_, v)| v),
            distro,
            ..f
        }),
        // A FIPS provider carries no version text of libcrypto's kind: its
        // name and version are what it reports to libcrypto.
        (None, Some((name, Some(version)))) => Some(OpensslText {
            text: format!("{name} {version}"),
            version: version.clone(),
            fips_build: false,
            openssldir,
            modulesdir,
            provider_name: Some(name),
            provider_version: Some(version),
            distro,
        }),
        // SUSE's provider reports `SUSE Release` as its version
        // (openssl-FIPS-SUSE-FIPS-module-version.patch): the name alone is
        // what can be read, and the version stays empty. Only in a provider
        // module (its entry point `OSSL_provider_init` in the dynamic string
        // table, as in OpenSSL 3.1.2's fips.so), so a program that merely
        // mentions a provider's name is not taken for OpenSSL.
        (None, Some((name, None))) if memchr::memmem::find(data, PROVIDER_ENTRY).is_some() => {
            Some(OpensslText {
                text: name.clone(),
                version: String::new(),
                fips_build: false,
                openssldir,
                modulesdir,
                provider_name: Some(name),
                provider_version: None,
                distro,
            })
        }
        (None, _) => None,
    }
}

/// A provider module's entry point, as a whole C string.
const PROVIDER_ENTRY: &[u8] = b"\0OSSL_provider_init\0";

/// How far after the provider's name its version string may sit: in
/// OpenSSL's fips.so they are two strings apart (`name`, `buildinfo`, `3.1.2`).
const PROVIDER_VERSION_WINDOW: usize = 96;

fn is_version(s: &str) -> bool {
    let mut parts = s.split('.');
    let numeric =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let (a, b) = (parts.next(), parts.next());
    let rest = parts.next();
    numeric(a)
        && numeric(b)
        && rest.is_some_and(|r| {
            r.bytes().next().is_some_and(|c| c.is_ascii_digit())
                && r.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
        && parts.next().is_none()
}

/// The C string holding a provider name found at `hit`, and the first
/// version-shaped C string after it.
fn provider_at(data: &[u8], hit: usize) -> Option<(String, Option<String>)> {
    let window_start = hit.saturating_sub(MAX_FIELD);
    let before = data.get(window_start..hit)?;
    let start = memchr::memrchr(0, before).map_or(window_start, |i| window_start + i + 1);
    let name = c_string_at(data, start)?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return None;
    }
    let mut at = start + name.len() + 1;
    let mut version = None;
    while at < start + name.len() + 1 + PROVIDER_VERSION_WINDOW {
        let Some(s) = c_string_at(data, at) else {
            break;
        };
        if is_version(s) {
            version = Some(s.to_string());
            break;
        }
        at += s.len() + 1;
    }
    Some((name.to_string(), version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_debian_libcrypto_strings() {
        // Bytes as they sit in Debian 12's libcrypto.so.3 (see signatures/openssl.toml).
        let data = b"\0junk\0OpenSSL 3.0.19 27 Jan 2026\0x\0OPENSSLDIR: \"/usr/lib/ssl\"\0MODULESDIR: \"/usr/lib/x86_64-linux-gnu/ossl-modules\"\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(f.version, "3.0.19");
        assert_eq!(f.openssldir.as_deref(), Some("/usr/lib/ssl"));
        assert_eq!(
            f.modulesdir.as_deref(),
            Some("/usr/lib/x86_64-linux-gnu/ossl-modules")
        );
        assert!(!f.fips_build);
    }

    #[test]
    fn ignores_prose_mentions() {
        let data = b"\0opensslcrypto: can't initialize OpenSSL \0 see OpenSSL 3.0 docs\0";
        assert!(find(data, Signatures::embedded()).is_none());
    }

    #[test]
    fn fips_provider_name_and_version() {
        // The bytes around the name in OpenSSL 3.1.2's fips.so (signatures/openssl.toml).
        let data = b"OSSL_provider_init_int\0provider=fips,fips=yes\0OpenSSL FIPS Provider\0buildinfo\x003.1.2\0security-checks\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(f.provider_name.as_deref(), Some("OpenSSL FIPS Provider"));
        assert_eq!(f.provider_version.as_deref(), Some("3.1.2"));
        assert_eq!(f.version, "3.1.2");
        assert!(
            is_version("3.0.9")
                && is_version("3.5.0-beta1")
                && !is_version("3.1")
                && !is_version("a.b.c")
        );
    }

    #[test]
    fn red_hat_fips_text() {
        let data = b"\0OpenSSL 1.1.1g FIPS  21 Apr 2020\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(f.version, "1.1.1g");
        assert!(f.fips_build);
        assert!(f.distro.is_empty());
    }

    #[test]
    fn ubuntu_switch_strings() {
        // The strings as they sit in Ubuntu 24.04's libcrypto.so.3
        // (libssl3t64 3.0.13-0ubuntu3.5, fixtures/parts/ubuntu.sh).
        let data = b"\0OpenSSL 3.0.13 30 Jan 2024\x003.0.13\0not available\0platform: debian-amd64\0OPENSSLDIR: \"/usr/lib/ssl\"\0CPUINFO: N/A\0../crypto/ex_data.c\0/proc/sys/crypto/fips_enabled\0OPENSSL_FORCE_FIPS_MODE\0OPENSSL_FIPS_MODE_SWITCH_PATH\0 env:%s\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(f.version, "3.0.13");
        assert_eq!(f.openssldir.as_deref(), Some("/usr/lib/ssl"));
        assert_eq!(
            f.distro,
            DistroFips {
                kernel_switch: true,
                force_env: true,
                switch_path_env: true,
                ..DistroFips::default()
            }
        );
        // Part of a longer string is not the variable's name.
        let partial = b"\0OpenSSL 3.0.13 30 Jan 2024\0OPENSSL_FIPS_MODE_SWITCH_PATHS\0";
        assert!(
            find(partial, Signatures::embedded())
                .unwrap()
                .distro
                .is_empty()
        );
    }

    #[test]
    fn red_hat_distro_patches() {
        // Neighbouring strings as they sit in CentOS 7's libcrypto.so.1.0.2k
        // (fixtures/parts/rhel.sh; signatures/openssl.toml).
        let data = b"\0MinimumDHBits\0OPENSSL_FORCE_FIPS_MODE\0/proc/sys/crypto/fips_enabled\0\0FATAL FIPS SELFTEST FAILURE\0/etc/system-fips\0orboDeJITITejsirpADONivirpUkvarP\0OpenSSL 1.0.2k-fips  26 Jan 2017\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(f.version, "1.0.2k-fips");
        assert_eq!(
            f.distro,
            DistroFips {
                kernel_switch: true,
                force_env: true,
                switch_path_env: false,
                hmac_integrity: true,
                system_fips_file: true,
                symcrypt_autoload: false,
                fips_object_module: false,
            }
        );
        // Azure Linux 3 (synthetic: the string its provider_conf.c patch adds).
        let azl = b"\0OPENSSL_FORCE_FIPS_MODE\0/proc/sys/crypto/fips_enabled\0symcryptprovider\0symcrypt_prov_sect\0OpenSSL 3.3.5 1 Oct 2025\0";
        let f = find(azl, Signatures::embedded()).unwrap();
        assert!(f.distro.kernel_switch && f.distro.force_env && f.distro.symcrypt_autoload);
        assert!(!f.distro.hmac_integrity);
        // Only whole C strings count: a longer path or a prose mention is not the switch.
        let data = b"\0/proc/sys/crypto/fips_enabled_x\0see /etc/system-fips\0OpenSSL 3.0.19 27 Jan 2026\0";
        assert!(
            find(data, Signatures::embedded())
                .unwrap()
                .distro
                .is_empty()
        );
    }

    #[test]
    fn fips_object_module_symbols() {
        // SYNTHETIC: the canister's symbol names as .dynstr holds them, with
        // the version text a FOM build of 1.0.2 prints (signatures/openssl.toml).
        let data = b"\0FIPS_mode_set\0FINGERPRINT_premain\0FIPS_module_version_text\0OpenSSL 1.0.2u-fips  20 Dec 2019\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(f.version, "1.0.2u-fips");
        assert!(f.fips_build && f.distro.fips_object_module);
        for one in [
            &b"\0FINGERPRINT_premain\0"[..],
            b"\0FIPS_module_version_text\0",
        ] {
            let data = [one, b"OpenSSL 1.0.2u-fips  20 Dec 2019\0"].concat();
            assert!(
                find(&data, Signatures::embedded())
                    .unwrap()
                    .distro
                    .fips_object_module
            );
        }
        // Red Hat's 1.0.2k-fips: FIPS_mode_set but no canister (CentOS 7,
        // fixtures/parts/rhel.sh); a longer symbol is not the marker.
        let data =
            b"\0FIPS_mode_set\0FIPS_module_version_text_x\0OpenSSL 1.0.2k-fips  26 Jan 2017\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert!(f.fips_build && !f.distro.fips_object_module);
    }

    #[test]
    fn provider_name_without_a_version() {
        // SUSE's fips.so reports `SUSE Release` as its version (SYNTHETIC
        // layout: openSUSE openssl-FIPS-SUSE-FIPS-module-version.patch).
        let data = b"\0OSSL_provider_init\0x\0SUSE Linux Enterprise - OpenSSL FIPS Provider\0SUSE Release\0";
        let f = find(data, Signatures::embedded()).unwrap();
        assert_eq!(
            f.provider_name.as_deref(),
            Some("SUSE Linux Enterprise - OpenSSL FIPS Provider")
        );
        assert_eq!((f.version.as_str(), f.provider_version), ("", None));
        // A program that only mentions a provider's name is not a provider.
        let data = b"\0see the OpenSSL FIPS Provider\0";
        assert!(find(data, Signatures::embedded()).is_none());
    }
}
