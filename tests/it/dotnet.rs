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
        evidence_details(api)[..6],
        [
            "framework-dependent: Microsoft.NETCore.App 8.0.0 (rollForward Minor), tfm net8.0",
            // `dotnet api.dll`: the muxer's own root, whatever DOTNET_ROOT says.
            "started by the muxer /usr/share/dotnet/dotnet (the image entrypoint): frameworks from /usr/share/dotnet",
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

const LIBSSL: &str = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
const LIBCRYPTO: &str = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";

/// The judgement of Debian 12's OpenSSL 3 without a FIPS provider, as the
/// summaries end.
fn debian_openssl() -> String {
    format!(
        "uses OpenSSL {} ({LIBCRYPTO}), which has no FIPS provider (no fips.so in /usr/lib/x86_64-linux-gnu/ossl-modules)",
        debian_openssl_upstream()
    )
}

/// Every component except Debian's OpenSSL libraries and openssl(1).
fn dotnet_components(img: &serde_json::Value) -> Vec<(String, String, String, String, bool)> {
    img["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let p = c["path"].as_str().unwrap();
            !p.starts_with("/usr/lib/x86_64-linux-gnu/") && p != "/usr/bin/openssl"
        })
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["code"].as_str().unwrap().to_string(),
                c["entrypoint"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn dc(
    path: &str,
    kind: &str,
    status: &str,
    code: &str,
    ep: bool,
) -> (String, String, String, String, bool) {
    (path.into(), kind.into(), status.into(), code.into(), ep)
}

#[test]
fn a_real_single_file_app_is_judged_by_the_image_openssl_its_host_loads() {
    let (code, doc) = scan_json(&oci("dotnet-single-file"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 15));
    assert_eq!(findings(img), vec![]);
    assert_eq!(
        dotnet_components(img),
        vec![dc(
            "/app/Sarif.Multitool",
            "native-program",
            "non-fips",
            "openssl-no-fips-provider",
            true
        )]
    );
    let app = component(img, "/app/Sarif.Multitool");
    assert_eq!(
        app["summary"],
        format!(
            ".NET single-file app, self-contained: .NET runtime 8.0.30 {}",
            debian_openssl()
        )
    );
    assert_eq!(
        app["module"],
        format!("OpenSSL {} ({LIBCRYPTO})", debian_openssl_upstream())
    );
    assert_eq!(
        app["sha256"],
        "7eb1ad4dafe036e978464d55a9fed12b7cbb094639fc0ecd9fcd2a2ac84dfe80"
    );
    assert_eq!(app["uses"], serde_json::json!([LIBSSL, LIBCRYPTO]));
    // The manifest as the real bundle has it, the runtime from the bundled
    // runtimeconfig.json and deps.json, the shim linked into the host.
    assert_eq!(
        evidence_details(app)[..6],
        [
            "single-file bundle 6.0: 266 files, manifest at offset 95706151",
            "self-contained: includedFrameworks Microsoft.NETCore.App 8.0.30",
            "runtimeTarget .NETCoreApp,Version=v8.0/linux-x64",
            "runtime pack runtimepack.Microsoft.NETCore.App.Runtime.linux-x64 8.0.30",
            "Microsoft.NETCore.App 8.0.30 (includedFrameworks of the bundled runtimeconfig.json)",
            "the .NET OpenSSL shim, linked into the single-file host, which dlopens libssl.so.3, libssl.so.1.1, libssl.so.1.0.2, libssl.so.1.0.0, libssl.so.10 (no DT_NEEDED)",
        ]
    );
    let paths: Vec<&str> = app["evidence"].as_array().unwrap()[..6]
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/app/Sarif.Multitool",
            "/app/Sarif.Multitool!/Sarif.Multitool.runtimeconfig.json",
            "/app/Sarif.Multitool!/Sarif.Multitool.deps.json",
            "/app/Sarif.Multitool!/Sarif.Multitool.deps.json",
            "/app/Sarif.Multitool!/Sarif.Multitool.runtimeconfig.json",
            "/app/Sarif.Multitool",
        ]
    );
    assert_eq!(
        img["entrypoint"]["crypto"],
        serde_json::json!([format!(
            "OpenSSL {} ({LIBCRYPTO})",
            debian_openssl_upstream()
        )])
    );
}

#[test]
fn bundled_bouncycastle_and_a_cut_bundle() {
    let (code, doc) = scan_json(&oci("dotnet-single-file-variants"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(verdict(img), ("not-ready", 0));
    assert_eq!(
        dotnet_components(img),
        vec![
            dc(
                "/app/bc/Sarif.Multitool",
                "native-program",
                "non-fips",
                "dotnet-managed-crypto",
                true
            ),
            dc(
                "/app/bc/Sarif.Multitool!/BouncyCastle.Cryptography.dll",
                "managed-assembly",
                "non-fips",
                "dotnet-managed-crypto",
                false
            ),
            dc(
                "/app/cut/Sarif.Multitool",
                "native-program",
                "unknown",
                "dotnet-bundle-invalid",
                false
            ),
        ]
    );
    // BouncyCastle in the bundled deps.json and as a (deflated) bundled DLL.
    let bc = component(img, "/app/bc/Sarif.Multitool");
    assert_eq!(
        bc["module"],
        "BouncyCastle.Cryptography 2.4.0, BouncyCastle.Cryptography.dll (managed)"
    );
    assert_eq!(
        bc["summary"],
        ".NET single-file app whose bundle carries BouncyCastle.Cryptography 2.4.0, BouncyCastle.Cryptography.dll: managed crypto that bypasses OpenSSL and has no FIPS validation"
    );
    assert_eq!(
        evidence_of(bc, "dotnet-bundle"),
        ["single-file bundle 6.0: 4 files, manifest at offset 11121000"]
    );
    assert_eq!(
        evidence_of(bc, "dotnet-deps"),
        [
            "runtimeTarget .NETCoreApp,Version=v8.0/linux-x64",
            "runtime pack runtimepack.Microsoft.NETCore.App.Runtime.linux-x64 8.0.30",
            "package BouncyCastle.Cryptography 2.4.0"
        ]
    );
    assert_eq!(
        evidence_of(bc, "file")[0],
        "bundled BouncyCastle.Cryptography.dll"
    );
    // The cut copy: a finding with its path, and the scan went on.
    assert_eq!(
        findings(img),
        vec![(
            "dotnet-bundle-invalid".to_string(),
            "/app/cut/Sarif.Multitool".to_string()
        )]
    );
    let why = "the bundle header offset 95706151 is not inside the file (20000000 bytes): the file is truncated or its marker is corrupt";
    let f = &img["findings"][0];
    assert_eq!(
        f["message"],
        format!("single-file .NET app whose bundle cannot be read: {why}")
    );
    assert_eq!(f["severity"], "error");
    let cut = component(img, "/app/cut/Sarif.Multitool");
    assert_eq!(
        cut["summary"],
        format!(
            ".NET single-file app whose bundle cannot be read ({why}): what it runs on cannot be told"
        )
    );
    assert_eq!(
        evidence_details(cut),
        ["bundle marker: manifest at offset 95706151"]
    );
}

const OPT8: &str = "/opt/dotnet/shared/Microsoft.NETCore.App/8.0.11";
const OPT31: &str = "/opt/dotnet/shared/Microsoft.NETCore.App/3.1.23";

/// The resolution evidence of an app: image Env, host, framework.
fn resolution(c: &serde_json::Value) -> Vec<String> {
    c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            ["image-env", "dotnet-host", "dotnet-framework"].contains(&e["kind"].as_str().unwrap())
        })
        .map(|e| e["detail"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dotnet_root_points_apphosts_at_the_runtime() {
    let (code, doc) = scan_json(&oci("dotnet-root"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(img["env"], serde_json::json!(["DOTNET_ROOT=/opt/dotnet"]));
    assert_eq!(findings(img), vec![]);
    let shim8 = format!("{OPT8}/libSystem.Security.Cryptography.Native.OpenSsl.so");
    let shim31 = format!("{OPT31}/System.Security.Cryptography.Native.OpenSsl.so");
    assert_eq!(
        dotnet_components(img),
        vec![
            dc(
                "/app/tool/tool.runtimeconfig.json",
                "managed-assembly",
                "non-fips",
                "openssl-no-fips-provider",
                true
            ),
            dc(
                "/app/old/old.runtimeconfig.json",
                "managed-assembly",
                "non-fips",
                "dotnet-no-libssl",
                false
            ),
            dc(
                "/app/sf/sf",
                "native-program",
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
            dc(
                &shim31,
                "shared-library",
                "non-fips",
                "dotnet-no-libssl",
                false
            ),
            dc(
                &shim8,
                "shared-library",
                "non-fips",
                "openssl-no-fips-provider",
                false
            ),
        ]
    );
    let tool = component(img, "/app/tool/tool.runtimeconfig.json");
    assert_eq!(
        resolution(tool),
        [
            "DOTNET_ROOT=/opt/dotnet",
            "apphost /app/tool/tool looks for .NET in /opt/dotnet (DOTNET_ROOT in the image Env)",
            "Microsoft.NETCore.App 8.0.0 resolves to 8.0.11 (rollForward Minor)",
        ]
    );
    assert_eq!(
        tool["summary"],
        format!(
            ".NET app on the runtime at {OPT8}: .NET runtime 8.0.11 {}",
            debian_openssl()
        )
    );
    assert_eq!(tool["uses"], serde_json::json!([shim8, LIBSSL, LIBCRYPTO]));
    // The runtimeconfig's per-framework LatestPatch keeps 3.1.0 on 3.1.
    let old = component(img, "/app/old/old.runtimeconfig.json");
    assert_eq!(
        resolution(old),
        [
            "DOTNET_ROOT=/opt/dotnet",
            "apphost /app/old/old looks for .NET in /opt/dotnet (DOTNET_ROOT in the image Env)",
            "Microsoft.NETCore.App 3.1.0 resolves to 3.1.23 (rollForward LatestPatch)",
        ]
    );
    assert_eq!(old["uses"], serde_json::json!([shim31]));
    // A framework-dependent single-file app is an apphost too.
    let sf = component(img, "/app/sf/sf");
    assert_eq!(
        evidence_of(sf, "dotnet-bundle"),
        ["single-file bundle 6.0: 3 files, manifest at offset 16887"]
    );
    assert_eq!(
        evidence_of(sf, "dotnet-runtimeconfig"),
        ["framework-dependent: Microsoft.NETCore.App 8.0.0 (rollForward Minor), tfm net8.0"]
    );
    assert_eq!(
        resolution(sf),
        [
            "DOTNET_ROOT=/opt/dotnet",
            "apphost /app/sf/sf looks for .NET in /opt/dotnet (DOTNET_ROOT in the image Env)",
            "Microsoft.NETCore.App 8.0.0 resolves to 8.0.11 (rollForward Minor)",
        ]
    );
    assert_eq!(
        sf["summary"],
        format!(
            ".NET single-file app on the runtime at {OPT8}: .NET runtime 8.0.11 {}",
            debian_openssl()
        )
    );
    assert_eq!(
        component(img, &shim8)["used_by"],
        serde_json::json!(["/app/tool/tool.runtimeconfig.json", "/app/sf/sf"])
    );
    // The entrypoint is the apphost; the app it runs is marked.
    assert_eq!(img["entrypoint"]["path"], "/app/tool/tool");
}

#[test]
fn dotnet_roll_forward_overrides_the_runtimeconfig() {
    let (code, doc) = scan_json(&oci("dotnet-root-rollforward"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(
        img["env"],
        serde_json::json!(["DOTNET_ROOT=/opt/dotnet", "DOTNET_ROLL_FORWARD=LatestMajor"])
    );
    // old asks 3.1.0 with rollForward LatestPatch; the Env's LatestMajor wins: 8.0.11.
    let old = component(img, "/app/old/old.runtimeconfig.json");
    assert_eq!(
        (old["status"].as_str(), old["code"].as_str()),
        (Some("non-fips"), Some("openssl-no-fips-provider"))
    );
    assert_eq!(
        resolution(old),
        [
            "DOTNET_ROLL_FORWARD=LatestMajor: overrides the runtimeconfig's rollForward",
            "DOTNET_ROOT=/opt/dotnet",
            "apphost /app/old/old looks for .NET in /opt/dotnet (DOTNET_ROOT in the image Env)",
            "Microsoft.NETCore.App 3.1.0 resolves to 8.0.11 (rollForward LatestMajor from DOTNET_ROLL_FORWARD)",
        ]
    );
    assert_eq!(
        old["summary"],
        format!(
            ".NET app on the runtime at {OPT8}: .NET runtime 8.0.11 {}",
            debian_openssl()
        )
    );
    let shim8 = format!("{OPT8}/libSystem.Security.Cryptography.Native.OpenSsl.so");
    assert_eq!(
        component(img, &shim8)["used_by"],
        serde_json::json!([
            "/app/old/old.runtimeconfig.json",
            "/app/tool/tool.runtimeconfig.json",
            "/app/sf/sf"
        ])
    );
    assert_eq!(
        evidence_of(component(img, "/app/sf/sf"), "dotnet-framework"),
        [
            "Microsoft.NETCore.App 8.0.0 resolves to 8.0.11 (rollForward LatestMajor from DOTNET_ROLL_FORWARD)"
        ]
    );
}

#[test]
fn without_dotnet_root_apphosts_look_in_the_default_location() {
    let (code, doc) = scan_json(&oci("dotnet-root-unset"), &[]);
    let img = image(&doc);
    assert_eq!(code, 1);
    assert_eq!(img["env"], serde_json::Value::Null);
    let why = |app: &str| {
        format!(
            "the apphost {app} looks for .NET in /usr/share/dotnet (the default location; DOTNET_ROOT is not set), which is not in the image"
        )
    };
    assert_eq!(
        findings(img),
        vec![
            (
                "dotnet-framework-missing".into(),
                "/app/old/old.runtimeconfig.json".into()
            ),
            (
                "dotnet-framework-missing".into(),
                "/app/sf/sf!/sf.runtimeconfig.json".into()
            ),
            (
                "dotnet-framework-missing".into(),
                "/app/tool/tool.runtimeconfig.json".into()
            ),
        ]
    );
    let expect = [
        (
            "/app/tool/tool.runtimeconfig.json",
            "/app/tool/tool",
            ".NET app",
        ),
        (
            "/app/old/old.runtimeconfig.json",
            "/app/old/old",
            ".NET app",
        ),
        ("/app/sf/sf", "/app/sf/sf", ".NET single-file app"),
    ];
    for (path, apphost, what) in expect {
        let c = component(img, path);
        assert_eq!(
            (c["status"].as_str(), c["code"].as_str()),
            (Some("unknown"), Some("dotnet-framework-missing")),
            "{path}"
        );
        assert_eq!(c["summary"], format!("{what}: {}", why(apphost)));
        assert_eq!(
            evidence_of(c, "dotnet-host"),
            [format!(
                "apphost {apphost} looks for .NET in /usr/share/dotnet (the default location; DOTNET_ROOT is not set)"
            )]
        );
        assert_eq!(evidence_of(c, "dotnet-framework"), Vec::<String>::new());
    }
    assert_eq!(
        component(img, "/app/tool/tool.runtimeconfig.json")["entrypoint"],
        true
    );
}

/// CLR_OPENSSL_VERSION_OVERRIDE=1.1 in the Env makes the .NET 8 shim try
/// libssl.so.1.1 first; the image also has AlmaLinux 8's real 1.1.1k FIPS
/// build, so the app runs on that, not on Debian's libssl3 (the variable's
/// name per version is read from real .NET 8/9/10 shims).
#[test]
fn openssl_version_override_picks_another_libssl() {
    let (_, doc) = scan_json(&oci("dotnet-app-openssl-override"), &[]);
    let img = image(&doc);
    let api = component(img, "/app/api/api.runtimeconfig.json");
    assert_eq!(
        (api["status"].as_str(), api["code"].as_str()),
        (Some("host-dependent"), Some("openssl-legacy-version"))
    );
    assert_eq!(
        api["needs"],
        serde_json::json!(["kernel-fips-mode", "rhel-fips-host"])
    );
    assert_eq!(
        api["summary"],
        ".NET app on the runtime at /usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11: .NET runtime 8.0.11 uses OpenSSL 1.1.1k (/usr/lib64/libcrypto.so.1.1.1k), a vendor FIPS build: it enters FIPS mode on a FIPS host; its .hmac integrity files match"
    );
    assert_eq!(
        evidence_of(api, "image-env"),
        ["CLR_OPENSSL_VERSION_OVERRIDE=1.1: the shim tries libssl.so.1.1 first, then its own list"]
    );
    // Without the override the same runtime takes Debian's libssl.so.3.
    let (_, doc) = scan_json(&oci("dotnet-app"), &[]);
    let api = component(image(&doc), "/app/api/api.runtimeconfig.json");
    assert!(
        api["summary"]
            .as_str()
            .unwrap()
            .contains("uses OpenSSL 3.0."),
        "{}",
        api["summary"]
    );
    assert!(evidence_of(api, "image-env").is_empty());
}
