//! Python: Debian 12's interpreter and stdlib (real debs) and PyPI's real
//! pyca/cryptography 44.0.2 wheel.

use crate::common::*;

#[test]
fn extension_modules_count_through_the_interpreter() {
    let (code, doc) = scan_json(&oci("python-crypto"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 25));
    let dynload = "/usr/lib/python3.11/lib-dynload";
    assert_eq!(
        programs(img),
        vec![
            p(
                &format!("{dynload}/_hashlib.cpython-311-x86_64-linux-gnu.so"),
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                &format!("{dynload}/_ssl.cpython-311-x86_64-linux-gnu.so"),
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                "/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so",
                "non-fips",
                "openssl-static",
                false
            ),
        ]
    );
    for c in img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["counts"] == true)
    {
        assert_eq!(
            c["used_by"],
            serde_json::json!(["/usr/bin/python3.11"]),
            "{}",
            c["path"]
        );
    }
    // The wheel carries its own OpenSSL, whatever the image ships.
    let wheel = component(
        img,
        "/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so",
    );
    assert_eq!(wheel["module"], "OpenSSL 3.4.1 (static)");
    assert_eq!(img["entrypoint"]["path"], "/usr/bin/python3.11");
}
