//! OpenSSL 1.0.2 built with the OpenSSL FIPS Object Module 2.0 (FOM): the
//! canister `fipsld` links into libcrypto or into the program. What can be
//! sourced about its validations (signatures/README.md "OpenSSL 1.0.2 FIPS
//! Object Module"): the FOM 2.0 is covered by three validations, #1747,
//! #2398 and #2473 (Steve Marquess on openssl-users, 2016); the OpenSSL
//! project "is no longer maintaining either the 1747 or the 2398 module" and
//! neither works with any release but 1.0.2 (openssl/web docs/fips.md), and
//! has since removed the FOM 2.0 pages. fipscan does not say the certificates
//! are revoked or expired: it says what the project says, and that OpenSSL
//! 1.0.2 gets no upstream fixes.

use super::Judgement;
use crate::finding::Code;
use crate::score::Status;

/// The evidence text for the canister's symbols.
pub const FOM_MARKER: &str =
    "FIPS Object Module canister symbols (FINGERPRINT_premain / FIPS_module_version_text)";

const WHY: &str = "the OpenSSL project no longer maintains the FOM 2.0 validations (#1747, #2398, #2473) and OpenSSL 1.0.2 itself is out of upstream support; a vendor's own FOM (CiscoSSL FOM and the like) carries its own certificate, which fipscan does not check";

/// `what` names the component: `uses OpenSSL 1.0.2u-fips (/usr/lib/libcrypto.so.1.0.0)`
/// or `embeds OpenSSL 1.0.2u-fips statically`.
pub fn judge(what: &str, j: &mut Judgement) {
    j.status = Status::NonFips;
    j.code = Code::OpensslFipsObjectModule;
    j.fips_mode_on = false;
    j.summary = format!(
        "{what}, linked with the OpenSSL FIPS Object Module (fipscanister), which runs in FIPS mode only when the program calls FIPS_mode_set(1): {WHY}"
    );
    j.remediation = Some(
        "move to OpenSSL 3 with a validated FIPS provider (3.0.8/3.0.9 or 3.1.2); for a vendor FOM with a current certificate, confirm it on the CMVP site and waive this finding".into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fom_is_not_a_current_validation() {
        let mut j = Judgement::new(Status::Unknown, Code::OpensslLegacy, String::new());
        judge(
            "uses OpenSSL 1.0.2u-fips (/usr/lib/libcrypto.so.1.0.0)",
            &mut j,
        );
        assert_eq!(
            (j.status, j.code, j.fips_mode_on),
            (Status::NonFips, Code::OpensslFipsObjectModule, false)
        );
        assert_eq!(
            j.summary,
            "uses OpenSSL 1.0.2u-fips (/usr/lib/libcrypto.so.1.0.0), linked with the OpenSSL FIPS Object Module (fipscanister), which runs in FIPS mode only when the program calls FIPS_mode_set(1): the OpenSSL project no longer maintains the FOM 2.0 validations (#1747, #2398, #2473) and OpenSSL 1.0.2 itself is out of upstream support; a vendor's own FOM (CiscoSSL FOM and the like) carries its own certificate, which fipscan does not check"
        );
        assert!(j.needs.is_empty() && j.certificate.is_none());
    }
}
