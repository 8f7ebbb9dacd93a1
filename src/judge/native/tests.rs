//! Judgements for the cases the native-crypto fixture image cannot show
//! (an image that forces FIPS mode, a GnuTLS FIPS 140 build, a wolfCrypt
//! FIPS or BoringSSL FIPS build, an NSS without its .chk files). The
//! library facts here are SYNTHETIC, shaped like those `detect::native`
//! reads from the real Debian libraries; tests/it/native_modules.rs covers
//! the real ones.

use std::sync::Arc;

use super::*;
use crate::detect::elf::ElfKind;
use crate::detect::{ElfFacts, FileFacts};
use crate::layer::squash::ViewNode;
use crate::layer::{Node, NodeKind};

const DIR: &str = "usr/lib/x86_64-linux-gnu";

fn facts(lib: NativeLib) -> NativeCrypto {
    NativeCrypto::new(lib)
}

fn elf(soname: Option<&str>, needed: &[&str], native: Option<NativeCrypto>) -> ElfFacts {
    ElfFacts {
        bits: 64,
        machine: "x86_64".into(),
        kind: if soname.is_some() {
            ElfKind::SharedObject
        } else {
            ElfKind::Executable
        },
        soname: soname.map(str::to_string),
        needed: needed.iter().map(|n| (*n).to_string()).collect(),
        native,
        ..Default::default()
    }
}

fn node(facts: Option<FileFacts>) -> ViewNode {
    ViewNode {
        node: Node {
            kind: NodeKind::File,
            size: 1,
            mode: 0o644,
            facts: facts.map(Arc::new),
        },
        layer: 0,
    }
}

fn view(files: Vec<(String, Option<ElfFacts>)>) -> FsView {
    FsView {
        nodes: files
            .into_iter()
            .map(|(p, f)| (p, node(f.map(|f| FileFacts::Elf(Box::new(f))))))
            .collect(),
        layer_ids: vec!["sha256:layer0".into()],
    }
}

fn lib<'a>(v: &'a FsView, p: &str) -> Lib<'a> {
    let (path, node) = v.nodes.get_key_value(p).unwrap();
    let Some(FileFacts::Elf(f)) = node.node.facts.as_deref() else {
        panic!("{p} is not an ELF")
    };
    Lib {
        path: path.as_str(),
        node,
        facts: f,
    }
}

fn gcrypt() -> NativeCrypto {
    NativeCrypto {
        version: Some("1.10.1".into()),
        kernel_flag: true,
        force_env: Some("LIBGCRYPT_FORCE_FIPS_MODE".into()),
        force_file: Some("/etc/gcrypt/fips_enabled".into()),
        ..facts(NativeLib::Libgcrypt)
    }
}

/// Judges `app` (which links `soname`) in an image of `files` plus the app.
fn judge_app(
    mut files: Vec<(String, Option<ElfFacts>)>,
    env: &[&str],
    needed: &[&str],
) -> Judgement {
    files.push(("app".into(), Some(elf(None, needed, None))));
    judge_app_in(&view(files), env, needed)
}

/// As `judge_app`, in a view the caller built (with "app" in it, or added here).
fn judge_app_in(v: &FsView, env: &[&str], needed: &[&str]) -> Judgement {
    let mut owned;
    let v = if v.nodes.contains_key("app") {
        v
    } else {
        owned = FsView {
            nodes: v.nodes.clone(),
            layer_ids: v.layer_ids.clone(),
        };
        owned.nodes.insert(
            "app".into(),
            node(Some(FileFacts::Elf(Box::new(elf(None, needed, None))))),
        );
        &owned
    };
    let config = ImageConfig {
        env: env.iter().map(|e| (*e).to_string()).collect(),
        ..Default::default()
    };
    let packages = crate::judge::packages::ImagePackages::read(v);
    let ctx = NativeCtx {
        view: v,
        config: &config,
        sigs: Signatures::embedded(),
        packages: &packages,
    };
    let closure: Vec<Lib<'_>> = v
        .nodes
        .iter()
        .filter(|(p, n)| {
            p.as_str() != "app"
                && matches!(n.node.facts.as_deref(), Some(FileFacts::Elf(f)) if f.soname.as_ref().is_some_and(|s| needed.contains(&s.as_str())))
        })
        .map(|(p, _)| lib(v, p))
        .collect();
    judge_user(lib(v, "app"), "sha256:layer0", &closure, &ctx).unwrap()
}

fn gcrypt_file() -> (String, Option<ElfFacts>) {
    (
        format!("{DIR}/libgcrypt.so.20"),
        Some(elf(Some("libgcrypt.so.20"), &[], Some(gcrypt()))),
    )
}

#[test]
fn libgcrypt_follows_the_kernel_flag_unless_the_image_forces_it() {
    let j = judge_app(vec![gcrypt_file()], &[], &["libgcrypt.so.20"]);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::FipsCapable, Code::LibgcryptFipsUnvalidated, true)
    );
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
    assert_eq!(j.module.as_deref(), Some("libgcrypt 1.10.1"));
    assert_eq!(j.uses, [format!("{DIR}/libgcrypt.so.20")]);

    // Any value forces it, even 0 (getenv != NULL): nothing needed from the node.
    let j = judge_app(
        vec![gcrypt_file()],
        &["LIBGCRYPT_FORCE_FIPS_MODE=0"],
        &["libgcrypt.so.20"],
    );
    assert!(j.fips_mode_on && j.needs.is_empty());
    assert!(
        j.evidence
            .iter()
            .any(|e| e.kind == "image-env" && e.detail == "LIBGCRYPT_FORCE_FIPS_MODE=0")
    );

    // The force file in the image does the same.
    let j = judge_app(
        vec![gcrypt_file(), ("etc/gcrypt/fips_enabled".into(), None)],
        &[],
        &["libgcrypt.so.20"],
    );
    assert!(j.fips_mode_on && j.needs.is_empty());
    assert!(j.summary.contains("forced on by /etc/gcrypt/fips_enabled"));
    assert!(
        j.evidence
            .iter()
            .any(|e| e.kind == "file" && e.path.as_deref() == Some("/etc/gcrypt/fips_enabled"))
    );
}

fn gnutls_fips(system_fips: bool) -> (String, Option<ElfFacts>) {
    let f = NativeCrypto {
        version: Some("3.6.16".into()),
        kernel_flag: true,
        force_env: Some("GNUTLS_FORCE_FIPS_MODE".into()),
        fips_module: true,
        fips_marker: Some("GNUTLS_FORCE_FIPS_MODE".into()),
        system_fips_file: system_fips.then(|| "/etc/system-fips".into()),
        ..facts(NativeLib::Gnutls)
    };
    (
        format!("{DIR}/libgnutls.so.30"),
        Some(elf(Some("libgnutls.so.30"), &[], Some(f))),
    )
}

#[test]
fn gnutls_fips140_build_needs_the_kernel_flag_and_maybe_system_fips() {
    let needed = ["libgnutls.so.30"];
    let j = judge_app(vec![gnutls_fips(false)], &[], &needed);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::FipsCapable, Code::GnutlsFipsUnvalidated, true)
    );
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
    // Older builds also want /etc/system-fips: without it FIPS mode stays off...
    let j = judge_app(vec![gnutls_fips(true)], &[], &needed);
    assert_eq!((j.status, j.fips_mode_on), (Status::FipsCapable, false));
    assert!(j.needs.is_empty());
    assert!(
        j.summary.ends_with(
            "also needs /etc/system-fips, which the image lacks: its FIPS mode stays off even on a FIPS node"
        ),
        "{}",
        j.summary
    );
    // ...a link to the marker the runtime mounts needs that runtime...
    let mut files = vec![gnutls_fips(true)];
    files.push(("etc/system-fips".into(), None));
    let mut v = view(files);
    if let Some(n) = v.nodes.get_mut("etc/system-fips") {
        n.node.kind = NodeKind::Symlink("/run/secrets/system-fips".into());
    }
    let j = judge_app_in(&v, &[], &needed);
    assert!(j.fips_mode_on);
    assert_eq!(
        j.needs,
        [HostNeed::KernelFipsMode, HostNeed::RuntimeFipsSecrets]
    );
    // ...unless the image ships it as a file.
    let j = judge_app(
        vec![gnutls_fips(true), ("etc/system-fips".into(), None)],
        &[],
        &needed,
    );
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
    // GNUTLS_FORCE_FIPS_MODE: 1 forces it on, 0 off.
    let on = judge_app(
        vec![gnutls_fips(true)],
        &["GNUTLS_FORCE_FIPS_MODE=1"],
        &needed,
    );
    assert!(on.fips_mode_on && on.needs.is_empty());
    let off = judge_app(
        vec![gnutls_fips(false)],
        &["GNUTLS_FORCE_FIPS_MODE=0"],
        &needed,
    );
    assert!(!off.fips_mode_on && off.needs.is_empty());
}

fn nss_files(chk: bool, softokn: bool) -> Vec<(String, Option<ElfFacts>)> {
    let mut v = vec![(
        format!("{DIR}/libnss3.so"),
        Some(elf(
            Some("libnss3.so"),
            &[],
            Some(NativeCrypto {
                kernel_flag: true,
                version: Some("3.87.1".into()),
                ..facts(NativeLib::Nss)
            }),
        )),
    )];
    if softokn {
        v.push((
            format!("{DIR}/libsoftokn3.so"),
            Some(elf(
                Some("libsoftokn3.so"),
                &[],
                Some(NativeCrypto {
                    version: Some("3.87.1".into()),
                    module_id: Some("Generic NSS 3.87.1 Basic ECC Unvalidated".into()),
                    ..facts(NativeLib::NssSoftoken)
                }),
            )),
        ));
        if chk {
            v.push((format!("{DIR}/libsoftokn3.chk"), None));
        }
    }
    v.push((
        format!("{DIR}/libfreeblpriv3.so"),
        Some(elf(
            Some("libfreeblpriv3.so"),
            &[],
            Some(NativeCrypto {
                kernel_flag: true,
                ..facts(NativeLib::NssFreebl)
            }),
        )),
    ));
    if chk {
        v.push((format!("{DIR}/libfreeblpriv3.chk"), None));
    }
    v
}

#[test]
fn nss_needs_its_softoken_and_chk_files() {
    let j = judge_app(nss_files(true, true), &[], &["libnss3.so"]);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::FipsCapable, Code::NssFipsUnvalidated, true)
    );
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
    assert_eq!(j.module.as_deref(), Some("NSS softoken 3.87.1"));
    assert_eq!(
        j.uses,
        [
            format!("{DIR}/libnss3.so"),
            format!("{DIR}/libsoftokn3.so"),
            format!("{DIR}/libfreeblpriv3.so")
        ]
    );
    let no_chk = judge_app(nss_files(false, true), &[], &["libnss3.so"]);
    assert_eq!(
        (no_chk.status, no_chk.code, no_chk.fips_mode_on),
        (Status::FipsCapable, Code::NssSoftokenIncomplete, false)
    );
    assert!(no_chk.summary.ends_with(&format!(
        "/{DIR}/libsoftokn3.chk, /{DIR}/libfreeblpriv3.chk missing"
    )));
    let no_softokn = judge_app(nss_files(true, false), &[], &["libnss3.so"]);
    assert_eq!(
        (no_softokn.status, no_softokn.code),
        (Status::NonFips, Code::NssSoftokenIncomplete)
    );
}

#[test]
fn fips_builds_are_fips_capable_never_validated() {
    let wolf = NativeCrypto {
        version: Some("5.2.1".into()),
        fips_module: true,
        fips_marker: Some("wolfCrypt_GetStatus_fips".into()),
        ..facts(NativeLib::Wolfssl)
    };
    let j = judge_app(
        vec![(
            format!("{DIR}/libwolfssl.so.42"),
            Some(elf(Some("libwolfssl.so.42"), &[], Some(wolf))),
        )],
        &[],
        &["libwolfssl.so.42"],
    );
    assert_eq!(
        (j.status, j.code, j.fips_mode_on, j.certificate.as_deref()),
        (
            Status::FipsCapable,
            Code::WolfsslFipsUnconfirmed,
            true,
            None
        )
    );
    assert!(j.summary.contains("FIPS Ready"));
    assert!(
        j.evidence
            .iter()
            .any(|e| e.kind == "marker" && e.detail == "wolfCrypt_GetStatus_fips")
    );
    let boring = NativeCrypto {
        text: Some("BoringCrypto".into()),
        fips_module: true,
        fips_marker: Some("BORINGSSL_integrity_test".into()),
        ..facts(NativeLib::Boringssl)
    };
    let j = judge_app(
        vec![(
            "opt/lib/libcrypto.so".into(),
            Some(elf(Some("libcrypto.so"), &[], Some(boring))),
        )],
        &[],
        &["libcrypto.so"],
    );
    assert_eq!(
        (j.status, j.code, j.fips_mode_on, j.needs.len()),
        (Status::FipsCapable, Code::BoringsslFips, true, 0)
    );
}

#[test]
fn the_worst_module_decides_and_the_others_are_listed() {
    let gnutls = NativeCrypto {
        version: Some("3.7.9".into()),
        ..facts(NativeLib::Gnutls)
    };
    let j = judge_app(
        vec![
            gcrypt_file(),
            (
                format!("{DIR}/libgnutls.so.30"),
                Some(elf(Some("libgnutls.so.30"), &[], Some(gnutls))),
            ),
        ],
        &[],
        &["libgcrypt.so.20", "libgnutls.so.30"],
    );
    assert_eq!((j.status, j.code), (Status::NonFips, Code::GnutlsNonFips));
    assert_eq!(
        j.uses,
        [
            format!("{DIR}/libgcrypt.so.20"),
            format!("{DIR}/libgnutls.so.30")
        ]
    );
    let also: Vec<&str> = j
        .evidence
        .iter()
        .filter(|e| e.kind == "also-uses")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(
        also,
        ["libgcrypt 1.10.1: fips-capable (libgcrypt-fips-unvalidated)"]
    );
    // OpenSSL wins a tie, and loses to a worse module.
    let openssl = Judgement::new(
        Status::NonFips,
        Code::OpensslNoFipsProvider,
        "uses OpenSSL".into(),
    );
    assert_eq!(
        with_openssl(openssl.clone(), Some(j.clone())).code,
        Code::OpensslNoFipsProvider
    );
    let validated = Judgement::new(
        Status::Validated,
        Code::OpensslFipsValidated,
        "uses OpenSSL".into(),
    );
    assert_eq!(with_openssl(validated, Some(j)).code, Code::GnutlsNonFips);
}
