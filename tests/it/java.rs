//! Java: Debian's OpenJDK 17 and bcprov (real), a Spring-Boot-style fat jar
//! nesting the real bcprov, and BC-FIPS first in java.security (the BC-FIPS
//! jar is synthetic: no real one is in a registry reachable here).

use crate::common::*;

#[test]
fn debian_jdk_with_bcprov_in_a_fat_jar() {
    let (code, doc) = scan_json(&oci("java-bcprov"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 0));
    assert_eq!(
        programs(img),
        vec![
            p(
                "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                "non-fips",
                "java-jvm-non-fips",
                true
            ),
            p(
                "/app/app-boot.jar!/BOOT-INF/lib/bcprov.jar",
                "non-fips",
                "java-bcprov",
                false
            ),
            p(
                "/usr/share/java/bcprov-1.72.jar",
                "non-fips",
                "java-bcprov",
                false
            ),
        ]
    );
    let nested = component(img, "/app/app-boot.jar!/BOOT-INF/lib/bcprov.jar");
    assert_eq!(nested["module"], "Bouncy Castle (bcprov) 1.72.0");
    let jvm = component(img, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
    let details = evidence_details(jvm);
    // Debian's JDK reads java.security through a symlink into /etc.
    assert!(
        details.contains(&"java.security read from /etc/java-17-openjdk/security/java.security"),
        "{details:?}"
    );
    assert!(details.contains(&"security.provider.1=SUN"), "{details:?}");
    assert_eq!(
        img["entrypoint"]["path"],
        "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
    );
}

#[test]
fn bc_fips_first_with_a_validated_jar_is_ready() {
    let (code, doc) = scan_json(&oci("java-bcfips"), &[]);
    let img = image(&doc);
    assert_eq!(code, 0);
    assert_eq!(verdict(img), ("ready", 100));
    assert_eq!(
        programs(img),
        vec![
            p(
                "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                "validated",
                "java-jvm-fips",
                true
            ),
            p(
                "/app/lib/bc-fips-2.1.0.jar",
                "validated",
                "java-bc-fips-validated",
                false
            ),
        ]
    );
    assert_eq!(
        component(img, "/app/lib/bc-fips-2.1.0.jar")["certificate"],
        "CMVP #4943"
    );
}
