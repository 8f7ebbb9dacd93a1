use super::*;

#[test]
fn names() {
    assert!(is_shim(
        "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11/libSystem.Security.Cryptography.Native.OpenSsl.so"
    ));
    assert!(is_shim(
        "usr/share/dotnet/shared/Microsoft.NETCore.App/3.1.23/System.Security.Cryptography.Native.OpenSsl.so"
    ));
    assert!(!is_shim(
        "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11/System.Security.Cryptography.dll"
    ));
    let (root, name, v) =
        shared_framework_of("usr/lib/dotnet/shared/Microsoft.AspNetCore.App/8.0.11").unwrap();
    assert_eq!(
        (root, name, v.to_string().as_str()),
        ("usr/lib/dotnet", "Microsoft.AspNetCore.App", "8.0.11")
    );
    assert!(shared_framework_of("app/shared/x/notaversion").is_none());
    assert!(is_runtimeconfig("app/api.runtimeconfig.json"));
    assert!(!is_runtimeconfig("app/api.runtimeconfig.dev.json"));
}

#[test]
fn entrypoint_of_dotnet_app_dll() {
    let cfg = |e: &[&str], wd: Option<&str>| ImageConfig {
        entrypoint: e.iter().map(|s| s.to_string()).collect(),
        working_dir: wd.map(str::to_string),
        ..ImageConfig::default()
    };
    assert_eq!(
        entrypoint_app(&cfg(&["dotnet", "api.dll"], Some("/app/"))).as_deref(),
        Some("/app/api.runtimeconfig.json")
    );
    assert_eq!(
        entrypoint_app(&cfg(
            &["/usr/share/dotnet/dotnet", "/app/api/api.dll"],
            None
        ))
        .as_deref(),
        Some("/app/api/api.runtimeconfig.json")
    );
    assert_eq!(entrypoint_app(&cfg(&["/app/api"], None)), None);
}
