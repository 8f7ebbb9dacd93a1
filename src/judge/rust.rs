//! Rust programs, judged by the crypto crates they link (src/rustbin.rs).

use super::Judgement;
use crate::finding::Code;
use crate::report::Evidence;
use crate::score::Status;

/// A Rust program judged by the crypto crates it links; the worst module wins.
pub fn judge(p: &str, layer: &str, rust: &crate::rustbin::RustFacts) -> Option<Judgement> {
    let judgements = crate::rustbin::classify(rust);
    let worst = judgements
        .iter()
        .rev()
        .max_by_key(|j| (j.status == Status::NonFips, j.status))?;
    use crate::rustbin::RustCrypto;
    let fips = matches!(
        worst.crypto,
        RustCrypto::AwsLcFips { .. } | RustCrypto::BoringFips { .. }
    );
    // Every module linked, the deciding one first: a FIPS module beside
    // ring or pure-Rust crypto does not make the other paths FIPS.
    let mut summary = worst.reason.clone();
    for other in judgements.iter().filter(|o| o.crypto != worst.crypto) {
        summary.push_str("; also ");
        summary.push_str(&other.reason);
    }
    let code = match worst.crypto {
        RustCrypto::AwsLcFips { .. } => Code::RustAwsLcFips,
        RustCrypto::BoringFips { .. } => Code::RustBoringFips,
        _ => Code::RustNonFips,
    };
    let mut j = Judgement::new(worst.status, code, summary);
    j.fips_mode_on = fips;
    j.module = Some(match &worst.crypto {
        crate::rustbin::RustCrypto::AwsLcFips { version } => version.clone(),
        crate::rustbin::RustCrypto::AwsLc => "aws-lc (non-FIPS)".into(),
        crate::rustbin::RustCrypto::Ring => "ring".into(),
        RustCrypto::BoringFips { version } => version.clone(),
        RustCrypto::Boring => "BoringSSL (non-FIPS)".into(),
        crate::rustbin::RustCrypto::Other => "pure-Rust crypto crates".into(),
    });
    for marker in [&rust.aws_lc_fips, &rust.aws_lc, &rust.ring]
        .into_iter()
        .flatten()
    {
        j.evidence
            .push(Evidence::new("symbol", marker.clone()).at(p, layer));
    }
    let crypto_deps: Vec<String> = rust
        .deps
        .iter()
        .filter(|(n, _)| {
            n.contains("aws-lc")
                || n == "ring"
                || n == "rustls"
                || n == "boring"
                || n == "boring-sys"
        })
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    if !crypto_deps.is_empty() {
        j.evidence.push(Evidence::new(
            "rust-dependency",
            format!(".dep-v0: {}", crypto_deps.join(", ")),
        ));
    }
    if !rust.src_crates.is_empty() {
        let named: Vec<String> = rust
            .src_crates
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        j.evidence.push(
            Evidence::new(
                "rust-dependency",
                format!("source paths: {}", named.join(", ")),
            )
            .at(p, layer),
        );
    }
    if rust.deps.is_empty()
        && rust.aws_lc_fips.is_none()
        && let Some(text) = &rust.aws_lc_fips_version
    {
        j.evidence
            .push(Evidence::new("string", text.clone()).at(p, layer));
    }
    if let Some(mark) = &rust.boring_fips {
        // The symbol, or the entropy message of a file without it.
        let kind = if mark == crate::rustbin::BORING_FIPS_SYMBOL {
            "symbol"
        } else {
            "string"
        };
        j.evidence
            .push(Evidence::new(kind, mark.clone()).at(p, layer));
    }
    let fips_beside = judgements.iter().find_map(|o| match &o.crypto {
        RustCrypto::AwsLcFips { version } | RustCrypto::BoringFips { version } if !fips => {
            Some(version.clone())
        }
        _ => None,
    });
    let boring = judgements
        .iter()
        .any(|o| matches!(o.crypto, RustCrypto::Boring | RustCrypto::BoringFips { .. }));
    j.remediation = Some(match fips_beside {
        _ if matches!(worst.crypto, RustCrypto::BoringFips { .. }) => "link a BoringSSL FIPS module whose version holds a certificate, built as its Security Policy says (boring-sys's `fips` feature with the policy's toolchain), or use aws-lc-rs with an aws-lc-fips-sys release that holds one".into(),
        _ if fips => "build with an aws-lc-fips-sys release whose AWS-LC FIPS version holds a certificate (2.0.x #4816/#5429, 3.x #5298/#5314)".into(),
        Some(module) => format!(
            "it already links {module}: drop the other crypto crates from the build, or make every crypto call go through the aws-lc-rs FIPS provider (select it as the process default before any crypto)"
        ),
        None if boring => "build boring with its `fips` feature (BoringSSL's FIPS module), or use aws-lc-rs with its `fips` feature".into(),
        None => "use aws-lc-rs with its `fips` feature (rustls: the aws-lc-rs provider with `fips`)".into(),
    });
    Some(j)
}
