//! .NET NativeAOT programs and libraries: ILCompiler links the app, the
//! runtime and the native parts of the libraries it uses into one ELF. No
//! runtimeconfig.json, no libcoreclr.so, no bundle. When the app reaches
//! System.Security.Cryptography, the OpenSSL shim is linked in too, and it
//! dlopens libssl by SONAME at the first crypto call (not at load: the real
//! ExcelReader.Native.so imports fine without libssl and aborts with "No
//! usable version of libssl was found" when it first encrypts). So such an
//! ELF is judged like any .NET shim: by the OpenSSL that search finds.
//!
//! What tells NativeAOT code (signatures/dotnet.toml): the sections ILC
//! emits, `.dotnet_eh_table` and `__modules`, and on .NET 10 builds the
//! ILCompiler version in `.comment`. The shim is told by its own strings:
//! unlike the single-file host, a NativeAOT image does not carry the shim's
//! library name (its P/Invokes are bound directly), nor always the
//! `CryptoNative_*` names, but it always carries the message the shim
//! prints when no libssl loads and the SONAMEs it tries.

use goblin::elf::Elf;
use serde::Serialize;

use super::LIBSSL_ORDER;
use super::host::DotnetHost;
use crate::detect::elf::{ElfFacts, ElfKind};
use crate::image::ImageConfig;
use crate::judge::Judgement;
use crate::report::Evidence;
use crate::signatures::Signatures;

pub const EH_TABLE_SECTION: &str = "dotnet.aot-eh-table-section";
pub const MODULES_SECTION: &str = "dotnet.aot-modules-section";
pub const ILC_COMMENT: &str = "dotnet.aot-ilc-comment";
pub const SHIM_NO_LIBSSL: &str = "dotnet.shim-no-libssl";
pub const VERSION_OVERRIDE_ENV: &str = "dotnet.openssl-version-override-env";
pub const VERSION_OVERRIDE_ENV_CLR: &str = "dotnet.openssl-version-override-env-clr";
pub const MARKER_IDS: [&str; 6] = [
    EH_TABLE_SECTION,
    MODULES_SECTION,
    ILC_COMMENT,
    SHIM_NO_LIBSSL,
    VERSION_OVERRIDE_ENV,
    VERSION_OVERRIDE_ENV_CLR,
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AotFacts {
    /// The NativeAOT sections found, as evidence.
    pub sections: Vec<String>,
    /// `.comment`'s ILCompiler line (`.NET: ilc 10.0.13-servicing…`), when
    /// the toolchain writes one (.NET 10 does; .NET 8 does not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ilc: Option<String>,
    /// The libssl SONAMEs the linked-in OpenSSL shim names, in the shim's
    /// order; empty when the shim is not linked in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub libssl: Vec<String>,
    /// The variable the shim reads for a libssl version to try first
    /// (`DOTNET_OPENSSL_VERSION_OVERRIDE` on .NET 10, `CLR_…` before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_env: Option<String>,
}

impl AotFacts {
    pub fn has_shim(&self) -> bool {
        !self.libssl.is_empty()
    }

    /// The .NET version ILC names (`10.0.13`), without build metadata.
    pub fn version(&self) -> Option<&str> {
        let line = self.ilc.as_deref()?;
        let v = line.rsplit(' ').next()?;
        let end = v.find(['-', '+']).unwrap_or(v.len());
        v.get(..end).filter(|s| !s.is_empty())
    }
}

/// The NativeAOT facts of an ELF, if it is NativeAOT code.
pub fn of(facts: &ElfFacts) -> Option<&AotFacts> {
    match facts.dotnet.as_ref()? {
        DotnetHost::NativeAot(a) => Some(a),
        DotnetHost::Apphost | DotnetHost::Bundle(_) => None,
    }
}

fn c_string(data: &[u8], s: &str) -> bool {
    let needle = [&[0u8][..], s.as_bytes(), &[0u8][..]].concat();
    memchr::memmem::find(data, &needle).is_some()
}

fn c_string_prefix(data: &[u8], s: &str) -> bool {
    let needle = [&[0u8][..], s.as_bytes()].concat();
    memchr::memmem::find(data, &needle).is_some()
}

/// NativeAOT facts of an ELF: None unless it has both ILC sections.
pub fn detect(elf: &Elf, data: &[u8], sigs: &Signatures) -> Option<AotFacts> {
    let names: Vec<&str> = elf
        .section_headers
        .iter()
        .filter_map(|s| elf.shdr_strtab.get_at(s.sh_name))
        .collect();
    let wanted = [EH_TABLE_SECTION, MODULES_SECTION];
    let sections: Vec<String> = wanted
        .iter()
        .filter_map(|id| names.iter().find(|n| sigs.matches(id, n)))
        .map(|n| (*n).to_string())
        .collect();
    if sections.len() != wanted.len() {
        return None;
    }
    let ilc = elf
        .section_headers
        .iter()
        .find(|s| elf.shdr_strtab.get_at(s.sh_name) == Some(".comment"))
        .and_then(|s| {
            let start = usize::try_from(s.sh_offset).ok()?;
            let end = start.checked_add(usize::try_from(s.sh_size).ok()?)?;
            data.get(start..end)
        })
        .and_then(|comment| {
            comment
                .split(|b| *b == 0)
                .filter_map(|l| std::str::from_utf8(l).ok())
                .find(|l| sigs.matches(ILC_COMMENT, l))
                .map(str::to_string)
        });
    let libssl = if c_string_prefix(data, sigs.pattern(SHIM_NO_LIBSSL)) {
        LIBSSL_ORDER
            .iter()
            .filter(|n| c_string(data, n))
            .map(|n| n.to_string())
            .collect()
    } else {
        Vec::new()
    };
    let override_env = [VERSION_OVERRIDE_ENV, VERSION_OVERRIDE_ENV_CLR]
        .iter()
        .map(|id| sigs.pattern(id))
        .find(|name| !libssl.is_empty() && c_string(data, name))
        .map(str::to_string);
    Some(AotFacts {
        sections,
        ilc,
        libssl,
        override_env,
    })
}

/// The SONAMEs the shim tries, in order, under the image's Env: the
/// override's version first (the real shim falls back to its own list when
/// that fails), then its list. The Env entry, when it counts, as evidence.
pub fn libssl_order(aot: &AotFacts, config: &ImageConfig) -> (Vec<String>, Option<Evidence>) {
    super::shim::with_override(aot.libssl.clone(), aot.override_env.as_deref(), config)
}

/// Judges a NativeAOT ELF at image path `p` that has the shim linked in.
/// `openssl` judges a shim of the given name that dlopens the given
/// SONAMEs, in order, from the image.
pub fn judge(
    p: &str,
    layer: &str,
    kind: ElfKind,
    aot: &AotFacts,
    config: &ImageConfig,
    openssl: impl FnOnce(&str, &[&str], Vec<Evidence>) -> Judgement,
) -> Judgement {
    let mut evidence = vec![
        Evidence::new(
            "marker",
            format!("NativeAOT sections {}", aot.sections.join(", ")),
        )
        .at(p, layer),
    ];
    if let Some(ilc) = &aot.ilc {
        evidence.push(Evidence::new("version-text", ilc.clone()).at(p, layer));
    }
    let (order, env) = libssl_order(aot, config);
    evidence.push(
        Evidence::new(
            "file",
            format!(
                "the .NET OpenSSL shim, linked in by NativeAOT, which dlopens {} (no DT_NEEDED)",
                aot.libssl.join(", ")
            ),
        )
        .at(p, layer),
    );
    evidence.extend(env);
    let name = aot
        .version()
        .map(|v| format!(".NET {v}"))
        .unwrap_or_else(|| ".NET".into());
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    let mut j = openssl(&name, &order, evidence);
    let what = if kind == ElfKind::SharedObject {
        "library"
    } else {
        "program"
    };
    j.summary = format!(
        ".NET NativeAOT {what}, OpenSSL shim linked in: {}",
        j.summary
    );
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(override_env: Option<&str>) -> AotFacts {
        AotFacts {
            sections: vec![".dotnet_eh_table".into(), "__modules".into()],
            ilc: Some(
                ".NET: ilc 10.0.13-servicing.26504.104+4099f83977f4d29604a9aeb971fb0a7bc1d5f699"
                    .into(),
            ),
            libssl: LIBSSL_ORDER.iter().map(|s| s.to_string()).collect(),
            override_env: override_env.map(str::to_string),
        }
    }

    fn config(env: &[&str]) -> ImageConfig {
        ImageConfig {
            env: env.iter().map(|s| s.to_string()).collect(),
            ..ImageConfig::default()
        }
    }

    #[test]
    fn version_from_the_ilc_line() {
        assert_eq!(facts(None).version(), Some("10.0.13"));
        let mut f = facts(None);
        f.ilc = Some(".NET: ilc 11.0.0-rc.2.26504.105+820230c3".into());
        assert_eq!(f.version(), Some("11.0.0"));
        f.ilc = None;
        assert_eq!(f.version(), None);
    }

    #[test]
    fn the_override_is_tried_first_then_the_list() {
        let f = facts(Some("DOTNET_OPENSSL_VERSION_OVERRIDE"));
        let (order, ev) = libssl_order(&f, &config(&["DOTNET_OPENSSL_VERSION_OVERRIDE=1.1"]));
        assert_eq!(
            order,
            [
                "libssl.so.1.1",
                "libssl.so.3",
                "libssl.so.1.0.2",
                "libssl.so.1.0.0",
                "libssl.so.10"
            ]
        );
        assert_eq!(
            ev.map(|e| e.detail),
            Some(
                "DOTNET_OPENSSL_VERSION_OVERRIDE=1.1: the shim tries libssl.so.1.1 first, then its own list"
                    .to_string()
            )
        );
        // A version outside the list goes in front of all five.
        let (order, _) = libssl_order(&f, &config(&["DOTNET_OPENSSL_VERSION_OVERRIDE=3.5"]));
        assert_eq!(order.len(), 6);
        assert_eq!(order[0], "libssl.so.3.5");
        // The variable this build does not read changes nothing.
        let (order, ev) = libssl_order(&f, &config(&["CLR_OPENSSL_VERSION_OVERRIDE=1.1"]));
        assert_eq!(order, LIBSSL_ORDER);
        assert!(ev.is_none());
        let long = format!("DOTNET_OPENSSL_VERSION_OVERRIDE={}", "9".repeat(33));
        let (order, ev) = libssl_order(&f, &config(&[long.as_str()]));
        assert_eq!(order, LIBSSL_ORDER);
        assert!(
            ev.unwrap()
                .detail
                .ends_with("ignored by the shim (empty or longer than 32 characters)")
        );
    }

    #[test]
    fn no_sections_no_facts() {
        // This test binary is an ordinary ELF: no ILC sections.
        let exe = std::env::current_exe().unwrap();
        let data = std::fs::read(exe).unwrap();
        let elf = Elf::parse(&data).unwrap();
        assert_eq!(detect(&elf, &data, Signatures::embedded()), None);
    }
}
