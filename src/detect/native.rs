//! Native crypto libraries other than OpenSSL, as facts read from one
//! library file (../shared/SIGNATURES.md 3.1, 3.2 and 3.4): libgcrypt,
//! GnuTLS, NSS (libnss3, the softoken and freebl), wolfSSL, and
//! BoringSSL / AWS-LC built as shared libraries. Which library a file is
//! comes from its SONAME; what it can do from strings compiled into it.
//! Every marker is data in `signatures/native.toml`.
//!
//! Only files whose SONAME (or, without one, file name) names one of these
//! libraries are searched, so the cost stays with the few files it concerns.

use memchr::memmem;
use serde::Serialize;

use crate::signatures::Signatures;

pub const LIBGCRYPT_SONAME: &str = "native.libgcrypt.soname";
pub const LIBGCRYPT_VERSION_TEXT: &str = "native.libgcrypt.version-text";
pub const LIBGCRYPT_FORCE_ENV: &str = "native.libgcrypt.force-env";
pub const LIBGCRYPT_FORCE_FILE: &str = "native.libgcrypt.force-file";
pub const KERNEL_FIPS_FILE: &str = "native.kernel-fips-file";
pub const GNUTLS_SONAME: &str = "native.gnutls.soname";
pub const GNUTLS_VERSION_TEXT: &str = "native.gnutls.version-text";
pub const GNUTLS_FORCE_ENV: &str = "native.gnutls.force-env";
pub const GNUTLS_SYSTEM_FIPS_FILE: &str = "native.gnutls.system-fips-file";
pub const NSS_SONAME: &str = "native.nss.soname";
pub const NSS_SOFTOKN_SONAME: &str = "native.nss.softokn-soname";
pub const NSS_FREEBL_SONAME: &str = "native.nss.freebl-soname";
pub const NSS_VERSION_TEXT: &str = "native.nss.version-text";
pub const NSS_GENERIC_MODULE_ID: &str = "native.nss.generic-module-id";
pub const NSS_SOFTOKN_CHK: &str = "native.nss.softokn-chk";
pub const NSS_FREEBL_CHK: &str = "native.nss.freebl-chk";
pub const WOLFSSL_SONAME: &str = "native.wolfssl.soname";
pub const WOLFSSL_VERSION_TEXT: &str = "native.wolfssl.version-text";
pub const WOLFSSL_FIPS_API: &str = "native.wolfssl.fips-api";
pub const BORINGSSL_MODULE_NAME: &str = "native.boringssl.module-name";
pub const BORINGSSL_FIPS_MODULE: &str = "native.boringssl.fips-module";
pub const AWS_LC_VERSION_TEXT: &str = "native.aws-lc.version-text";
pub const AWS_LC_FIPS_VERSION_TEXT: &str = "native.aws-lc.fips-version-text";

/// Signature marker ids (signatures/native.toml) this module and
/// `judge::native` read; loading the data fails if one is missing.
pub const MARKER_IDS: [&str; 23] = [
    LIBGCRYPT_SONAME,
    LIBGCRYPT_VERSION_TEXT,
    LIBGCRYPT_FORCE_ENV,
    LIBGCRYPT_FORCE_FILE,
    KERNEL_FIPS_FILE,
    GNUTLS_SONAME,
    GNUTLS_VERSION_TEXT,
    GNUTLS_FORCE_ENV,
    GNUTLS_SYSTEM_FIPS_FILE,
    NSS_SONAME,
    NSS_SOFTOKN_SONAME,
    NSS_FREEBL_SONAME,
    NSS_VERSION_TEXT,
    NSS_GENERIC_MODULE_ID,
    NSS_SOFTOKN_CHK,
    NSS_FREEBL_CHK,
    WOLFSSL_SONAME,
    WOLFSSL_VERSION_TEXT,
    WOLFSSL_FIPS_API,
    BORINGSSL_MODULE_NAME,
    BORINGSSL_FIPS_MODULE,
    AWS_LC_VERSION_TEXT,
    AWS_LC_FIPS_VERSION_TEXT,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NativeLib {
    Libgcrypt,
    Gnutls,
    /// libnss3: the NSS API, which loads the softoken and decides FIPS mode.
    Nss,
    /// libsoftokn3: NSS's PKCS #11 crypto module (the FIPS boundary with freebl).
    NssSoftoken,
    /// libfreeblpriv3: the softoken's algorithms.
    NssFreebl,
    Wolfssl,
    Boringssl,
    AwsLc,
}

impl NativeLib {
    pub fn name(self) -> &'static str {
        match self {
            NativeLib::Libgcrypt => "libgcrypt",
            NativeLib::Gnutls => "GnuTLS",
            NativeLib::Nss => "NSS",
            NativeLib::NssSoftoken => "NSS softoken",
            NativeLib::NssFreebl => "NSS freebl",
            NativeLib::Wolfssl => "wolfSSL",
            NativeLib::Boringssl => "BoringSSL",
            NativeLib::AwsLc => "AWS-LC",
        }
    }

    pub fn is_nss(self) -> bool {
        matches!(
            self,
            NativeLib::Nss | NativeLib::NssSoftoken | NativeLib::NssFreebl
        )
    }
}

/// What one native crypto library says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeCrypto {
    pub lib: NativeLib,
    /// The version text as found, e.g. `This is Libgcrypt 1.10.1 - The GNU Crypto Library`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Reads `/proc/sys/crypto/fips_enabled`: FIPS mode follows the kernel flag.
    pub kernel_flag: bool,
    /// An environment variable that forces FIPS mode (libgcrypt, GnuTLS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_env: Option<String>,
    /// A file whose presence forces FIPS mode (libgcrypt's `/etc/gcrypt/fips_enabled`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_file: Option<String>,
    /// Old GnuTLS FIPS builds also need `/etc/system-fips` to enter FIPS mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_fips_file: Option<String>,
    /// The library carries a FIPS module: GnuTLS FIPS 140 mode, the wolfCrypt
    /// FIPS API, BoringSSL / AWS-LC built with FIPS=1. Not proof of validation.
    pub fips_module: bool,
    /// The marker that showed the FIPS module, for evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fips_marker: Option<String>,
    /// NSS softoken: the module identifier it reports (NSS_FIPS_MODULE_ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_id: Option<String>,
}

impl NativeCrypto {
    pub(crate) fn new(lib: NativeLib) -> NativeCrypto {
        NativeCrypto {
            lib,
            text: None,
            version: None,
            kernel_flag: false,
            force_env: None,
            force_file: None,
            system_fips_file: None,
            fips_module: false,
            fips_marker: None,
            module_id: None,
        }
    }

    /// `libgcrypt 1.10.1`, `AWS-LC FIPS 4.2.0`, `BoringSSL`.
    pub fn label(&self) -> String {
        let name = match (self.lib, self.fips_module) {
            (NativeLib::AwsLc, true) => "AWS-LC FIPS",
            (lib, _) => lib.name(),
        };
        match &self.version {
            Some(v) => format!("{name} {v}"),
            None => name.to_string(),
        }
    }
}

/// The longest string taken as a version text or module id.
const MAX_TEXT: usize = 160;

/// The C string (or line) that starts at `at`, bounded; `None` if it is not text.
fn text_at(data: &[u8], at: usize) -> Option<&str> {
    let tail = data.get(at..)?;
    let tail = tail.get(..MAX_TEXT.min(tail.len()))?;
    let end = memchr::memchr2(0, b'\n', tail).unwrap_or(tail.len());
    let s = std::str::from_utf8(tail.get(..end)?).ok()?;
    s.bytes()
        .all(|b| b.is_ascii_graphic() || b == b' ')
        .then_some(s)
}

/// The version word after a version text's prefix: `1.10.1`, `3.87.1`.
fn version_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let word = text.strip_prefix(prefix)?.split(' ').next()?;
    let ok = word.bytes().next()?.is_ascii_digit()
        && word.contains('.')
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    ok.then_some(word)
}

/// The first text starting with the marker's pattern whose next word is a version.
fn find_version(data: &[u8], sigs: &Signatures, id: &str) -> Option<(String, String)> {
    let prefix = sigs.pattern(id);
    if prefix.is_empty() {
        return None;
    }
    memmem::find_iter(data, prefix.as_bytes()).find_map(|at| {
        let text = text_at(data, at)?;
        let version = version_after(text, prefix)?;
        Some((text.to_string(), version.to_string()))
    })
}

/// The marker's pattern as a whole C string (NUL right after it).
fn has_c_string(data: &[u8], sigs: &Signatures, id: &str) -> Option<String> {
    let pattern = sigs.pattern(id);
    if pattern.is_empty() {
        return None;
    }
    memmem::find_iter(data, pattern.as_bytes())
        .any(|at| data.get(at + pattern.len()) == Some(&0))
        .then(|| pattern.to_string())
}

/// Which library a SONAME (or file name) names, if any. `libcrypto.so*`
/// is a candidate for BoringSSL or AWS-LC (decided by its content).
fn candidate(name: &str, sigs: &Signatures) -> Option<Option<NativeLib>> {
    let known = [
        (LIBGCRYPT_SONAME, NativeLib::Libgcrypt),
        (GNUTLS_SONAME, NativeLib::Gnutls),
        (NSS_SONAME, NativeLib::Nss),
        (NSS_SOFTOKN_SONAME, NativeLib::NssSoftoken),
        (NSS_FREEBL_SONAME, NativeLib::NssFreebl),
        (WOLFSSL_SONAME, NativeLib::Wolfssl),
    ];
    if let Some((_, lib)) = known.iter().find(|(id, _)| sigs.matches(id, name)) {
        return Some(Some(*lib));
    }
    sigs.matches(crate::signatures::OPENSSL_LIBCRYPTO_SONAME, name)
        .then_some(None)
}

/// Reads the facts of one library. `name` is its SONAME, or its file name
/// when it has none.
pub fn find(name: &str, data: &[u8], sigs: &Signatures) -> Option<NativeCrypto> {
    let lib = match candidate(name, sigs)? {
        Some(lib) => lib,
        // A libcrypto: BoringSSL or AWS-LC only by what it says of itself;
        // OpenSSL's own libcrypto has neither text.
        None => {
            if find_version(data, sigs, AWS_LC_VERSION_TEXT).is_some()
                || find_version(data, sigs, AWS_LC_FIPS_VERSION_TEXT).is_some()
            {
                NativeLib::AwsLc
            } else if has_c_string(data, sigs, BORINGSSL_MODULE_NAME).is_some() {
                NativeLib::Boringssl
            } else {
                return None;
            }
        }
    };
    let mut f = NativeCrypto::new(lib);
    let version = |id: &str| find_version(data, sigs, id);
    let kernel = has_c_string(data, sigs, KERNEL_FIPS_FILE).is_some();
    match lib {
        NativeLib::Libgcrypt => {
            (f.text, f.version) = version(LIBGCRYPT_VERSION_TEXT).unzip();
            f.kernel_flag = kernel;
            f.force_env = has_c_string(data, sigs, LIBGCRYPT_FORCE_ENV);
            f.force_file = has_c_string(data, sigs, LIBGCRYPT_FORCE_FILE);
        }
        NativeLib::Gnutls => {
            (f.text, f.version) = version(GNUTLS_VERSION_TEXT).unzip();
            // lib/fips.c, with the kernel file and the override variable,
            // is compiled only with --enable-fips140-mode.
            f.force_env = has_c_string(data, sigs, GNUTLS_FORCE_ENV);
            f.kernel_flag = kernel;
            f.fips_module = f.force_env.is_some() || kernel;
            f.fips_marker = f
                .force_env
                .clone()
                .or_else(|| kernel.then(|| sigs.pattern(KERNEL_FIPS_FILE).to_string()));
            f.system_fips_file = has_c_string(data, sigs, GNUTLS_SYSTEM_FIPS_FILE);
        }
        NativeLib::Nss | NativeLib::NssFreebl => {
            (f.text, f.version) = version(NSS_VERSION_TEXT).unzip();
            f.kernel_flag = kernel;
        }
        NativeLib::NssSoftoken => {
            (f.text, f.version) = version(NSS_VERSION_TEXT).unzip();
            f.kernel_flag = kernel;
            f.module_id = version(NSS_GENERIC_MODULE_ID).map(|(t, _)| t);
        }
        NativeLib::Wolfssl => {
            (f.text, f.version) = version(WOLFSSL_VERSION_TEXT).unzip();
            // Exported names sit in .dynstr as C strings.
            f.fips_marker = has_c_string(data, sigs, WOLFSSL_FIPS_API);
            f.fips_module = f.fips_marker.is_some();
        }
        NativeLib::Boringssl => {
            f.text = has_c_string(data, sigs, BORINGSSL_MODULE_NAME);
            f.fips_marker = has_c_string(data, sigs, BORINGSSL_FIPS_MODULE);
            f.fips_module = f.fips_marker.is_some();
        }
        NativeLib::AwsLc => {
            // FIPS builds name themselves "AWS-LC FIPS <module version>"
            // and carry BoringSSL's module integrity test.
            let integrity = has_c_string(data, sigs, BORINGSSL_FIPS_MODULE);
            if let Some((text, v)) = version(AWS_LC_FIPS_VERSION_TEXT) {
                (f.text, f.version) = (Some(text.clone()), Some(v));
                f.fips_marker = integrity.or(Some(text));
                f.fips_module = true;
            } else {
                (f.text, f.version) = version(AWS_LC_VERSION_TEXT).unzip();
                f.fips_module = integrity.is_some();
                f.fips_marker = integrity;
            }
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests;
