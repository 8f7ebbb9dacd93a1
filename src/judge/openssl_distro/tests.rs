use super::*;

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
        Some("Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider 3.5.5"),
        true,
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
        "uses OpenSSL 3.5.5 (/usr/lib64/libcrypto.so.3), a distro build that loads Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider 3.5.5 with fips=yes when the node's kernel runs in FIPS mode; the provider's certificate is the vendor's, not checked by fipscan"
    );
    let forced = DistroState {
        forced_by: Some("OPENSSL_FORCE_FIPS_MODE=1".into()),
        ..Default::default()
    };
    let mut j = blank();
    forced.judge_kernel_switch("L", Some("P"), false, "/d", &mut j);
    assert!(j.needs.is_empty());
    assert!(j.summary.ends_with(
        "loads P with fips=yes (OPENSSL_FORCE_FIPS_MODE=1 in the image Env forces it); the provider's certificate is the vendor's, not checked by fipscan"
    ));
}
