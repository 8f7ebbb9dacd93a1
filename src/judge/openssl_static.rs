//! OpenSSL linked into a program rather than loaded as libcrypto.

use super::Judgement;
use super::link::Lib;
use super::openssl::OpensslInstall;
use super::openssl_fom::{self, FOM_MARKER};
use crate::detect::openssl::OpensslText;
use crate::finding::Code;
use crate::report::Evidence;
use crate::score::Status;
use crate::signatures::Signatures;

/// A program with OpenSSL linked in. OpenSSL 3 keeps its FIPS provider a
/// separate module even then, so a dynamically linked program loads it
/// like any other (from its compiled-in MODULESDIR, or OPENSSL_MODULES, as
/// its configuration says) and is judged by that provider: Node's official
/// static builds and `static-ssl-libc` (fixtures/parts/openssl-static.sh)
/// run in FIPS mode that way. A fully static executable cannot: glibc's
/// static dlopen of fips.so crashes it (sslapp-static, same fixture part).
pub fn judge<'a>(
    own: Lib<'a>,
    text: &OpensslText,
    layer: &str,
    sigs: &Signatures,
    mut install_of: impl FnMut(Lib<'a>) -> OpensslInstall,
) -> Judgement {
    let p = own.path;
    let three = text
        .version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m >= 3);
    let dynamic = own.facts.interp.is_some() || !own.facts.needed.is_empty();
    if text.distro.fips_object_module {
        // fipsld-linked: the FOM canister sits inside the program itself.
        let mut j = Judgement::new(Status::Unknown, Code::OpensslStatic, String::new());
        openssl_fom::judge(
            &format!("embeds OpenSSL {} statically", text.version),
            &mut j,
        );
        j.module = Some(format!(
            "OpenSSL {} with the FIPS Object Module (static)",
            text.version
        ));
        j.evidence = vec![
            Evidence::new("version-text", text.text.clone()).at(p, layer),
            Evidence::new("marker", FOM_MARKER).at(p, layer),
        ];
        return j;
    }
    let mut install = None;
    if three && dynamic {
        let i = install_of(own);
        if i.provider.is_some() {
            let mut j = i.judge(sigs);
            j.module = j
                .module
                .map(|m| format!("{m} (static OpenSSL {})", text.version));
            return j;
        }
        install = Some(i);
    }
    let version_text = Evidence::new("version-text", text.text.clone()).at(p, layer);
    let (summary, remediation) = match &install {
        Some(i) => {
            let dir = i
                .modulesdir
                .as_ref()
                .map_or_else(|| "its modules directory".into(), |(d, why)| format!("{d} ({why})"));
            (
                format!(
                    "embeds OpenSSL {} statically; it would load a FIPS provider from {dir}, where the image has no fips.so",
                    text.version
                ),
                "put a validated FIPS provider where it looks (OPENSSL_MODULES) and activate it in the configuration it reads (OPENSSL_CONF), or link OpenSSL dynamically against an OpenSSL 3 with a validated FIPS provider".to_string(),
            )
        }
        None if three => (
            format!(
                "embeds OpenSSL {} in a fully static executable, which cannot load the FIPS provider module (a static program's dlopen of fips.so crashes)",
                text.version
            ),
            "link the program dynamically (at least against libc), then give its OpenSSL a validated FIPS provider".to_string(),
        ),
        None => (
            format!(
                "embeds OpenSSL {} statically; it cannot use a FIPS provider from the image",
                text.version
            ),
            "link OpenSSL dynamically against an OpenSSL 3 with a validated FIPS provider".to_string(),
        ),
    };
    let mut j = Judgement::new(Status::NonFips, Code::OpensslStatic, summary);
    j.module = Some(format!("OpenSSL {} (static)", text.version));
    j.evidence = vec![version_text];
    if let Some(i) = install {
        j.evidence.extend(
            i.evidence()
                .into_iter()
                .filter(|e| e.kind == "modules-dir" || e.kind == "openssl-config"),
        );
    }
    j.remediation = Some(remediation);
    j
}
