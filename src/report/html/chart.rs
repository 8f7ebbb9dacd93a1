//! The component status chart: an inline SVG bar per status, programs
//! (which count toward the verdict) solid and libraries faded. Only counts
//! and fixed labels go into it, never image data.

use std::fmt::Write as _;

use crate::report::Component;
use crate::score::Status;

/// Chart order: best to worst, as the statuses read in the README.
pub const ORDER: [Status; 5] = [
    Status::Validated,
    Status::HostDependent,
    Status::FipsCapable,
    Status::NonFips,
    Status::Unknown,
];

pub fn colour(s: Status) -> &'static str {
    match s {
        Status::Validated => "#1a7f37",
        Status::HostDependent => "#0969da",
        Status::FipsCapable => "#9a6700",
        Status::NonFips => "#cf222e",
        Status::Unknown => "#6e7781",
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub programs: usize,
    pub libraries: usize,
}

impl Count {
    pub fn total(self) -> usize {
        self.programs + self.libraries
    }
}

pub fn counts(components: &[Component]) -> [(Status, Count); 5] {
    ORDER.map(|s| {
        let mut n = Count::default();
        for c in components.iter().filter(|c| c.status == s) {
            if c.counts {
                n.programs += 1;
            } else {
                n.libraries += 1;
            }
        }
        (s, n)
    })
}

/// One line a screen reader (and the tests) can read: every status and its count.
pub fn describe(counts: &[(Status, Count)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(s, n)| {
            format!(
                "{} {} ({} program{}, {} librar{})",
                s.as_str(),
                n.total(),
                n.programs,
                if n.programs == 1 { "" } else { "s" },
                n.libraries,
                if n.libraries == 1 { "y" } else { "ies" }
            )
        })
        .collect();
    format!("Components by status: {}", parts.join(", "))
}

const LABEL_W: usize = 112;
const BAR_W: usize = 240;
const ROW_H: usize = 24;
const WIDTH: usize = LABEL_W + BAR_W + 48;

/// `id` must be unique in the page (it names the SVG title).
pub fn svg(out: &mut String, components: &[Component], id: &str) {
    let counts = counts(components);
    let max = counts.iter().map(|(_, n)| n.total()).max().unwrap_or(0);
    let scale = |n: usize| (n * BAR_W).checked_div(max).unwrap_or(0);
    let height = ROW_H * (counts.len() + 1) + 4;
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         role=\"img\" aria-labelledby=\"{id}\"><title id=\"{id}\">{}</title>",
        describe(&counts)
    );
    for (row, (status, n)) in counts.iter().enumerate() {
        let y = row * ROW_H;
        let fill = colour(*status);
        let programs = scale(n.programs);
        let libraries = scale(n.total()) - programs;
        let _ = write!(
            out,
            "<g class=\"bar\" data-status=\"{s}\" data-count=\"{total}\">\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{s}</text>\
             <rect x=\"{LABEL_W}\" y=\"{ry}\" width=\"{programs}\" height=\"16\" fill=\"{fill}\"/>\
             <rect x=\"{lx}\" y=\"{ry}\" width=\"{libraries}\" height=\"16\" fill=\"{fill}\" fill-opacity=\"0.4\"/>\
             <text x=\"{cx}\" y=\"{ty}\" class=\"count\">{total}</text></g>",
            s = status.as_str(),
            total = n.total(),
            tx = LABEL_W - 8,
            ty = y + 16,
            ry = y + 4,
            lx = LABEL_W + programs,
            cx = LABEL_W + programs + libraries + 6,
        );
    }
    let y = counts.len() * ROW_H + 4;
    let _ = write!(
        out,
        "<g class=\"legend\"><rect x=\"{LABEL_W}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"#57606a\"/>\
         <text x=\"{a}\" y=\"{t}\">programs</text>\
         <rect x=\"{b}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"#57606a\" fill-opacity=\"0.4\"/>\
         <text x=\"{c}\" y=\"{t}\">libraries</text></g></svg>",
        a = LABEL_W + 16,
        t = y + 11,
        b = LABEL_W + 100,
        c = LABEL_W + 116,
    );
}
