//! The human report: verdict first, then the components that decide it,
//! then findings. Colour only on a terminal and never with NO_COLOR set.

use std::fmt::Write as _;

use super::{Component, ImageReport, Report, Waiver};
use crate::finding::Severity;
use crate::score::{Status, Verdict};

#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    fn status(self, s: Status) -> String {
        let code = match s {
            Status::Validated | Status::HostDependent => "32",
            Status::FipsCapable | Status::Unknown => "33",
            Status::NonFips => "31",
        };
        self.paint(code, &format!("{:<14}", s.as_str()))
    }
    fn verdict(self, v: Verdict) -> String {
        let code = match v {
            Verdict::Ready => "1;32",
            Verdict::ReadyWithWarnings => "1;33",
            Verdict::NotReady => "1;31",
            Verdict::NoCrypto => "1;36",
        };
        self.paint(code, &v.as_str().to_uppercase())
    }
}

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    for (i, image) in report.images.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_image(&mut out, image, report, style);
    }
    if report.images.len() + report.failed.len() > 1 {
        let _ = writeln!(out, "\n{}", style.bold("Summary"));
        for image in &report.images {
            let platform = image
                .platform
                .as_ref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<22} {:>3}  {}{platform}",
                style.verdict(image.verdict),
                image.score,
                image.reference
            );
        }
        for f in &report.failed {
            let _ = writeln!(
                out,
                "  {:<22} {:>3}  {}: {}",
                style.paint("1;31", "ERROR"),
                "-",
                f.reference,
                f.error
            );
        }
    }
    let policy = report
        .policy
        .as_ref()
        .map(|p| format!(" · policy {}", p.file))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "fipscan {} · signatures {} · target {}{policy}",
            report.tool.version, report.tool.signatures_version, report.target.name
        ))
    );
    out
}

fn render_image(out: &mut String, image: &ImageReport, report: &Report, style: Style) {
    let _ = writeln!(out, "{}  {}", style.bold("Image"), image.reference);
    if let Some(os) = &image.os {
        let name = os
            .pretty_name
            .clone()
            .or_else(|| os.id.clone())
            .unwrap_or_else(|| "unknown OS".into());
        let policy = os
            .crypto_policy
            .as_deref()
            .map(|p| format!(", crypto-policy {p}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  os          {name} ({} packages{policy})",
            os.packages
        );
    }
    if let Some(p) = &image.platform {
        let _ = writeln!(out, "  platform    {p}");
    }
    if let Some(d) = &image.manifest_digest {
        let _ = writeln!(out, "  manifest    {d}");
    }
    if !image.env.is_empty() {
        let _ = writeln!(out, "  env         {}", image.env.join(" "));
    }
    if let Some(ep) = &image.entrypoint {
        let target = ep.path.as_deref().unwrap_or("(not in the image)");
        let crypto = if ep.crypto.is_empty() {
            "no crypto of its own".to_string()
        } else {
            ep.crypto.join("; ")
        };
        let _ = writeln!(
            out,
            "  entrypoint  {} -> {target}: {crypto}",
            ep.command.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "\n{}  {}  score {}/100",
        style.bold("Verdict"),
        style.verdict(image.verdict),
        image.score
    );
    for r in &image.reasons {
        let _ = writeln!(out, "  - {r}");
    }
    let programs: Vec<&Component> = image.components.iter().filter(|c| c.counts).collect();
    let libraries: Vec<&Component> = image.components.iter().filter(|c| !c.counts).collect();
    if !programs.is_empty() {
        let _ = writeln!(out, "\n{} ({})", style.bold("Programs"), programs.len());
        for c in programs {
            component(out, c, report, style);
        }
    }
    if !libraries.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({}, counted through the programs that load them)",
            style.bold("Libraries"),
            libraries.len()
        );
        for c in libraries {
            library(out, c, style);
        }
    }
    if !image.findings.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({})",
            style.bold("Findings"),
            image.findings.len()
        );
        for f in &image.findings {
            let sev = match f.severity {
                Severity::Error => style.paint("31", "error  "),
                Severity::Warning => style.paint("33", "warning"),
                Severity::Info => style.dim("info   "),
            };
            let place = f
                .path
                .as_deref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {sev} {}{place}: {}", f.code.as_str(), f.message);
            if let Some(w) = &f.waiver {
                let _ = writeln!(out, "          {}", waived(w, style));
            }
        }
    }
    if image.incomplete {
        let _ = writeln!(
            out,
            "\n{}",
            style.paint(
                "1;31",
                "Scan incomplete: part of the image could not be read (see findings)."
            )
        );
    }
}

fn waived(w: &Waiver, style: Style) -> String {
    style.paint("36", &format!("waived until {}: {}", w.expires, w.reason))
}

fn component(out: &mut String, c: &Component, report: &Report, style: Style) {
    let ep = if c.entrypoint {
        style.bold(" [entrypoint]")
    } else {
        String::new()
    };
    let _ = writeln!(out, "  {} {}{ep}", style.status(c.status), c.path);
    let pad = " ".repeat(17);
    let _ = writeln!(out, "{pad}{}", c.summary);
    if let Some(w) = &c.waiver {
        let _ = writeln!(out, "{pad}{}", waived(w, style));
    }
    if !c.needs.is_empty() {
        let needs: Vec<String> = c
            .needs
            .iter()
            .map(|n| {
                let met = report.target.provides.contains(n);
                format!(
                    "{} ({})",
                    n.as_str(),
                    if met { "provided" } else { "NOT provided" }
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "{pad}needs from the node: {} [target {}]",
            needs.join(", "),
            report.target.name
        );
    }
    if let Some(fix) = &c.remediation {
        let _ = writeln!(out, "{pad}fix: {fix}");
    }
    for e in &c.evidence {
        let _ = writeln!(
            out,
            "{pad}{}",
            style.dim(&format!("{}: {}", e.kind, e.detail))
        );
    }
    if !c.used_by.is_empty() {
        let _ = writeln!(
            out,
            "{pad}{}",
            style.dim(&format!("used by: {}", c.used_by.join(", ")))
        );
    }
    if let Some(pkg) = &c.package {
        let _ = writeln!(out, "{pad}{}", style.dim(&format!("package: {}", pkg.purl)));
    }
    let _ = writeln!(
        out,
        "{pad}{}",
        style.dim(&format!("{} · layer {}", c.code.as_str(), short(&c.layer)))
    );
}

/// Libraries in one or two lines: the programs that load them carry the
/// evidence and the fix.
fn library(out: &mut String, c: &Component, style: Style) {
    let _ = writeln!(out, "  {} {}", style.status(c.status), c.path);
    let module = c.module.as_deref().unwrap_or(&c.summary);
    let users = if c.used_by.is_empty() {
        "no program loads it".to_string()
    } else {
        format!("used by {}", c.used_by.join(", "))
    };
    let _ = writeln!(
        out,
        "{}{}",
        " ".repeat(17),
        style.dim(&format!("{module}; {users}"))
    );
}

fn short(layer: &str) -> &str {
    layer.get(..19).unwrap_or(layer)
}
