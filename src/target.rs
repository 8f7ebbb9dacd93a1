//! Target profiles (`--target`): what a FIPS node gives the containers it
//! runs. A `host-dependent` component states what it needs from the node
//! (`HostNeed`); a profile states what its nodes provide, so the same image
//! can be ready on one node type and not on another.

use serde::Serialize;

/// Something a component needs from the node to run its validated module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostNeed {
    /// `/proc/sys/crypto/fips_enabled` reads 1 inside the container: the
    /// node's kernel runs in FIPS mode (`fips=1`). Modules that switch on from
    /// the kernel flag (RHEL/UBI OpenSSL, golang-fips, Microsoft Go, Red Hat
    /// OpenJDK through NSS) need it.
    KernelFipsMode,
    /// The container runtime carries the host's FIPS state into the
    /// container: CRI-O and podman on a FIPS RHEL host mount
    /// `/run/secrets/system-fips` (which UBI 8's `/etc/system-fips` points
    /// to) and the FIPS crypto-policies back-ends. containerd does not.
    RuntimeFipsSecrets,
    /// The vendor validated the module on its own kernel: Ubuntu Pro FIPS
    /// containers on an Ubuntu Pro FIPS host.
    UbuntuFipsHost,
    /// SymCrypt-OpenSSL's validation covers Azure Linux hosts.
    // kebab-case alone would write "azure-linux-fips-host"; the schema and
    // `as_str` say "azurelinux-fips-host".
    #[serde(rename = "azurelinux-fips-host")]
    AzureLinuxFipsHost,
    /// Red Hat's validations list RHEL (CoreOS) hosts as the operating environment.
    RhelFipsHost,
}

impl HostNeed {
    pub fn as_str(self) -> &'static str {
        match self {
            HostNeed::KernelFipsMode => "kernel-fips-mode",
            HostNeed::RuntimeFipsSecrets => "runtime-fips-secrets",
            HostNeed::UbuntuFipsHost => "ubuntu-fips-host",
            HostNeed::AzureLinuxFipsHost => "azurelinux-fips-host",
            HostNeed::RhelFipsHost => "rhel-fips-host",
        }
    }

    /// Whether lacking it keeps the FIPS path from switching on (a blocker)
    /// or only takes the module outside its validated environment (a warning).
    pub fn switches_fips_on(self) -> bool {
        matches!(
            self,
            HostNeed::KernelFipsMode | HostNeed::RuntimeFipsSecrets
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            HostNeed::KernelFipsMode => {
                "the node's kernel in FIPS mode (fips_enabled=1 seen in the container)"
            }
            HostNeed::RuntimeFipsSecrets => {
                "a container runtime that mounts the host's system-fips marker (CRI-O or podman on a FIPS RHEL host)"
            }
            HostNeed::UbuntuFipsHost => "an Ubuntu Pro FIPS host kernel",
            HostNeed::AzureLinuxFipsHost => "an Azure Linux FIPS host",
            HostNeed::RhelFipsHost => "a RHEL or RHEL CoreOS host in FIPS mode",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub name: &'static str,
    pub description: &'static str,
    pub provides: &'static [HostNeed],
}

pub const GENERIC: Target = Target {
    name: "generic",
    description: "Any Kubernetes node whose kernel runs in FIPS mode, with containerd; no vendor host is assumed",
    provides: &[HostNeed::KernelFipsMode],
};

pub const TARGETS: &[Target] = &[
    GENERIC,
    Target {
        name: "aks-azurelinux",
        description: "AKS node pool with --enable-fips-image on Azure Linux: FIPS kernel, containerd, SymCrypt-based host crypto",
        provides: &[HostNeed::KernelFipsMode, HostNeed::AzureLinuxFipsHost],
    },
    Target {
        name: "aks-ubuntu",
        description: "AKS node pool with --enable-fips-image on Ubuntu: Ubuntu Pro FIPS kernel, containerd",
        provides: &[HostNeed::KernelFipsMode, HostNeed::UbuntuFipsHost],
    },
    Target {
        name: "openshift-rhel",
        description: "OpenShift cluster installed with fips: true: RHEL CoreOS in FIPS mode, CRI-O mounting the host's FIPS state into containers",
        provides: &[
            HostNeed::KernelFipsMode,
            HostNeed::RuntimeFipsSecrets,
            HostNeed::RhelFipsHost,
        ],
    },
];

impl Target {
    pub fn by_name(name: &str) -> Option<Target> {
        TARGETS.iter().copied().find(|t| t.name == name)
    }

    pub fn names() -> Vec<&'static str> {
        TARGETS.iter().map(|t| t.name).collect()
    }

    pub fn provides(&self, need: HostNeed) -> bool {
        self.provides.contains(&need)
    }

    /// The needs of a component this node does not meet.
    pub fn unmet(&self, needs: &[HostNeed]) -> Vec<HostNeed> {
        needs
            .iter()
            .copied()
            .filter(|n| !self.provides(*n))
            .collect()
    }

    pub fn as_ref(&self) -> crate::report::TargetRef {
        crate::report::TargetRef {
            name: self.name,
            description: self.description,
            provides: self.provides.to_vec(),
        }
    }
}

impl Default for Target {
    fn default() -> Self {
        GENERIC
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_provides_the_kernel_flag_and_has_a_unique_name() {
        let mut names = Target::names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TARGETS.len());
        for t in TARGETS {
            assert!(t.provides(HostNeed::KernelFipsMode), "{}", t.name);
        }
        assert_eq!(Target::by_name("generic"), Some(GENERIC));
        assert_eq!(Target::by_name("gke"), None);
    }

    #[test]
    fn needs_serialise_as_their_names() {
        for need in [
            HostNeed::KernelFipsMode,
            HostNeed::RuntimeFipsSecrets,
            HostNeed::UbuntuFipsHost,
            HostNeed::AzureLinuxFipsHost,
            HostNeed::RhelFipsHost,
        ] {
            assert_eq!(serde_json::to_value(need).ok(), Some(need.as_str().into()));
        }
    }

    #[test]
    fn only_openshift_carries_the_system_fips_marker() {
        let with: Vec<_> = TARGETS
            .iter()
            .filter(|t| t.provides(HostNeed::RuntimeFipsSecrets))
            .map(|t| t.name)
            .collect();
        assert_eq!(with, ["openshift-rhel"]);
        let aks = Target::by_name("aks-ubuntu").unwrap_or_default();
        assert_eq!(
            aks.unmet(&[HostNeed::KernelFipsMode, HostNeed::RuntimeFipsSecrets]),
            [HostNeed::RuntimeFipsSecrets]
        );
    }
}
