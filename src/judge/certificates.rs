//! A certificate's CMVP status on the day the scan judges for: a module on
//! the Historical list (every FIPS 140-2 certificate since 2026-09-21, see
//! signatures `historical_since`) may stay where it is already deployed,
//! under the agency's own risk determination, but is not for new
//! procurements. A component that would be `validated` (or
//! `host-dependent`) on such a certificate is therefore `fips-capable` with
//! FIPS mode as it was: ready with warnings at best, saying why and what to
//! move to. The date is the scan's `--as-of` day (default today, UTC).

use jiff::civil::Date;

use crate::finding::Code;
use crate::report::{Component, Evidence};
use crate::score::Status;
use crate::signatures::Signatures;

/// Re-judges the components whose certificate is historical on `day`.
pub fn mark_historical(components: &mut [Component], sigs: &Signatures, day: Date) {
    for c in components
        .iter_mut()
        .filter(|c| matches!(c.status, Status::Validated | Status::HostDependent))
    {
        let Some(cert) = c.certificate.clone() else {
            continue;
        };
        let Some((since, module)) = sigs.historical_on(&cert, day) else {
            continue;
        };
        let standard = match module.level.as_str() {
            "fips140-2" => "FIPS 140-2",
            "fips140-3" => "FIPS 140-3",
            other => other,
        };
        let was = c.status;
        c.status = Status::FipsCapable;
        c.code = Code::CmvpHistorical;
        c.summary = format!(
            "{}; but {cert} ({standard}) is on the CMVP Historical list since {since}: not for new procurements, and existing systems keep it only by the agency's own risk determination",
            c.summary
        );
        if was == Status::HostDependent {
            c.summary.push_str(
                " (on a node that provides what it needs, it would otherwise be host-dependent)",
            );
        }
        let successor = module.successor.as_deref().unwrap_or_default();
        c.remediation = Some(format!(
            "move to a module with an active certificate: {successor}"
        ));
        c.evidence.push(Evidence::new(
            "certificate",
            format!("{cert}: {standard}, Historical since {since}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ComponentKind;

    fn component(status: Status, code: Code, cert: Option<&str>) -> Component {
        let mut c = Component::new(
            "/app/server".into(),
            "sha256:0".into(),
            ComponentKind::GoProgram,
            status,
            code,
            "go1.27.3 X:boringcrypto, BoringCrypto (CMVP #4407)".into(),
        );
        c.certificate = cert.map(str::to_string);
        c.fips_mode_on = true;
        c
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn fips_140_2_certificates_are_historical_from_the_sunset() {
        let sigs = Signatures::embedded();
        let fresh = || {
            vec![
                component(Status::Validated, Code::GoBoringCrypto, Some("CMVP #4407")),
                component(
                    Status::HostDependent,
                    Code::OpensslKernelSwitch,
                    Some("CMVP #4282"),
                ),
                // FIPS 140-3: active.
                component(
                    Status::Validated,
                    Code::OpensslFipsValidated,
                    Some("CMVP #4985"),
                ),
                component(Status::Validated, Code::GoFipsValidated, Some("CMVP #5247")),
                // Not a validated judgement: left alone.
                component(Status::NonFips, Code::GoStandardCrypto, Some("CMVP #4407")),
                component(Status::Validated, Code::GoFipsValidated, None),
            ]
        };
        // The day before: nothing changes.
        let mut before = fresh();
        mark_historical(&mut before, sigs, day("2026-09-20"));
        assert_eq!(
            before.iter().map(|c| c.status).collect::<Vec<_>>(),
            fresh().iter().map(|c| c.status).collect::<Vec<_>>()
        );
        let mut after = fresh();
        mark_historical(&mut after, sigs, day("2026-09-21"));
        let got: Vec<(Status, Code)> = after.iter().map(|c| (c.status, c.code)).collect();
        assert_eq!(
            got,
            [
                (Status::FipsCapable, Code::CmvpHistorical),
                (Status::FipsCapable, Code::CmvpHistorical),
                (Status::Validated, Code::OpensslFipsValidated),
                (Status::Validated, Code::GoFipsValidated),
                (Status::NonFips, Code::GoStandardCrypto),
                (Status::Validated, Code::GoFipsValidated),
            ]
        );
        let boring = &after[0];
        assert!(boring.fips_mode_on);
        assert_eq!(boring.certificate.as_deref(), Some("CMVP #4407"));
        assert_eq!(
            boring.summary,
            "go1.27.3 X:boringcrypto, BoringCrypto (CMVP #4407); but CMVP #4407 (FIPS 140-2) is on the CMVP Historical list since 2026-09-21: not for new procurements, and existing systems keep it only by the agency's own risk determination"
        );
        assert_eq!(
            boring.remediation.as_deref(),
            Some(
                "move to a module with an active certificate: Go's native FIPS 140-3 module: Go >= 1.24 with GOFIPS140=v1.0.0 (CMVP #5247)"
            )
        );
        assert_eq!(
            boring.evidence.last().map(|e| e.detail.as_str()),
            Some("CMVP #4407: FIPS 140-2, Historical since 2026-09-21")
        );
        assert!(
            after[1]
                .summary
                .ends_with("it would otherwise be host-dependent)")
        );
        assert_eq!(
            after[1].remediation.as_deref(),
            Some(
                "move to a module with an active certificate: the OpenSSL 3.1.2 FIPS provider (FIPS 140-3, CMVP #4985)"
            )
        );
    }
}
