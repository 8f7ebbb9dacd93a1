//! Command-line definitions only; `main.rs` turns them into a run.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "fipscan",
    version,
    about = "Tell whether container images are ready for FIPS-enabled Kubernetes nodes"
)]
#[command(
    after_help = "Exit codes: 0 the images pass the --fail-on gate; 1 at least one fails it; 2 error (an image could not be read, or only partly)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan images and judge their FIPS readiness.
    Scan(ScanArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
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
    /// Images: oci:DIR[:TAG|@sha256:…], docker-archive:FILE[:REPO:TAG], dir:ROOTFS.
    #[arg(required = true, value_name = "IMAGE")]
    pub images: Vec<String>,
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Platform to pick from a multi-platform image (default linux/amd64, or the only one).
    #[arg(
        long,
        value_name = "OS/ARCH[/VARIANT]",
        conflicts_with = "all_platforms"
    )]
    pub platform: Option<String>,
    /// Scan every platform of a multi-platform image.
    #[arg(long)]
    pub all_platforms: bool,
    #[arg(long, value_enum, default_value_t = FailOn::NotReady)]
    pub fail_on: FailOn,
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
    /// Print nothing but the report (and errors).
    #[arg(long, short)]
    pub quiet: bool,
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
}
