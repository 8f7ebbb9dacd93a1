use super::*;
use crate::judge::openssl_vendor::Vendor;

fn build(vendor: Vendor, named_by: &str) -> VendorBuild {
    VendorBuild {
        vendor,
        named_by: named_by.into(),
        rebuild: None,
    }
}

fn blank() -> Judgement {
    Judgement::new(Status::Unknown, Code::OpensslNoFipsProvider, String::new())
}

fn check(state: HmacState) -> HmacCheck {
    HmacCheck {
        hmac_path: "usr/lib64/.libssl.so.1.1.hmac".into(),
        lib_path: "usr/lib64/libssl.so.1.1".into(),
        state,
    }
}

#[test]
fn force_env_values() {
    assert!(forces("1", true) && forces("0", true));
    assert!(forces("1", false) && forces("yes", false) && !forces("0", false));
}

#[test]
fn forced_legacy_build_needs_no_kernel_flag() {
    let state = DistroState {
        integrity: vec![check(HmacState::Matches)],
        system_fips: None,
        forced_by: Some("OPENSSL_FORCE_FIPS_MODE=1".into()),
        switched_off: None,
    };
    let mut j = blank();
    state.judge_legacy_build("OpenSSL 1.1.1k (/x)", true, &mut j);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::HostDependent, Code::OpensslLegacy, true)
    );
    assert_eq!(j.needs, [HostNeed::RhelFipsHost]);
    assert_eq!(
        j.summary,
        "uses OpenSSL 1.1.1k (/x), a vendor FIPS build: OPENSSL_FORCE_FIPS_MODE=1 in the image Env forces FIPS mode on; its .hmac integrity files match"
    );
    assert_eq!(
        state
            .evidence()
            .iter()
            .map(|e| e.detail.as_str())
            .collect::<Vec<_>>(),
        [
            "/usr/lib64/.libssl.so.1.1.hmac: matches /usr/lib64/libssl.so.1.1",
            "OPENSSL_FORCE_FIPS_MODE=1"
        ]
    );
}

#[test]
fn any_broken_integrity_file_blocks() {
    for (state, what) in [
        (HmacState::Missing, "is missing"),
        (
            HmacState::Mismatch("00".into()),
            "does not match the library",
        ),
        (
            HmacState::LibraryMissing,
            "covers a library the directory lacks",
        ),
    ] {
        let d = DistroState {
            integrity: vec![check(state)],
            ..Default::default()
        };
        let mut j = blank();
        d.judge_legacy_build("OpenSSL 1.1.1k (/x)", true, &mut j);
        assert_eq!(
            (j.status, j.code, j.fips_mode_on),
            (Status::NonFips, Code::OpensslFipsIntegrity, false)
        );
        assert!(
            j.summary
                .contains(&format!("/usr/lib64/.libssl.so.1.1.hmac {what}")),
            "{}",
            j.summary
        );
        assert!(j.needs.is_empty());
    }
}

#[test]
fn vendor_build_without_red_hat_markers_needs_only_the_kernel_flag() {
    // A `-fips` version text with no integrity key: no .hmac check, no RHEL need.
    let mut j = blank();
    DistroState::default().judge_legacy_build("OpenSSL 1.0.2k-fips (/x)", false, &mut j);
    assert_eq!(j.status, Status::HostDependent);
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
    assert_eq!(
        j.summary,
        "uses OpenSSL 1.0.2k-fips (/x), a vendor FIPS build: it enters FIPS mode on a FIPS host"
    );
}

#[test]
fn kernel_switch_with_a_provider_is_host_dependent() {
    // Synthetic: no RHEL 9 fips.so could be fetched here (signatures/README.md).
    let mut j = blank();
    DistroState::default().judge_kernel_switch(
        "OpenSSL 3.5.5 (/usr/lib64/libcrypto.so.3)",
        Some("Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider 3.5.5 with fips=yes"),
        Some(&build(
            Vendor::RedHat,
            "provider name \"Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider\"",
        )),
        "/usr/lib64/ossl-modules",
        &mut j,
    );
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::HostDependent, Code::OpensslKernelSwitch, true)
    );
    assert_eq!(j.needs, [HostNeed::KernelFipsMode, HostNeed::RhelFipsHost]);
    assert_eq!(
        j.summary,
        "uses OpenSSL 3.5.5 (/usr/lib64/libcrypto.so.3), Red Hat's build (provider name \"Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider\") that loads Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider 3.5.5 with fips=yes when the node's kernel runs in FIPS mode; Red Hat's validations name RHEL hosts as the operating environment; the provider's certificate is the vendor's, not checked by fipscan"
    );
    let forced = DistroState {
        forced_by: Some("OPENSSL_FORCE_FIPS_MODE=1".into()),
        switched_off: None,
        ..Default::default()
    };
    let mut j = blank();
    forced.judge_kernel_switch("L", Some("P with fips=yes"), None, "/d", &mut j);
    assert!(j.needs.is_empty());
    assert_eq!(
        j.summary,
        "uses L, a distro build that loads P with fips=yes (OPENSSL_FORCE_FIPS_MODE=1 in the image Env forces it); the provider's certificate is the vendor's, not checked by fipscan"
    );
}

#[test]
fn azure_linux_symcrypt_needs_an_azure_linux_fips_host() {
    // Synthetic: Azure Linux 3 loads SymCrypt first on a FIPS host
    // (microsoft/azurelinux 0032-Force-fips-symcrypt-or-fips patch).
    let mut j = blank();
    DistroState::default().judge_kernel_switch(
        "OpenSSL 3.3.5 (/usr/lib64/libcrypto.so.3)",
        Some("the SymCrypt provider (/usr/lib64/ossl-modules/symcryptprovider.so)"),
        Some(&build(
            Vendor::AzureLinux,
            "its libcrypto loads SymCrypt-OpenSSL",
        )),
        "/usr/lib64/ossl-modules",
        &mut j,
    );
    assert_eq!(
        (j.status, j.code),
        (Status::HostDependent, Code::OpensslKernelSwitch)
    );
    assert_eq!(
        j.needs,
        [HostNeed::KernelFipsMode, HostNeed::AzureLinuxFipsHost]
    );
    assert_eq!(
        j.summary,
        "uses OpenSSL 3.3.5 (/usr/lib64/libcrypto.so.3), Azure Linux's build (its libcrypto loads SymCrypt-OpenSSL) that loads the SymCrypt provider (/usr/lib64/ossl-modules/symcryptprovider.so) when the node's kernel runs in FIPS mode; SymCrypt-OpenSSL's validation covers Azure Linux hosts; the provider's certificate is the vendor's, not checked by fipscan"
    );
}

/// The glue in `OpensslInstall`: an Azure Linux-shaped libcrypto (SYNTHETIC
/// facts, as detect reads them from the patch's strings) with
/// symcryptprovider.so in its MODULESDIR and no fips.so.
#[test]
fn azure_linux_libcrypto_finds_its_symcrypt_provider() {
    use crate::detect::openssl::DistroFips;
    use crate::judge::openssl::OpensslInstall;
    use crate::judge::testkit::{elf, file, lib, libcrypto_text, view};
    use crate::signatures::Signatures;

    let text = libcrypto_text(
        "OpenSSL 3.3.5 30 Sep 2025",
        "/etc/pki/tls",
        "/usr/lib64/ossl-modules",
        DistroFips {
            kernel_switch: true,
            force_env: true,
            symcrypt_autoload: true,
            ..Default::default()
        },
    );
    let view = view(vec![
        (
            "usr/lib64/libcrypto.so.3".to_string(),
            file(Some(elf(Some("libcrypto.so.3"), Some(text)))),
        ),
        (
            "usr/lib64/ossl-modules/symcryptprovider.so".to_string(),
            file(Some(elf(Some("libcrypto.so.3"), None))),
        ),
    ]);
    let lib = lib(&view, "usr/lib64/libcrypto.so.3");
    let sigs = Signatures::embedded();
    let install = OpensslInstall::inspect(lib, &view, &ImageConfig::default(), sigs);
    assert!(install.provider.is_none());
    let j = install.judge(sigs);
    assert_eq!(
        (j.status, j.code),
        (Status::HostDependent, Code::OpensslKernelSwitch)
    );
    assert_eq!(
        j.needs,
        [HostNeed::KernelFipsMode, HostNeed::AzureLinuxFipsHost]
    );
    assert!(
        j.summary
            .contains("loads the SymCrypt provider (/usr/lib64/ossl-modules/symcryptprovider.so) when the node's kernel runs in FIPS mode"),
        "{}",
        j.summary
    );
    // OPENSSL_FORCE_FIPS_MODE=1 in the Env forces it: no kernel flag needed.
    let config = ImageConfig {
        env: vec!["OPENSSL_FORCE_FIPS_MODE=1".into()],
        ..Default::default()
    };
    let forced = OpensslInstall::inspect(lib, &view, &config, sigs).judge(sigs);
    assert_eq!(forced.needs, [HostNeed::AzureLinuxFipsHost]);
}

/// Ubuntu's switch (the rules run in fixtures/parts/ubuntu.sh on the real
/// 3.0.13-0ubuntu3.5 libcrypto) with a fips.so in MODULESDIR and no
/// openssl.cnf: the kernel flag loads it; OPENSSL_FORCE_FIPS_MODE=0 or a
/// switch file that does not hold 1 keeps the switch off, and then nothing
/// loads the provider. The library's facts are SYNTHETIC (as detect reads
/// them from its strings).
#[test]
fn ubuntu_switch_decided_by_the_image_env() {
    use crate::detect::openssl::DistroFips;
    use crate::judge::openssl::OpensslInstall;
    use crate::judge::testkit::{config, elf, file, lib, libcrypto_text, text, view};
    use crate::signatures::Signatures;

    const LIB: &str = "usr/lib/x86_64-linux-gnu/libcrypto.so.3";
    let openssl = libcrypto_text(
        "OpenSSL 3.0.13 30 Jan 2024",
        "/usr/lib/ssl",
        "/usr/lib/x86_64-linux-gnu/ossl-modules",
        DistroFips {
            kernel_switch: true,
            force_env: true,
            switch_path_env: true,
            ..Default::default()
        },
    );
    let view = view(vec![
        (
            LIB.to_string(),
            file(Some(elf(Some("libcrypto.so.3"), Some(openssl)))),
        ),
        (
            "usr/lib/x86_64-linux-gnu/ossl-modules/fips.so".to_string(),
            file(None),
        ),
        ("etc/ssl/on.conf".to_string(), text("1\n")),
        ("etc/ssl/off.conf".to_string(), text("0\n")),
        ("etc/unread".to_string(), file(None)),
    ]);
    let lib = lib(&view, LIB);
    let sigs = Signatures::embedded();
    let judge = |env: &[&str]| {
        let install = OpensslInstall::inspect(lib, &view, &config(env), sigs);
        let loaded = install.loaded_provider().map(str::to_string);
        (install.distro.clone(), install.judge(sigs), loaded)
    };
    const FIPS_SO: &str = "usr/lib/x86_64-linux-gnu/ossl-modules/fips.so";

    // Left to the node: the kernel flag loads the provider with fips=yes.
    let (_, j, loaded) = judge(&[]);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::HostDependent, Code::OpensslKernelSwitch, true)
    );
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
    assert_eq!(loaded.as_deref(), Some(FIPS_SO));

    // OPENSSL_FORCE_FIPS_MODE=0 wins over the switch file and the flag.
    for env in [
        &["OPENSSL_FORCE_FIPS_MODE=0"][..],
        &[
            "OPENSSL_FORCE_FIPS_MODE=0",
            "OPENSSL_FIPS_MODE_SWITCH_PATH=/etc/ssl/on.conf",
        ],
    ] {
        let (d, j, loaded) = judge(env);
        assert_eq!(
            (d.forced_by, d.switched_off.as_deref()),
            (None, Some("OPENSSL_FORCE_FIPS_MODE=0"))
        );
        assert_eq!(
            (j.status, j.code, j.fips_mode_on),
            (Status::FipsCapable, Code::OpensslFipsInactive, false)
        );
        assert!(j.needs.is_empty());
        assert_eq!(loaded, None);
        assert_eq!(
            j.summary,
            "uses OpenSSL 3.0.13 (/usr/lib/x86_64-linux-gnu/libcrypto.so.3) with FIPS provider of unknown version at /usr/lib/x86_64-linux-gnu/ossl-modules/fips.so, but the configuration does not activate it; its kernel-flag switch is off: OPENSSL_FORCE_FIPS_MODE=0 in the image Env keeps it out of FIPS mode even on a FIPS node"
        );
    }

    // Any other value forces it on, with no kernel flag needed.
    let (d, j, _) = judge(&["OPENSSL_FORCE_FIPS_MODE="]);
    assert_eq!(d.forced_by.as_deref(), Some("OPENSSL_FORCE_FIPS_MODE="));
    assert_eq!((j.status, j.needs.len()), (Status::HostDependent, 0));

    // The switch file replaces the kernel flag.
    let (d, j, _) = judge(&["OPENSSL_FIPS_MODE_SWITCH_PATH=/etc/ssl/on.conf"]);
    assert_eq!(
        d.forced_by.as_deref(),
        Some("OPENSSL_FIPS_MODE_SWITCH_PATH=/etc/ssl/on.conf (holds 1)")
    );
    assert_eq!((j.status, j.needs.len()), (Status::HostDependent, 0));
    for (file, why) in [
        ("/etc/ssl/off.conf", "does not hold 1"),
        ("/nowhere", "not in the image"),
    ] {
        let (d, j, loaded) = judge(&[&format!("OPENSSL_FIPS_MODE_SWITCH_PATH={file}")]);
        assert_eq!(
            d.switched_off,
            Some(format!("OPENSSL_FIPS_MODE_SWITCH_PATH={file} ({why})"))
        );
        assert_eq!((j.status, loaded), (Status::FipsCapable, None));
    }
    // A file whose text fipscan does not keep: its content decides, which
    // the scan cannot tell, so the judgement stays with the node.
    let (d, j, _) = judge(&["OPENSSL_FIPS_MODE_SWITCH_PATH=/etc/unread"]);
    assert_eq!((d.forced_by, d.switched_off), (None, None));
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
}
