//! The markers on byte excerpts copied from the real libraries (Debian 12
//! packages and the AWS-LC builds of fixtures/parts/native.sh; offsets are
//! not kept, the surrounding bytes are). The integration tests in
//! tests/it/native_modules.rs run the same code on the whole files.

use super::*;

fn sigs() -> &'static Signatures {
    Signatures::embedded()
}

// libgcrypt.so.20.4.1 (libgcrypt20 1.10.1-3+deb12u1), three excerpts.
const GCRYPT: &[&[u8]] = &[
    b"\x02\0\0\0\0\0\0\0\n\nThis is Libgcrypt 1.10.1 - The GNU Crypto Library\nCopyright (C) 2012-2022 g10",
    b"al\0Fatal-Error\0Shutdown\0LIBGCRYPT_FORCE_FIPS_MODE\0/etc/gcrypt/fips_enabled\0/proc/version\0Okay\0",
    b"lize_fips_mode\0\0\0\0\0\0/proc/sys/crypto/fips_enabled\0\0\0FATAL: error reading ",
];

#[test]
fn libgcrypt_version_and_fips_triggers() {
    let data = GCRYPT.concat();
    let f = find("libgcrypt.so.20", &data, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::Libgcrypt);
    assert_eq!(f.version.as_deref(), Some("1.10.1"));
    assert_eq!(
        f.text.as_deref(),
        Some("This is Libgcrypt 1.10.1 - The GNU Crypto Library")
    );
    assert!(f.kernel_flag);
    assert_eq!(f.force_env.as_deref(), Some("LIBGCRYPT_FORCE_FIPS_MODE"));
    assert_eq!(f.force_file.as_deref(), Some("/etc/gcrypt/fips_enabled"));
    assert!(!f.fips_module);
    assert_eq!(f.label(), "libgcrypt 1.10.1");
}

#[test]
fn debian_gnutls_has_no_fips140_mode() {
    // libgnutls.so.30.34.3 (3.7.9-2+deb12u7): the banner, and no lib/fips.c strings.
    let data = b"config\0\0\0\0Enabled GnuTLS 3.7.9 logging...\n\0\0\0\0\0\0\0\0Checking for l\0GNUTLS_FIPS140_3_4\0";
    let f = find("libgnutls.so.30", data, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::Gnutls);
    assert_eq!(f.version.as_deref(), Some("3.7.9"));
    assert!(!f.fips_module && !f.kernel_flag && f.force_env.is_none());
    assert!(f.system_fips_file.is_none());
}

#[test]
fn gnutls_fips140_build() {
    // SYNTHETIC: the strings lib/fips.c compiles in with --enable-fips140-mode.
    let data = b"\0Enabled GnuTLS 3.6.16 logging...\n\0GNUTLS_FORCE_FIPS_MODE\0/proc/sys/crypto/fips_enabled\0/etc/system-fips\0";
    let f = find("libgnutls.so.30", data, sigs()).unwrap();
    assert!(f.fips_module && f.kernel_flag);
    assert_eq!(f.fips_marker.as_deref(), Some("GNUTLS_FORCE_FIPS_MODE"));
    assert_eq!(f.system_fips_file.as_deref(), Some("/etc/system-fips"));
}

#[test]
fn nss_softoken_says_it_is_unvalidated() {
    // libsoftokn3.so (libnss3 2:3.87.1-1+deb12u4).
    let data = b"\xfe\xffX>\xfe\xffH>\xfe\xffGeneric NSS 3.87.1 Basic ECC Unvalidated\0\0\0\0\0\0\0'\x01\0\0\0\0\0\0Version: NSS 3.87.1 Basic ECC\0libnssdbm3.so\0";
    let f = find("libsoftokn3.so", data, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::NssSoftoken);
    assert_eq!(f.version.as_deref(), Some("3.87.1"));
    assert_eq!(
        f.module_id.as_deref(),
        Some("Generic NSS 3.87.1 Basic ECC Unvalidated")
    );
    // libnss3.so: the kernel path follows sixteen spaces, not a NUL.
    let nss = b"\0\0\0\0                /proc/sys/crypto/fips_enabled\0library-version\0\0Version: NSS 3.87.1\0";
    let f = find("libnss3.so", nss, sigs()).unwrap();
    assert_eq!((f.lib, f.kernel_flag), (NativeLib::Nss, true));
    assert_eq!(f.version.as_deref(), Some("3.87.1"));
    assert!(f.module_id.is_none());
    // Not a C string of its own: no kernel flag.
    let f = find("libnss3.so", b"/proc/sys/crypto/fips_enabled_x\0", sigs()).unwrap();
    assert!(!f.kernel_flag);
}

#[test]
fn wolfssl_without_and_with_the_fips_api() {
    // libwolfssl.so.35.3.0 (5.5.4-2+deb12u3): the version and the FIPS
    // error text every build carries.
    let data = b"+b\0client finished\0./src/pk.c\0wolfSSL 5.5.4\0FFDHE_4096\0use error\0In Core Integrity check FIPS error\0\0wolfSSL_FIPS_mode\0";
    let f = find("libwolfssl.so.35", data, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::Wolfssl);
    assert_eq!(f.version.as_deref(), Some("5.5.4"));
    assert!(!f.fips_module);
    // SYNTHETIC: the export a HAVE_FIPS build (certified or FIPS Ready) adds.
    let fips = [&data[..], b"wolfCrypt_GetStatus_fips\0"].concat();
    let f = find("libwolfssl.so.35", &fips, sigs()).unwrap();
    assert!(f.fips_module);
    assert_eq!(f.fips_marker.as_deref(), Some("wolfCrypt_GetStatus_fips"));
}

#[test]
fn boringssl_and_aws_lc_libcrypto() {
    // android/libcrypto.so.0 (android-libboringssl 13.0.0+r24-2), non-FIPS.
    let boring = b"ule/digest/digest.c\0BoringCrypto\0AES-GCM-decrypt KAT\0tderr\0__fprintf_chk\0BORINGSSL_self_test\0FIPS_service_indica";
    let f = find("libcrypto.so.0", boring, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::Boringssl);
    assert!(!f.fips_module);
    assert_eq!(f.label(), "BoringSSL");
    // AWS-LC 5.12.0 (aws-lc-sys 0.47.0), non-FIPS: the FIPS failure text is there too.
    let awslc = b"le.c\0System error: \0AWS-LC 5.12.0\0compiler: n/a\0lculated: %s\n\0\0AWS-LC FIPS failure caused by:\n%s\n\0\0BoringCrypto Key\0";
    let f = find("libcrypto.so", awslc, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::AwsLc);
    assert_eq!(f.version.as_deref(), Some("5.12.0"));
    assert!(!f.fips_module);
    // AWS-LC FIPS 4.2.0 (aws-lc-fips-sys 0.14.4), FIPS=1.
    let fips = b"o/console/console.c\0AWS-LC FIPS 4.2.0\0compiler: n/a\0vp/p_ed25519.c\0\0AWS-LC FIPS failure caused by:\n%s\n\0get_raw_private_key\0BORINGSSL_integrity_test\0ml_dsa";
    let f = find("libcrypto.so", fips, sigs()).unwrap();
    assert_eq!(f.lib, NativeLib::AwsLc);
    assert!(f.fips_module);
    assert_eq!(f.label(), "AWS-LC FIPS 4.2.0");
    assert_eq!(f.fips_marker.as_deref(), Some("BORINGSSL_integrity_test"));
    // OpenSSL's own libcrypto is none of these.
    let openssl =
        b"\0OpenSSL 3.0.19 27 Jan 2026\0MODULESDIR: \"/usr/lib/x86_64-linux-gnu/ossl-modules\"\0";
    assert!(find("libcrypto.so.3", openssl, sigs()).is_none());
}

#[test]
fn other_files_are_not_searched() {
    let data = GCRYPT.concat();
    assert!(find("libz.so.1", &data, sigs()).is_none());
    // Prose mentions are not versions.
    let f = find("libgcrypt.so.20", b"\0This is Libgcrypt speaking\0", sigs()).unwrap();
    assert!(f.version.is_none() && f.text.is_none());
}
