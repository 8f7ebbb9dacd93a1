//! What an ELF program says about .NET hosting, read while the layer walk
//! holds its bytes: an apphost (the native launcher `dotnet publish` puts
//! beside app.dll) or a single-file app (an apphost with the app bundled in).
//! Both carry the bundle marker in their writable data, so only those
//! sections are searched: ordinary programs cost a search of a few KiB.

use goblin::elf::Elf;
use goblin::elf::program_header::{PF_W, PT_LOAD};
use goblin::elf::section_header::{SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_PROGBITS};
use serde::Serialize;

use super::bundle::{self, EntryKind, Manifest};
use super::{LIBSSL_ORDER, SHIM_NAMES, config};
use crate::finding::{Code, Finding};

/// The read bound of a bundled runtimeconfig.json or deps.json: the bound
/// detection puts on those files on disk.
const MAX_JSON_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum DotnetHost {
    /// An apphost with no bundle: it runs the app.dll beside it.
    Apphost,
    /// A single-file app.
    Bundle(Box<BundleFacts>),
    /// NativeAOT code: no host at all, the runtime is linked in (`super::aot`).
    NativeAot(Box<super::aot::AotFacts>),
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BundleFacts {
    /// Where the marker says the manifest starts.
    pub header_offset: i64,
    /// Bundle format version, e.g. `6.0` (.NET 6 and later).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    pub files: usize,
    /// Why the bundle cannot be read (truncated, corrupt); nothing else is known then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtimeconfig: Option<EmbeddedConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deps: Option<EmbeddedDeps>,
    /// Bundled managed crypto assemblies (BouncyCastle*.dll), by bundle path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub crypto_assemblies: Vec<String>,
    /// The OpenSSL shim as a bundled native file, extracted at run time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shim_entry: Option<String>,
    /// The libssl SONAMEs the host itself names, in the shim's order: the
    /// .NET 6+ single-file host has the OpenSSL shim linked in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub host_libssl: Vec<String>,
}

/// The bundled runtimeconfig.json: its bundle path and text, or why not.
#[derive(Debug, Clone, Serialize)]
pub struct EmbeddedConfig {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What judgement needs of the bundled deps.json (read here: it can be large).
#[derive(Debug, Clone, Serialize)]
pub struct EmbeddedDeps {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_target: Option<String>,
    /// Runtime packs, as "Name Version".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime_packs: Vec<String>,
    /// Managed crypto packages, as "Name Version".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_crypto: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The file ranges of the ELF's writable data: PROGBITS sections that are
/// written and not executed, or the writable PT_LOAD segments when the
/// section headers are gone.
fn writable_ranges(elf: &Elf) -> Vec<(u64, u64)> {
    let sections: Vec<(u64, u64)> = elf
        .section_headers
        .iter()
        .filter(|s| {
            s.sh_type == SHT_PROGBITS
                && s.sh_flags & u64::from(SHF_WRITE | SHF_ALLOC) == u64::from(SHF_WRITE | SHF_ALLOC)
                && s.sh_flags & u64::from(SHF_EXECINSTR) == 0
        })
        .map(|s| (s.sh_offset, s.sh_size))
        .collect();
    if !sections.is_empty() {
        return sections;
    }
    elf.program_headers
        .iter()
        .filter(|p| p.p_type == PT_LOAD && p.p_flags & PF_W != 0)
        .map(|p| (p.p_offset, p.p_filesz))
        .collect()
}

/// Where the signature sits in `data`, searched in the given ranges only.
fn marker_at(data: &[u8], ranges: &[(u64, u64)]) -> Option<usize> {
    ranges.iter().find_map(|&(offset, size)| {
        let start = usize::try_from(offset).ok()?;
        let end = start
            .saturating_add(usize::try_from(size).unwrap_or(usize::MAX))
            .min(data.len());
        let hit = memchr::memmem::find(data.get(start..end)?, &bundle::SIGNATURE)?;
        Some(start + hit)
    })
}

/// Whether this ELF is a .NET apphost, and what its bundle holds; else
/// whether it is NativeAOT code.
pub fn detect(elf: &Elf, data: &[u8]) -> Option<DotnetHost> {
    let Some(at) = marker_at(data, &writable_ranges(elf)) else {
        return super::aot::detect(elf, data, crate::signatures::Signatures::active())
            .map(|a| DotnetHost::NativeAot(Box::new(a)));
    };
    let offset_bytes: [u8; 8] = data.get(at.checked_sub(8)?..at)?.try_into().ok()?;
    match i64::from_le_bytes(offset_bytes) {
        0 => Some(DotnetHost::Apphost),
        offset => Some(DotnetHost::Bundle(Box::new(bundle_facts(data, offset)))),
    }
}

/// What a bundle that does not read says, as findings at the file (or at
/// the bundled file: `app/tool!/tool.deps.json`); the scan goes on.
pub fn findings(path: &str, host: &DotnetHost) -> Vec<Finding> {
    let DotnetHost::Bundle(b) = host else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(e) = &b.error {
        out.push(
            Finding::new(
                Code::DotnetBundleInvalid,
                format!("single-file .NET app whose bundle cannot be read: {e}"),
            )
            .at(path),
        );
    }
    let rc = b
        .runtimeconfig
        .as_ref()
        .and_then(|c| Some((&c.path, c.error.as_ref()?)));
    let deps = b
        .deps
        .as_ref()
        .and_then(|d| Some((&d.path, d.error.as_ref()?)));
    for (inner, e) in rc.into_iter().chain(deps) {
        out.push(
            Finding::new(Code::DotnetConfigInvalid, format!("cannot be read: {e}"))
                .at(format!("{path}!/{inner}")),
        );
    }
    out
}

fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// A managed crypto assembly by its file name: BouncyCastle*.dll.
fn is_crypto_assembly(p: &str) -> bool {
    let name = file_name(p).to_ascii_lowercase();
    name.starts_with("bouncycastle") && name.ends_with(".dll")
}

pub fn bundle_facts(data: &[u8], header_offset: i64) -> BundleFacts {
    let mut facts = BundleFacts {
        header_offset,
        ..BundleFacts::default()
    };
    let m = match bundle::parse(data, header_offset) {
        Ok(m) => m,
        Err(e) => {
            facts.error = Some(e.to_string());
            return facts;
        }
    };
    facts.version = format!("{}.{}", m.major, m.minor);
    facts.files = m.entries.len();
    facts.runtimeconfig = m
        .entries
        .iter()
        .find(|e| e.kind == EntryKind::RuntimeConfigJson)
        .map(|e| match bundle::read_entry(data, e, MAX_JSON_BYTES) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                EmbeddedConfig {
                    path: e.path.clone(),
                    error: config::parse_runtimeconfig(&text).err(),
                    text: Some(text),
                }
            }
            Err(err) => EmbeddedConfig {
                path: e.path.clone(),
                text: None,
                error: Some(err.to_string()),
            },
        });
    facts.deps = m
        .entries
        .iter()
        .find(|e| e.kind == EntryKind::DepsJson)
        .map(|e| {
            let parsed = bundle::read_entry(data, e, MAX_JSON_BYTES)
                .map_err(|err| err.to_string())
                .and_then(|b| config::parse_deps(&String::from_utf8_lossy(&b)));
            let mut d = EmbeddedDeps {
                path: e.path.clone(),
                runtime_target: None,
                runtime_packs: Vec::new(),
                managed_crypto: Vec::new(),
                error: None,
            };
            match parsed {
                Ok(deps) => {
                    d.runtime_target = deps.runtime_target.as_ref().map(|t| t.name.clone());
                    d.runtime_packs = deps
                        .libraries()
                        .filter(|(_, _, k)| *k == "runtimepack")
                        .map(|(n, v, _)| format!("{n} {v}"))
                        .collect();
                    d.managed_crypto = super::managed_crypto(&deps);
                }
                Err(err) => d.error = Some(err),
            }
            d
        });
    facts.crypto_assemblies = m
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Assembly && is_crypto_assembly(&e.path))
        .map(|e| e.path.clone())
        .collect();
    facts.shim_entry = m
        .entries
        .iter()
        .find(|e| e.kind == EntryKind::NativeBinary && SHIM_NAMES.contains(&file_name(&e.path)))
        .map(|e| e.path.clone());
    facts.host_libssl = host_libssl(data, &m);
    facts
}

/// The libssl SONAMEs named in the host part (before the first bundled
/// file), when the host also names the shim library it links in.
fn host_libssl(data: &[u8], m: &Manifest) -> Vec<String> {
    let end = m
        .entries
        .iter()
        .map(|e| e.offset)
        .min()
        .unwrap_or(m.header_offset);
    let host = data
        .get(..usize::try_from(end).unwrap_or(usize::MAX).min(data.len()))
        .unwrap_or(&[]);
    let c_string = |s: &str| {
        let needle = [&[0u8][..], s.as_bytes(), &[0u8][..]].concat();
        memchr::memmem::find(host, &needle).is_some()
    };
    // The shim's own name without `.so`: the single-file host's table of
    // the native libraries linked into it.
    let linked_in = SHIM_NAMES
        .iter()
        .any(|n| c_string(n.trim_end_matches(".so")));
    if !linked_in {
        return Vec::new();
    }
    LIBSSL_ORDER
        .iter()
        .filter(|n| c_string(n))
        .map(|n| n.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::dotnet::bundle::BundleError;
    use crate::judge::dotnet::bundle::tests::build;

    const HOST: &[u8] =
        b"\x7fELF\0libSystem.Security.Cryptography.Native.OpenSsl\0libssl.so.3\0libssl.so.1.1\0";

    #[test]
    fn what_a_bundle_holds() {
        let rc = r#"{"runtimeOptions":{"includedFrameworks":[{"name":"Microsoft.NETCore.App","version":"8.0.30"}]}}"#;
        let deps = br#"{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0/linux-x64"},
            "libraries":{"app/1.0.0":{"type":"project"},
            "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.30":{"type":"runtimepack"},
            "BouncyCastle.Cryptography/2.4.0":{"type":"package"}}}"#;
        let (data, at) = build(
            HOST,
            6,
            &[
                (1, "app.dll", b"MZ", false),
                (1, "lib/BouncyCastle.Crypto.dll", b"MZ bc", true),
                (1, "BouncyCastle.txt", b"not an assembly", false),
                (
                    2,
                    "libSystem.Security.Cryptography.Native.OpenSsl.so",
                    b"\x7fELF",
                    false,
                ),
                (4, "app.runtimeconfig.json", rc.as_bytes(), false),
                // Compressed JSON: the bundler never does it, the format allows it.
                (3, "app.deps.json", deps, true),
            ],
        );
        let f = bundle_facts(&data, at);
        assert_eq!(f.error, None);
        assert_eq!(
            (f.version.as_str(), f.files, f.header_offset),
            ("6.0", 6, at)
        );
        let c = f.runtimeconfig.unwrap();
        assert_eq!(
            (c.path.as_str(), c.text.as_deref(), c.error),
            ("app.runtimeconfig.json", Some(rc), None)
        );
        let d = f.deps.unwrap();
        assert_eq!(d.path, "app.deps.json");
        assert_eq!(
            d.runtime_target.as_deref(),
            Some(".NETCoreApp,Version=v8.0/linux-x64")
        );
        assert_eq!(
            d.runtime_packs,
            ["runtimepack.Microsoft.NETCore.App.Runtime.linux-x64 8.0.30"]
        );
        assert_eq!(d.managed_crypto, ["BouncyCastle.Cryptography 2.4.0"]);
        assert_eq!(d.error, None);
        assert_eq!(f.crypto_assemblies, ["lib/BouncyCastle.Crypto.dll"]);
        assert_eq!(
            f.shim_entry.as_deref(),
            Some("libSystem.Security.Cryptography.Native.OpenSsl.so")
        );
        assert_eq!(f.host_libssl, ["libssl.so.3", "libssl.so.1.1"]);
    }

    #[test]
    fn unreadable_parts_are_told_not_fatal() {
        // A host that names no shim; a deps.json that is not JSON.
        let (data, at) = build(
            b"\x7fELF\0libssl.so.3\0",
            6,
            &[
                (4, "a.runtimeconfig.json", b"{", false),
                (3, "a.deps.json", b"[", false),
            ],
        );
        let f = bundle_facts(&data, at);
        assert_eq!(f.error, None);
        let rc = f.runtimeconfig.as_ref().unwrap();
        assert_eq!(
            (rc.text.as_deref(), rc.error.as_deref()),
            (
                Some("{"),
                Some("EOF while parsing an object at line 1 column 1")
            )
        );
        assert_eq!(
            f.deps.as_ref().unwrap().error.as_deref(),
            Some("EOF while parsing a list at line 1 column 1")
        );
        assert_eq!(f.host_libssl, Vec::<String>::new());
        let said: Vec<(Code, String, Option<String>)> =
            findings("app/a", &DotnetHost::Bundle(Box::new(f)))
                .into_iter()
                .map(|f| (f.code, f.message, f.path))
                .collect();
        assert_eq!(
            said,
            [
                (
                    Code::DotnetConfigInvalid,
                    "cannot be read: EOF while parsing an object at line 1 column 1".to_string(),
                    Some("/app/a!/a.runtimeconfig.json".to_string())
                ),
                (
                    Code::DotnetConfigInvalid,
                    "cannot be read: EOF while parsing a list at line 1 column 1".to_string(),
                    Some("/app/a!/a.deps.json".to_string())
                ),
            ]
        );
        assert_eq!(findings("app/a", &DotnetHost::Apphost).len(), 0);
        // A cut bundle: the error, and nothing else.
        let cut = bundle_facts(&data[..at as usize + 5], at);
        assert_eq!(
            cut.error,
            Some(
                BundleError::Truncated {
                    what: "bundle header",
                    at: at as u64 + 4,
                    len: at as u64 + 5
                }
                .to_string()
            )
        );
        assert!(cut.runtimeconfig.is_none() && cut.deps.is_none() && cut.version.is_empty());
    }

    #[test]
    fn the_marker_is_searched_in_the_given_ranges_only() {
        let mut data = vec![0u8; 64];
        data.extend(7i64.to_le_bytes());
        data.extend(bundle::SIGNATURE);
        data.extend([0u8; 16]);
        assert_eq!(marker_at(&data, &[(0, 64)]), None);
        assert_eq!(marker_at(&data, &[(0, 64), (64, 1000)]), Some(72));
        assert_eq!(marker_at(&data, &[(70, u64::MAX)]), Some(72));
        assert_eq!(marker_at(&data, &[(u64::MAX, 10), (200, 10)]), None);
    }
}
