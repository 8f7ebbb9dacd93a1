use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use fipscan::app::{self, ScanOptions};
use fipscan::cli::{Cli, Command, FailOn, Format, ScanArgs};
use fipscan::image::Platform;
use fipscan::layer::Limits;
use fipscan::report::{json, text};
use fipscan::score::Verdict;
use fipscan::signatures::Signatures;
use fipscan::source::Selection;

fn main() -> ExitCode {
    fipscan::detect::install_panic_hook();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
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
    let opts = ScanOptions {
        limits: Limits {
            max_file_bytes: args.max_file_bytes,
            max_layer_bytes: args.max_layer_bytes,
            max_entries: args.max_entries,
        },
        jobs: args.jobs.unwrap_or(ScanOptions::default().jobs).max(1),
        selection: Selection {
            platform,
            all_platforms: args.all_platforms,
        },
    };
    let report = app::scan_references(&args.images, &opts)?;
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = match args.format {
        Format::Json => json::render(&report)?,
        Format::Text => {
            let color = to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            text::render(&report, text::Style { color })
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(rendered.as_bytes())?,
    }
    if report.images.iter().any(|i| i.incomplete) {
        if !args.quiet {
            eprintln!("fipscan: part of an image could not be read; see the findings");
        }
        return Ok(ExitCode::from(2));
    }
    let fails = |v: Verdict| match args.fail_on {
        FailOn::NotReady => v == Verdict::NotReady,
        FailOn::Warnings => matches!(v, Verdict::NotReady | Verdict::ReadyWithWarnings),
        FailOn::Never => false,
    };
    Ok(if report.images.iter().any(|i| fails(i.verdict)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
