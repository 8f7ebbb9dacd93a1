//! A JVM's provider order (`java.security`) and, with the image's best
//! BC-FIPS jar, the status of that JVM. Statuses follow the verdict model of
//! ../shared/DESIGN.md.

use serde::Serialize;

use super::JavaMarkers;
use super::classify::JavaCryptoStatus;
use super::security::{JavaSecurity, ProviderEntry};
use crate::score::Status;

/// Which crypto a JVM's `java.security` puts first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "order", rename_all = "kebab-case")]
pub enum ProviderOrder {
    /// Red Hat's `fips.provider.*` list starts with SunPKCS11 over NSS in
    /// FIPS mode (`nss.fips.cfg`). It replaces the provider list when
    /// `security.useSystemPropertiesFile=true` and the host is in FIPS mode
    /// (rh-openjdk `SystemConfigurator`: `com.redhat.fips`, default true,
    /// and NSS's or /proc's system FIPS flag).
    RedHatNssFips {
        entry: ProviderEntry,
        switched_on: bool,
    },
    BcFipsFirst {
        entry: ProviderEntry,
    },
    /// BC-FIPS registered behind providers that answer first.
    BcFipsListed {
        entry: ProviderEntry,
        first: ProviderEntry,
    },
    /// Regular Bouncy Castle first.
    BcFirst {
        entry: ProviderEntry,
    },
    /// The JDK's own providers (SUN, SunJCE...), not a validated module.
    JdkProviders {
        first: ProviderEntry,
    },
    NoProviders,
}

pub fn classify_provider_order(sec: &JavaSecurity, m: &JavaMarkers) -> ProviderOrder {
    let is_bcfips = |p: &ProviderEntry| {
        m.bcfips_provider.matches(&p.name) || m.bcfips_provider_name.matches(&p.name)
    };
    let red_hat = sec.fips_providers.first().filter(|p| {
        m.pkcs11_provider.matches(&p.name)
            && p.arg.as_deref().is_some_and(|a| m.nss_fips_cfg.matches(a))
    });
    let switched_on = sec.use_system_properties_file == Some(true);
    if let Some(entry) = red_hat.filter(|_| switched_on) {
        return ProviderOrder::RedHatNssFips {
            entry: entry.clone(),
            switched_on,
        };
    }
    let order = match sec.providers.first() {
        None => ProviderOrder::NoProviders,
        Some(p) if is_bcfips(p) => return ProviderOrder::BcFipsFirst { entry: p.clone() },
        Some(first) => match sec.providers.iter().find(|p| is_bcfips(p)) {
            Some(entry) => ProviderOrder::BcFipsListed {
                entry: entry.clone(),
                first: first.clone(),
            },
            None if m.bc_provider.matches(&first.name)
                || m.bc_provider_name.matches(&first.name) =>
            {
                ProviderOrder::BcFirst {
                    entry: first.clone(),
                }
            }
            None => ProviderOrder::JdkProviders {
                first: first.clone(),
            },
        },
    };
    match red_hat {
        Some(entry) => ProviderOrder::RedHatNssFips {
            entry: entry.clone(),
            switched_on: false,
        },
        None => order,
    }
}

/// The status of one JVM: its provider order, and what the image's best
/// BC-FIPS jar (if any) classified as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JvmJudgement {
    pub status: Status,
    /// The FIPS path is switched on as the image ships (or on a FIPS host).
    pub fips_mode_on: bool,
    pub summary: String,
    pub remediation: Option<String>,
}

pub fn judge_jvm(order: &ProviderOrder, bc_fips: Option<&JavaCryptoStatus>) -> JvmJudgement {
    let j = |status, on, summary: String, fix: Option<&str>| JvmJudgement {
        status,
        fips_mode_on: on,
        summary,
        remediation: fix.map(str::to_string),
    };
    const REGISTER: &str = "register BC-FIPS first: security.provider.1=org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider";
    match order {
        ProviderOrder::RedHatNssFips { switched_on: true, .. } => j(
            Status::HostDependent,
            true,
            "Red Hat OpenJDK switches to SunPKCS11-NSS-FIPS (the image's NSS softoken) when the host runs in FIPS mode".into(),
            None,
        ),
        ProviderOrder::RedHatNssFips { switched_on: false, .. } => j(
            Status::FipsCapable,
            false,
            "Red Hat FIPS provider list present, but security.useSystemPropertiesFile is not true, so the JVM never switches to it".into(),
            Some("set security.useSystemPropertiesFile=true in java.security"),
        ),
        ProviderOrder::BcFipsFirst { .. } => match bc_fips {
            Some(JavaCryptoStatus::BcFipsValidated { version, certificate, .. }) => j(
                Status::Validated,
                true,
                format!("BC-FIPS {version} ({certificate}) is the first provider"),
                None,
            ),
            Some(JavaCryptoStatus::BcFipsUnvalidated { reason, .. }) => j(
                Status::FipsCapable,
                true,
                format!("BC-FIPS is the first provider, but not a validated module: {reason}"),
                Some("use a validated BC-FIPS jar, unmodified"),
            ),
            _ => j(
                Status::NonFips,
                false,
                "BC-FIPS is listed first but no BC-FIPS jar was found; the JVM skips a provider it cannot load".into(),
                Some("add a validated bc-fips jar to the class path"),
            ),
        },
        ProviderOrder::BcFipsListed { first, .. } => j(
            Status::FipsCapable,
            false,
            format!("BC-FIPS is registered behind {}, which answers first", first.name),
            Some(REGISTER),
        ),
        ProviderOrder::BcFirst { .. } => j(
            Status::NonFips,
            false,
            "regular Bouncy Castle (BC, not BC-FIPS) is the first provider".into(),
            Some(REGISTER),
        ),
        ProviderOrder::JdkProviders { first } => match bc_fips {
            // The application may register BC-FIPS in code, which no static
            // scan sees; the jar's presence makes that likely but not sure.
            Some(JavaCryptoStatus::BcFipsValidated { version, .. }) => j(
                Status::Unknown,
                false,
                format!("BC-FIPS {version} is present but java.security puts the JDK's {} first; the application may register BC-FIPS in code", first.name),
                Some(REGISTER),
            ),
            _ => j(
                Status::NonFips,
                false,
                format!("the JDK's own providers ({} first) are not a validated module", first.name),
                Some(REGISTER),
            ),
        },
        ProviderOrder::NoProviders => j(
            Status::Unknown,
            false,
            "java.security registers no provider (another file may supply them)".into(),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::java::{parse_java_security, testutil};

    fn order(text: &str) -> ProviderOrder {
        let m = JavaMarkers::default();
        classify_provider_order(&parse_java_security(text, &m), &m)
    }

    fn validated() -> JavaCryptoStatus {
        JavaCryptoStatus::BcFipsValidated {
            version: "2.1.0".into(),
            certificate: "CMVP #4943".into(),
            level: "fips140-3".into(),
        }
    }

    const RH: &str = "security.provider.1=SUN\nfips.provider.1=SunPKCS11 ${java.home}/conf/security/nss.fips.cfg\nfips.provider.2=SUN\nsecurity.useSystemPropertiesFile=";
    const BCFIPS_FIRST: &str = "security.provider.1=org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider C:HYBRID;ENABLE{All};\nsecurity.provider.2=SunJSSE BCFIPS\n";

    #[test]
    fn debian_openjdk17_order_is_the_jdks_own() {
        let text = String::from_utf8(testutil::read(
            "root/etc/java-17-openjdk/security/java.security",
        ))
        .unwrap();
        let o = order(&text);
        assert!(
            matches!(&o, ProviderOrder::JdkProviders { first } if first.name == "SUN"),
            "{o:?}"
        );
        let j = judge_jvm(&o, None);
        assert_eq!((j.status, j.fips_mode_on), (Status::NonFips, false));
        assert!(j.remediation.unwrap().contains("security.provider.1="));
        // A validated BC-FIPS jar the provider list ignores: maybe registered in code.
        assert_eq!(judge_jvm(&o, Some(&validated())).status, Status::Unknown);
    }

    #[test]
    fn red_hat_switch_decides_between_host_dependent_and_off() {
        let on = order(&format!("{RH}true\n"));
        assert!(matches!(
            on,
            ProviderOrder::RedHatNssFips {
                switched_on: true,
                ..
            }
        ));
        let j = judge_jvm(&on, None);
        assert_eq!((j.status, j.fips_mode_on), (Status::HostDependent, true));
        for off in [
            format!("{RH}false\n"),
            RH.replace("security.useSystemPropertiesFile=", ""),
        ] {
            let o = order(&off);
            assert!(
                matches!(
                    o,
                    ProviderOrder::RedHatNssFips {
                        switched_on: false,
                        ..
                    }
                ),
                "{o:?}"
            );
            let j = judge_jvm(&o, None);
            assert_eq!(j.status, Status::FipsCapable);
            assert!(
                j.remediation
                    .unwrap()
                    .contains("useSystemPropertiesFile=true")
            );
        }
        // A fips.provider list without the NSS FIPS config is not Red Hat's FIPS path.
        let o = order(
            "security.provider.1=SUN\nfips.provider.1=SunPKCS11 /x/nss.cfg\nsecurity.useSystemPropertiesFile=true\n",
        );
        assert!(matches!(o, ProviderOrder::JdkProviders { .. }), "{o:?}");
    }

    #[test]
    fn bc_fips_first_follows_the_jar() {
        let o = order(BCFIPS_FIRST);
        assert!(
            matches!(&o, ProviderOrder::BcFipsFirst { entry } if entry.arg.as_deref() == Some("C:HYBRID;ENABLE{All};"))
        );
        let j = judge_jvm(&o, Some(&validated()));
        assert_eq!((j.status, j.fips_mode_on), (Status::Validated, true));
        assert!(j.summary.contains("CMVP #4943"));
        let repackaged = JavaCryptoStatus::BcFipsUnvalidated {
            version: Some("1.0.2.4".into()),
            reason: "BC-FIPS classes repackaged into another jar".into(),
        };
        let j = judge_jvm(&o, Some(&repackaged));
        assert_eq!((j.status, j.fips_mode_on), (Status::FipsCapable, true));
        assert_eq!(judge_jvm(&o, None).status, Status::NonFips);
        // By provider name too (ServiceLoader registration).
        assert!(matches!(
            order("security.provider.1=BCFIPS\n"),
            ProviderOrder::BcFipsFirst { .. }
        ));
    }

    #[test]
    fn other_orders() {
        // `SunJSSE BCFIPS` first: JSSE over BC-FIPS, but BC-FIPS itself is second.
        let o = order("security.provider.1=SunJSSE BCFIPS\nsecurity.provider.2=BCFIPS\n");
        assert!(matches!(&o, ProviderOrder::BcFipsListed { first, .. } if first.name == "SunJSSE"));
        let j = judge_jvm(&o, Some(&validated()));
        assert_eq!((j.status, j.fips_mode_on), (Status::FipsCapable, false));
        let o = order("security.provider.1=org.bouncycastle.jce.provider.BouncyCastleProvider\n");
        assert!(matches!(o, ProviderOrder::BcFirst { .. }));
        assert_eq!(judge_jvm(&o, None).status, Status::NonFips);
        assert!(matches!(
            order("security.provider.1=BC\n"),
            ProviderOrder::BcFirst { .. }
        ));
        let o = order("# nothing\n");
        assert_eq!(o, ProviderOrder::NoProviders);
        assert_eq!(judge_jvm(&o, None).status, Status::Unknown);
    }
}
