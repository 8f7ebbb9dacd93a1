use std::io::Write;
use std::path::PathBuf;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use goblin::elf::Elf;

use super::*;

/// `$FIPSCAN_FIXTURES/bin/NAME` (default `<repo>/target/fixtures`). Fails
/// (never skips) when the Rust fixtures were not built.
fn fixture(name: &str) -> Vec<u8> {
    let base = std::env::var_os("FIPSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
    let p = base.join("bin").join(name);
    assert!(
        p.is_file(),
        "Rust fixture {} missing: run `bash fixtures/build.sh` first",
        p.display()
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The real pdf-oxide-fips 0.3.78 extension (fixtures/parts/python.sh):
/// stripped, no `.dep-v0`.
fn pdf_oxide() -> Vec<u8> {
    let base = std::env::var_os("FIPSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
    let p = base
        .join("work/python/pdf-oxide/usr/lib/python3/dist-packages/pdf_oxide/pdf_oxide.abi3.so");
    assert!(
        p.is_file(),
        "{} missing: run `bash fixtures/build.sh` first",
        p.display()
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `$FIPSCAN_FIXTURES/work/rust-boring/bin/NAME` (fixtures/parts/rust-boring.sh).
fn boring_fixture(name: &str) -> Vec<u8> {
    let base = std::env::var_os("FIPSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
    let p = base.join("work/rust-boring/bin").join(name);
    assert!(
        p.is_file(),
        "{} missing: run `bash fixtures/build.sh` first",
        p.display()
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Overwrites every copy of `what` in `data` (same length), as a strip or
/// another build would leave the file without it.
fn blot(data: &mut [u8], what: &[u8]) -> usize {
    let hits: Vec<usize> = memchr::memmem::find_iter(data, what).collect();
    for &at in &hits {
        data[at] ^= 0x20;
    }
    hits.len()
}

fn facts(data: &[u8]) -> Option<RustFacts> {
    let elf = Elf::parse(data).unwrap();
    analyze(&elf, data)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn dep_names(f: &RustFacts) -> Vec<&str> {
    f.deps.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn ring_fixture() {
    let data = fixture("rust-ring");
    let f = facts(&data).expect("ring binary has Rust crypto evidence");
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.deps,
        [
            ("cfg-if", "1.0.5"),
            ("getrandom", "0.2.17"),
            ("libc", "0.2.191"),
            ("ring", "0.17.14"),
            ("rust-ring", "0.1.0"),
            ("untrusted", "0.9.0"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
    let ring = f.ring.as_deref().unwrap();
    assert!(ring.starts_with("ring_core_0_17_14_"), "{ring}");
    assert_eq!(f.ring_version().as_deref(), Some("0.17.14"));
    assert_eq!(f.ring_version().as_deref(), f.dep_version("ring"));
    assert_eq!((&f.aws_lc, &f.aws_lc_fips, f.rustls), (&None, &None, false));
    let j = classify(&f);
    assert_eq!(j.len(), 1, "{j:?}");
    assert_eq!(
        (&j[0].crypto, j[0].status),
        (&RustCrypto::Ring, Status::NonFips)
    );
    assert!(j[0].reason.contains("0.17.14"), "{}", j[0].reason);
}

#[test]
fn awslc_fixture() {
    let data = fixture("rust-awslc");
    let f = facts(&data).unwrap();
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.dep_version("aws-lc-rs"), Some("1.19.0"));
    assert_eq!(f.dep_version("aws-lc-sys"), Some("0.47.0"));
    assert_eq!(f.dep_version("aws-lc-fips-sys"), None);
    // build-only packages (cc, cmake) are not linked
    assert!(!dep_names(&f).contains(&"cc"), "{:?}", f.deps);
    let aws = f.aws_lc.as_deref().unwrap();
    assert!(aws.starts_with("aws_lc_0_47_0_"), "{aws}");
    assert_eq!(f.aws_lc_version().as_deref(), Some("0.47.0"));
    assert_eq!(
        (&f.ring, &f.aws_lc_fips, &f.aws_lc_fips_version),
        (&None, &None, &None)
    );
    let j = classify(&f);
    assert_eq!(j.len(), 1, "{j:?}");
    assert_eq!(
        (&j[0].crypto, j[0].status),
        (&RustCrypto::AwsLc, Status::NonFips)
    );
}

#[test]
fn awslc_fips_fixture() {
    let data = fixture("rust-awslc-fips");
    let f = facts(&data).unwrap();
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.dep_version("aws-lc-rs"), Some("1.19.0"));
    assert_eq!(f.dep_version("aws-lc-sys"), None);
    let crate_version = f.dep_version("aws-lc-fips-sys").unwrap();
    let fips = f.aws_lc_fips.as_deref().unwrap();
    assert!(fips.starts_with("aws_lc_fips_"), "{fips}");
    assert_eq!(
        f.aws_lc_fips_version_prefix().as_deref(),
        Some(crate_version)
    );
    assert_eq!(
        f.aws_lc, None,
        "aws_lc_fips_ symbols must not count as aws-lc"
    );
    let module = f.aws_lc_fips_version.as_deref().unwrap();
    assert_eq!(module, "AWS-LC FIPS 4.2.0");
    assert_eq!(crate_version, "0.14.4");
    let j = classify(&f);
    assert_eq!(j.len(), 1, "{j:?}");
    assert!(j[0].reason.contains("in process"), "{}", j[0].reason);
    assert_eq!(
        (&j[0].crypto, j[0].status),
        (
            &RustCrypto::AwsLcFips {
                version: module.to_owned()
            },
            Status::FipsCapable
        )
    );
}

#[test]
fn boring_fixture_is_boringssl_without_fips() {
    let data = boring_fixture("rust-boring");
    let f = facts(&data).unwrap();
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.dep_version("boring"), Some("4.22.0"));
    assert_eq!(f.dep_version("boring-sys"), Some("4.22.0"));
    assert_eq!((&f.ring, &f.aws_lc, &f.aws_lc_fips), (&None, &None, &None));
    assert_eq!(f.boring_fips, None);
    assert!(!f.rustls);
    assert_eq!(
        classify(&f),
        vec![RustJudgement {
            crypto: RustCrypto::Boring,
            status: Status::NonFips,
            reason: "boring-sys 4.22.0: BoringSSL without its FIPS module (no BORINGSSL_bcm_power_on_self_test)".into(),
        }]
    );
}

#[test]
fn boring_fips_fixture_is_fips_capable_fips_20210429() {
    let data = boring_fixture("rust-boring-fips");
    let f = facts(&data).unwrap();
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.dep_version("boring"), Some("4.22.0"));
    assert_eq!(f.dep_version("boring-sys"), Some("4.22.0"));
    assert_eq!((&f.ring, &f.aws_lc, &f.aws_lc_fips), (&None, &None, &None));
    assert_eq!(f.aws_lc_fips_version, None);
    assert_eq!(f.boring_fips.as_deref(), Some(BORING_FIPS_SYMBOL));
    assert_eq!(
        classify(&f),
        vec![RustJudgement {
            crypto: RustCrypto::BoringFips {
                version: "BoringCrypto fips-20210429".into()
            },
            status: Status::FipsCapable,
            reason: "boring FIPS (boring-sys 4.22.0): BoringSSL's FIPS module in FIPS mode; boring-sys 4.x builds BoringCrypto 853ca1ea (fips-20210429), the module of CMVP #4407 (FIPS 140-2, on the Historical list since 2026-09-21), but this build is not shown to be that module (boring-sys compiles it from source, or links a prebuilt one from BORING_BSSL_FIPS_PATH)".into(),
        }]
    );
}

#[test]
fn boring_fips_without_its_symbol_shows_by_the_entropy_message() {
    let mut data = boring_fixture("rust-boring-fips");
    // As after `strip`: the local symbol is gone, .rodata stays. Three
    // copies: .debug_str, and .strtab's function and its `.kHMACKey` static.
    assert_eq!(blot(&mut data, BORING_FIPS_SYMBOL.as_bytes()), 3);
    let f = facts(&data).unwrap();
    let text = std::str::from_utf8(BORING_FIPS_ENTROPY_TEXT).unwrap();
    assert_eq!(f.boring_fips.as_deref(), Some(text));
    assert_eq!(classify(&f)[0].status, Status::FipsCapable);
    // Without either mark it is a plain BoringSSL build.
    assert_eq!(blot(&mut data, BORING_FIPS_ENTROPY_TEXT), 1);
    let f = facts(&data).unwrap();
    assert_eq!(f.boring_fips, None);
    assert_eq!(
        (&classify(&f)[0].crypto, classify(&f)[0].status),
        (&RustCrypto::Boring, Status::NonFips)
    );
}

#[test]
fn boring_marks_count_only_beside_boring() {
    // Static AWS-LC FIPS has the unprefixed symbol too: not boring.
    let data = fixture("rust-awslc-fips");
    let f = facts(&data).unwrap();
    assert_eq!(f.boring_fips, None);
    assert!(
        classify(&f)
            .iter()
            .all(|j| !matches!(j.crypto, RustCrypto::Boring | RustCrypto::BoringFips { .. }))
    );
    // The module line follows boring-sys's major version.
    let judged = |sys: &str| {
        let f = RustFacts {
            deps: vec![("boring-sys".into(), sys.into())],
            boring_fips: Some(BORING_FIPS_SYMBOL.into()),
            ..RustFacts::default()
        };
        let j = classify(&f).remove(0);
        (j.crypto, j.status, j.reason)
    };
    let (crypto, status, reason) = judged("5.4.0");
    assert_eq!(
        crypto,
        RustCrypto::BoringFips {
            version: "BoringSSL FIPS update stream".into()
        }
    );
    assert_eq!(status, Status::FipsCapable);
    assert!(
        reason.ends_with("which no certificate covers by itself"),
        "{reason}"
    );
    let (crypto, _, reason) = judged("3.0.0");
    assert_eq!(
        crypto,
        RustCrypto::BoringFips {
            version: "BoringCrypto".into()
        }
    );
    assert!(
        reason.ends_with("not tied to any CMVP certificate"),
        "{reason}"
    );
}

#[test]
fn stripped_extension_shows_its_crates_by_source_paths() {
    let data = pdf_oxide();
    let f = facts(&data).unwrap();
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert!(f.deps.is_empty());
    assert_eq!((&f.ring, &f.aws_lc, &f.aws_lc_fips), (&None, &None, &None));
    let crates: Vec<(&str, &str)> = f
        .src_crates
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        crates,
        [
            ("ring", "0.17.14"),
            ("rustls", "0.23.44"),
            ("aws-lc-rs", "1.18.1"),
            ("aes", "0.9.2"),
            ("rsa", "0.10.0-rc.18"),
            ("ecdsa", "0.17.0"),
        ]
    );
    assert!(f.rustls);
    assert_eq!(f.aws_lc_fips_version.as_deref(), Some("AWS-LC FIPS 4.2.0"));
    let j: Vec<(RustCrypto, Status)> = classify(&f)
        .into_iter()
        .map(|j| (j.crypto, j.status))
        .collect();
    assert_eq!(
        j,
        [
            (
                RustCrypto::AwsLcFips {
                    version: "AWS-LC FIPS 4.2.0".into()
                },
                Status::FipsCapable
            ),
            (RustCrypto::Ring, Status::NonFips),
            (RustCrypto::Other, Status::NonFips),
        ]
    );
}

#[test]
fn aws_lc_rs_paths_without_the_fips_text_are_plain_aws_lc() {
    let f = RustFacts {
        src_crates: vec![("aws-lc-rs".into(), "1.18.1".into())],
        ..RustFacts::default()
    };
    let j = classify(&f);
    assert_eq!(j.len(), 1, "{j:?}");
    assert_eq!(
        (&j[0].crypto, j[0].status),
        (&RustCrypto::AwsLc, Status::NonFips)
    );
    assert!(
        j[0].reason.starts_with("aws-lc-rs 1.18.1 without"),
        "{}",
        j[0].reason
    );
    // Duplicated pure-Rust crates (two versions linked) are named once.
    let f = RustFacts {
        src_crates: vec![
            ("sha2".into(), "0.10.8".into()),
            ("sha2".into(), "0.11.0".into()),
        ],
        ..RustFacts::default()
    };
    assert_eq!(
        classify(&f)[0].reason,
        "pure-Rust crypto crates, not validated: sha2"
    );
}

#[test]
fn source_paths_are_read_only_in_rustc_built_files() {
    // A C program (gcc) that happens to hold a registry path: nothing.
    let mut data = fixture("sslapp-runpath");
    let path = b"/registry/src/index.crates.io-1949cf8c6b5b557f/ring-0.17.14/src/a.rs\0";
    data.extend_from_slice(path);
    assert_eq!(facts(&data), None);
    let e = Elf::parse(&data).unwrap();
    assert!(!src_paths::built_by_rustc(&e, &data));
    let rust = pdf_oxide();
    let e = Elf::parse(&rust).unwrap();
    assert!(src_paths::built_by_rustc(&e, &rust));
}

#[test]
fn raw_fallback_matches_symbols() {
    for (name, field) in [
        ("rust-ring", 0usize),
        ("rust-awslc", 1),
        ("rust-awslc-fips", 2),
    ] {
        let data = fixture(name);
        let mut f = RustFacts::default();
        scan_raw(&data, &mut f);
        let got = [&f.ring, &f.aws_lc, &f.aws_lc_fips];
        let want = [RING_PREFIX, AWS_LC_PREFIX, AWS_LC_FIPS_PREFIX];
        for (i, g) in got.iter().enumerate() {
            assert_eq!(g.is_some(), i == field, "{name}: {f:?}");
        }
        let ev = got[field].as_deref().unwrap();
        assert!(prefix_version(ev, want[field]).is_some(), "{name}: {ev}");
    }
}

#[test]
fn no_evidence_is_none() {
    // A C program from the other fixtures: no Rust crypto at all.
    let data = fixture("sslapp-runpath");
    assert_eq!(facts(&data), None);
}

#[test]
fn prefix_versions() {
    assert_eq!(
        prefix_version("ring_core_0_17_14__x25519_ge_scalarmult_base", RING_PREFIX).as_deref(),
        Some("0.17.14")
    );
    assert_eq!(
        prefix_version("aws_lc_fips_0_13_14_SHA256_Init", AWS_LC_FIPS_PREFIX).as_deref(),
        Some("0.13.14")
    );
    assert_eq!(prefix_version("aws_lc_fips_0_13_14_x", AWS_LC_PREFIX), None);
    assert_eq!(prefix_version("aws_lc_rs::digest", AWS_LC_PREFIX), None);
    assert_eq!(prefix_version("aws_lc_0", AWS_LC_PREFIX), None);
    assert_eq!(prefix_version("aws_lc_0_", AWS_LC_PREFIX), None);
    assert_eq!(
        prefix_version("aws_lc_0_47_", AWS_LC_PREFIX).as_deref(),
        Some("0.47")
    );
    assert_eq!(
        prefix_version("ring_core_99999999999_1_", RING_PREFIX),
        None
    );
}

#[test]
fn dep_v0_hostile_payloads() {
    assert!(matches!(parse_dep_v0(b""), Err(DepV0Error::Zlib(_))));
    assert!(matches!(
        parse_dep_v0(b"garbage!"),
        Err(DepV0Error::Zlib(_))
    ));
    let good = zlib(br#"{"packages":[{"name":"ring","version":"0.17.14","source":"crates.io"}]}"#);
    assert_eq!(
        parse_dep_v0(&good).unwrap(),
        [("ring".to_owned(), "0.17.14".to_owned())]
    );
    for cut in 0..good.len() {
        assert!(parse_dep_v0(&good[..cut]).is_err(), "cut {cut}");
    }
    // zlib bomb: 64 MiB of zeros in ~64 KiB
    let bomb = zlib(&vec![b' '; 64 << 20]);
    assert!(bomb.len() < 1 << 20);
    assert_eq!(parse_dep_v0(&bomb), Err(DepV0Error::TooLarge));
    // deep nesting stays within serde_json's recursion limit
    let deep = zlib(&vec![b'['; 1 << 20]);
    assert!(matches!(parse_dep_v0(&deep), Err(DepV0Error::Json(_))));
    // wrong shapes
    for json in [
        &br#"{"packages":{}}"#[..],
        br#"{"packages":[{"name":1,"version":"1"}]}"#,
        br#"[]"#,
        b"\xff\xfe",
    ] {
        assert!(matches!(
            parse_dep_v0(&zlib(json)),
            Err(DepV0Error::Json(_))
        ));
    }
}

/// Section header of `.dep-v0` in an ELF64 little-endian file: its file
/// offset (of the header entry), and the section's offset and size.
fn dep_v0_header(data: &[u8]) -> (usize, u64, u64) {
    let elf = Elf::parse(data).unwrap();
    let idx = elf
        .section_headers
        .iter()
        .position(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(DEP_V0_SECTION))
        .unwrap();
    let sh = &elf.section_headers[idx];
    let entry = elf.header.e_shoff as usize + idx * elf.header.e_shentsize as usize;
    (entry, sh.sh_offset, sh.sh_size)
}

fn set_u64(data: &mut [u8], at: usize, v: u64) {
    data[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn damaged_dep_v0_sections_become_problems() {
    let orig = fixture("rust-ring");
    let (entry, off, size) = dep_v0_header(&orig);
    let check = |data: &[u8], want: &str| {
        let f = facts(data).expect("ring symbols are still evidence");
        assert!(
            f.problems.iter().any(|p| p.contains(want)),
            "{want}: {:?}",
            f.problems
        );
        assert!(f.deps.is_empty());
        assert_eq!(f.ring_version().as_deref(), Some("0.17.14"));
    };

    // truncated section
    let mut d = orig.clone();
    set_u64(&mut d, entry + 32, size / 2);
    check(&d, "zlib");
    // garbage contents
    let mut d = orig.clone();
    d[off as usize..(off + size) as usize].fill(0xa5);
    check(&d, "zlib");
    // section beyond the end of the file
    let mut d = orig.clone();
    set_u64(&mut d, entry + 24, u64::MAX - 4);
    check(&d, "outside the file");
    // huge size
    let mut d = orig.clone();
    set_u64(&mut d, entry + 32, u64::MAX);
    check(&d, "more than");
    // zlib bomb appended to the file, the section pointed at it
    let mut d = orig.clone();
    let bomb = zlib(&vec![b'{'; 32 << 20]);
    let end = d.len() as u64;
    set_u64(&mut d, entry + 24, end);
    set_u64(&mut d, entry + 32, bomb.len() as u64);
    d.extend_from_slice(&bomb);
    check(&d, "zlib bomb");
    // valid JSON of the wrong shape
    let mut d = orig.clone();
    let json = zlib(br#"{"packages":"ring"}"#);
    let end = d.len() as u64;
    set_u64(&mut d, entry + 24, end);
    set_u64(&mut d, entry + 32, json.len() as u64);
    d.extend_from_slice(&json);
    check(&d, "not cargo-auditable JSON");
}

#[test]
fn truncated_and_flipped_files_never_panic() {
    for name in ["rust-ring", "rust-awslc"] {
        let data = fixture(name);
        let len = data.len();
        for cut in (0..=len).step_by((len / 97).max(1)) {
            let d = &data[..cut];
            if let Ok(elf) = Elf::parse(d) {
                let _ = analyze(&elf, d);
            }
        }
        // flip bytes inside .dep-v0
        let (_, off, size) = dep_v0_header(&data);
        for i in 0..size as usize {
            let mut d = data.clone();
            d[off as usize + i] ^= 0x5a;
            let f = facts(&d).unwrap();
            // either parsed (zlib's adler32 catches nearly everything) or a problem
            assert!(!f.deps.is_empty() || !f.problems.is_empty());
        }
    }
    // raw scan over hostile bytes
    let mut f = RustFacts::default();
    scan_raw(b"ring_core_ring_core_0_aws_lc_fips_aws_lc_\xff1_2_", &mut f);
    assert_eq!(f, RustFacts::default());
    assert_eq!(
        aws_lc_fips_version_string(b"AWS-LC FIPS failure caused by:"),
        None
    );
    assert_eq!(aws_lc_fips_version_string(b"AWS-LC FIPS "), None);
    assert_eq!(
        aws_lc_fips_version_string(b"xAWS-LC FIPS 3.0.0\0").as_deref(),
        Some("AWS-LC FIPS 3.0.0")
    );
}

#[test]
fn rust_toml_loads_and_samples_are_real() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("signatures");
    let sigs = crate::signatures::Signatures::from_dir(&dir).unwrap();
    let binaries = [
        ("rust.section.dep-v0", "rust-ring"),
        ("rust.prefix.ring", "rust-ring"),
        ("rust.prefix.aws-lc", "rust-awslc"),
        ("rust.prefix.aws-lc-fips", "rust-awslc-fips"),
        ("rust.boring.fips-symbol", "rust-boring-fips"),
        ("rust.boring.fips-entropy-text", "rust-boring-fips"),
        ("rust.comment.rustc", "pdf_oxide.abi3.so"),
        ("rust.source-path.registry", "pdf_oxide.abi3.so"),
    ];
    assert_eq!(binaries.map(|(id, _)| id), MARKER_IDS);
    for (id, bin) in binaries {
        let m = sigs
            .marker(id)
            .unwrap_or_else(|| panic!("{id} not in signatures/rust.toml"));
        let data = if bin == "pdf_oxide.abi3.so" {
            pdf_oxide()
        } else if bin.starts_with("rust-boring") {
            boring_fixture(bin)
        } else {
            fixture(bin)
        };
        assert!(
            memchr::memmem::find(&data, m.sample.as_bytes()).is_some(),
            "{id}: sample {} not in bin/{bin}",
            m.sample
        );
    }
    assert_eq!(sigs.pattern("rust.section.dep-v0"), DEP_V0_SECTION);
    assert_eq!(sigs.pattern("rust.prefix.ring"), RING_PREFIX);
    assert_eq!(sigs.pattern("rust.prefix.aws-lc"), AWS_LC_PREFIX);
    assert_eq!(sigs.pattern("rust.prefix.aws-lc-fips"), AWS_LC_FIPS_PREFIX);
    assert_eq!(sigs.pattern("rust.boring.fips-symbol"), BORING_FIPS_SYMBOL);
    assert_eq!(
        sigs.pattern("rust.boring.fips-entropy-text").as_bytes(),
        BORING_FIPS_ENTROPY_TEXT
    );
    // Neither FIPS mark is in the plain build.
    let plain = boring_fixture("rust-boring");
    for id in ["rust.boring.fips-symbol", "rust.boring.fips-entropy-text"] {
        assert!(
            memchr::memmem::find(&plain, sigs.pattern(id).as_bytes()).is_none(),
            "{id} in bin/rust-boring"
        );
    }
    assert_eq!(
        sigs.pattern("rust.comment.rustc").as_bytes(),
        src_paths::RUSTC_COMMENT
    );
    assert_eq!(
        sigs.pattern("rust.source-path.registry").as_bytes(),
        src_paths::REGISTRY_SRC
    );
}
