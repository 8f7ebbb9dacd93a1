use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use fipscan::app::{self, ScanOptions};
use fipscan::cli::{
    Cli, Command, Format, GateArgs, GateFormat, PolicyCommand, ScanArgs, ScanSettings,
};
use fipscan::finding::Code;
use fipscan::gate;
use fipscan::image::Platform;
use fipscan::layer::Limits;
use fipscan::policy::{self, Policy};
use fipscan::report::{Report, cyclonedx, html, json, sarif, text};
use fipscan::signatures::Signatures;
use fipscan::source::{RegistryOptions, Selection, registry::Secret};
use fipscan::target::Target;

fn main() -> ExitCode {
    fipscan::detect::install_panic_hook();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Gate(args) => gate(*args),
        Command::Policy(PolicyCommand::Check { file }) => policy_check(&file),
        Command::Explain { code } => explain(code.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fipscan: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let mut references = args.images.clone();
    if let Some(file) = &args.from_file {
        references.extend(references_from_file(file)?);
    }
    if references.is_empty() {
        anyhow::bail!("no image to scan (--from-file listed none)");
    }
    let opts = scan_options(&args.settings, args.all_platforms)?;
    let scanned = app::scan_references(&references, &opts);
    let report = scanned.report;
    // Nothing could be read: the errors are the whole output, as before
    // batches existed. Otherwise failed references are in the report too;
    // SARIF is always written so a pipeline's upload step records the
    // failed invocation.
    if !report.images.is_empty() || args.format == Format::Sarif {
        write_report(&report, &args)?;
    }
    for e in &scanned.errors {
        eprintln!("fipscan: error: {}", e.error);
    }
    let incomplete = report.images.iter().any(|i| i.incomplete);
    if incomplete {
        // Errors, so printed even with --quiet; the hint is not.
        report_unreadable_layers(&report);
        if !args.settings.quiet {
            eprintln!("fipscan: part of an image could not be read; see the findings");
        }
    }
    if incomplete || !scanned.errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(
        if report
            .images
            .iter()
            .any(|i| gate::image_fails(args.settings.fail_on, i))
        {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// The options every scan runs with, from the flags `scan` and `gate` share.
fn scan_options(args: &ScanSettings, all_platforms: bool) -> anyhow::Result<ScanOptions> {
    if let Some(dir) = &args.signatures {
        let sigs = Signatures::from_dir(dir)?;
        if !Signatures::activate(sigs) {
            anyhow::bail!("signature data was already loaded");
        }
    }
    let platform = match &args.platform {
        Some(p) => Some(
            Platform::parse(p)
                .with_context(|| format!("--platform {p:?} is not OS/ARCH[/VARIANT]"))?,
        ),
        None => None,
    };
    let password = if args.password_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let as_of = args.as_of.unwrap_or_else(policy::today);
    let policy = match &args.policy {
        Some(file) => Some(Policy::load(file, as_of)?),
        None => None,
    };
    let target = match (&args.target, policy.as_ref().and_then(|p| p.target)) {
        (Some(name), _) => Target::by_name(name)
            .with_context(|| format!("--target {name:?} is not a known profile"))?,
        (None, Some(t)) => t,
        (None, None) => Target::default(),
    };
    Ok(ScanOptions {
        limits: Limits {
            max_file_bytes: args.max_file_bytes,
            max_layer_bytes: args.max_layer_bytes,
            max_entries: args.max_entries,
        },
        jobs: args.jobs.unwrap_or(ScanOptions::default().jobs).max(1),
        selection: Selection {
            platform,
            all_platforms,
        },
        registry: RegistryOptions {
            username: args.username.clone(),
            password,
            ca_file: args.ca_file.clone(),
            insecure: args.insecure,
            connect_timeout: args.connect_timeout,
            read_timeout: args.read_timeout,
            retries: args.retries,
            retry_delay: args.retry_delay,
            progress: !args.quiet,
        },
        target,
        policy,
        as_of,
    })
}

fn gate(args: GateArgs) -> anyhow::Result<ExitCode> {
    if args.settings.password_stdin && args.files.iter().any(|f| f.as_os_str() == "-") {
        anyhow::bail!("--password-stdin and -f - cannot both read standard input");
    }
    let opts = scan_options(&args.settings, false)?;
    let selectors = if args.fips_selector.is_empty() {
        vec![gate::Selector::default_fips()]
    } else {
        args.fips_selector.clone()
    };
    let loaded = gate::manifest::load(&args.files);
    let report = gate::check(
        loaded,
        &gate::GateOptions {
            selectors,
            fail_on: args.settings.fail_on,
            suggest: args.suggest,
        },
        &opts,
    );
    let rendered = match args.format {
        GateFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        GateFormat::Text => gate::render::text(&report, args.verbose),
    };
    std::io::stdout().write_all(rendered.as_bytes())?;
    for e in &report.manifest_errors {
        eprintln!("fipscan: error: {}", e.message);
    }
    for f in &report.scan.failed {
        eprintln!("fipscan: error: {}", f.error);
    }
    if report.scan.images.iter().any(|i| i.incomplete) {
        report_unreadable_layers(&report.scan);
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn policy_check(file: &Path) -> anyhow::Result<ExitCode> {
    let policy = Policy::load(file, policy::today())?;
    let expired: Vec<String> = policy
        .expired()
        .map(|r| {
            format!(
                "waiver {} ({}) expired on {}",
                r.number,
                r.code.as_str(),
                r.expires
            )
        })
        .collect();
    println!(
        "{}: valid; {} waiver(s), {} expired; target {}; min_score {}",
        file.display(),
        policy.rules.len(),
        expired.len(),
        policy.target.map_or("not set (generic)", |t| t.name),
        policy
            .min_score
            .map_or("not set".to_string(), |m| m.to_string()),
    );
    for e in expired {
        println!("  {e}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `fipscan explain [CODE]`: one code in full, or the list of codes.
fn explain(code: Option<&str>) -> anyhow::Result<ExitCode> {
    let text = match code {
        Some(c) => fipscan::explain::text(fipscan::explain::parse_code(c)?)?,
        None => fipscan::explain::list()?,
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn write_report(report: &Report, args: &ScanArgs) -> anyhow::Result<()> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = match args.format {
        Format::Json => json::render(report)?,
        Format::Sarif => sarif::render(report)?,
        Format::Cyclonedx => cyclonedx::render(report, jiff::Timestamp::now())?,
        Format::Html => html::render(report),
        Format::Text => {
            let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            text::render(report, text::Style { color })
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(rendered.as_bytes())?,
    }
    Ok(())
}

/// Names the image and the layer of every layer that could not be read or
/// verified, so a CI log says which blob of which reference failed.
fn report_unreadable_layers(report: &Report) {
    for image in &report.images {
        for f in &image.findings {
            if matches!(
                f.code,
                Code::LayerUnreadable | Code::LayerDigestMismatch | Code::LayerDiffIdMismatch
            ) {
                // Registry errors already name the reference.
                if f.message.contains(&image.reference) {
                    eprintln!("fipscan: {}", f.message);
                } else {
                    eprintln!("fipscan: {}: {}", image.reference, f.message);
                }
            }
        }
    }
}

/// One reference per line; blank lines and `#` comments are skipped.
fn references_from_file(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --from-file {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split_once(" #").map_or(l, |(before, _)| before).trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The whole of stdin, without the final newline `echo` adds; held as a
/// `Secret` from here on so it is never printed.
fn read_password() -> anyhow::Result<Secret> {
    let mut buf = String::new();
    std::io::stdin()
        .take(64 << 10)
        .read_to_string(&mut buf)
        .context("cannot read the password from standard input")?;
    let trimmed = buf.trim_end_matches(['\n', '\r']);
    if trimmed.is_empty() {
        anyhow::bail!("--password-stdin: standard input was empty");
    }
    Ok(Secret::new(trimmed))
}
