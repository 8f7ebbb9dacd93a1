//! Findings: everything the scan has to say that is not a component, each
//! with a stable kebab-case code documented here (the one place codes are
//! described; `fipscan explain` and SARIF rules read this table).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

macro_rules! codes {
    ($( $variant:ident = $text:literal, $severity:ident, $title:literal; )*) => {
        /// Stable identifiers of findings and component judgements.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Code { $( #[serde(rename = $text)] $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(Code::$variant => $text,)* } }
            /// The severity a finding with this code has unless a context says otherwise.
            pub fn severity(self) -> Severity { match self { $(Code::$variant => Severity::$severity,)* } }
            /// One line: what the code means.
            pub fn title(self) -> &'static str { match self { $(Code::$variant => $title,)* } }
            pub fn parse(s: &str) -> Option<Code> { match s { $($text => Some(Code::$variant),)* _ => None } }
        }
    };
}

codes! {
    // Reading the image.
    LayerUnreadable = "layer-unreadable", Error, "A layer blob could not be read or decompressed to the end; its files were not judged";
    LayerDigestMismatch = "layer-digest-mismatch", Error, "A layer blob does not hash to the digest its descriptor names; its files were not trusted";
    LayerDiffIdMismatch = "layer-diffid-mismatch", Error, "A layer's uncompressed content does not hash to the diff_id in the image config";
    LayerSizeLimit = "layer-size-limit", Error, "A layer decompressed past the configured bound; files after that point were not read";
    LayerEntryLimit = "layer-entry-limit", Error, "A layer holds more entries than the configured bound; the rest were not read";
    LayerMediaTypeMismatch = "layer-media-type-mismatch", Info, "A layer's media type disagrees with its magic bytes; the magic bytes were followed";
    TarPathEscape = "tar-path-escape", Warning, "A tar entry's name climbs out of the image root with `..`; the entry was ignored";
    TarAbsolutePath = "tar-absolute-path", Info, "A tar entry has an absolute name; it was taken relative to the image root";
    SymlinkEscapesRoot = "symlink-escapes-root", Warning, "A symlink points above the image root; it is resolved inside the root, as a container sees it";
    HardlinkMissingTarget = "hardlink-missing-target", Warning, "A hardlink names a file that is not in the image";
    FileTooLarge = "file-too-large", Warning, "A file is larger than the per-file read bound and was not inspected";
    Unscannable = "unscannable", Warning, "A file looks like a program but could not be parsed; it was not judged";
    PackageDbUnreadable = "package-db-unreadable", Warning, "A package database could not be parsed; files were not tied to the packages that own them";
    EntrypointMissing = "entrypoint-missing", Warning, "The image's entrypoint does not name a file in the image";
    // Go.
    GoFipsValidated = "go-fips-validated", Info, "Go program built with the validated Go Cryptographic Module and FIPS mode on";
    GoFipsOff = "go-fips-off", Error, "Go program carries the Go Cryptographic Module but FIPS mode is off as the image ships";
    GoFipsUnvalidated = "go-fips-unvalidated", Warning, "Go program runs the Go Cryptographic Module in FIPS mode, but that module version has no CMVP certificate";
    GoBoringCrypto = "go-boringcrypto", Info, "Go program built with BoringCrypto (validated BoringSSL module; a legacy, unsupported Go mechanism)";
    GoBoringNoCgo = "go-boringcrypto-no-cgo", Error, "Go program built with GOEXPERIMENT=boringcrypto but without cgo, so BoringCrypto is silently not used";
    GoOpensslBackend = "go-openssl-backend", Info, "Go program routes crypto to the image's OpenSSL at run time";
    GoOpensslBackendNoProvider = "go-openssl-backend-no-provider", Error, "Go program routes crypto to OpenSSL, but the image's OpenSSL has no configured FIPS provider";
    GoOpensslBackendNoCgo = "go-openssl-backend-no-cgo", Error, "Go program from an OpenSSL-backed toolchain was built with CGO_ENABLED=0, so it cannot load OpenSSL";
    GoStandardCrypto = "go-standard-crypto", Error, "Go program uses Go's standard crypto with no FIPS module";
    GoCryptoUnknown = "go-crypto-unknown", Warning, "Go program whose function table could not be read: its build settings name the toolchain's crypto mode, not whether it uses crypto";
    CmvpHistorical = "cmvp-certificate-historical", Warning, "Component uses a module whose CMVP certificate is on the Historical list (every FIPS 140-2 certificate since 2026-09-21): not for new procurements";
    // Native code and OpenSSL.
    OpensslNoFipsProvider = "openssl-no-fips-provider", Error, "Program uses an OpenSSL that has no FIPS provider in its modules directory";
    OpensslFipsProvider = "openssl-fips-provider", Info, "An OpenSSL FIPS provider module (fips.so) in the image";
    OpensslFipsInactive = "openssl-fips-inactive", Error, "Program uses an OpenSSL whose FIPS provider is installed but not activated by the configuration in effect";
    OpensslFipsNotEnforced = "openssl-fips-not-enforced", Error, "Program uses an OpenSSL whose FIPS provider is activated but `default_properties = fips=yes` is not set";
    OpensslFipsValidated = "openssl-fips-validated", Info, "Program uses an OpenSSL with a validated FIPS provider version, activated and enforced";
    OpensslFipsUnvalidated = "openssl-fips-unvalidated", Warning, "Program uses an OpenSSL FIPS provider that is activated and enforced, but its version has no CMVP certificate";
    OpensslInstallStatus = "openssl-fipsmodule-install-status", Warning, "fipsmodule.cnf carries install-status, so it was copied from another machine rather than written by `openssl fipsinstall` on this one";
    OpensslConfigProblem = "openssl-config-problem", Warning, "The OpenSSL configuration in effect could not be read completely";
    OpensslLegacy = "openssl-legacy-version", Error, "Program uses an OpenSSL 1.x library; only OpenSSL 3 providers hold current validations";
    OpensslFipsIntegrity = "openssl-fips-integrity", Error, "Program uses a Red Hat OpenSSL FIPS build whose .hmac integrity files are missing or stale, so it aborts at load on a FIPS node";
    OpensslSystemFipsMissing = "openssl-system-fips-missing", Error, "Program uses RHEL 7's OpenSSL, which enters FIPS mode only when /etc/system-fips exists, and the image has none";
    OpensslFipsObjectModule = "openssl-fips-object-module", Error, "Program uses OpenSSL 1.0.2 linked with the FIPS Object Module 2.0, whose validations the OpenSSL project no longer maintains";
    OpensslKernelSwitch = "openssl-kernel-fips-switch", Info, "Program uses a distro OpenSSL 3 that loads its FIPS provider with fips=yes when the node's kernel runs in FIPS mode";
    OpensslLibraryMissing = "openssl-library-missing", Warning, "Program links libcrypto or libssl, but the image does not ship a matching library";
    OpensslStatic = "openssl-static", Error, "Program embeds an OpenSSL that can load no FIPS provider (OpenSSL 1.x, a fully static executable, or no fips.so where it looks)";
    OpensslLibrary = "openssl-library", Info, "An OpenSSL library in the image";
    // Native crypto libraries other than OpenSSL.
    LibgcryptFipsUnvalidated = "libgcrypt-fips-unvalidated", Warning, "Program uses libgcrypt, whose FIPS mode switches on from the kernel flag (or is forced on), but the build is not a validated module";
    GnutlsNonFips = "gnutls-non-fips", Error, "Program uses a GnuTLS built without FIPS 140 mode";
    GnutlsFipsUnvalidated = "gnutls-fips-unvalidated", Warning, "Program uses a GnuTLS built with FIPS 140 mode, but no certificate is known for the build";
    NssFipsUnvalidated = "nss-fips-unvalidated", Warning, "Program uses NSS, whose softoken has a FIPS mode but is not a validated module build";
    NssSoftokenIncomplete = "nss-softoken-incomplete", Error, "Program uses NSS, but the softoken or its integrity (.chk) files are missing, so FIPS mode cannot start";
    WolfsslNonFips = "wolfssl-non-fips", Error, "Program uses a wolfSSL built without the wolfCrypt FIPS module";
    WolfsslFipsUnconfirmed = "wolfssl-fips-unconfirmed", Warning, "Program uses wolfSSL with the wolfCrypt FIPS module, which certified bundles and unvalidated FIPS Ready builds share";
    BoringsslNonFips = "boringssl-non-fips", Error, "Program uses a BoringSSL shared library built without the FIPS module";
    BoringsslFips = "boringssl-fips", Warning, "Program uses a BoringSSL FIPS build; which validated tag it comes from cannot be read from the library";
    AwsLcNonFips = "aws-lc-non-fips", Error, "Program uses an AWS-LC shared library built without the FIPS module";
    AwsLcFips = "aws-lc-fips", Warning, "Program uses an AWS-LC FIPS build; whether a certificate covers that module version and build is not shown";
    NativeCryptoLibrary = "native-crypto-library", Info, "A native crypto library other than OpenSSL (libgcrypt, GnuTLS, NSS, wolfSSL, BoringSSL, AWS-LC); it counts through the programs that use it";
    // Java.
    JavaArchiveProblem = "java-archive-problem", Warning, "A jar could not be read completely (damage, a nesting or size bound); what was read was judged";
    JavaBcFipsValidated = "java-bc-fips-validated", Info, "A Bouncy Castle FIPS (bc-fips) jar of a validated version";
    JavaBcFipsUnvalidated = "java-bc-fips-unvalidated", Warning, "A Bouncy Castle FIPS jar that is not a validated module as shipped (version without a certificate, unknown, or repackaged)";
    JavaBcprov = "java-bcprov", Error, "Regular Bouncy Castle (bcprov), which has no FIPS validation";
    JavaJvmFips = "java-jvm-fips", Info, "A JVM whose provider order puts a validated FIPS module first (or switches to one on a FIPS host)";
    JavaJvmFipsOff = "java-jvm-fips-off", Error, "A JVM with a FIPS provider configured but not in effect as the image ships";
    JavaJvmNonFips = "java-jvm-non-fips", Error, "A JVM whose providers are the JDK's own or regular Bouncy Castle: no validated module";
    JavaJvmUnknown = "java-jvm-unknown", Warning, "A JVM whose provider configuration could not be decided";
    // Rust.
    RustAwsLcFips = "rust-aws-lc-fips", Warning, "Rust program with aws-lc-rs built for FIPS (AWS-LC FIPS in FIPS mode), a module version no certificate is shown to cover";
    RustBoringFips = "rust-boring-fips", Warning, "Rust program with boring built for FIPS (BoringSSL's FIPS module in FIPS mode), compiled from source, so no certificate is shown to cover it";
    RustNonFips = "rust-non-fips", Error, "Rust program whose crypto (ring, aws-lc or BoringSSL without FIPS, or pure-Rust crates) has no FIPS validation";
    // .NET.
    DotnetNoLibssl = "dotnet-no-libssl", Error, "The .NET runtime's OpenSSL shim finds no libssl in the image, so .NET crypto cannot run";
    DotnetManagedCrypto = "dotnet-managed-crypto", Error, "A managed crypto assembly (BouncyCastle for .NET) bypasses OpenSSL and has no FIPS validation";
    DotnetFrameworkMissing = "dotnet-framework-missing", Error, "A framework-dependent .NET app targets a shared framework the image does not have (after roll-forward)";
    DotnetShimMissing = "dotnet-shim-missing", Error, "A .NET app's runtime has no OpenSSL shim where the host would load it, so its crypto cannot be told";
    DotnetConfigInvalid = "dotnet-config-invalid", Error, "A .NET app's runtimeconfig.json or deps.json cannot be read (invalid, hostile or too large)";
    DotnetBundleInvalid = "dotnet-bundle-invalid", Error, "A single-file .NET app's bundle (the app's files appended to its host) cannot be read: truncated or corrupt";
    // Node.js.
    NodeOpensslConfSection = "node-openssl-conf-section", Error, "Node uses the image's OpenSSL but reads its own openssl.cnf section (nodejs_conf), which does not activate the FIPS provider";
    NodeBundledOpensslNoProvider = "node-bundled-openssl-no-provider", Error, "Node carries its own OpenSSL (node_shared_openssl false) and the image has no FIPS provider it could load";
    NodeBundledProviderUnreached = "node-bundled-provider-unreached", Error, "Node carries its own OpenSSL, which as the image ships does not load the image's FIPS provider (its build machine's MODULESDIR, the nodejs_conf section)";
    // Policy.
    PolicyWaiverExpired = "policy-waiver-expired", Error, "A policy waiver matched but has expired, so what it covered counts again";
    PolicyWaiverUnused = "policy-waiver-unused", Info, "A policy waiver for this image matched no finding or component";
    PolicyMinScore = "policy-min-score", Error, "The image scores below the policy's minimum score";
}

impl Code {
    /// The known code nearest to a mistyped one (at most 3 edits away).
    pub fn nearest(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .map(|c| (strsim::levenshtein(text, c.as_str()), *c))
            .min()
            .filter(|(d, _)| *d <= 3)
            .map(|(_, c)| c)
    }
}

/// The message for a code that is not in the table, naming the nearest one
/// (policy files and `fipscan explain` say it the same way).
pub fn unknown_code(text: &str) -> String {
    match Code::nearest(text) {
        Some(near) => format!(
            "unknown finding code {text:?} (did you mean {:?}?)",
            near.as_str()
        ),
        None => format!("unknown finding code {text:?} (`fipscan explain` lists the codes)"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// Set when a policy waiver covers this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<crate::report::Waiver>,
}

impl Finding {
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            path: None,
            layer: None,
            waiver: None,
        }
    }
    pub fn at(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(format!("/{}", path.into().trim_start_matches('/')));
        self
    }
    pub fn in_layer(mut self, layer: impl Into<String>) -> Finding {
        self.layer = Some(layer.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_described() {
        for &c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert!(!c.title().is_empty() && !c.title().ends_with('.'), "{c:?}");
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            );
        }
    }

    #[test]
    fn unknown_codes_name_the_nearest() {
        assert_eq!(Code::nearest("go-fips-of"), Some(Code::GoFipsOff));
        assert_eq!(Code::nearest("java-bcprov"), Some(Code::JavaBcprov));
        assert_eq!(Code::nearest("no-such-thing-at-all"), None);
        assert_eq!(
            unknown_code("openssl-fips-inactiv"),
            "unknown finding code \"openssl-fips-inactiv\" (did you mean \"openssl-fips-inactive\"?)"
        );
        assert_eq!(
            unknown_code("zzz"),
            "unknown finding code \"zzz\" (`fipscan explain` lists the codes)"
        );
    }
}
