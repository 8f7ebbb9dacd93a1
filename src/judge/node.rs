//! Node.js and the OpenSSL its crypto runs on. With OpenSSL 3 Node has no
//! FIPS code of its own: FIPS is an OpenSSL provider that the configuration
//! Node reads activates, whether Node links the image's libcrypto (Debian's
//! nodejs) or carries its own OpenSSL (the official nodejs.org builds). Two
//! things differ from other OpenSSL programs: Node reads its own section of
//! openssl.cnf (`nodejs_conf` unless NODE_OPTIONS has
//! --openssl-shared-config), and a bundled OpenSSL looks for providers in
//! its compiled-in MODULESDIR, a directory of Node's build machine. Node's
//! own options (`options`) can name another configuration file, switch the
//! section, and ask for FIPS, which Node then checks at start-up.

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
use options::{NodeOptions, Origin};

mod options;

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

/// Why Node reads `section`: its build's define, or the option.
fn section_reason(n: &NodeFacts, v: &Views, sigs: &Signatures) -> String {
    match v.opts.shared_config {
        Some(origin) if v.section != n.conf_section => format!(
            "{} {}",
            origin.label(),
            sigs.pattern(dn::SHARED_CONFIG_FLAG)
        ),
        _ => format!("NODE_OPENSSL_CONF_NAME={}", n.conf_section),
    }
}

/// The options Node is given, the section it reads, its view of the
/// configuration, and the `openssl_conf` view of the same file (without
/// --openssl-config, the one every other program has, registered with
/// `install_of` so its config findings are reported once).
struct Views {
    opts: NodeOptions,
    section: String,
    /// What Node's OpenSSL does with the configuration, read at `section`.
    node: OpensslInstall,
    /// The same OpenSSL and file read at `openssl_conf`.
    shared: OpensslInstall,
}

impl Views {
    /// `--enable-fips`/`--force-fips` and where it was given.
    fn flag(&self) -> Option<(&str, Origin)> {
        self.opts.fips_flag.as_ref().map(|(f, o)| (f.as_str(), *o))
    }
}

/// `program` is the Node executable's image path: its command line counts
/// when the container runs it.
fn views<'a>(
    n: &NodeFacts,
    program: &str,
    lib: Lib<'a>,
    nctx: &NativeCtx<'a>,
    mut install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> Views {
    let sigs = nctx.sigs;
    let runs = super::resolve_entrypoint(nctx.view, nctx.config).and_then(|(_, found)| found);
    let opts = NodeOptions::read(nctx.config, program, runs.as_deref(), sigs);
    let section = opts.section(n).to_string();
    let conf = opts
        .openssl_config
        .as_ref()
        .map(|(p, origin)| (p.as_str(), origin.config_source()));
    let read = |appname: &str| {
        OpensslInstall::inspect_conf(lib, nctx.view, nctx.config, sigs, appname, conf)
            .with_vendor(nctx.packages)
    };
    // With --openssl-config Node reads a file other programs do not.
    let shared = match conf {
        Some(_) => read("openssl_conf"),
        None => install_of(lib),
    };
    let node = if section == "openssl_conf" {
        shared.clone()
    } else {
        read(&section)
    };
    Views {
        opts,
        section,
        node,
        shared,
    }
}

/// `--enable-fips`/`--force-fips` (NODE_OPTIONS or the command line): Node
/// sets OpenSSL's default properties to fips=yes itself, so a provider the
/// configuration activates without `default_properties = fips=yes` is
/// enforced all the same (getFips() 1, MD5 refused, on Node 18-24).
fn judge_with_flag(
    install: &OpensslInstall,
    flag: Option<(&str, Origin)>,
    sigs: &Signatures,
) -> Judgement {
    let mut j = install.judge(sigs);
    let Some((flag, origin)) = flag else {
        return j;
    };
    let given = format!("{} {flag}", origin.label());
    if j.code == Code::OpensslFipsNotEnforced {
        let mut enforced = install.clone();
        if let Some(c) = enforced.config.as_mut() {
            c.enforced = true;
        }
        let evidence = std::mem::take(&mut j.evidence);
        j = enforced.judge(sigs);
        j.evidence = evidence;
        j.summary = format!("{} (fips=yes from {given})", j.summary);
    }
    j.evidence.push(Evidence::new(
        "node-options",
        format!(
            "{given}: Node sets fips=yes in OpenSSL's default properties at start-up and exits when it gets no FIPS provider"
        ),
    ));
    j
}

/// The last word of a judgement whose FIPS is not on, when Node is asked
/// for FIPS: the program does not even start. What it prints is the
/// binary's own (run on the fixtures: Node 24.21.0 "--enable-fips requires
/// an active OpenSSL provider named \"fips\"", exit 1; Node 18-22 "OpenSSL
/// error when trying to enable FIPS:" and OpenSSL's error, or an abort).
fn flag_note(j: &mut Judgement, n: &NodeFacts, flag: Option<(&str, Origin)>, sigs: &Signatures) {
    let Some((flag, origin)) = flag else { return };
    if on(j) {
        return;
    }
    let prints = match n.fips_start_error.as_deref() {
        Some(e) if e == sigs.pattern(dn::FIPS_ERROR_PROVIDER) => {
            format!(" (it prints: {flag} {e})")
        }
        Some(e) => format!(" (it prints: {e} …)"),
        None => String::new(),
    };
    j.summary = format!(
        "{}; {} {flag} makes Node exit at start-up without an active FIPS provider{prints}",
        j.summary,
        origin.label()
    );
}

/// Node reads another section than `openssl_conf`, and only that section
/// fails to activate the FIPS provider `openssl_conf` gets.
fn conf_section_judgement(v: &Views, nctx: &NativeCtx<'_>, j: &mut Judgement) {
    let sigs = nctx.sigs;
    if v.section == "openssl_conf" || on(j) || !on(&v.shared.judge(sigs)) {
        return;
    }
    let (section, cnf) = (&v.section, cnf_of(&v.node));
    j.status = Status::FipsCapable;
    j.fips_mode_on = false;
    j.code = Code::NodeOpensslConfSection;
    j.summary = match &v.opts.openssl_config {
        None => format!(
            "Node reads the `{section}` section of {cnf}, which does not activate the FIPS provider that `openssl_conf` activates for other programs"
        ),
        Some((_, origin)) => format!(
            "Node reads the `{section}` section of {cnf} ({}), which does not activate the FIPS provider that its `openssl_conf` section activates",
            origin.config_source()
        ),
    };
    j.remediation = Some(format!(
        "add `{section} = {}` to the default section of {cnf}, or set {} in the image",
        init_of(&v.shared),
        NodeOptions::node_options_with(nctx.config, sigs.pattern(dn::SHARED_CONFIG_FLAG))
    ));
}

/// Node over the image's OpenSSL: judged by that OpenSSL as Node's section
/// of the configuration leaves it.
pub fn judge_shared<'a>(
    n: &NodeFacts,
    program: &str,
    lib: Lib<'a>,
    nctx: &NativeCtx<'a>,
    install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> (OpensslInstall, Judgement) {
    let sigs = nctx.sigs;
    let v = views(n, program, lib, nctx, install_of);
    let mut j = judge_with_flag(&v.node, v.flag(), sigs);
    j.evidence.insert(
        0,
        Evidence::new(
            "node-config",
            format!(
                "process.config: node_shared_openssl=true; Node reads the `{}` section of openssl.cnf ({})",
                v.section,
                section_reason(n, &v, sigs)
            ),
        ),
    );
    conf_section_judgement(&v, nctx, &mut j);
    flag_note(&mut j, n, v.flag(), sigs);
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
    let v = views(n, own.path, own, nctx, install_of);
    let mut j = judge_with_flag(&v.node, v.flag(), nctx.sigs);
    bundled(n, &v, nctx, &mut j);
    flag_note(&mut j, n, v.flag(), nctx.sigs);
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
                section_reason(n, v, sigs)
            ),
        ),
    );
    if on(j) {
        return;
    }
    if v.node.provider.is_some() {
        // Node finds a provider: what remains is the configuration, as for
        // a Node over the image's OpenSSL.
        conf_section_judgement(v, nctx, j);
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
            env.push(NodeOptions::node_options_with(
                nctx.config,
                sigs.pattern(dn::SHARED_CONFIG_FLAG),
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
