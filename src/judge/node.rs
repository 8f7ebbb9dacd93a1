//! Node.js and the OpenSSL its crypto runs on. With OpenSSL 3 Node has no
//! FIPS code of its own: FIPS is an OpenSSL provider that the configuration
//! Node reads activates, whether Node links the image's libcrypto (Debian's
//! nodejs) or carries its own OpenSSL (the official nodejs.org builds). Two
//! things differ from other OpenSSL programs: Node reads its own section of
//! openssl.cnf (`nodejs_conf` unless NODE_OPTIONS has
//! --openssl-shared-config), and a bundled OpenSSL looks for providers in
//! its compiled-in MODULESDIR, a directory of Node's build machine.

use super::Judgement;
use super::link::{Lib, elf_facts};
use super::native::NativeCtx;
use super::openssl::{OpensslInstall, Provider};
use crate::detect::node::{self as dn, NodeFacts};
use crate::finding::Code;
use crate::layer::path;
use crate::report::Evidence;
use crate::score::Status;
use crate::signatures::{self as sig, Signatures};

/// FIPS in effect: validated, host-provided, or an unvalidated module switched on.
fn on(j: &Judgement) -> bool {
    matches!(j.status, Status::Validated | Status::HostDependent)
        || (j.status == Status::FipsCapable && j.fips_mode_on)
}

/// The image path of a config, for messages.
fn cnf_of(install: &OpensslInstall) -> String {
    install
        .config
        .as_ref()
        .map_or_else(|| "openssl.cnf".to_string(), |c| format!("/{}", c.path))
}

/// The init section `openssl_conf` names, for the `nodejs_conf = …` fix.
fn init_of(shared: &OpensslInstall) -> &str {
    shared
        .config
        .as_ref()
        .and_then(|c| c.init_section.as_deref())
        .unwrap_or("<the section openssl_conf names>")
}

/// Why Node reads `section`: its build's define, or NODE_OPTIONS.
fn section_reason(n: &NodeFacts, section: &str, sigs: &Signatures) -> String {
    if section == n.conf_section {
        format!("NODE_OPENSSL_CONF_NAME={}", n.conf_section)
    } else {
        format!("NODE_OPTIONS {}", sigs.pattern(dn::SHARED_CONFIG_FLAG))
    }
}

/// The section Node reads, its view of the configuration, and the
/// `openssl_conf` view every other program has (registered with
/// `install_of`, so its config findings are reported once).
struct Views {
    section: String,
    /// What Node's OpenSSL does with the configuration, read at `section`.
    node: OpensslInstall,
    /// The same OpenSSL read at `openssl_conf`.
    shared: OpensslInstall,
}

fn views<'a>(
    n: &NodeFacts,
    lib: Lib<'a>,
    nctx: &NativeCtx<'a>,
    mut install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> Views {
    let sigs = nctx.sigs;
    let section = dn::effective_section(n, nctx.config.env_var("NODE_OPTIONS"), sigs).to_string();
    let shared = install_of(lib);
    let node = if section == "openssl_conf" {
        shared.clone()
    } else {
        OpensslInstall {
            // The same library and provider: the same packages.
            vendor_facts: shared.vendor_facts.clone(),
            ..OpensslInstall::inspect_app(lib, nctx.view, nctx.config, sigs, &section)
        }
    };
    Views {
        section,
        node,
        shared,
    }
}

/// `--enable-fips`/`--force-fips` in NODE_OPTIONS: Node sets OpenSSL's
/// default properties to fips=yes itself, so a provider the configuration
/// activates without `default_properties = fips=yes` is enforced all the
/// same.
fn judge_with_flag(install: &OpensslInstall, flag: Option<&str>, sigs: &Signatures) -> Judgement {
    let mut j = install.judge(sigs);
    let Some(flag) = flag else { return j };
    if j.code == Code::OpensslFipsNotEnforced {
        let mut enforced = install.clone();
        if let Some(c) = enforced.config.as_mut() {
            c.enforced = true;
        }
        let evidence = std::mem::take(&mut j.evidence);
        j = enforced.judge(sigs);
        j.evidence = evidence;
        j.summary = format!("{} (fips=yes from NODE_OPTIONS {flag})", j.summary);
    }
    j.evidence.push(Evidence::new(
        "node-options",
        format!(
            "NODE_OPTIONS {flag}: Node sets fips=yes in OpenSSL's default properties at start-up and exits when it gets no FIPS provider"
        ),
    ));
    j
}

/// The last word of a judgement whose FIPS is not on, when NODE_OPTIONS
/// asks for FIPS: the program does not even start (Node 24.21.0 run on the
/// node-static fixture: "--enable-fips requires an active OpenSSL provider
/// named \"fips\"", exit 1).
fn flag_note(j: &mut Judgement, flag: Option<&str>) {
    if let Some(flag) = flag
        && !on(j)
    {
        j.summary = format!(
            "{}; NODE_OPTIONS {flag} makes Node exit at start-up without an active FIPS provider",
            j.summary
        );
    }
}

/// Node reads another section than `openssl_conf`, and only that section
/// fails to activate the FIPS provider the others get.
fn conf_section_judgement(v: &Views, j: &mut Judgement, sigs: &Signatures) {
    if v.section == "openssl_conf" || on(j) || !on(&v.shared.judge(sigs)) {
        return;
    }
    let (section, cnf) = (&v.section, cnf_of(&v.node));
    j.status = Status::FipsCapable;
    j.fips_mode_on = false;
    j.code = Code::NodeOpensslConfSection;
    j.summary = format!(
        "Node reads the `{section}` section of {cnf}, which does not activate the FIPS provider that `openssl_conf` activates for other programs"
    );
    j.remediation = Some(format!(
        "add `{section} = {}` to the default section of {cnf}, or set NODE_OPTIONS=--openssl-shared-config in the image",
        init_of(&v.shared)
    ));
}

/// Node over the image's OpenSSL: judged by that OpenSSL as Node's section
/// of the configuration leaves it.
pub fn judge_shared<'a>(
    n: &NodeFacts,
    lib: Lib<'a>,
    nctx: &NativeCtx<'a>,
    install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> (OpensslInstall, Judgement) {
    let sigs = nctx.sigs;
    let v = views(n, lib, nctx, install_of);
    let flag = dn::fips_flag(nctx.config.env_var("NODE_OPTIONS"), sigs);
    let mut j = judge_with_flag(&v.node, flag, sigs);
    j.evidence.insert(
        0,
        Evidence::new(
            "node-config",
            format!(
                "process.config: node_shared_openssl=true; Node reads the `{}` section of openssl.cnf ({})",
                v.section,
                section_reason(n, &v.section, sigs)
            ),
        ),
    );
    conf_section_judgement(&v, &mut j, sigs);
    flag_note(&mut j, flag);
    (v.node, j)
}

/// The FIPS providers in the image, validated ones first: what a bundled
/// OpenSSL that finds none of its own could be pointed at.
fn image_providers(nctx: &NativeCtx<'_>) -> Vec<Provider> {
    let file = nctx.sigs.pattern(sig::OPENSSL_FIPS_PROVIDER_FILE);
    let mut found: Vec<Provider> = nctx
        .view
        .nodes
        .iter()
        .filter(|(p, _)| path::file_name(p) == file)
        .filter_map(|(p, vn)| {
            let text = elf_facts(vn)?.openssl.as_ref()?;
            Some(Provider {
                path: p.clone(),
                layer: nctx.view.layer_id(vn.layer).to_string(),
                name: text.provider_name.clone(),
                version: text
                    .provider_version
                    .clone()
                    .or_else(|| Some(text.version.clone())),
            })
        })
        .collect();
    found.sort_by_key(|p| {
        let version = p.version.as_deref().unwrap_or_default();
        nctx.sigs
            .validated_module("openssl-fips", version)
            .is_none()
    });
    found
}

/// Node with its own OpenSSL (node_shared_openssl false): judged by the
/// provider and configuration that OpenSSL would load in this image.
pub fn judge_bundled<'a>(
    own: Lib<'a>,
    n: &NodeFacts,
    nctx: &NativeCtx<'a>,
    install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let v = views(n, own, nctx, install_of);
    let flag = dn::fips_flag(nctx.config.env_var("NODE_OPTIONS"), nctx.sigs);
    let mut j = judge_with_flag(&v.node, flag, nctx.sigs);
    bundled(n, &v, nctx, &mut j);
    flag_note(&mut j, flag);
    j
}

/// `judge_bundled` once Node's view of its OpenSSL is judged.
fn bundled(n: &NodeFacts, v: &Views, nctx: &NativeCtx<'_>, j: &mut Judgement) {
    let sigs = nctx.sigs;
    let node = n
        .version
        .as_deref()
        .map_or_else(|| "Node".to_string(), |v| format!("Node {v}"));
    let openssl = v
        .node
        .version
        .as_deref()
        .map_or_else(|| "OpenSSL".to_string(), |v| format!("OpenSSL {v}"));
    j.evidence.insert(
        0,
        Evidence::new(
            "node-config",
            format!(
                "process.config: node_shared_openssl=false, openssl_is_fips={}; {node} carries {openssl} and reads the `{}` section of openssl.cnf ({})",
                n.openssl_is_fips,
                v.section,
                section_reason(n, &v.section, sigs)
            ),
        ),
    );
    if on(j) {
        return;
    }
    if v.node.provider.is_some() {
        // Node finds a provider: what remains is the configuration, as for
        // a Node over the image's OpenSSL.
        conf_section_judgement(v, j, sigs);
        return;
    }
    let carries = format!("{node} carries its own {openssl} (node_shared_openssl=false)");
    let Some(provider) = image_providers(nctx).into_iter().next() else {
        j.status = Status::NonFips;
        j.fips_mode_on = false;
        j.code = Code::NodeBundledOpensslNoProvider;
        j.summary = format!(
            "{carries} and the image has no FIPS provider for it: crypto.setFips(true) leaves no algorithm to use"
        );
        j.remediation = Some(format!(
            "use a Node built against the image's OpenSSL (node_shared_openssl) over a validated FIPS provider, such as a FIPS base image's nodejs; or add a validated OpenSSL FIPS provider (3.0.8/3.0.9 or 3.1.2) with its fipsmodule.cnf, set OPENSSL_MODULES to its directory and activate it in the `{}` section of {}",
            v.section,
            cnf_of(&v.node)
        ));
        return;
    };
    let dir = path::parent(&provider.path).to_string();
    let label = format!(
        "{} {}",
        provider.name.as_deref().unwrap_or("FIPS provider"),
        provider.version.as_deref().unwrap_or("of unknown version")
    );
    let modulesdir = v.node.modulesdir.as_ref().map_or_else(
        || "no modules directory".to_string(),
        |(d, why)| format!("{d} ({why})"),
    );
    let mut why = vec![format!("it loads providers from {modulesdir}")];
    let mut env = vec![format!("OPENSSL_MODULES=/{dir}")];
    let mut config_fix = None;
    let activated = v.node.config.as_ref().is_some_and(|c| c.activated);
    if !activated {
        let cnf = cnf_of(&v.node);
        let shared_activates = v.shared.config.as_ref().is_some_and(|c| c.activated);
        if v.section != "openssl_conf" && shared_activates {
            why.push(format!(
                "it reads the `{}` section of {cnf}, which does not activate the provider (`openssl_conf` does)",
                v.section
            ));
            env.push(format!(
                "NODE_OPTIONS={}",
                sigs.pattern(dn::SHARED_CONFIG_FLAG)
            ));
            config_fix = Some(format!(
                " (or, instead of NODE_OPTIONS, add `{} = {}` to the default section of {cnf})",
                v.section,
                init_of(&v.shared)
            ));
        } else {
            why.push(format!(
                "the `{}` section of {cnf} does not activate it",
                v.section
            ));
            config_fix = Some(format!(
                ", and activate the provider in the `{}` section of {cnf} (fips_module(7))",
                v.section
            ));
        }
    }
    j.status = Status::FipsCapable;
    j.fips_mode_on = false;
    j.code = Code::NodeBundledProviderUnreached;
    j.summary = format!(
        "{carries}, which does not load the image's {label} at /{}: {}",
        provider.path,
        why.join(", and ")
    );
    j.evidence
        .push(Evidence::new("file", label).at(&provider.path, &provider.layer));
    j.remediation = Some(format!(
        "set {} in the image Env{}",
        env.join(" and "),
        config_fix.unwrap_or_default()
    ));
}

#[cfg(test)]
mod tests;
