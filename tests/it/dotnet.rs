//! .NET: the real .NET Core 3.1.23 runtime (PyPI dotnetcore2), a .NET
//! 8.0.11 shared framework whose OpenSSL shim is built here, and apps whose
//! runtimeconfig.json / deps.json follow the published formats, over
//! Debian 12's real libssl3 (no FIPS provider).

use crate::common::*;

const NET8: &str = "/usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11";
const NET31: &str = "/usr/share/dotnet/shared/Microsoft.NETCore.App/3.1.23";

#[test]
fn apps_are_judged_by_the_shim_of_the_runtime_they_resolve_to() {
    let (code, doc) = scan_json(&oci("dotnet-app"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 0));
    let shim8 = format!("{NET8}/libSystem.Security.Cryptography.Native.OpenSsl.so");
    let shim31 = format!("{NET31}/System.Security.Cryptography.Native.OpenSsl.so");
    let local = "/app/selfcontained/libSystem.Security.Cryptography.Native.OpenSsl.so";
    assert_eq!(
        programs(img),
        vec![
            p(
                "/app/api/api.runtimeconfig.json",
                "non-fips",
                "openssl-no-fips-provider",
                true
            ),
            p(
                "/app/broken/broken.runtimeconfig.json",
                "unknown",
                "dotnet-config-invalid",
                false
            ),
            p(
                "/app/legacy/legacy.runtimeconfig.json",
                "unknown",
                "dotnet-framework-missing",
                false
            ),
            p(
                "/app/old/old.runtimeconfig.json",
                "non-fips",
                "dotnet-no-libssl",
                false
            ),
            p(
                "/app/selfcontained/selfcontained.runtimeconfig.json",
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(
                "/app/signer/signer.runtimeconfig.json",
                "non-fips",
                "dotnet-managed-crypto",
                false
            ),
            p(
                "/usr/bin/openssl",
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            p(local, "non-fips", "openssl-no-fips-provider", false),
            p(&shim31, "non-fips", "dotnet-no-libssl", false),
            p(&shim8, "non-fips", "openssl-no-fips-provider", false),
        ]
    );
    assert_eq!(
        findings(img),
        vec![
            (
                "dotnet-config-invalid".into(),
                "/app/broken/broken.runtimeconfig.json".into()
            ),
            (
                "dotnet-framework-missing".into(),
                "/app/legacy/legacy.runtimeconfig.json".into()
            ),
        ]
    );

    // Framework-dependent: 8.0.0 rolls forward (Minor) to 8.0.11, whose shim loads libssl3.
    let api = component(img, "/app/api/api.runtimeconfig.json");
    assert_eq!(api["kind"], "managed-assembly");
    assert_eq!(
        evidence_details(api)[..5],
        [
            "framework-dependent: Microsoft.NETCore.App 8.0.0 (rollForward Minor), tfm net8.0",
            "Microsoft.NETCore.App 8.0.0 resolves to 8.0.11 (rollForward Minor)",
            "runtimeTarget .NETCoreApp,Version=v8.0",
            "the .NET OpenSSL shim, which dlopens libssl (no DT_NEEDED)",
            "Microsoft.NETCore.App 8.0.11 (Microsoft.NETCore.App.Runtime.linux-x64 in Microsoft.NETCore.App.deps.json)",
        ]
    );
    assert_eq!(
        api["uses"],
        serde_json::json!([
            shim8,
            "/usr/lib/x86_64-linux-gnu/libssl.so.3",
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"
        ])
    );
    assert_eq!(img["entrypoint"]["path"], "/usr/share/dotnet/dotnet");
    assert_eq!(
        component(img, &shim8)["used_by"],
        serde_json::json!([
            "/app/api/api.runtimeconfig.json",
            "/app/signer/signer.runtimeconfig.json"
        ])
    );

    // deps.json pulls BouncyCastle: non-FIPS whatever the runtime.
    let signer = component(img, "/app/signer/signer.runtimeconfig.json");
    assert_eq!(
        signer["module"],
        "BouncyCastle.Cryptography 2.4.0 (managed)"
    );
    assert_eq!(
        evidence_of(signer, "dotnet-deps"),
        [
            "runtimeTarget .NETCoreApp,Version=v8.0",
            "package BouncyCastle.Cryptography 2.4.0"
        ]
    );
    assert_eq!(
        evidence_of(signer, "dotnet-framework"),
        ["Microsoft.NETCore.App 8.0.0 resolves to 8.0.11 (rollForward LatestPatch)"]
    );

    // .NET 6 is not in the image, and Minor does not roll to 8.
    let legacy = component(img, "/app/legacy/legacy.runtimeconfig.json");
    assert_eq!(
        legacy["summary"],
        ".NET app: Microsoft.NETCore.App 6.0.0 (rollForward Minor) is not in the image, which has 3.1.23, 8.0.11"
    );
    assert_eq!(legacy["uses"], serde_json::Value::Null);
    assert_eq!(
        evidence_of(legacy, "dotnet-framework"),
        Vec::<String>::new()
    );

    // The real 3.1 shim dlopens libssl 1.x only: Debian 12's OpenSSL 3 is no use to it.
    let old = component(img, "/app/old/old.runtimeconfig.json");
    assert_eq!(
        old["summary"],
        format!(
            ".NET app on the runtime at {NET31}: .NET runtime 3.1.23-servicing.22122.4 finds none of libssl.so.1.1, libssl.so.1.0.2, libssl.so.1.0.0, libssl.so.10 in the image (\"No usable version of libssl was found\"): its crypto cannot run"
        )
    );
    assert_eq!(
        evidence_of(old, "dotnet-runtime"),
        [
            "Microsoft.NETCore.App 3.1.23-servicing.22122.4 (Microsoft.NETCore.App in Microsoft.NETCore.App.deps.json)"
        ]
    );

    // Self-contained: the shim beside the app, the runtime pack from deps.json.
    let sc = component(img, "/app/selfcontained/selfcontained.runtimeconfig.json");
    assert_eq!(sc["uses"][0], local);
    assert_eq!(
        evidence_of(sc, "dotnet-deps"),
        [
            "runtimeTarget .NETCoreApp,Version=v8.0/linux-x64",
            "runtime pack runtimepack.Microsoft.NETCore.App.Runtime.linux-x64 8.0.11"
        ]
    );
    assert_eq!(
        evidence_of(sc, "dotnet-runtime"),
        ["Microsoft.NETCore.App 8.0.11 (includedFrameworks of a self-contained app)"]
    );
    assert_eq!(
        component(img, "/app/broken/broken.runtimeconfig.json")["summary"],
        ".NET app whose /app/broken/broken.runtimeconfig.json cannot be read (invalid type: integer `8`, expected a string at line 6 column 18): what it runs on cannot be told"
    );
}
