//! The .NET OpenSSL shim (System.Security.Cryptography.Native.OpenSsl):
//! in a shared or self-contained runtime, linked into a single-file host or
//! NativeAOT code. It dlopens the first libssl of its SONAME list the image
//! has (an override variable in the Env puts one first), so .NET is judged
//! by that OpenSSL.

use super::super::Judgement;
use super::super::link::{Lib, Linker};
use super::super::native::NativeCtx;
use super::super::openssl::OpensslInstall;
use super::aot::{VERSION_OVERRIDE_ENV, VERSION_OVERRIDE_ENV_CLR};
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::report::Evidence;
use crate::score::Status;
use crate::signatures::Signatures;

/// The shim builds `libssl.so.<override>` in a buffer of this many
/// characters for the version (opensslshim.c, MaxVersionStringLength) and
/// ignores a longer value.
const MAX_OVERRIDE_CHARS: usize = 32;

/// .NET has no crypto of its own on Linux: its shim dlopens libssl by
/// SONAME, so it is judged by the OpenSSL that search finds.
pub fn judge<'a>(
    own: Lib<'a>,
    linker: &Linker<'a>,
    nctx: &NativeCtx<'a>,
    layer: &str,
    install_of: impl FnOnce(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let sigs = nctx.sigs;
    let shim = Evidence::new(
        "file",
        "the .NET OpenSSL shim, which dlopens libssl (no DT_NEEDED)",
    )
    .at(own.path, layer);
    // Which SONAMEs it tries depends on the runtime it belongs to.
    let runtime = super::shim_runtime(nctx.view, own.path);
    let name = runtime
        .as_ref()
        .map(|r| format!(".NET runtime {}", r.version))
        .unwrap_or_else(|| ".NET runtime".into());
    // The image Env can put another libssl first (the variable the
    // runtime's version reads).
    let env = runtime
        .as_ref()
        .and_then(|r| override_env_of(r.version.major, sigs));
    let list = super::libssl_order(runtime.as_ref())
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (order, set) = with_override(list, env, nctx.config);
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    let mut evidence = vec![shim];
    evidence.extend(runtime.map(|r| r.evidence));
    evidence.extend(set);
    openssl(own, &name, &order, evidence, linker, sigs, install_of)
}

/// .NET crypto through a shim (of the runtime `name`) that dlopens the
/// first of `order` the image has, from a program of `own`'s class and machine.
pub fn openssl<'a>(
    own: Lib<'a>,
    name: &str,
    order: &[&str],
    evidence: Vec<Evidence>,
    linker: &Linker<'a>,
    sigs: &Signatures,
    install_of: impl FnOnce(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let libssl = order
        .iter()
        .find_map(|n| linker.dlopen(n, own.facts.bits, &own.facts.machine));
    let libcrypto = libssl.and_then(|ssl| {
        linker
            .closure(ssl.path, ssl.facts)
            .into_iter()
            .find(|l| crate::judge::is_libcrypto(l, sigs))
    });
    match (libssl, libcrypto) {
        (Some(ssl), Some(crypto)) => {
            let mut j = install_of(crypto).judge(sigs);
            j.evidence.splice(0..0, evidence);
            let provider = std::mem::take(&mut j.uses);
            j.uses = [ssl.path.to_string(), crypto.path.to_string()]
                .into_iter()
                .chain(provider)
                .collect();
            j.summary = format!("{name} {}", j.summary);
            j
        }
        _ => {
            let mut j = Judgement::new(
                Status::NonFips,
                Code::DotnetNoLibssl,
                format!(
                    "{name} finds none of {} in the image (\"No usable version of libssl was found\"): its crypto cannot run",
                    order.join(", ")
                ),
            );
            j.evidence = evidence;
            j.remediation = Some(if order.contains(&"libssl.so.3") {
                "install an OpenSSL 3 with a validated FIPS provider in the image".into()
            } else {
                // Before .NET 6 the shim cannot load OpenSSL 3 at all.
                "move the app to .NET 6 or later (the first to load OpenSSL 3), on an OpenSSL 3 with a validated FIPS provider".into()
            });
            j
        }
    }
}

/// `order` with `libssl.so.<value>` of the override variable `name` (when
/// the image Env sets it, to a value the shim accepts) tried first.
pub fn with_override(
    mut order: Vec<String>,
    name: Option<&str>,
    config: &ImageConfig,
) -> (Vec<String>, Option<Evidence>) {
    let set = name.and_then(|name| Some((name, config.env_var(name)?)));
    let Some((name, v)) = set else {
        return (order, None);
    };
    if v.is_empty() || v.chars().count() > MAX_OVERRIDE_CHARS {
        let ev = Evidence::new(
            "image-env",
            format!(
                "{name}={v}: ignored by the shim (empty or longer than {MAX_OVERRIDE_CHARS} characters)"
            ),
        );
        return (order, Some(ev));
    }
    let first = format!("libssl.so.{v}");
    order.retain(|n| *n != first);
    order.insert(0, first.clone());
    let ev = Evidence::new(
        "image-env",
        format!("{name}={v}: the shim tries {first} first, then its own list"),
    );
    (order, Some(ev))
}

/// The override variable the shim of a .NET `major` version reads, as the
/// real shims carry it: `CLR_OPENSSL_VERSION_OVERRIDE` in .NET 8 and 9,
/// `DOTNET_OPENSSL_VERSION_OVERRIDE` in .NET 10 (signatures: the two
/// `dotnet.openssl-version-override-env*` markers). Earlier versions were
/// not checked: none.
pub fn override_env_of(major: u64, sigs: &Signatures) -> Option<&str> {
    match major {
        8 | 9 => Some(sigs.pattern(VERSION_OVERRIDE_ENV_CLR)),
        10.. => Some(sigs.pattern(VERSION_OVERRIDE_ENV)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(env: &[&str]) -> ImageConfig {
        ImageConfig {
            env: env.iter().map(|s| s.to_string()).collect(),
            ..ImageConfig::default()
        }
    }

    #[test]
    fn each_runtime_reads_its_own_override_name() {
        let sigs = Signatures::embedded();
        assert_eq!(override_env_of(6, sigs), None);
        assert_eq!(
            override_env_of(8, sigs),
            Some("CLR_OPENSSL_VERSION_OVERRIDE")
        );
        assert_eq!(
            override_env_of(9, sigs),
            Some("CLR_OPENSSL_VERSION_OVERRIDE")
        );
        assert_eq!(
            override_env_of(10, sigs),
            Some("DOTNET_OPENSSL_VERSION_OVERRIDE")
        );
        let list = vec!["libssl.so.3".to_string(), "libssl.so.1.1".to_string()];
        let (order, ev) = with_override(
            list.clone(),
            None,
            &config(&["CLR_OPENSSL_VERSION_OVERRIDE=1.1"]),
        );
        assert_eq!((order, ev), (list, None));
    }
}
