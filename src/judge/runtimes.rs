//! Code that a runtime loads by itself rather than through DT_NEEDED:
//! Python extension modules (`import hashlib` loads `_hashlib`, which links
//! libcrypto; pyca `cryptography` brings its own OpenSSL), and .NET's
//! OpenSSL shim, which dlopens `libssl.so.N` (no DT_NEEDED at all). Such
//! libraries count like programs when the runtime that loads them is in
//! the image. Managed crypto assemblies (BouncyCastle for .NET) bypass the
//! image's OpenSSL entirely.

use crate::layer::path;
use crate::layer::squash::FsView;
use crate::report::{Component, ComponentKind};

/// Managed crypto assemblies that do not use OpenSSL (SIGNATURES.md §5).
pub const DOTNET_MANAGED_CRYPTO: &[&str] =
    &["BouncyCastle.Crypto.dll", "BouncyCastle.Cryptography.dll"];

fn is_python_interpreter(p: &str) -> bool {
    let name = path::file_name(p);
    let in_bin = path::parent(p).ends_with("bin");
    in_bin
        && (name == "python3"
            || name
                .strip_prefix("python3.")
                .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())))
}

/// A shared object that Python imports: stdlib extension modules and packages.
pub fn is_python_extension(p: &str) -> bool {
    p.ends_with(".so")
        && p.split('/')
            .any(|d| d == "lib-dynload" || d == "site-packages" || d == "dist-packages")
}

/// Python interpreters in the image (ELF executables named python3 or python3.N in a bin directory).
pub fn python_interpreters(view: &FsView) -> Vec<String> {
    view.nodes
        .iter()
        .filter(|(p, vn)| is_python_interpreter(p) && super::link::elf_facts(vn).is_some())
        .map(|(p, _)| format!("/{p}"))
        .collect()
}

/// .NET runtimes: the shared framework holding the shim, or a self-contained app beside it.
pub fn is_dotnet_shim(p: &str) -> bool {
    super::dotnet::is_shim(p)
}

/// Marks libraries that a runtime in the image loads as counting, and
/// names the runtime that loads them.
pub fn attach_runtime_users(components: &mut [Component], python: &[String]) {
    for c in components
        .iter_mut()
        .filter(|c| c.kind == ComponentKind::SharedLibrary)
    {
        let p = c.path.trim_start_matches('/');
        if is_python_extension(p) && !python.is_empty() {
            c.counts = true;
            for interp in python {
                if !c.used_by.contains(interp) {
                    c.used_by.push(interp.clone());
                }
            }
        } else if is_dotnet_shim(p) {
            // The shim exists to serve the .NET runtime beside it.
            c.counts = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_paths() {
        assert!(is_python_interpreter("usr/bin/python3.11"));
        assert!(is_python_interpreter("usr/local/bin/python3"));
        assert!(!is_python_interpreter("usr/bin/python3-config"));
        assert!(!is_python_interpreter("usr/lib/python3.11"));
        assert!(is_python_extension(
            "usr/lib/python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so"
        ));
        assert!(is_python_extension(
            "usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so"
        ));
        assert!(!is_python_extension("usr/lib/x86_64-linux-gnu/libssl.so.3"));
    }

    #[test]
    fn dotnet_names() {
        assert!(is_dotnet_shim(
            "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11/libSystem.Security.Cryptography.Native.OpenSsl.so"
        ));
    }
}
