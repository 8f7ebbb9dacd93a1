//! Command-line definitions only; `main.rs` turns them into a run.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "fipscan",
    version,
    about = "Tell whether container images are ready for FIPS-enabled Kubernetes nodes"
)]
#[command(
    after_help = "Exit codes: 0 the images pass the --fail-on gate (and the policy's min_score); 1 at least one fails it; 2 error (an image or reference could not be read, or only partly; an invalid policy).\nLevels (--fail-on): not-ready (default) fails not-ready images; warnings also fails ready-with-warnings; never fails on no verdict (min_score and errors still count)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan images and judge their FIPS readiness.
    Scan(Box<ScanArgs>),
    /// Gate Kubernetes manifests: scan the images of every workload
    /// scheduled on FIPS nodes. Exit 0 all pass, 1 one fails, 2 error.
    Gate(Box<GateArgs>),
    /// Work with policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Explain a finding code: what it means, why it matters on a FIPS node,
    /// how to fix it, with an example. Without a code, list every code.
    Explain {
        #[arg(value_name = "CODE")]
        code: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file: TOML shape, known finding codes and targets,
    /// globs and dates. Exit 0 when valid (expired waivers are listed), 2 when not.
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, one run per image (GitHub code scanning and other SARIF consumers).
    Sarif,
    /// CycloneDX 1.6 JSON: one BOM (several images as one assembly).
    Cyclonedx,
    /// One self-contained HTML audit page (no network access).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail when an image is not-ready.
    NotReady,
    /// Fail on not-ready and ready-with-warnings.
    Warnings,
    /// Never fail on a verdict (errors still exit 2).
    Never,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Images: [REGISTRY/]REPO[:TAG|@sha256:…] (as docker reads it; also
    /// registry:REF or docker://REF), oci:DIR[:TAG|@sha256:…],
    /// docker-archive:FILE[:REPO:TAG], dir:ROOTFS. An existing path is local.
    #[arg(required_unless_present = "from_file", value_name = "IMAGE")]
    pub images: Vec<String>,
    /// Also scan the references in FILE, one per line (blank lines and # comments ignored).
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Scan every platform of a multi-platform image.
    #[arg(long, conflicts_with = "platform")]
    pub all_platforms: bool,
    #[command(flatten)]
    pub settings: ScanSettings,
}

/// Options `scan` and `gate` share: registry access, platform, how images
/// are judged and gated, and the bounds for untrusted images.
#[derive(Debug, clap::Args)]
pub struct ScanSettings {
    /// Registry user name, for every registry of the run (the password comes from --password-stdin).
    #[arg(long, requires = "password_stdin", value_name = "USER")]
    pub username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// Also trust the CA certificates (PEM) in FILE for registry TLS.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Allow plain HTTP to registries that do not speak TLS (always allowed
    /// for localhost). Certificates are still verified when TLS is used.
    #[arg(long)]
    pub insecure: bool,
    /// Registry connect timeout (e.g. 10s, 500ms).
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub connect_timeout: Duration,
    /// Longest silence while reading a registry response.
    #[arg(long, value_parser = parse_duration, default_value = "30s", value_name = "DURATION")]
    pub read_timeout: Duration,
    /// Retries of a registry request after a connection failure, 429 or 5xx.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub retries: u32,
    /// First delay between retries; it doubles each time (Retry-After wins).
    #[arg(long, value_parser = parse_duration, default_value = "500ms", value_name = "DURATION")]
    pub retry_delay: Duration,
    /// Platform to pick from a multi-platform image (default linux/amd64, or the only one).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    #[arg(long, value_enum, default_value_t = FailOn::NotReady)]
    pub fail_on: FailOn,
    /// The node the image must run on: generic, aks-azurelinux, aks-ubuntu,
    /// openshift-rhel (default: the policy's target, else generic).
    #[arg(long, value_name = "PROFILE", value_parser = clap::builder::PossibleValuesParser::new(crate::target::Target::names()))]
    pub target: Option<String>,
    /// Apply the waivers, minimum score and default target of a policy file (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Judge certificates' CMVP status and waiver expiry as of this day
    /// (YYYY-MM-DD; default today, UTC): e.g. the day of an audit.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Layers read in parallel (default: number of CPUs).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Largest file read into memory for inspection (e.g. 512M).
    #[arg(long, value_parser = parse_size, default_value = "512M")]
    pub max_file_bytes: u64,
    /// Most decompressed bytes read from one layer (e.g. 64G).
    #[arg(long, value_parser = parse_size, default_value = "64G")]
    pub max_layer_bytes: u64,
    /// Most tar entries read from one layer.
    #[arg(long, default_value_t = 5_000_000)]
    pub max_entries: u64,
    /// Use the signature data in DIR (*.toml) instead of the built-in data.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
    /// Print nothing but the report (and errors): no progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// Manifests: a YAML file (several documents, or the List of `kubectl
    /// get -o yaml`), a directory of *.yaml/*.yml files, or - for standard
    /// input. Repeatable.
    #[arg(short = 'f', long = "filename", required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A node label KEY=VALUE that marks FIPS nodes, required by nodeSelector
    /// or node affinity (repeatable; replaces kubernetes.azure.com/fips_enabled=true).
    #[arg(long, value_name = "KEY=VALUE", value_parser = crate::gate::Selector::parse)]
    pub fips_selector: Vec<crate::gate::Selector>,
    /// Also scan the workloads not on FIPS nodes, and print the patch that
    /// moves there those whose images are all ready.
    #[arg(long)]
    pub suggest: bool,
    #[arg(long, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,
    /// Also list the objects that are not workloads (text output).
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub settings: ScanSettings,
}

/// `30`, `30s`, `500ms`, `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 30s or 500ms"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(n)),
        "ms" => Ok(Duration::from_millis(n)),
        "m" => n
            .checked_mul(60)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("{s:?} is too long")),
        _ => Err(format!("unknown unit in {s:?} (use ms, s or m)")),
    }
}

/// `1024`, `64K`, `512M`, `2G` (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M, G or T)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 512M"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("ms").is_err());
    }

    #[test]
    fn password_needs_a_user_and_images_may_come_from_a_file() {
        use clap::Parser as _;
        assert!(Cli::try_parse_from(["fipscan", "scan", "x", "--password-stdin"]).is_err());
        assert!(Cli::try_parse_from(["fipscan", "scan", "x", "--username", "u"]).is_err());
        assert!(Cli::try_parse_from(["fipscan", "scan"]).is_err());
        assert!(Cli::try_parse_from(["fipscan", "scan", "--from-file", "l.txt"]).is_ok());
    }

    #[test]
    fn gate_takes_the_scan_settings_and_platform_still_conflicts() {
        use clap::Parser as _;
        let cli = Cli::try_parse_from([
            "fipscan",
            "gate",
            "-f",
            "a.yaml",
            "--filename",
            "-",
            "--fips-selector",
            "fips=on",
            "--suggest",
            "--fail-on",
            "warnings",
            "--retries",
            "1",
            "-q",
        ])
        .unwrap();
        let Command::Gate(g) = cli.command else {
            panic!("not gate")
        };
        assert_eq!(g.files, [PathBuf::from("a.yaml"), PathBuf::from("-")]);
        assert_eq!(g.fips_selector[0].to_string(), "fips=on");
        assert!(g.suggest && g.settings.quiet);
        assert_eq!(
            (g.settings.fail_on, g.settings.retries),
            (FailOn::Warnings, 1)
        );
        assert!(Cli::try_parse_from(["fipscan", "gate"]).is_err());
        assert!(Cli::try_parse_from(["fipscan", "gate", "-f", "a", "--all-platforms"]).is_err());
        assert!(
            Cli::try_parse_from([
                "fipscan",
                "scan",
                "x",
                "--platform",
                "linux/arm64",
                "--all-platforms"
            ])
            .is_err()
        );
    }
}
