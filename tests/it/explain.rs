//! `fipscan explain`: one code in full, the list of every code, and the
//! error for a code that does not exist.

use crate::common::fipscan;

#[test]
fn explain_go_fips_off_prints_each_section() {
    let run = fipscan(&["explain", "go-fips-off"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(
        run.stdout,
        "\
go-fips-off (error): Go program carries the Go Cryptographic Module but FIPS
mode is off as the image ships

Meaning
  A Go program carries the Go Cryptographic Module (a GOFIPS140 snapshot, or
  the in-tree module), but FIPS mode is off as the image ships: the program
  was built with fips140=off, the image Env sets GODEBUG=fips140=off, or
  nothing turns it on.

Why it matters on a FIPS node
  Go's native module does not switch itself on from the node: upstream Go
  ignores /proc/sys/crypto/fips_enabled. On a FIPS node the program runs
  outside FIPS mode, without the module's self-tests and with non-approved
  algorithms available, so its crypto does not count as validated. fipscan
  treats it as a blocker (60 points when it is the entrypoint).

How to fix
  Turn FIPS mode on at run time with GODEBUG=fips140=on in the image Env (or
  the pod spec). If the module linked is not v1.0.0, also rebuild with
  GOFIPS140=v1.0.0.

Example
  ENV GODEBUG=fips140=on
"
    );
}

/// The text after a section heading, up to the next heading.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(&format!("\n\n{heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading:?} in:\n{text}"))
        + heading.len()
        + 3;
    let rest = &text[start..];
    let end = [
        "\n\nWhy it matters on a FIPS node\n",
        "\n\nHow to fix\n",
        "\n\nExample\n",
    ]
    .iter()
    .filter_map(|h| rest.find(h))
    .min()
    .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn examples_keep_their_lines_and_sections_come_in_order() {
    let run = fipscan(&["explain", "openssl-fips-not-enforced"]);
    assert_eq!(run.code, 0);
    let t = &run.stdout;
    assert!(t.starts_with(
        "openssl-fips-not-enforced (error): Program uses an OpenSSL whose FIPS provider\nis activated"
    ));
    assert_eq!(
        section(t, "How to fix"),
        "  Set default_properties = fips=yes in the section that alg_section names, in\n  the configuration in effect."
    );
    assert_eq!(
        section(t, "Example"),
        "  [openssl_init]\n  alg_section = algorithm_sect\n\n  [algorithm_sect]\n  default_properties = fips=yes\n"
    );
    for code in [
        "java-bcprov",
        "rust-non-fips",
        "dotnet-managed-crypto",
        "layer-unreadable",
    ] {
        let t = fipscan(&["explain", code]).stdout;
        let headings: Vec<&str> = t
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with(' ') && !l.starts_with(code))
            .collect();
        assert_eq!(
            &headings[headings.len() - 4..],
            [
                "Meaning",
                "Why it matters on a FIPS node",
                "How to fix",
                "Example"
            ],
            "{code}"
        );
        assert!(section(&t, "Example").starts_with("  "), "{code}");
    }
}

#[test]
fn an_unknown_code_exits_2_and_names_the_nearest() {
    let run = fipscan(&["explain", "go-fips-of"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "fipscan: error: unknown finding code \"go-fips-of\" (did you mean \"go-fips-off\"?)\n"
    );
    let run = fipscan(&["explain", "quantum"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "fipscan: error: unknown finding code \"quantum\" (`fipscan explain` lists the codes)\n"
    );
}

#[test]
fn explain_without_a_code_lists_every_code_by_area() {
    let run = fipscan(&["explain"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "76 finding codes; `fipscan explain CODE` explains one."
    );
    let headings: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.is_empty() && !l.starts_with(' '))
        .skip(1)
        .collect();
    assert_eq!(
        headings,
        [
            "Reading the image",
            "Packages",
            "Go",
            "Native code and OpenSSL",
            "Java",
            "Rust",
            ".NET",
            "Other native crypto libraries",
            "Policy"
        ]
    );
    let rows: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("  "))
        .collect();
    assert_eq!(rows.len(), 76);
    assert!(rows.contains(
        &"  go-fips-off                        error    Go program carries the Go Cryptographic Module but FIPS mode is off as the image ships"
    ));
    assert!(rows.contains(
        &"  policy-waiver-unused               info     A policy waiver for this image matched no finding or component"
    ));
    // Every listed code explains itself.
    for row in rows {
        let code = row.split_whitespace().next().unwrap();
        let run = fipscan(&["explain", code]);
        assert_eq!(run.code, 0, "{code}");
        assert!(run.stdout.starts_with(&format!("{code} (")), "{code}");
    }
}
