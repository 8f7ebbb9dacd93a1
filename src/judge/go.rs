//! Classifying a Go program (../shared/SIGNATURES.md §1 and §7): which
//! crypto module it runs, whether FIPS mode is on as the image ships, and
//! whether that module is validated.

use super::Judgement;
use super::openssl::OpensslInstall;
use crate::detect::gofacts::GoFacts;
use crate::finding::Code;
use crate::image::ImageConfig;
use crate::report::Evidence;
use crate::score::Status;
use crate::signatures::{self as sig, Signatures};
use toolchain::Toolchain;

mod toolchain;

/// The `fips140` value of a GODEBUG list (`a=1,fips140=on`), last one wins.
fn fips140_of(godebug: &str) -> Option<&str> {
    godebug
        .split(',')
        .filter_map(|kv| kv.trim().strip_prefix("fips140="))
        .next_back()
}

fn mode_is_on(v: &str) -> bool {
    matches!(v, "on" | "only" | "debug")
}

/// What image-wide facts Go classification needs.
pub struct GoContext<'a> {
    pub config: &'a ImageConfig,
    /// The OpenSSL `dlopen("libcrypto.so.N")` finds, for OpenSSL-backed Go.
    pub openssl: Option<&'a OpensslInstall>,
    pub sigs: &'a Signatures,
}

/// `None` when the program links no crypto (not a component).
pub fn classify(facts: &GoFacts, ctx: &GoContext<'_>) -> Option<Judgement> {
    let sigs = ctx.sigs;
    let setting = |id: &str| facts.setting(sigs.pattern(id));
    let version = facts.version.as_deref().unwrap_or("unknown Go version");
    let toolchain = Toolchain::read(facts, sigs);
    let gofips140 = setting(sig::GO_SETTING_GOFIPS140);
    let cgo = facts.setting("CGO_ENABLED");
    let funcs = facts.funcs.as_ref();

    let mut ev = vec![Evidence::new("go-version", version)];
    let mut add_setting = |key: &str| {
        if let Some(v) = facts.setting(key) {
            ev.push(Evidence::new("go-build-setting", format!("{key}={v}")));
        }
    };
    for key in [
        "GOEXPERIMENT",
        "GOFIPS140",
        "CGO_ENABLED",
        "-tags",
        sigs.pattern(sig::GO_SETTING_MS_SYSTEMCRYPTO),
        // Names the Microsoft toolset (go1.26.4-1-microsoft) behind the version.
        sigs.pattern(sig::GO_SETTING_MS_TOOLSET_VERSION),
    ] {
        add_setting(key);
    }
    if let Some(f) = funcs {
        for name in [
            &f.boring_cfunc,
            &f.openssl_backend,
            &f.fips_snapshot_func,
            &f.crypto,
        ]
        .into_iter()
        .flatten()
        {
            ev.push(Evidence::new("go-function", name.clone()));
        }
    }

    // microsoft_systemcrypto=1 and the OpenSSL experiments describe the
    // toolchain, not the program: Microsoft Go writes the setting into
    // programs that link no crypto at all (the real go1.26.4 tsgo fixture).
    // Only the function table says whether crypto, and so OpenSSL, is used.
    let openssl_mode = toolchain.openssl_mode(sigs);
    let openssl_backend = funcs.is_some_and(|f| f.openssl_backend.is_some()) || openssl_mode;
    let boring = !openssl_backend
        && (sigs.matches(sig::GO_VERSION_BORINGCRYPTO, version)
            || toolchain.experiment("boringcrypto"));
    let crypto_linked = match funcs {
        Some(f) => f.crypto.is_some(),
        None => {
            // Without the function table the build settings tell only how
            // the toolchain was set up: GOFIPS140 and the BoringCrypto
            // experiment are recorded in programs without crypto too.
            let mode = if openssl_mode {
                "set to route crypto to OpenSSL".to_string()
            } else if boring {
                "built with the BoringCrypto experiment".to_string()
            } else if let Some(v) = gofips140 {
                format!("built with GOFIPS140={v}")
            } else {
                return None;
            };
            ev.push(Evidence::new("go-function-table", "not readable"));
            return Some(crypto_unknown(version, &mode, ev));
        }
    };
    if !crypto_linked {
        return None;
    }

    let mut j = Judgement::new(Status::NonFips, Code::GoStandardCrypto, String::new());
    if openssl_backend {
        j.module = Some("OpenSSL (loaded at run time)".into());
        let cgo_less = cgo == Some("0");
        if cgo_less && !toolchain.ms_cgo_less_openssl(sigs) {
            j.code = Code::GoOpensslBackendNoCgo;
            if toolchain.microsoft(sigs) {
                // Microsoft Go 1.25 and 1.26 refuse to build a crypto program
                // this way (MigrationGuide.md, "Cgo is not enabled"), so such
                // a binary came from an older or altered toolchain.
                j.summary = format!(
                    "{version} Microsoft Go with systemcrypto, built with CGO_ENABLED=0 and without ms_nocgo_opensslcrypto: its backend cannot load OpenSSL"
                );
                j.remediation = Some(
                    "rebuild with CGO_ENABLED=1, or with Microsoft Go 1.27 or later (OpenSSL without cgo)"
                        .into(),
                );
            } else {
                j.summary = format!(
                    "{version} OpenSSL-backed toolchain, built with CGO_ENABLED=0: the backend cannot load OpenSSL"
                );
                j.remediation = Some("rebuild with CGO_ENABLED=1".into());
            }
        } else {
            if cgo_less {
                ev.push(Evidence::new(
                    "go-openssl-loader",
                    "Microsoft Go cgo-less OpenSSL backend (Go >= 1.27 or GOEXPERIMENT=ms_nocgo_opensslcrypto)",
                ));
            }
            match ctx.openssl {
                None => {
                    j.code = Code::GoOpensslBackendNoProvider;
                    j.summary = format!(
                        "{version} routes crypto to OpenSSL, but the image ships no libcrypto"
                    );
                    j.remediation =
                        Some("add an OpenSSL 3 with a validated FIPS provider to the image".into());
                }
                Some(o) => {
                    let lib = o.judge(sigs);
                    ev.extend(lib.evidence);
                    j.module = lib.module;
                    j.certificate = lib.certificate.clone();
                    j.uses.push(o.lib_path.clone());
                    j.uses.extend(lib.uses);
                    let configured = o.config.as_ref().is_some_and(|c| c.module_mac);
                    let validated_provider = o
                        .provider
                        .as_ref()
                        .and_then(|p| p.version.as_deref())
                        .and_then(|v| sigs.validated_module("openssl-fips", v));
                    match (lib.status, configured, validated_provider) {
                        // Activated and enforced in the image's own config.
                        (Status::Validated, _, _) => {
                            j.status = Status::Validated;
                            j.fips_mode_on = true;
                            j.code = Code::GoOpensslBackend;
                            j.summary = format!(
                                "{version} routes crypto to {}: {}",
                                o.label(),
                                lib.summary.trim_start_matches("uses ")
                            );
                        }
                        // The backend switches OpenSSL into FIPS mode itself on a
                        // FIPS host (kernel flag, GOLANG_FIPS=1), which works when
                        // the provider is configured (its module-mac is loaded).
                        (_, true, Some(m)) => {
                            j.status = Status::HostDependent;
                            j.fips_mode_on = true;
                            j.code = Code::GoOpensslBackend;
                            j.needs = vec![crate::target::HostNeed::KernelFipsMode];
                            j.certificate = Some(m.certificate.clone());
                            j.summary = format!(
                                "{version} routes crypto to {} with a configured {}; FIPS mode follows the node",
                                o.label(),
                                o.provider_label().unwrap_or_default()
                            );
                        }
                        (_, true, None) => {
                            j.status = Status::FipsCapable;
                            j.fips_mode_on = true;
                            j.code = Code::GoOpensslBackend;
                            j.summary = format!(
                                "{version} routes crypto to {} whose {} has no CMVP certificate",
                                o.label(),
                                o.provider_label().unwrap_or_default()
                            );
                            j.remediation = Some(
                                "use a validated FIPS provider version (3.0.8, 3.0.9 or 3.1.2)"
                                    .into(),
                            );
                        }
                        (_, false, _) => {
                            j.code = Code::GoOpensslBackendNoProvider;
                            j.summary = match &o.provider {
                                Some(_) => format!(
                                    "{version} routes crypto to {}, whose FIPS provider is not configured: {}",
                                    o.label(),
                                    lib.summary.trim_start_matches("uses ")
                                ),
                                None => format!(
                                    "{version} routes crypto to {}, which has no FIPS provider",
                                    o.label()
                                ),
                            };
                            j.remediation = lib.remediation;
                        }
                    }
                }
            }
        }
    } else if boring {
        let module = sigs.module(sig::MODULE_GO_BORINGCRYPTO);
        j.module = module.map(|m| m.name.clone());
        if funcs.is_some_and(|f| f.boring_cfunc.is_some()) {
            j.status = Status::Validated;
            j.fips_mode_on = true;
            j.code = Code::GoBoringCrypto;
            j.certificate = module.map(|m| m.certificate.clone());
            j.summary = format!(
                "{version} with BoringCrypto: a validated module through a legacy, unsupported Go mechanism"
            );
            j.remediation = Some(
                "plan the move to Go's native module: GOFIPS140=v1.0.0 with GODEBUG=fips140=on"
                    .into(),
            );
        } else {
            j.code = Code::GoBoringNoCgo;
            j.summary = format!(
                "{version} built with GOEXPERIMENT=boringcrypto but BoringCrypto is not linked (cgo off or unsupported platform)"
            );
            j.remediation = Some(
                "rebuild with CGO_ENABLED=1 on linux/amd64 or arm64, or better GOFIPS140=v1.0.0"
                    .into(),
            );
        }
    } else {
        // Go's native module: a snapshot chosen with GOFIPS140, or the in-tree one.
        let snapshot = gofips140
            .map(str::to_string)
            .or_else(|| funcs.and_then(|f| f.fips_snapshot.clone()));
        let default_mode = setting(sig::GO_SETTING_DEFAULT_GODEBUG).and_then(fips140_of);
        let env_mode = ctx.config.env_var("GODEBUG").and_then(fips140_of);
        if let Some(m) = env_mode {
            ev.push(Evidence::new("image-env", format!("GODEBUG=…fips140={m}")));
        }
        if let Some(m) = default_mode {
            ev.push(Evidence::new(
                "go-build-setting",
                format!("DefaultGODEBUG …fips140={m}"),
            ));
        }
        let mode = env_mode.or(default_mode);
        let on = mode.is_some_and(mode_is_on);
        let has_module = funcs.is_none_or(|f| f.fips_module.is_some());
        let module_version = match (&snapshot, on && has_module) {
            (Some(v), _) => Some(v.clone()),
            (None, true) => Some("in-tree (latest)".to_string()),
            (None, false) => None,
        };
        match module_version {
            Some(v) => {
                let validated = sigs.validated_module("go-native", &v);
                j.module = Some(format!("Go Cryptographic Module {v}"));
                j.fips_mode_on = on;
                match (on, validated) {
                    (true, Some(m)) => {
                        j.status = Status::Validated;
                        j.code = Code::GoFipsValidated;
                        j.certificate = Some(m.certificate.clone());
                        j.summary = format!(
                            "{version}, Go Cryptographic Module {v} in FIPS mode ({})",
                            m.certificate
                        );
                    }
                    (true, None) => {
                        j.status = Status::FipsCapable;
                        j.code = Code::GoFipsUnvalidated;
                        j.summary = format!(
                            "{version}, FIPS mode on with Go Cryptographic Module {v}, which has no CMVP certificate"
                        );
                        j.remediation = Some("rebuild with GOFIPS140=v1.0.0 (CMVP #5247)".into());
                    }
                    (false, _) => {
                        j.status = Status::FipsCapable;
                        j.code = Code::GoFipsOff;
                        let why = match (env_mode, default_mode) {
                            (Some(m), _) => format!("the image Env sets GODEBUG fips140={m}"),
                            (None, Some(m)) => format!("it was built with fips140={m}"),
                            (None, None) => "nothing turns it on".into(),
                        };
                        j.summary = format!(
                            "{version}, Go Cryptographic Module {v} linked but FIPS mode is off: {why}"
                        );
                        j.remediation = Some(if validated.is_some() {
                            "set GODEBUG=fips140=on in the image Env".into()
                        } else {
                            "rebuild with GOFIPS140=v1.0.0 and set GODEBUG=fips140=on in the image Env".into()
                        });
                    }
                }
            }
            None => {
                j.summary =
                    format!("{version} with Go's standard crypto (no FIPS module selected)");
                j.module = Some("Go standard library crypto".into());
                j.remediation =
                    Some("rebuild with Go >= 1.24 and GOFIPS140=v1.0.0 (CMVP #5247)".into());
            }
        }
    }
    j.evidence = ev;
    Some(j)
}

/// A Go program from a toolchain in a crypto mode (OpenSSL, BoringCrypto,
/// GOFIPS140) whose function table could not be read: whether it uses
/// crypto at all is unknown, so no module (and no OpenSSL use) is claimed.
fn crypto_unknown(version: &str, mode: &str, evidence: Vec<Evidence>) -> Judgement {
    let mut j = Judgement::new(
        Status::Unknown,
        Code::GoCryptoUnknown,
        format!(
            "{version} from a toolchain {mode}, but its function table could not be read: whether it uses crypto (and so that module) is unknown"
        ),
    );
    j.remediation =
        Some("ship the binary as the Go linker wrote it (not packed or altered)".into());
    j.evidence = evidence;
    j
}

#[cfg(test)]
mod tests;
