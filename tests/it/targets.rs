//! Target profiles and host-dependent components, on Debian's real OpenJDK
//! and NSS: Red Hat's FIPS provider list switches on from the node's kernel
//! flag (`needs: kernel-fips-mode`), only in a Red Hat build of the JDK
//! (the Red Hat label is synthetic, see fixtures/specs/java-redhat-nss.json),
//! and only when the NSS softoken it loads is in the image.

use crate::common::*;

const JAVA: &str = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

#[test]
fn red_hat_jvm_over_nss_is_host_dependent_and_ready_on_every_profile() {
    for target in ["generic", "aks-azurelinux", "aks-ubuntu", "openshift-rhel"] {
        let (code, doc) = scan_json(&oci("java-redhat-nss"), &["--target", target]);
        let img = image(&doc);
        assert_eq!(code, 0, "{target}");
        assert_eq!(doc["target"]["name"], target);
        assert_eq!(verdict(img), ("ready", 100), "{target}");
        assert_eq!(
            programs(img),
            vec![p(JAVA, "host-dependent", "java-jvm-fips", true)]
        );
        let jvm = component(img, JAVA);
        assert_eq!(jvm["needs"], serde_json::json!(["kernel-fips-mode"]));
        assert_eq!(jvm["fips_mode_on"], true);
        let details = evidence_details(jvm);
        assert!(
            details.contains(&"/usr/lib/jvm/java-17-openjdk-amd64/conf/security/nss.fips.cfg: nssLibraryDirectory = /usr/lib/x86_64-linux-gnu"),
            "{details:?}"
        );
        assert!(
            details.contains(&"NSS softoken /usr/lib/x86_64-linux-gnu/libsoftokn3.so"),
            "{details:?}"
        );
    }
    let run = fipscan(&["scan", &oci("java-redhat-nss"), "--target", "aks-ubuntu"]);
    assert!(
        run.stdout
            .contains("needs from the node: kernel-fips-mode (provided) [target aks-ubuntu]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(" · target aks-ubuntu\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn red_hat_jvm_without_the_nss_softoken_cannot_switch_on() {
    let (code, doc) = scan_json(&oci("java-redhat-no-nss"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p(JAVA, "fips-capable", "java-jvm-fips-off", true)]
    );
    let jvm = component(img, JAVA);
    assert!(
        jvm["summary"]
            .as_str()
            .unwrap()
            .ends_with("but the NSS softoken (libsoftokn3.so) is not in /usr/lib/x86_64-linux-gnu"),
        "{}",
        jvm["summary"]
    );
    assert_eq!(
        jvm["remediation"],
        "install the NSS softoken (libsoftokn3.so, with libfreeblpriv3.so) in the nssLibraryDirectory that nss.fips.cfg names"
    );
    assert!(jvm.get("needs").is_none());
}

#[test]
fn a_non_red_hat_jdk_ignores_red_hat_fips_provider_lines() {
    let (code, doc) = scan_json(&oci("java-rhconfig-debian"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 40));
    assert_eq!(
        programs(img),
        vec![p(JAVA, "non-fips", "java-jvm-non-fips", true)]
    );
    let details = evidence_details(component(img, JAVA));
    assert!(
        details.contains(&"fips.provider.N lines ignored: only Red Hat builds of OpenJDK read them, and this JDK's release names IMPLEMENTOR=Debian"),
        "{details:?}"
    );
}

#[test]
fn an_unknown_target_is_refused_with_the_profiles() {
    let run = fipscan(&["scan", &oci("go-fips-on"), "--target", "gke"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("[possible values: generic, aks-azurelinux, aks-ubuntu, openshift-rhel]"),
        "{}",
        run.stderr
    );
}
