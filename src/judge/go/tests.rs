//! Classification on synthetic build-info facts (the real binaries are
//! judged in tests/it/go_images.rs).

use super::super::openssl::OpensslInstall;
use super::*;
use crate::detect::gofacts::FuncSummary;

fn facts(version: &str, settings: &[(&str, &str)], funcs: FuncSummary) -> GoFacts {
    GoFacts {
        version: Some(version.into()),
        settings: settings
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        funcs: Some(funcs),
        ..Default::default()
    }
}
fn crypto() -> FuncSummary {
    FuncSummary {
        crypto: Some("crypto/sha256.Sum256".into()),
        fips_module: Some("crypto/internal/fips140/sha256.New".into()),
        ..Default::default()
    }
}
fn run(f: &GoFacts, env: &[&str]) -> Option<Judgement> {
    let config = ImageConfig {
        env: env.iter().map(|s| (*s).into()).collect(),
        ..Default::default()
    };
    classify(
        f,
        &GoContext {
            config: &config,
            openssl: None,
            sigs: Signatures::embedded(),
        },
    )
}

#[test]
fn native_module_modes() {
    let on = facts(
        "go1.27.3",
        &[
            ("GOFIPS140", "v1.0.0-c2097c7c"),
            ("DefaultGODEBUG", "a=0,fips140=on"),
        ],
        crypto(),
    );
    let j = run(&on, &[]).unwrap();
    assert_eq!(
        (j.status, j.code, j.certificate.as_deref()),
        (Status::Validated, Code::GoFipsValidated, Some("CMVP #5247"))
    );
    let j = run(&on, &["GODEBUG=fips140=off"]).unwrap();
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::FipsCapable, Code::GoFipsOff, false)
    );
    let off = facts(
        "go1.27.3",
        &[
            ("GOFIPS140", "v1.0.0-c2097c7c"),
            ("DefaultGODEBUG", "fips140=off"),
        ],
        crypto(),
    );
    assert_eq!(
        run(&off, &[]).unwrap().remediation.as_deref(),
        Some("set GODEBUG=fips140=on in the image Env")
    );
    assert_eq!(
        run(&off, &["GODEBUG=x=1,fips140=on"]).unwrap().status,
        Status::Validated
    );
    let latest = facts(
        "go1.27.3",
        &[("GOFIPS140", "latest"), ("DefaultGODEBUG", "fips140=on")],
        crypto(),
    );
    let j = run(&latest, &[]).unwrap();
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::FipsCapable, Code::GoFipsUnvalidated, true)
    );
}

#[test]
fn standard_boring_and_none() {
    let std = facts("go1.27.3", &[("CGO_ENABLED", "0")], crypto());
    assert_eq!(run(&std, &[]).unwrap().code, Code::GoStandardCrypto);
    // GODEBUG=fips140=on without GOFIPS140 runs the in-tree module.
    assert_eq!(
        run(&std, &["GODEBUG=fips140=on"]).unwrap().code,
        Code::GoFipsUnvalidated
    );
    let nocrypto = facts("go1.27.3", &[], FuncSummary::default());
    assert!(run(&nocrypto, &[]).is_none());
    let boring = FuncSummary {
        boring_cfunc: Some("crypto/internal/boring._Cfunc__goboringcrypto_SHA256_Init".into()),
        ..crypto()
    };
    let j = run(
        &facts(
            "go1.27.3-X:boringcrypto",
            &[("GOEXPERIMENT", "boringcrypto")],
            boring,
        ),
        &[],
    )
    .unwrap();
    assert_eq!(
        (j.status, j.certificate.as_deref()),
        (Status::Validated, Some("CMVP #4407"))
    );
    let nocgo = facts(
        "go1.27.3-X:boringcrypto",
        &[("GOEXPERIMENT", "boringcrypto"), ("CGO_ENABLED", "0")],
        crypto(),
    );
    assert_eq!(run(&nocgo, &[]).unwrap().code, Code::GoBoringNoCgo);
}

#[test]
fn openssl_backends() {
    let ms = facts(
        "go1.25.1",
        &[("microsoft_systemcrypto", "1"), ("CGO_ENABLED", "1")],
        crypto(),
    );
    assert_eq!(
        run(&ms, &[]).unwrap().code,
        Code::GoOpensslBackendNoProvider
    );
    let nocgo = facts(
        "go1.25.1",
        &[("GOEXPERIMENT", "systemcrypto"), ("CGO_ENABLED", "0")],
        crypto(),
    );
    assert_eq!(run(&nocgo, &[]).unwrap().code, Code::GoOpensslBackendNoCgo);
    let gf = FuncSummary {
        openssl_backend: Some("crypto/internal/backend.init".into()),
        ..crypto()
    };
    assert_eq!(
        run(&facts("go1.22.5", &[("CGO_ENABLED", "1")], gf), &[])
            .unwrap()
            .status,
        Status::NonFips
    );
}

// Microsoft Go. The settings below are copied from the real tsgo binary
// (fixtures/parts/go-microsoft.sh); the version and experiment variations
// around them are synthetic and rest on microsoft/go's docs (see
// signatures/README.md).
const TSGO: &[(&str, &str)] = &[
    ("microsoft_systemcrypto", "1"),
    ("microsoft_toolset_version", "go1.26.4-1-microsoft"),
    ("-buildmode", "exe"),
    ("-tags", "noembed"),
    ("CGO_ENABLED", "0"),
];

fn no_table(version: &str, settings: &[(&str, &str)]) -> GoFacts {
    GoFacts {
        funcs: None,
        ..facts(version, settings, FuncSummary::default())
    }
}

fn with_openssl(f: &GoFacts, o: &OpensslInstall) -> Judgement {
    let config = ImageConfig::default();
    classify(
        f,
        &GoContext {
            config: &config,
            openssl: Some(o),
            sigs: Signatures::embedded(),
        },
    )
    .expect("a crypto program is a component")
}

/// Debian 12's libcrypto with a configured OpenSSL 3.1.2 FIPS provider (the
/// arrangement of the openssl-fips-active fixture), as facts.
fn configured_openssl() -> OpensslInstall {
    OpensslInstall {
        lib_path: "usr/lib/x86_64-linux-gnu/libcrypto.so.3".into(),
        layer: "sha256:0".into(),
        text: Some("OpenSSL 3.0.22 27 Jan 2026".into()),
        version: Some("3.0.22".into()),
        fips_build: false,
        modulesdir: Some((
            "/usr/lib/x86_64-linux-gnu/ossl-modules".into(),
            "compiled-in MODULESDIR",
        )),
        provider: Some(super::super::openssl::Provider {
            path: "usr/lib/x86_64-linux-gnu/ossl-modules/fips.so".into(),
            layer: "sha256:1".into(),
            name: Some("OpenSSL FIPS Provider".into()),
            version: Some("3.1.2".into()),
        }),
        symcrypt: None,
        config: Some(super::super::openssl::FipsConfig {
            path: "etc/ssl/openssl.cnf".into(),
            source: "compiled-in OPENSSLDIR",
            exists: true,
            module_mac: true,
            ..Default::default()
        }),
        distro_facts: Default::default(),
        distro: Default::default(),
        vendor_facts: Default::default(),
    }
}

fn evidence(j: &Judgement) -> Vec<String> {
    j.evidence
        .iter()
        .map(|e| format!("{}: {}", e.kind, e.detail))
        .collect()
}

#[test]
fn microsoft_systemcrypto_without_crypto_functions_is_not_a_component() {
    // tsgo as fipscan reads it: a function table with no crypto package.
    let tsgo = facts(
        "go1.26.4",
        TSGO,
        FuncSummary {
            count: 40_000,
            ..Default::default()
        },
    );
    assert!(run(&tsgo, &[]).is_none());
    // Not even with an OpenSSL in the image, nor with cgo on.
    let o = configured_openssl();
    let config = ImageConfig::default();
    let ctx = GoContext {
        config: &config,
        openssl: Some(&o),
        sigs: Signatures::embedded(),
    };
    assert!(classify(&tsgo, &ctx).is_none());
    let cgo = facts(
        "go1.27.0",
        &[("microsoft_systemcrypto", "1"), ("CGO_ENABLED", "1")],
        FuncSummary::default(),
    );
    assert!(classify(&cgo, &ctx).is_none());
}

#[test]
fn microsoft_systemcrypto_with_unreadable_function_table_is_unknown() {
    for f in [
        no_table("go1.26.4", TSGO),
        // A Microsoft build that also records GOFIPS140 (as chainguard's
        // go-fips-test shows for go1.26.3): still no proof of crypto.
        no_table(
            "go1.26.3",
            &[
                ("microsoft_systemcrypto", "1"),
                ("CGO_ENABLED", "1"),
                ("GOFIPS140", "latest"),
                ("DefaultGODEBUG", "fips140=on"),
            ],
        ),
        no_table("go1.24.2", &[("GOEXPERIMENT", "systemcrypto")]),
    ] {
        let o = configured_openssl();
        let j = with_openssl(&f, &o);
        assert_eq!(
            (j.status, j.code, j.fips_mode_on),
            (Status::Unknown, Code::GoCryptoUnknown, false),
            "{f:?}"
        );
        assert_eq!(j.module, None);
        assert_eq!(j.certificate, None);
        assert!(j.uses.is_empty(), "no OpenSSL use is claimed: {:?}", j.uses);
        assert!(j.needs.is_empty());
        assert!(
            evidence(&j).contains(&"go-function-table: not readable".to_string()),
            "{:?}",
            evidence(&j)
        );
        assert!(j.summary.contains("could not be read"), "{}", j.summary);
    }
    let j = run(&no_table("go1.26.4", TSGO), &[]).unwrap();
    assert_eq!(
        evidence(&j),
        vec![
            "go-version: go1.26.4",
            "go-build-setting: CGO_ENABLED=0",
            "go-build-setting: -tags=noembed",
            "go-build-setting: microsoft_systemcrypto=1",
            "go-build-setting: microsoft_toolset_version=go1.26.4-1-microsoft",
            "go-function-table: not readable",
        ]
    );
}

#[test]
fn microsoft_go_1_27_without_cgo_is_judged_by_the_image_openssl() {
    let o = configured_openssl();
    let cgo_less = facts(
        "go1.27.0",
        &[
            ("microsoft_systemcrypto", "1"),
            ("microsoft_toolset_version", "go1.27.0-1-microsoft"),
            ("CGO_ENABLED", "0"),
        ],
        crypto(),
    );
    let with_cgo = facts(
        "go1.27.0",
        &[
            ("microsoft_systemcrypto", "1"),
            ("microsoft_toolset_version", "go1.27.0-1-microsoft"),
            ("CGO_ENABLED", "1"),
        ],
        crypto(),
    );
    let a = with_openssl(&cgo_less, &o);
    let b = with_openssl(&with_cgo, &o);
    assert_eq!(
        (a.status, a.code, a.certificate.as_deref()),
        (
            Status::HostDependent,
            Code::GoOpensslBackend,
            Some("CMVP #4985")
        )
    );
    assert_eq!(
        (
            a.status,
            a.code,
            &a.module,
            &a.certificate,
            &a.uses,
            &a.needs
        ),
        (
            b.status,
            b.code,
            &b.module,
            &b.certificate,
            &b.uses,
            &b.needs
        )
    );
    assert_eq!(a.uses, vec!["usr/lib/x86_64-linux-gnu/libcrypto.so.3"]);
    assert!(
        evidence(&a)
            .iter()
            .any(|e| e.starts_with("go-openssl-loader: ")),
        "{:?}",
        evidence(&a)
    );
    assert!(
        !evidence(&b)
            .iter()
            .any(|e| e.starts_with("go-openssl-loader"))
    );
    assert!(
        evidence(&a).contains(
            &"go-build-setting: microsoft_toolset_version=go1.27.0-1-microsoft".to_string()
        )
    );
    // No libcrypto in the image: the same finding as with cgo, not no-cgo.
    assert_eq!(
        run(&cgo_less, &[]).unwrap().code,
        Code::GoOpensslBackendNoProvider
    );
    // Go 1.27 records the version only in the toolset setting here.
    let toolset_only = GoFacts {
        version: None,
        ..cgo_less.clone()
    };
    assert_eq!(
        run(&toolset_only, &[]).unwrap().code,
        Code::GoOpensslBackendNoProvider
    );
}

#[test]
fn microsoft_go_1_26_needs_the_nocgo_experiment_to_load_openssl_without_cgo() {
    let o = configured_openssl();
    let experiment = facts(
        "go1.26.4 X:ms_nocgo_opensslcrypto",
        &[
            ("microsoft_systemcrypto", "1"),
            ("microsoft_toolset_version", "go1.26.4-1-microsoft"),
            ("GOEXPERIMENT", "ms_nocgo_opensslcrypto"),
            ("CGO_ENABLED", "0"),
        ],
        crypto(),
    );
    let j = with_openssl(&experiment, &o);
    assert_eq!(
        (j.status, j.code),
        (Status::HostDependent, Code::GoOpensslBackend)
    );
    // The experiment turned off again later in the list: cgo is needed.
    let off = facts(
        "go1.26.4",
        &[
            ("microsoft_systemcrypto", "1"),
            (
                "GOEXPERIMENT",
                "ms_nocgo_opensslcrypto,noms_nocgo_opensslcrypto",
            ),
            ("CGO_ENABLED", "0"),
        ],
        crypto(),
    );
    assert_eq!(with_openssl(&off, &o).code, Code::GoOpensslBackendNoCgo);
    // tsgo's settings with crypto linked: 1.26 without the experiment.
    let j = with_openssl(&facts("go1.26.4", TSGO, crypto()), &o);
    assert_eq!(
        (j.status, j.code, j.uses.len()),
        (Status::NonFips, Code::GoOpensslBackendNoCgo, 0)
    );
    assert!(j.summary.contains("Microsoft Go"), "{}", j.summary);
    assert_eq!(
        j.remediation.as_deref(),
        Some(
            "rebuild with CGO_ENABLED=1, or with Microsoft Go 1.27 or later (OpenSSL without cgo)"
        )
    );
}

#[test]
fn go_1_25_and_golang_fips_without_cgo_cannot_load_openssl() {
    let o = configured_openssl();
    let ms125 = facts(
        "go1.25.1",
        &[("microsoft_systemcrypto", "1"), ("CGO_ENABLED", "0")],
        crypto(),
    );
    let j = with_openssl(&ms125, &o);
    assert_eq!(
        (j.status, j.code),
        (Status::NonFips, Code::GoOpensslBackendNoCgo)
    );
    // golang-fips has no cgo-less backend, whatever its Go version.
    for version in ["go1.22.5", "go1.27.1"] {
        let gf = facts(
            version,
            &[("GOEXPERIMENT", "strictfipsruntime"), ("CGO_ENABLED", "0")],
            FuncSummary {
                openssl_backend: Some("vendor/github.com/golang-fips/openssl/v2.Init".into()),
                ..crypto()
            },
        );
        let j = with_openssl(&gf, &o);
        assert_eq!(
            (j.status, j.code),
            (Status::NonFips, Code::GoOpensslBackendNoCgo)
        );
        assert_eq!(j.remediation.as_deref(), Some("rebuild with CGO_ENABLED=1"));
        assert!(!j.summary.contains("Microsoft"), "{}", j.summary);
    }
}

#[test]
fn boringcrypto_or_gofips140_with_unreadable_function_table_is_unknown() {
    for (f, mode) in [
        (
            no_table("go1.27.3-X:boringcrypto", &[("CGO_ENABLED", "0")]),
            "built with the BoringCrypto experiment",
        ),
        (
            no_table(
                "go1.27.3",
                &[("GOFIPS140", "v1.0.0-c2097c7c"), ("CGO_ENABLED", "0")],
            ),
            "built with GOFIPS140=v1.0.0-c2097c7c",
        ),
    ] {
        let j = run(&f, &[]).unwrap();
        // Not go-boringcrypto-no-cgo ("BoringCrypto is not linked"): the
        // table that would show it cannot be read.
        assert_eq!((j.status, j.code), (Status::Unknown, Code::GoCryptoUnknown));
        assert_eq!(j.module, None);
        assert!(j.summary.contains(mode), "{}", j.summary);
        assert!(evidence(&j).contains(&"go-function-table: not readable".to_string()));
    }
    // No crypto mode and no table: not a component.
    assert!(run(&no_table("go1.27.3", &[("CGO_ENABLED", "0")]), &[]).is_none());
}
