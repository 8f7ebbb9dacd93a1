//! Naming the vendor, and the glue in `OpensslInstall`. All facts here are
//! SYNTHETIC in shape only: package names, versions and provider names are
//! the ones the sources name (signatures/README.md "Distro OpenSSL
//! vendors"); no SUSE, Ubuntu Pro FIPS or Wolfi binary could be fetched.

use super::*;
use crate::detect::FileFacts;
use crate::detect::openssl::{DistroFips, OpensslText};
use crate::finding::Code;
use crate::judge::openssl::OpensslInstall;
use crate::judge::testkit::{config, elf, file, lib, libcrypto_text, text, view};
use crate::layer::squash::{FsView, ViewNode};
use crate::packages::{Package, PackageType};
use crate::score::Status;
use crate::signatures::Signatures;

fn pkg(name: &str, version: &str, purl: &str) -> PackageRef {
    PackageRef {
        name: name.into(),
        version: version.into(),
        purl: purl.into(),
    }
}

fn facts(
    os: Option<&str>,
    library: Option<PackageRef>,
    provider: Option<PackageRef>,
) -> VendorFacts {
    VendorFacts {
        os_id: os.map(str::to_string),
        library,
        provider,
    }
}

#[test]
fn the_provider_name_names_the_vendor_first() {
    let f = facts(Some("ubuntu"), None, None);
    let v = identify(
        &f,
        Some("SUSE Linux Enterprise - OpenSSL FIPS Provider"),
        false,
    );
    assert_eq!(
        v,
        Some(VendorBuild {
            vendor: Vendor::Suse,
            named_by: "provider name \"SUSE Linux Enterprise - OpenSSL FIPS Provider\"".into(),
            rebuild: None,
        })
    );
    let rh = identify(
        &facts(None, None, None),
        Some("Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider"),
        false,
    );
    assert_eq!(rh.map(|v| v.vendor), Some(Vendor::RedHat));
    // Upstream's name says nothing: the next fact decides.
    assert_eq!(
        identify(
            &facts(None, None, None),
            Some("OpenSSL FIPS Provider"),
            false
        ),
        None
    );
}

#[test]
fn an_ubuntu_pro_fips_version_names_ubuntu() {
    // Ubuntu 22.04's certified module (Canonical's module list).
    let provider = pkg(
        "openssl-fips-module-3",
        "3.0.5-0ubuntu0.1+Fips2.1",
        "pkg:deb/debian/openssl-fips-module-3@3.0.5-0ubuntu0.1%2BFips2.1?arch=amd64",
    );
    let v = identify(&facts(None, None, Some(provider)), None, false);
    assert_eq!(
        v,
        Some(VendorBuild {
            vendor: Vendor::Ubuntu,
            named_by: "openssl-fips-module-3 3.0.5-0ubuntu0.1+Fips2.1 (an Ubuntu Pro FIPS version)"
                .into(),
            rebuild: None,
        })
    );
    assert_eq!(
        v.map(|v| v.label()).as_deref(),
        Some(
            "Ubuntu's build (openssl-fips-module-3 3.0.5-0ubuntu0.1+Fips2.1 (an Ubuntu Pro FIPS version))"
        )
    );
}

#[test]
fn purl_namespace_then_os_release_then_the_hmac_key() {
    let suse = pkg(
        "libopenssl3",
        "3.1.4-150600.5.15.1",
        "pkg:rpm/suse/libopenssl3@3.1.4-150600.5.15.1?arch=x86_64&distro=sles-15.6",
    );
    let v = identify(&facts(None, Some(suse), None), None, false);
    assert_eq!(v.map(|v| (v.vendor, v.named_by)), Some((Vendor::Suse, "libopenssl3 3.1.4-150600.5.15.1 (pkg:rpm/suse/libopenssl3@3.1.4-150600.5.15.1?arch=x86_64&distro=sles-15.6)".to_string())));
    let wolfi = pkg(
        "openssl-provider-fips-3.1.2",
        "3.1.2-r0",
        "pkg:apk/wolfi/openssl-provider-fips-3.1.2@3.1.2-r0?arch=x86_64",
    );
    assert_eq!(
        identify(&facts(None, None, Some(wolfi)), None, false).map(|v| v.vendor),
        Some(Vendor::Wolfi)
    );
    for (id, vendor) in [
        ("opensuse-leap", Vendor::Suse),
        ("sles", Vendor::Suse),
        ("azurelinux", Vendor::AzureLinux),
        ("chainguard", Vendor::Wolfi),
        ("ubuntu", Vendor::Ubuntu),
    ] {
        let v = identify(&facts(Some(id), None, None), None, false);
        assert_eq!(
            v.map(|v| (v.vendor, v.named_by)),
            Some((vendor, format!("os-release ID={id}")))
        );
    }
    // Debian, Fedora and Oracle Linux name no vendor whose validation fipscan knows.
    for id in ["debian", "fedora", "ol"] {
        assert_eq!(identify(&facts(Some(id), None, None), None, false), None);
    }
    assert_eq!(
        identify(&facts(None, None, None), None, true).map(|v| v.named_by),
        Some("Red Hat's FIPS HMAC key".to_string())
    );
}

#[test]
fn rhel_rebuilds_are_judged_as_red_hat_and_say_so() {
    // The EL9 library of fixtures/parts/rhel.sh comes from such a rebuild.
    let lib = pkg(
        "openssl-libs",
        "1:3.5.5-2.el9_8",
        "pkg:rpm/almalinux/openssl-libs@3.5.5-2.el9_8?arch=x86_64&distro=almalinux-9.8&epoch=1",
    );
    let v = identify(&facts(Some("almalinux"), Some(lib), None), None, false);
    assert_eq!(v.as_ref().map(|v| v.vendor), Some(Vendor::RedHat));
    assert_eq!(
        v.as_ref().and_then(|v| v.rebuild.as_deref()),
        Some("almalinux")
    );
    assert_eq!(
        v.as_ref().and_then(|v| v.vendor.host()),
        Some(HostNeed::RhelFipsHost)
    );
    assert_eq!(
        v.map(|v| v.label()).as_deref(),
        Some(
            "a Red Hat-family build (openssl-libs 1:3.5.5-2.el9_8 (pkg:rpm/almalinux/openssl-libs@3.5.5-2.el9_8?arch=x86_64&distro=almalinux-9.8&epoch=1); almalinux rebuilds RHEL's OpenSSL and is judged as Red Hat's: its own certificate, if any, is not checked)"
        )
    );
    // RHEL itself is no rebuild.
    let rhel = identify(&facts(Some("rhel"), None, None), None, false);
    assert_eq!(rhel.and_then(|v| v.rebuild), None);
}

#[test]
fn each_vendor_names_its_host() {
    assert_eq!(Vendor::Ubuntu.host(), Some(HostNeed::UbuntuFipsHost));
    assert_eq!(
        Vendor::AzureLinux.host(),
        Some(HostNeed::AzureLinuxFipsHost)
    );
    // No target describes a SUSE host: the condition is stated, not required.
    assert_eq!(Vendor::Suse.host(), None);
    assert_eq!(Vendor::Wolfi.host(), None);
    let aks = crate::target::Target::by_name("aks-ubuntu").unwrap_or_default();
    assert!(aks.provides(HostNeed::UbuntuFipsHost));
}

// ---- The glue: an image with packages, as `judge_image` sees it. ----

fn package(kind: PackageType, name: &str, version: &str, files: &[&str]) -> Package {
    Package {
        kind,
        name: name.into(),
        version: version.into(),
        epoch: None,
        arch: Some("x86_64".into()),
        source_name: None,
        purl: String::new(),
        files: files.iter().map(|f| (*f).to_string()).collect(),
    }
}

/// A libcrypto with the kernel switch (the strings of the EL9 library) in
/// `dir`, its provider, os-release and one package database.
struct Image {
    view: FsView,
    lib: String,
}

fn image(
    os_release: &str,
    dir: &str,
    provider: Option<OpensslText>,
    packages: Vec<Package>,
    extra: Vec<(String, ViewNode)>,
) -> Image {
    let lib = format!("{dir}/libcrypto.so.3");
    let openssl = libcrypto_text(
        "OpenSSL 3.0.13 30 Jan 2024",
        "/usr/lib/ssl",
        &format!("/{dir}/ossl-modules"),
        DistroFips {
            kernel_switch: true,
            force_env: true,
            ..Default::default()
        },
    );
    let mut nodes: Vec<(String, ViewNode)> = vec![
        (
            lib.clone(),
            file(Some(elf(Some("libcrypto.so.3"), Some(openssl)))),
        ),
        ("etc/os-release".into(), text(os_release)),
        (
            "var/lib/db".into(),
            file(Some(FileFacts::Packages { packages })),
        ),
    ];
    if let Some(p) = provider {
        nodes.push((
            format!("{dir}/ossl-modules/fips.so"),
            file(Some(elf(None, Some(p)))),
        ));
    }
    nodes.extend(extra);
    Image {
        view: view(nodes),
        lib,
    }
}

fn judge(img: &Image, env: &[&str]) -> crate::judge::Judgement {
    let lib = lib(&img.view, &img.lib);
    let sigs = Signatures::embedded();
    let pkgs = crate::judge::packages::ImagePackages::read(&img.view);
    OpensslInstall::inspect(lib, &img.view, &config(env), sigs)
        .with_vendor(&pkgs)
        .judge(sigs)
}

fn provider_text(name: Option<&str>, version: Option<&str>) -> OpensslText {
    OpensslText {
        text: String::new(),
        version: version.unwrap_or_default().into(),
        fips_build: false,
        openssldir: None,
        modulesdir: None,
        provider_name: name.map(str::to_string),
        provider_version: version.map(str::to_string),
        distro: DistroFips::default(),
    }
}

#[test]
fn ubuntu_pro_fips_image_needs_an_ubuntu_fips_host() {
    let dir = "usr/lib/x86_64-linux-gnu";
    let img = image(
        "ID=ubuntu\nVERSION_ID=\"22.04\"\n",
        dir,
        // Ubuntu's provider calls itself a "Cryptographic Module": no name read.
        Some(provider_text(None, None)),
        vec![
            package(
                PackageType::Deb,
                "libssl3",
                "3.0.2-0ubuntu1.10+Fips1",
                &["/usr/lib/x86_64-linux-gnu/libcrypto.so.3"],
            ),
            package(
                PackageType::Deb,
                "openssl-fips-module-3",
                "3.0.5-0ubuntu0.1+Fips2.1",
                &["/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so"],
            ),
        ],
        Vec::new(),
    );
    let j = judge(&img, &[]);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::HostDependent, Code::OpensslKernelSwitch, true)
    );
    assert_eq!(
        j.needs,
        [HostNeed::KernelFipsMode, HostNeed::UbuntuFipsHost]
    );
    assert_eq!(
        j.summary,
        "uses OpenSSL 3.0.13 (/usr/lib/x86_64-linux-gnu/libcrypto.so.3), Ubuntu's build (openssl-fips-module-3 3.0.5-0ubuntu0.1+Fips2.1 (an Ubuntu Pro FIPS version)) that loads FIPS provider of unknown version (package openssl-fips-module-3 3.0.5-0ubuntu0.1+Fips2.1) with fips=yes when the node's kernel runs in FIPS mode; Ubuntu Pro FIPS modules in a container are in FIPS mode only with Ubuntu's FIPS kernel running on the host; the provider's certificate is the vendor's, not checked by fipscan"
    );
    let packages: Vec<_> = j
        .evidence
        .iter()
        .filter(|e| e.kind == "package")
        .map(|e| (e.path.as_deref().unwrap_or(""), e.detail.as_str()))
        .collect();
    assert_eq!(
        packages,
        [
            (
                "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                "libssl3 3.0.2-0ubuntu1.10+Fips1 (pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10%2BFips1?arch=x86_64&distro=ubuntu-22.04)"
            ),
            (
                "/usr/lib/x86_64-linux-gnu/ossl-modules/fips.so",
                "openssl-fips-module-3 3.0.5-0ubuntu0.1+Fips2.1 (pkg:deb/ubuntu/openssl-fips-module-3@3.0.5-0ubuntu0.1%2BFips2.1?arch=x86_64&distro=ubuntu-22.04)"
            )
        ]
    );
    // The aks-ubuntu target provides both needs.
    let aks = crate::target::Target::by_name("aks-ubuntu").unwrap_or_default();
    assert!(aks.unmet(&j.needs).is_empty());
    assert_eq!(
        crate::target::GENERIC.unmet(&j.needs),
        [HostNeed::UbuntuFipsHost]
    );
}

#[test]
fn ubuntu_library_without_its_provider_names_the_package_to_install() {
    // Noble's ordinary libssl3t64 tries the provider on a FIPS host
    // (canonical/ubuntu-pro-client#3487): without openssl-fips-module-3 it fails.
    let img = image(
        "ID=ubuntu\nVERSION_ID=\"24.04\"\n",
        "usr/lib/x86_64-linux-gnu",
        None,
        vec![package(
            PackageType::Deb,
            "libssl3t64",
            "3.0.13-0ubuntu3.5",
            &["/usr/lib/x86_64-linux-gnu/libcrypto.so.3"],
        )],
        Vec::new(),
    );
    let j = judge(&img, &[]);
    assert_eq!(
        (j.status, j.code),
        (Status::NonFips, Code::OpensslNoFipsProvider)
    );
    assert_eq!(
        j.remediation.as_deref(),
        Some(
            "install the distro's FIPS provider package with the library (Ubuntu Pro: openssl-fips-module-3 from fips-updates), or use the vendor's base image unmodified"
        )
    );
    assert!(
        j.summary.starts_with("uses OpenSSL 3.0.13 (/usr/lib/x86_64-linux-gnu/libcrypto.so.3), Ubuntu's build (libssl3t64 3.0.13-0ubuntu3.5 (pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.5?arch=x86_64&distro=ubuntu-24.04)) that switches"),
        "{}",
        j.summary
    );
}

#[test]
fn suse_base_fips_forced_mode_states_suse_condition() {
    // SLE BCI base-fips sets OPENSSL_FORCE_FIPS_MODE=1 in its Env.
    let dir = "usr/lib64";
    let img = image(
        "ID=\"sles\"\nVERSION_ID=\"15.7\"\n",
        dir,
        Some(provider_text(
            Some("SUSE Linux Enterprise - OpenSSL FIPS Provider"),
            None,
        )),
        vec![package(
            PackageType::Rpm,
            "libopenssl-3-fips-provider",
            "3.1.4-150600.5.15.1",
            &["/usr/lib64/ossl-modules/fips.so"],
        )],
        Vec::new(),
    );
    let j = judge(&img, &["OPENSSL_FORCE_FIPS_MODE=1"]);
    assert_eq!(
        (j.status, j.code),
        (Status::HostDependent, Code::OpensslKernelSwitch)
    );
    assert!(j.needs.is_empty());
    assert_eq!(
        j.summary,
        "uses OpenSSL 3.0.13 (/usr/lib64/libcrypto.so.3), SUSE's build (provider name \"SUSE Linux Enterprise - OpenSSL FIPS Provider\") that loads SUSE Linux Enterprise - OpenSSL FIPS Provider of unknown version (package libopenssl-3-fips-provider 3.1.4-150600.5.15.1) with fips=yes (OPENSSL_FORCE_FIPS_MODE=1 in the image Env forces it); SUSE labels its FIPS base image for FIPS-enabled hosts only (fips=1 on the kernel command line); its validation covers SUSE Linux Enterprise hosts, which no fipscan target describes; the provider's certificate is the vendor's, not checked by fipscan"
    );
    // Without the Env: the kernel flag, and nothing a target could not give.
    let j = judge(&img, &[]);
    assert_eq!(j.needs, [HostNeed::KernelFipsMode]);
}

#[test]
fn alma_linux_library_keeps_the_rhel_host() {
    let dir = "usr/lib64";
    let img = image(
        "ID=\"almalinux\"\nVERSION_ID=\"9.8\"\n",
        dir,
        Some(provider_text(Some("OpenSSL FIPS Provider"), Some("3.5.5"))),
        vec![package(
            PackageType::Rpm,
            "openssl-libs",
            "3.5.5-2.el9_8",
            &[
                "/usr/lib64/libcrypto.so.3",
                "/usr/lib64/ossl-modules/fips.so",
            ],
        )],
        Vec::new(),
    );
    let j = judge(&img, &[]);
    assert_eq!(j.needs, [HostNeed::KernelFipsMode, HostNeed::RhelFipsHost]);
    assert!(
        j.summary.contains("a Red Hat-family build (openssl-libs 3.5.5-2.el9_8 (pkg:rpm/almalinux/openssl-libs@3.5.5-2.el9_8?arch=x86_64&distro=almalinux-9.8); almalinux rebuilds RHEL's OpenSSL"),
        "{}",
        j.summary
    );
}

#[test]
fn wolfi_pinned_provider_is_judged_by_its_config_and_named_by_its_package() {
    // Wolfi's libcrypto: upstream OpenSSL (no kernel switch), OPENSSLDIR
    // /etc/ssl, MODULESDIR /usr/lib/ossl-modules; openssl-provider-fips-3.1.2
    // writes /etc/ssl/fipsmodule.cnf and openssl-config-fipshardened's
    // /etc/ssl/openssl.cnf includes it (wolfi-dev/os package sources).
    let openssl = OpensslText {
        text: "OpenSSL 3.5.0 8 Apr 2025".into(),
        version: "3.5.0".into(),
        fips_build: false,
        openssldir: Some("/etc/ssl".into()),
        modulesdir: Some("/usr/lib/ossl-modules".into()),
        provider_name: None,
        provider_version: None,
        distro: DistroFips::default(),
    };
    let cnf = "config_diagnostics = 1\nopenssl_conf = openssl_init\n\n.include /etc/ssl/fipsmodule.cnf\n\n[openssl_init]\nproviders = provider_sect\nalg_section = algorithm_sect\n\n[provider_sect]\nfips = fips_sect\nbase = base_sect\n\n[base_sect]\nactivate = 1\n\n[algorithm_sect]\ndefault_properties = fips=yes\n";
    let fipsmodule = "[fips_sect]\nactivate = 1\ninstall-version = 1\nconditional-errors = 1\nsecurity-checks = 1\nmodule-mac = 00:11\n";
    let view = FsView {
        nodes: [
            (
                "usr/lib/libcrypto.so.3".to_string(),
                file(Some(elf(Some("libcrypto.so.3"), Some(openssl)))),
            ),
            (
                "usr/lib/ossl-modules/fips.so".to_string(),
                file(Some(elf(
                    None,
                    Some(provider_text(Some("OpenSSL FIPS Provider"), Some("3.1.2"))),
                ))),
            ),
            ("etc/ssl/openssl.cnf".to_string(), text(cnf)),
            ("etc/ssl/fipsmodule.cnf".to_string(), text(fipsmodule)),
            (
                "etc/os-release".to_string(),
                text("ID=wolfi\nNAME=\"Wolfi\"\n"),
            ),
            (
                "lib/apk/db/installed".to_string(),
                file(Some(FileFacts::Packages {
                    packages: vec![
                        package(
                            PackageType::Apk,
                            "libcrypto3",
                            "3.5.0-r0",
                            &["/usr/lib/libcrypto.so.3"],
                        ),
                        package(
                            PackageType::Apk,
                            "openssl-provider-fips-3.1.2",
                            "3.1.2-r0",
                            &["/usr/lib/ossl-modules/fips.so", "/etc/ssl/fipsmodule.cnf"],
                        ),
                    ],
                })),
            ),
        ]
        .into_iter()
        .collect(),
        layer_ids: vec!["sha256:layer0".into()],
    };
    let img = Image {
        view,
        lib: "usr/lib/libcrypto.so.3".into(),
    };
    let j = judge(&img, &[]);
    assert_eq!(
        (j.status, j.code, j.certificate.as_deref()),
        (
            Status::Validated,
            Code::OpensslFipsValidated,
            Some("CMVP #4985")
        )
    );
    assert!(j.needs.is_empty());
    assert_eq!(
        j.summary,
        "uses OpenSSL 3.5.0 (/usr/lib/libcrypto.so.3) with OpenSSL FIPS Provider 3.1.2 (package openssl-provider-fips-3.1.2 3.1.2-r0), activated and enforced (CMVP #4985)"
    );
    assert!(j.evidence.iter().any(|e| e.kind == "openssl-config"
        && e.detail == "/etc/ssl/openssl.cnf (compiled-in OPENSSLDIR): FIPS provider activated ([fips_sect]), default_properties = fips=yes"));
}

#[test]
fn fom_library_is_judged_as_the_fips_object_module() {
    // A 1.0.2 library with the canister's symbols (SYNTHETIC facts).
    let text = OpensslText {
        text: "OpenSSL 1.0.2u-fips  20 Dec 2019".into(),
        version: "1.0.2u-fips".into(),
        fips_build: true,
        openssldir: Some("/usr/local/ssl".into()),
        modulesdir: None,
        provider_name: None,
        provider_version: None,
        distro: DistroFips {
            fips_object_module: true,
            ..Default::default()
        },
    };
    let view = FsView {
        nodes: [(
            "usr/local/ssl/lib/libcrypto.so.1.0.0".to_string(),
            file(Some(elf(Some("libcrypto.so.1.0.0"), Some(text)))),
        )]
        .into_iter()
        .collect(),
        layer_ids: vec!["sha256:layer0".into()],
    };
    let img = Image {
        view,
        lib: "usr/local/ssl/lib/libcrypto.so.1.0.0".into(),
    };
    let j = judge(&img, &[]);
    assert_eq!(
        (j.status, j.code, j.fips_mode_on),
        (Status::NonFips, Code::OpensslFipsObjectModule, false)
    );
    assert!(j.needs.is_empty());
    assert!(
        j.evidence
            .iter()
            .any(|e| e.kind == "marker" && e.detail == crate::judge::openssl_fom::FOM_MARKER)
    );
}
