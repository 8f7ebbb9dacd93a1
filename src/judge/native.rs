//! Programs judged by the native crypto libraries other than OpenSSL that
//! they load (resolved like ld.so, see `link`): libgcrypt, GnuTLS, NSS,
//! wolfSSL, BoringSSL and AWS-LC shared libraries. The facts come from the
//! libraries themselves (`detect::native`); what depends on the node (the
//! kernel FIPS flag) is stated in `needs`, what the image forces (an Env
//! variable, a force file) is evidence.
//!
//! No certificate is claimed here: none of these builds can be tied to a
//! CMVP certificate from its bytes (a distribution's libgcrypt, GnuTLS or
//! NSS is not a vendor's validated build; wolfCrypt FIPS Ready exports the
//! same API as a certified bundle; a BoringSSL or AWS-LC FIPS build does
//! not say which validated tag or module line it is). The best a FIPS
//! build gets is `fips-capable` with its FIPS mode on.

use super::Judgement;
use super::link::{Lib, elf_facts};
use crate::detect::native::{self as nd, NativeCrypto, NativeLib};
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::layer::path;
use crate::layer::squash::FsView;
use crate::report::Evidence;
use crate::score::{self, Status, Weight};
use crate::signatures::Signatures;
use crate::target::HostNeed;

pub struct NativeCtx<'a> {
    pub view: &'a FsView,
    pub config: &'a ImageConfig,
    pub sigs: &'a Signatures,
    /// The image's package databases, read once (owners and vendors).
    pub packages: &'a super::packages::ImagePackages,
}

fn native<'l>(lib: &Lib<'l>) -> Option<&'l NativeCrypto> {
    lib.facts.native.as_ref()
}

fn lib_name<'l>(lib: &Lib<'l>) -> &'l str {
    lib.facts
        .soname
        .as_deref()
        .unwrap_or_else(|| path::file_name(lib.path))
}

/// Whether `lib` is a BoringSSL or AWS-LC libcrypto: such a library is
/// judged here, not as OpenSSL.
pub fn is_native_libcrypto(lib: &Lib<'_>) -> bool {
    native(lib).is_some_and(|n| matches!(n.lib, NativeLib::Boringssl | NativeLib::AwsLc))
}

/// A program (or a library that is not one of these itself) judged by the
/// native crypto libraries in its dependency closure; the worst module
/// decides, the others are listed as evidence.
pub fn judge_user<'a>(
    own: Lib<'a>,
    layer: &str,
    closure: &[Lib<'a>],
    ctx: &NativeCtx<'a>,
) -> Option<Judgement> {
    let mut judgements = Vec::new();
    let mut nss_dirs: Vec<&str> = Vec::new();
    for lib in closure {
        let Some(facts) = native(lib) else { continue };
        let mut j = if facts.lib.is_nss() {
            let dir = path::parent(lib.path);
            if nss_dirs.contains(&dir) {
                continue;
            }
            nss_dirs.push(dir);
            judge_nss(dir, ctx)
        } else {
            judge_one(*lib, facts, ctx)
        };
        // How the program reaches the module: its own DT_NEEDED, or through a dependency.
        let name = lib_name(lib);
        let reach = if own.facts.needed.iter().any(|n| n == name) {
            Evidence::new("elf-needed", name).at(own.path, layer)
        } else {
            Evidence::new(
                "elf-needed",
                format!("loads /{} through its dependencies", lib.path),
            )
        };
        j.evidence.insert(0, reach);
        judgements.push(j);
    }
    let mut all = judgements.into_iter();
    let first = all.next()?;
    let mut j = merge(first, all.collect());
    j.uses = uses_in_order(closure, &j.uses);
    Some(j)
}

/// What a program loads of these libraries, in load order: the libraries
/// in its closure that are modules or lead to one (NSS's libssl3, BoringSSL's
/// libssl), then what the modules load themselves (NSS's softoken and freebl).
fn uses_in_order(closure: &[Lib<'_>], modules: &[String]) -> Vec<String> {
    let mut names: Vec<&str> = closure
        .iter()
        .filter(|l| native(l).is_some())
        .map(lib_name)
        .collect();
    let mut via: Vec<&str> = Vec::new();
    // Each round adds at least one library or stops: bounded by the closure.
    loop {
        let next = closure.iter().find(|l| {
            native(l).is_none()
                && !via.contains(&l.path)
                && l.facts.needed.iter().any(|n| names.contains(&n.as_str()))
        });
        let Some(l) = next else { break };
        via.push(l.path);
        names.push(lib_name(l));
    }
    let mut out: Vec<String> = closure
        .iter()
        .filter(|l| via.contains(&l.path) || modules.iter().any(|m| m == l.path))
        .map(|l| l.path.to_string())
        .collect();
    for m in modules {
        if !out.contains(m) {
            out.push(m.clone());
        }
    }
    out
}

/// A program that uses OpenSSL too: the worse of the two judgements
/// decides (OpenSSL's on a tie), the other is listed as evidence.
pub fn with_openssl(openssl: Judgement, native: Option<Judgement>) -> Judgement {
    merge(openssl, native.into_iter().collect())
}

/// The worst of several judgements, with the others' modules as evidence
/// and every library in `uses`.
fn merge(first: Judgement, rest: Vec<Judgement>) -> Judgement {
    let mut j = first;
    let mut others = Vec::new();
    for next in rest {
        if rank(&next) > rank(&j) {
            others.push(std::mem::replace(&mut j, next));
        } else {
            others.push(next);
        }
    }
    for other in others {
        for u in other.uses {
            if !j.uses.contains(&u) {
                j.uses.push(u);
            }
        }
        j.evidence.push(Evidence::new(
            "also-uses",
            format!(
                "{}: {} ({})",
                other.module.as_deref().unwrap_or("a crypto library"),
                other.status.as_str(),
                other.code.as_str()
            ),
        ));
    }
    j
}

/// One of these libraries itself: information, counted through the
/// programs that load it, with the judgement they inherit from it.
pub fn judge_library(own: Lib<'_>, facts: &NativeCrypto, ctx: &NativeCtx<'_>) -> Judgement {
    let mut j = if facts.lib.is_nss() {
        judge_nss(path::parent(own.path), ctx)
    } else {
        judge_one(own, facts, ctx)
    };
    j.summary = format!(
        "{} library: {}",
        facts.lib.name(),
        j.summary.trim_start_matches("uses ")
    );
    j.code = Code::NativeCryptoLibrary;
    // The other files of its installation (NSS), not itself.
    j.uses.retain(|u| u != own.path);
    j
}

/// Blockers above warnings above the rest.
fn rank(j: &Judgement) -> u8 {
    match score::weight(j.status, j.fips_mode_on, &[]) {
        Weight::Blocker => 2,
        Weight::Warning => 1,
        Weight::Fine => 0,
    }
}

fn judge_one(lib: Lib<'_>, facts: &NativeCrypto, ctx: &NativeCtx<'_>) -> Judgement {
    let label = format!("{} (/{})", facts.label(), lib.path);
    let layer = ctx.view.layer_id(lib.node.layer).to_string();
    let mut j = match facts.lib {
        NativeLib::Libgcrypt => libgcrypt(&label, (lib.path, &layer), facts, ctx),
        NativeLib::Gnutls => gnutls(&label, (lib.path, &layer), facts, ctx),
        NativeLib::Wolfssl => wolfssl(&label, facts),
        NativeLib::Boringssl | NativeLib::AwsLc => boring_family(&label, facts),
        // NSS is judged as an installation (`judge_nss`).
        NativeLib::Nss | NativeLib::NssSoftoken | NativeLib::NssFreebl => {
            return judge_nss(path::parent(lib.path), ctx);
        }
    };
    let mut ev = Vec::new();
    if let Some(t) = &facts.text {
        ev.push(Evidence::new("version-text", t.clone()).at(lib.path, &layer));
    }
    if let Some(m) = &facts.fips_marker
        && facts.text.as_ref() != Some(m)
    {
        ev.push(Evidence::new("marker", m.clone()).at(lib.path, &layer));
    }
    j.evidence.splice(0..0, ev);
    j.module = Some(facts.label());
    j.uses = vec![lib.path.to_string()];
    j
}

fn kernel_marker(ctx: &NativeCtx<'_>) -> String {
    ctx.sigs.pattern(nd::KERNEL_FIPS_FILE).to_string()
}

/// Where a library sits: its image path and layer, for evidence.
type Site<'s> = (&'s str, &'s str);

fn libgcrypt(label: &str, at: Site<'_>, facts: &NativeCrypto, ctx: &NativeCtx<'_>) -> Judgement {
    let mut j = Judgement::new(
        Status::FipsCapable,
        Code::LibgcryptFipsUnvalidated,
        String::new(),
    );
    // check_fips_system_setting(): the variable (any value, even 0), then
    // the force file (even empty), then the kernel flag.
    let env = facts
        .force_env
        .as_deref()
        .and_then(|name| ctx.config.env_var(name).map(|v| format!("{name}={v}")));
    let file = facts
        .force_file
        .as_deref()
        .and_then(|f| ctx.view.resolve(f))
        .map(|(p, node)| (p, ctx.view.layer_id(node.layer)));
    let unvalidated = "no CMVP certificate covers this build (a distribution's libgcrypt is not a vendor's validated module)";
    if let Some(e) = env {
        j.fips_mode_on = true;
        j.summary = format!(
            "uses {label}; FIPS mode is forced on by {e} in the image Env (any value forces it), but {unvalidated}"
        );
        j.evidence.push(Evidence::new("image-env", e));
    } else if let Some((p, layer)) = file {
        j.fips_mode_on = true;
        j.summary =
            format!("uses {label}; FIPS mode is forced on by /{p} in the image, but {unvalidated}");
        j.evidence.push(
            Evidence::new(
                "file",
                "libgcrypt's FIPS force file (its presence switches FIPS mode on)",
            )
            .at(&p, layer),
        );
    } else if facts.kernel_flag {
        j.fips_mode_on = true;
        j.needs = vec![HostNeed::KernelFipsMode];
        j.summary = format!(
            "uses {label}, whose FIPS mode switches on from the node's kernel flag (needs kernel-fips-mode), but {unvalidated}"
        );
        j.evidence
            .push(Evidence::new("marker", kernel_marker(ctx)).at(at.0, at.1));
    } else {
        j.summary =
            format!("uses {label}; nothing in the library or the image switches its FIPS mode on");
    }
    j.remediation = Some(
        "use a libgcrypt build that holds a CMVP certificate (a vendor FIPS base image such as RHEL/UBI), or move the program's crypto to OpenSSL with a validated FIPS provider"
            .into(),
    );
    j
}

fn gnutls(label: &str, at: Site<'_>, facts: &NativeCrypto, ctx: &NativeCtx<'_>) -> Judgement {
    if !facts.fips_module {
        let mut j = Judgement::new(
            Status::NonFips,
            Code::GnutlsNonFips,
            format!(
                "uses {label}, built without FIPS 140 mode (no lib/fips.c: it reads neither GNUTLS_FORCE_FIPS_MODE nor the kernel flag)"
            ),
        );
        j.remediation = Some(
            "link a GnuTLS built with FIPS 140 mode from a vendor that validated it (e.g. RHEL/UBI), or use OpenSSL with a validated FIPS provider"
                .into(),
        );
        return j;
    }
    let mut j = Judgement::new(
        Status::FipsCapable,
        Code::GnutlsFipsUnvalidated,
        String::new(),
    );
    j.remediation = Some(
        "use the GnuTLS of a vendor that holds a CMVP certificate for it, on the host that certificate names".into(),
    );
    let unvalidated = "no certificate in fipscan's data covers this build";
    let env = facts
        .force_env
        .as_deref()
        .and_then(|name| ctx.config.env_var(name).map(|v| (name, v)));
    if let Some((name, value)) = env {
        // _gnutls_fips_mode_enabled(): '1' (and '2', lax) force it on, anything else off.
        j.fips_mode_on = matches!(value.as_bytes().first(), Some(b'1' | b'2'));
        j.evidence
            .push(Evidence::new("image-env", format!("{name}={value}")));
        j.summary = if j.fips_mode_on {
            format!("uses {label}, FIPS 140 mode forced on by {name}={value}; {unvalidated}")
        } else {
            format!("uses {label}, a FIPS 140 build whose FIPS mode {name}={value} switches off")
        };
        return j;
    }
    j.fips_mode_on = facts.kernel_flag;
    if facts.kernel_flag {
        j.needs.push(HostNeed::KernelFipsMode);
        j.evidence
            .push(Evidence::new("marker", kernel_marker(ctx)).at(at.0, at.1));
    }
    let mut extra = String::new();
    if let Some(sys) = &facts.system_fips_file {
        // Older builds also want /etc/system-fips: a file in the image, or
        // (UBI 8) a link to the marker a FIPS RHEL host's runtime mounts.
        use super::openssl_distro::{RUNTIME_SYSTEM_FIPS, SystemFips, system_fips_at};
        match system_fips_at(ctx.view, sys) {
            SystemFips::File => {}
            SystemFips::RuntimeLink(_) => {
                j.needs.push(HostNeed::RuntimeFipsSecrets);
                extra = format!(" and {sys}, which the container runtime must mount");
            }
            SystemFips::Absent => {
                j.fips_mode_on = false;
                j.needs.clear();
                j.evidence
                    .push(Evidence::new("marker", sys.clone()).at(at.0, at.1));
                j.summary = format!(
                    "uses {label}, a FIPS 140 build that also needs {sys}, which the image lacks: its FIPS mode stays off even on a FIPS node"
                );
                j.remediation = Some(format!(
                    "link {sys} to /{RUNTIME_SYSTEM_FIPS} (as UBI does), or create the file; {unvalidated}"
                ));
                return j;
            }
        }
        j.evidence
            .push(Evidence::new("marker", sys.clone()).at(at.0, at.1));
    }
    j.summary = format!(
        "uses {label}, a FIPS 140 build whose FIPS mode switches on from the node's kernel flag{extra}; {unvalidated}"
    );
    j
}

fn wolfssl(label: &str, facts: &NativeCrypto) -> Judgement {
    if !facts.fips_module {
        let mut j = Judgement::new(
            Status::NonFips,
            Code::WolfsslNonFips,
            format!(
                "uses {label}, built without the wolfCrypt FIPS module (no wolfCrypt FIPS API)"
            ),
        );
        j.remediation = Some(
            "use a wolfCrypt FIPS bundle from wolfSSL whose CMVP certificate covers this operating environment (a FIPS Ready build is not validated)"
                .into(),
        );
        return j;
    }
    let mut j = Judgement::new(
        Status::FipsCapable,
        Code::WolfsslFipsUnconfirmed,
        format!(
            "uses {label} with the wolfCrypt FIPS module, always in FIPS mode; a certified bundle and an unvalidated FIPS Ready build export the same API, so validation cannot be read from the library"
        ),
    );
    j.fips_mode_on = true;
    j.remediation = Some(
        "confirm with the supplier that this is a certified wolfCrypt FIPS bundle (not FIPS Ready) and that its certificate covers this operating environment"
            .into(),
    );
    j
}

fn boring_family(label: &str, facts: &NativeCrypto) -> Judgement {
    let aws = facts.lib == NativeLib::AwsLc;
    if !facts.fips_module {
        let mut j = Judgement::new(
            Status::NonFips,
            if aws {
                Code::AwsLcNonFips
            } else {
                Code::BoringsslNonFips
            },
            format!(
                "uses {label}, a build without the FIPS module (FIPS_mode() returns 0; the `FIPS_mode` export and the `BoringCrypto` name are in every build)"
            ),
        );
        j.remediation = Some(if aws {
            "link an AWS-LC FIPS build (-DFIPS=1) from a branch whose module version holds a certificate (aws-lc crypto/fipsmodule/FIPS.md)".into()
        } else {
            "link a BoringSSL built with -DFIPS=1 from a validated tag (boringssl crypto/fipsmodule/FIPS.md), or AWS-LC FIPS".into()
        });
        return j;
    }
    let mut j = Judgement::new(
        Status::FipsCapable,
        if aws {
            Code::AwsLcFips
        } else {
            Code::BoringsslFips
        },
        if aws {
            format!(
                "uses {label}, a FIPS build always in FIPS mode; a certificate covers a module line and build (FIPS.md: v2.0, v3.1), which the version string does not show"
            )
        } else {
            format!(
                "uses {label}, a FIPS build always in FIPS mode; only builds of validated tags hold certificates, and the tag cannot be read from the library"
            )
        },
    );
    j.fips_mode_on = true;
    j.remediation = Some(
        "confirm that the library was built from a validated FIPS release as its Security Policy prescribes".into(),
    );
    j
}

/// A file of the NSS installation in `dir`, found by the SONAME marker.
fn nss_file<'a>(dir: &str, id: &str, ctx: &NativeCtx<'a>) -> Option<Lib<'a>> {
    let (resolved, _) = ctx.view.resolve(&path::join(dir, ctx.sigs.pattern(id)))?;
    let (key, node) = ctx.view.nodes.get_key_value(&resolved)?;
    Some(Lib {
        path: key.as_str(),
        node,
        facts: elf_facts(node)?,
    })
}

/// NSS as a program loads it: libnss3 decides FIPS mode (the kernel flag)
/// and loads the softoken from its own directory, which loads freebl; in
/// FIPS mode both check their `.chk` integrity files.
fn judge_nss(dir: &str, ctx: &NativeCtx<'_>) -> Judgement {
    let nss = nss_file(dir, nd::NSS_SONAME, ctx);
    let softokn = nss_file(dir, nd::NSS_SOFTOKN_SONAME, ctx);
    let freebl = nss_file(dir, nd::NSS_FREEBL_SONAME, ctx);
    let libs: Vec<Lib<'_>> = [nss, softokn, freebl].into_iter().flatten().collect();
    let uses: Vec<String> = libs.iter().map(|l| l.path.to_string()).collect();
    let facts = |l: Option<Lib<'_>>| l.and_then(|l| native(&l).cloned());
    let (nss_f, soft_f) = (facts(nss), facts(softokn));
    let version = soft_f
        .as_ref()
        .or(nss_f.as_ref())
        .and_then(|f| f.version.clone());
    let module = match &version {
        Some(v) => format!("NSS softoken {v}"),
        None => "NSS softoken".to_string(),
    };
    let mut evidence = Vec::new();
    for l in &libs {
        let layer = ctx.view.layer_id(l.node.layer).to_string();
        if let Some(t) = native(l).and_then(|f| f.text.clone()) {
            evidence.push(Evidence::new("version-text", t).at(l.path, &layer));
        }
    }
    let Some(soft) = softokn else {
        let mut j = Judgement::new(
            Status::NonFips,
            Code::NssSoftokenIncomplete,
            format!(
                "uses NSS (/{dir}) but the image has no {} next to it: NSS cannot load its crypto module",
                ctx.sigs.pattern(nd::NSS_SOFTOKN_SONAME)
            ),
        );
        j.evidence = evidence;
        j.uses = uses;
        j.module = Some(module);
        j.remediation = Some("install the NSS softoken (libnss3's libsoftokn3.so and libfreeblpriv3.so with their .chk files)".into());
        return j;
    };
    let soft_layer = ctx.view.layer_id(soft.node.layer).to_string();
    if let Some(id) = soft_f.as_ref().and_then(|f| f.module_id.clone()) {
        evidence.push(Evidence::new("module-id", id).at(soft.path, &soft_layer));
    }
    // The decision is libnss3's; without it here, any NSS file that reads the flag says so.
    let kernel = nss_f.as_ref().map_or_else(
        || {
            libs.iter()
                .any(|l| native(l).is_some_and(|f| f.kernel_flag))
        },
        |f| f.kernel_flag,
    );
    if kernel && let Some(n) = nss {
        let layer = ctx.view.layer_id(n.node.layer).to_string();
        evidence.push(Evidence::new("marker", kernel_marker(ctx)).at(n.path, &layer));
    }
    let mut missing_chk = Vec::new();
    for id in [nd::NSS_SOFTOKN_CHK, nd::NSS_FREEBL_CHK] {
        let chk = path::join(dir, ctx.sigs.pattern(id));
        match ctx.view.resolve(&chk) {
            Some((p, node)) => evidence.push(
                Evidence::new("file", "integrity data checked in FIPS mode")
                    .at(&p, ctx.view.layer_id(node.layer)),
            ),
            None => missing_chk.push(format!("/{chk}")),
        }
    }
    let id_text = match soft_f.as_ref().and_then(|f| f.module_id.as_deref()) {
        Some(id) => format!("the softoken calls itself \"{id}\""),
        None => {
            "the softoken's module id is a vendor's, for which fipscan's data holds no certificate"
                .into()
        }
    };
    let mut j = Judgement::new(Status::FipsCapable, Code::NssFipsUnvalidated, String::new());
    j.module = Some(module.clone());
    j.uses = uses;
    j.remediation = Some(
        "use a vendor NSS whose softoken holds a CMVP certificate (e.g. RHEL/UBI nss on a FIPS host), or OpenSSL with a validated FIPS provider"
            .into(),
    );
    if !missing_chk.is_empty() {
        j.code = Code::NssSoftokenIncomplete;
        j.summary = format!(
            "uses {module} (/{dir}); in FIPS mode it fails its integrity check: {} missing",
            missing_chk.join(", ")
        );
        j.remediation =
            Some("ship the softoken's .chk files with it (libnss3 installs them)".into());
    } else if kernel {
        j.fips_mode_on = true;
        j.needs = vec![HostNeed::KernelFipsMode];
        j.summary = format!(
            "uses {module} (/{dir}), which NSS switches to FIPS mode from the node's kernel flag (needs kernel-fips-mode), but {id_text}: not a validated module"
        );
    } else {
        j.summary = format!(
            "uses {module} (/{dir}); FIPS mode only if the program or its NSS database asks for it (modutil -fips true), and {id_text}"
        );
    }
    j.evidence = evidence;
    j
}

#[cfg(test)]
mod tests;
