//! Jar analysis on the real artefacts of fixtures/parts/java.sh: Debian's
//! bcprov-1.72.jar and the fat jars, wars and nestings built around it, plus
//! the SYNTHETIC BC-FIPS jars. Archives made in code: `hostile_tests.rs`.

use super::testutil::{certs, read};
use super::*;

pub(super) fn analyze(bytes: &[u8], name: &str) -> JarFacts {
    analyze_jar(bytes, name, &JarLimits::default(), &JavaMarkers::default()).unwrap()
}

pub(super) fn with(limits: JarLimits, bytes: &[u8], name: &str) -> JarFacts {
    analyze_jar(bytes, name, &limits, &JavaMarkers::default()).unwrap()
}

fn bcprov() -> Vec<u8> {
    read("root/usr/share/java/bcprov-1.72.jar")
}

/// The facts the Debian bcprov gives wherever it sits.
fn assert_debian_bcprov(f: &JarFacts) {
    assert_eq!(f.kind, JarKind::Bcprov, "{f:#?}");
    assert_eq!(f.version.as_deref(), Some("1.72.0"));
    assert_eq!(
        f.version_source.as_deref(),
        Some("META-INF/MANIFEST.MF Implementation-Version")
    );
    assert!(!f.shaded);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert!(
        f.evidence
            .contains(&"class org/bouncycastle/jce/provider/BouncyCastleProvider.class".into())
    );
    assert_eq!(
        classify_jar(f, &certs()),
        JavaCryptoStatus::BcprovNonFips {
            version: Some("1.72.0".into()),
            shaded: false
        }
    );
}

#[test]
fn debian_bcprov_is_regular_bouncy_castle_whatever_its_name() {
    let bytes = bcprov();
    let f = analyze(&bytes, "bcprov-1.72.jar");
    assert_debian_bcprov(&f);
    assert!(f.nested.is_empty() && f.main_class.is_none());
    // Renamed: found by its classes, not its file name.
    assert_debian_bcprov(&analyze(&bytes, "crypto-lib.jar"));
    // The bcprov.jar symlink of the package reads the same jar.
    assert_debian_bcprov(&analyze(
        &read("root/usr/share/java/bcprov.jar"),
        "bcprov.jar",
    ));
}

#[test]
fn spring_boot_fat_jar_stored_lib() {
    let bytes = read("jars/app-boot.jar");
    let f = analyze(&bytes, "app-boot.jar");
    assert_eq!(f.kind, JarKind::Other);
    assert_eq!(
        f.main_class.as_deref(),
        Some("org.springframework.boot.loader.launch.JarLauncher")
    );
    assert_eq!(f.nested.len(), 1);
    assert_eq!(f.nested[0].path_in_archive, ["BOOT-INF/lib/bcprov.jar"]);
    assert_eq!(f.nested[0].name, "bcprov.jar");
    assert_debian_bcprov(&f.nested[0]);
    // A "fully executable" jar: a launch script before the zip.
    let mut prefixed = b"#!/bin/bash\nexec java -jar \"$0\" \"$@\"\n".to_vec();
    prefixed.extend_from_slice(&bytes);
    let g = analyze(&prefixed, "app-boot.jar");
    assert_debian_bcprov(&g.nested[0]);
    // Stored libraries are borrowed, not inflated: no budget needed.
    let tight = JarLimits {
        max_total_bytes: 1 << 20,
        ..JarLimits::default()
    };
    assert_debian_bcprov(&with(tight, &bytes, "app-boot.jar").nested[0]);
}

#[test]
fn war_deflated_lib_and_size_bounds() {
    let bytes = read("jars/app.war");
    let f = analyze(&bytes, "app.war");
    assert_eq!(f.nested.len(), 1);
    assert_eq!(f.nested[0].path_in_archive, ["WEB-INF/lib/bcprov.jar"]);
    assert_debian_bcprov(&f.nested[0]);
    let small = JarLimits {
        max_nested_bytes: 1 << 20,
        ..JarLimits::default()
    };
    let f = with(small, &bytes, "app.war");
    assert!(f.nested.is_empty());
    assert!(f.problems[0].contains("exceeds"), "{:?}", f.problems);
    let budget = JarLimits {
        max_total_bytes: 1 << 20,
        ..JarLimits::default()
    };
    let f = with(budget, &bytes, "app.war");
    assert!(f.nested.is_empty());
    assert!(f.problems[0].contains("budget"), "{:?}", f.problems);
}

#[test]
fn nesting_depth_bound() {
    let bytes = read("jars/nested4.jar");
    let f = analyze(&bytes, "nested4.jar");
    let mut deepest = &f;
    while let Some(n) = deepest.nested.first() {
        deepest = n;
    }
    assert_eq!(
        deepest.path_in_archive,
        ["lib/level1.jar", "lib/level2.jar", "lib/level3.jar"]
    );
    assert_eq!(
        deepest.problems,
        ["lib/bcprov.jar: nested archive at depth 4 not opened (depth limit 3)"]
    );
    assert!(f.iter().iter().all(|j| j.kind == JarKind::Other));
    let deeper = JarLimits {
        max_depth: 4,
        ..JarLimits::default()
    };
    let f = with(deeper, &bytes, "nested4.jar");
    let all = f.iter();
    assert_eq!(all.len(), 5);
    assert_eq!(all[4].path_in_archive.len(), 4);
    assert_debian_bcprov(all[4]);
}

#[test]
fn shaded_bcprov_without_manifest_version() {
    let f = analyze(&read("jars/shaded.jar"), "shaded.jar");
    assert_eq!(f.kind, JarKind::Bcprov);
    assert!(f.shaded);
    assert_eq!(f.version, None, "the app manifest must not version bcprov");
    assert_eq!(f.main_class.as_deref(), Some("com.example.App"));
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("beside 1 other classes"))
    );
    assert_eq!(
        classify_jar(&f, &certs()),
        JavaCryptoStatus::BcprovNonFips {
            version: None,
            shaded: true
        }
    );
}

/// SYNTHETIC: no real BC-FIPS jar is reachable (fixtures/README.md).
#[test]
fn synthetic_bc_fips_2_1_0_is_validated_by_its_classes() {
    let bytes = read("synthetic/bc-fips-2.1.0.jar");
    for name in ["bc-fips-2.1.0.jar", "renamed.jar"] {
        let f = analyze(&bytes, name);
        assert_eq!(f.kind, JarKind::BcFips);
        assert_eq!(f.version.as_deref(), Some("2.1.0"));
        assert_eq!(
            f.version_source.as_deref(),
            Some("META-INF/MANIFEST.MF Bundle-Version")
        );
        assert!(!f.shaded && f.problems.is_empty(), "{f:#?}");
        assert!(f.evidence.contains(&"entry META-INF/HMAC.SHA256".into()));
        assert_eq!(
            classify_jar(&f, &certs()),
            JavaCryptoStatus::BcFipsValidated {
                version: "2.1.0".into(),
                certificate: "CMVP #4943".into(),
                level: "fips140-3".into()
            }
        );
    }
}

#[test]
fn synthetic_shaded_bc_fips_is_versioned_by_its_pom_and_unvalidated() {
    let f = analyze(&read("synthetic/app-bcfips-shaded.jar"), "app.jar");
    assert_eq!(f.kind, JarKind::BcFips);
    assert!(f.shaded);
    assert_eq!(f.version.as_deref(), Some("1.0.2.4"), "not the app's 7.7.7");
    assert_eq!(
        f.version_source.as_deref(),
        Some("META-INF/maven/org.bouncycastle/bc-fips/pom.properties version")
    );
    let status = classify_jar(&f, &certs());
    assert!(
        matches!(&status, JavaCryptoStatus::BcFipsUnvalidated { reason, .. } if reason.contains("repackaged")),
        "{status:?}"
    );
    assert_eq!(status.status(), Some(crate::score::Status::FipsCapable));
}
