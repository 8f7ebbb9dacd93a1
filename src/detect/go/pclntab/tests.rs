use super::*;

const ALL: [PclnVersion; 4] = [
    PclnVersion::Go12,
    PclnVersion::Go116,
    PclnVersion::Go118,
    PclnVersion::Go120,
];

fn enc(v: u64, size: usize, be: bool) -> Vec<u8> {
    match (size, be) {
        (4, false) => (v as u32).to_le_bytes().to_vec(),
        (4, true) => (v as u32).to_be_bytes().to_vec(),
        (_, false) => v.to_le_bytes().to_vec(),
        (_, true) => v.to_be_bytes().to_vec(),
    }
}

/// Builds a synthetic table the way the linker lays it out. Returns the
/// bytes and, per function, the absolute offset of its `nameOff` field
/// and of its functab `funcoff` field, so tests can corrupt them.
fn build(
    version: PclnVersion,
    be: bool,
    ps: usize,
    names: &[&[u8]],
) -> (Vec<u8>, Vec<(usize, usize)>) {
    const FUNC_SIZE: usize = 24;
    let n = names.len();
    let field = if version.compact() { 4 } else { ps };
    let mut t = enc(u64::from(version.magic()), 4, be);
    t.extend([0, 0, 1, ps as u8]);
    let words = match version {
        PclnVersion::Go12 => 1,
        PclnVersion::Go116 => 7,
        _ => 8,
    };
    let hdr_len = 8 + words * ps;
    let functab_len = (2 * n + 1) * field;
    // 1.2 puts functab right after the header, then the _func structs,
    // then the names; 1.16+ puts names first and functab+funcs last.
    let (names_at, pcln_at) = if version == PclnVersion::Go12 {
        (hdr_len + functab_len + 4 + n * FUNC_SIZE, hdr_len)
    } else {
        let names_len: usize = names.iter().map(|s| s.len() + 1).sum();
        (hdr_len, hdr_len + names_len)
    };
    let header_words: Vec<u64> = match version {
        PclnVersion::Go12 => vec![n as u64],
        PclnVersion::Go116 => [n, 0, names_at, pcln_at, pcln_at, pcln_at, pcln_at]
            .map(|x| x as u64)
            .to_vec(),
        _ => [
            n, 0, 0x40_1000, names_at, pcln_at, pcln_at, pcln_at, pcln_at,
        ]
        .map(|x| x as u64)
        .to_vec(),
    };
    for w in header_words {
        t.extend(enc(w, ps, be));
    }
    assert_eq!(t.len(), hdr_len);
    let mut nametab = Vec::new();
    let mut name_offs = Vec::new();
    for s in names {
        // 1.2 name offsets are relative to the table start.
        let base = if version == PclnVersion::Go12 {
            names_at
        } else {
            0
        };
        name_offs.push(base + nametab.len());
        nametab.extend_from_slice(s);
        nametab.push(0);
    }
    if version != PclnVersion::Go12 {
        t.extend(&nametab);
    }
    assert_eq!(t.len(), pcln_at);
    let funcs_rel = functab_len + if version == PclnVersion::Go12 { 4 } else { 0 };
    let mut fields = Vec::new();
    for i in 0..n {
        fields.push(t.len() + field);
        t.extend(enc(0x1000 + 16 * i as u64, field, be));
        // Go 1.2 funcoffs are relative to the table start as well.
        let base = if version == PclnVersion::Go12 {
            pcln_at
        } else {
            0
        };
        t.extend(enc((base + funcs_rel + i * FUNC_SIZE) as u64, field, be));
    }
    t.extend(enc(0x1000 + 16 * n as u64, field, be));
    if version == PclnVersion::Go12 {
        t.extend(enc(0, 4, be)); // filetab offset
    }
    let mut positions = Vec::new();
    for (i, off) in name_offs.iter().enumerate() {
        let f = t.len();
        t.extend(enc(0x1000 + 16 * i as u64, field, be));
        t.extend(enc(*off as u64, 4, be));
        t.resize(f + FUNC_SIZE, 0);
        positions.push((f + field, fields[i]));
    }
    if version == PclnVersion::Go12 {
        assert_eq!(t.len(), names_at);
        t.extend(&nametab);
    }
    (t, positions)
}

const NAMES: [&[u8]; 4] = [
    b"runtime.main",
    b"crypto/internal/fips140/v1%2e0%2e0-c2097c7c.CAST",
    b"crypto/internal/fips140/v1.0.0-c2097c7c/sha256.New",
    b"main.main",
];

#[test]
fn synthetic_tables_all_versions_and_layouts() {
    for version in ALL {
        for (ps, be) in [(4, false), (8, false), (4, true), (8, true)] {
            let (t, _) = build(version, be, ps, &NAMES);
            let ft = FuncTable::parse(&t, be).unwrap();
            assert_eq!(
                (ft.version(), ft.ptr_size(), ft.big_endian(), ft.quantum()),
                (version, ps as u8, be, 1)
            );
            assert_eq!(ft.len(), NAMES.len());
            let names: Vec<&str> = ft.names().collect();
            let want: Vec<&str> = NAMES
                .iter()
                .map(|n| std::str::from_utf8(n).unwrap())
                .collect();
            assert_eq!(names, want, "{version:?} ps={ps} be={be}");
            assert_eq!(ft.skipped(), 0);
            // The other byte order never yields the same magic.
            assert!(matches!(
                FuncTable::parse(&t, !be),
                Err(GoError::BadHeader { .. })
            ));
        }
    }
    let (empty, _) = build(PclnVersion::Go120, false, 8, &[]);
    let ft = FuncTable::parse(&empty, false).unwrap();
    assert!(ft.is_empty() && ft.names().next().is_none());
}

#[test]
fn invalid_entries_are_skipped_and_counted() {
    let long = vec![b'a'; MAX_NAME_LEN + 1];
    for version in ALL {
        let names: [&[u8]; 6] = [b"ok.one", b"", b"\xff\xfe", &long, b"ok.two", b"ok.three"];
        let (mut t, pos) = build(version, false, 8, &names);
        // Negative nameOff, and a funcoff far past the table.
        t[pos[4].0..pos[4].0 + 4].copy_from_slice(&(-8i32).to_le_bytes());
        let field = if version.compact() { 4 } else { 8 };
        t[pos[5].1..pos[5].1 + field].fill(0x7f);
        let ft = FuncTable::parse(&t, false).unwrap();
        assert_eq!(ft.names().collect::<Vec<_>>(), ["ok.one"], "{version:?}");
        assert_eq!(ft.skipped(), 5);
    }
    // Exactly MAX_NAME_LEN bytes is still accepted.
    let max = vec![b'b'; MAX_NAME_LEN];
    let (t, _) = build(PclnVersion::Go120, false, 8, &[&max]);
    assert_eq!(FuncTable::parse(&t, false).unwrap().names().count(), 1);
}

#[test]
fn bad_headers_are_errors() {
    let (good, _) = build(PclnVersion::Go120, false, 8, &NAMES);
    // Patches `bytes` in at `at` and reports whether parsing fails with
    // BadHeader.
    let bad_header = |at: usize, bytes: &[u8]| {
        let mut t = good.clone();
        t[at..at + bytes.len()].copy_from_slice(bytes);
        matches!(FuncTable::parse(&t, false), Err(GoError::BadHeader { .. }))
    };
    assert!(bad_header(0, &[0xf2]), "unknown magic");
    assert!(bad_header(4, &[1]), "padding");
    assert!(bad_header(6, &[3]), "quantum");
    assert!(bad_header(7, &[5]), "pointer size");
    assert!(bad_header(8, &(1u64 << 40).to_le_bytes()), "huge nfunc");
    assert!(bad_header(8, &u64::MAX.to_le_bytes()), "overflowing nfunc");
    assert!(
        bad_header(8 + 3 * 8, &u64::MAX.to_le_bytes()),
        "funcname offset out of range"
    );
    assert!(bad_header(8 + 4 * 8, &[0; 8]), "offsets out of order");
    // Every truncation is an error or a table that iterates safely.
    for cut in 0..good.len() {
        if let Ok(ft) = FuncTable::parse(&good[..cut], false) {
            let _ = ft.names().count() + ft.skipped();
        }
    }
    for cut in 0..8 + 8 * 8 {
        assert!(
            FuncTable::parse(&good[..cut], false).is_err(),
            "cut at {cut}"
        );
    }
}

/// End-to-end checks against binaries built by the local Go toolchain.
mod real {
    use std::collections::BTreeSet;
    use std::path::Path;

    use goblin::elf::Elf;

    use crate::detect::go::buildinfo::{BuildInfo, parse_modinfo, read_build_info};
    use crate::detect::go::pclntab::{FuncTable, PclnVersion, read_func_table};
    use crate::detect::go::test_support::{self as ts, Toolchain};

    fn toolchain_or_skip() -> Option<Toolchain> {
        let tc = ts::toolchain();
        if tc.is_none() {
            println!("skipped: go not on PATH");
        }
        tc
    }

    fn load(bin: &Path) -> Vec<u8> {
        std::fs::read(bin).unwrap()
    }

    fn analyse(data: &[u8]) -> (BuildInfo, FuncTable<'_>) {
        let elf = Elf::parse(data).unwrap();
        let bi = read_build_info(&elf, data).unwrap().expect("build info");
        let ft = read_func_table(&elf, data).unwrap().expect("pclntab");
        (bi, ft)
    }

    /// Our decoding must agree with `go version -m` line for line.
    fn assert_matches_go_version_m(bin: &Path, bi: &BuildInfo) {
        let (version, text) = ts::version_m(bin);
        assert_eq!(bi.go_version, version);
        let m = parse_modinfo(&text).unwrap();
        assert_eq!(
            (&bi.path, &bi.main, &bi.deps, &bi.settings),
            (&m.path, &m.main, &m.deps, &m.settings)
        );
    }

    fn go_names(ft: &FuncTable<'_>) -> BTreeSet<String> {
        ft.names().map(str::to_owned).collect()
    }

    #[test]
    fn fips_snapshot_binary() {
        let Some(tc) = toolchain_or_skip() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let env = [("GOFIPS140", "v1.0.0"), ("CGO_ENABLED", "0")];
        let bin = ts::build(dir.path(), "fips", ts::SHA_PROGRAM, &env, &["-trimpath"]);
        let data = load(&bin);
        let (bi, ft) = analyse(&data);
        assert_eq!(bi.go_version, tc.version);
        assert_eq!(bi.setting("GOFIPS140"), Some("v1.0.0-c2097c7c"));
        assert_eq!(bi.setting("CGO_ENABLED"), Some("0"));
        assert_eq!(bi.setting("-trimpath"), Some("true"));
        assert_eq!((bi.ptr_size, bi.big_endian), (8, false));
        assert_matches_go_version_m(&bin, &bi);
        assert_eq!(ft.version(), PclnVersion::Go120);
        assert_eq!(ft.skipped(), 0);
        let names = go_names(&ft);
        // Every entry resolves; names repeat for functions that have
        // both an ABI0 and an ABIInternal body (assembly wrappers).
        assert_eq!(ft.names().count(), ft.len());
        assert!(names.contains("runtime.osyield"));
        // Dots in the last path element of a package are escaped as %2e
        // in symbol names; deeper packages keep their dots.
        assert!(names.contains("crypto/internal/fips140/v1%2e0%2e0-c2097c7c.CAST"));
        assert!(names.contains("crypto/internal/fips140/v1.0.0-c2097c7c/sha256.New"));
        // Statically linked pure-Go binary: pclntab lists exactly the
        // text symbols of the symbol table.
        // nm marks ABI0 bodies with a ".abi0" suffix that pclntab lacks.
        let nm: BTreeSet<String> = ts::nm(&bin)
            .into_iter()
            .filter(|(t, _)| matches!(t, 'T' | 't'))
            .map(|(_, n)| n.strip_suffix(".abi0").map(str::to_owned).unwrap_or(n))
            .collect();
        let only_nm: Vec<_> = nm.difference(&names).collect();
        let only_pcln: Vec<_> = names.difference(&nm).collect();
        assert!(only_pcln.is_empty(), "names missing from nm: {only_pcln:?}");
        assert!(
            only_nm.iter().all(|n| NM_ONLY.contains(&n.as_str())),
            "nm-only: {only_nm:?}"
        );
    }

    #[test]
    fn boring_cgo_binary() {
        let Some(tc) = toolchain_or_skip() else {
            return;
        };
        if !ts::has_c_compiler() {
            println!("skipped: no C compiler for cgo");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let env = [("GOEXPERIMENT", "boringcrypto"), ("CGO_ENABLED", "1")];
        let bin = ts::build(dir.path(), "boring", ts::SHA_PROGRAM, &env, &[]);
        let data = load(&bin);
        let (bi, ft) = analyse(&data);
        assert_eq!(bi.go_version, format!("{}-X:boringcrypto", tc.version));
        assert_eq!(bi.setting("GOEXPERIMENT"), Some("boringcrypto"));
        assert_matches_go_version_m(&bin, &bi);
        assert_eq!(ft.skipped(), 0);
        let names = go_names(&ft);
        // Go-side cgo wrappers, named without nm's ".abi0" suffix.
        assert!(names.contains("crypto/internal/boring._Cfunc__goboringcrypto_SHA256_Init"));
        // std-only cgo is linked internally, so the C side (cgo
        // trampolines and BoringSSL itself) is in pclntab too.
        assert!(names.iter().any(
            |n| n.starts_with("_cgo_") && n.contains("_Cfunc__goboringcrypto_SHA256_Init")
        ));
        assert!(names.contains("_goboringcrypto_SHA256_Init"));
        let nm = nm_text(&bin);
        assert!(
            names.is_subset(&nm),
            "{:?}",
            names.difference(&nm).collect::<Vec<_>>()
        );
        // nm additionally lists per-object section symbols such as
        // "runtime/cgo(.text)".
        let only_nm: Vec<_> = nm.difference(&names).collect();
        assert!(
            only_nm
                .iter()
                .all(|n| NM_ONLY.contains(&n.as_str()) || n.contains("(.text")),
            "{only_nm:?}"
        );

        // With an external linker the C code is outside Go's table.
        let ext = ts::build(
            dir.path(),
            "boring-ext",
            ts::SHA_PROGRAM,
            &env,
            &["-ldflags=-linkmode=external"],
        );
        let ext_data = load(&ext);
        let (ext_bi, ext_ft) = analyse(&ext_data);
        assert_eq!(ext_bi.setting("-ldflags"), Some("-linkmode=external"));
        let ext_names = go_names(&ext_ft);
        println!(
            "external link: {} names, C side present: {}",
            ext_names.len(),
            ext_names.contains("_goboringcrypto_SHA256_Init")
        );
        assert!(ext_names.contains("crypto/internal/boring._Cfunc__goboringcrypto_SHA256_Init"));
    }

    /// T/t symbols from `go tool nm`, with ABI0 suffixes removed.
    fn nm_text(bin: &Path) -> BTreeSet<String> {
        ts::nm(bin)
            .into_iter()
            .filter(|(t, _)| matches!(t, 'T' | 't'))
            .map(|(_, n)| n.strip_suffix(".abi0").map(str::to_owned).unwrap_or(n))
            .collect()
    }

    /// Clears e_shoff/e_shnum/e_shstrndx, as sstrip-like tools do, to
    /// force the segment-search fallbacks.
    fn without_section_headers(data: &[u8]) -> Vec<u8> {
        let mut d = data.to_vec();
        let ranges = if d[4] == 2 {
            [0x28..0x30, 0x3c..0x40]
        } else {
            [0x20..0x24, 0x30..0x34]
        };
        for r in ranges {
            d[r].fill(0);
        }
        d
    }

    /// Checks shared by every build: version, arch, layout, names, and
    /// that the no-section-header fallbacks find the same data.
    fn check_binary(tc: &Toolchain, bin: &Path, arch: &str, ptr_size: u8, big_endian: bool) {
        let data = load(bin);
        let (bi, ft) = analyse(&data);
        assert_eq!(bi.go_version, tc.version, "{arch}");
        assert_eq!(bi.setting("GOARCH"), Some(arch));
        assert_eq!(
            (bi.ptr_size, bi.big_endian),
            (ptr_size, big_endian),
            "{arch}"
        );
        assert_matches_go_version_m(bin, &bi);
        assert_eq!(
            (ft.version(), ft.ptr_size(), ft.big_endian()),
            (PclnVersion::Go120, ptr_size, big_endian)
        );
        assert_eq!(ft.skipped(), 0, "{arch}");
        let names = go_names(&ft);
        for want in ["main.main", "runtime.main"] {
            assert!(names.contains(want), "{arch}: {want}");
        }
        let stripped = without_section_headers(&data);
        let elf = Elf::parse(&stripped).unwrap();
        assert!(elf.section_headers.is_empty());
        assert_eq!(
            read_build_info(&elf, &stripped).unwrap().as_ref(),
            Some(&bi),
            "{arch}"
        );
        let found = read_func_table(&elf, &stripped)
            .unwrap()
            .expect("pclntab by search");
        assert_eq!(
            found.names().collect::<Vec<_>>(),
            ft.names().collect::<Vec<_>>(),
            "{arch}"
        );
    }

    #[test]
    fn stripped_and_no_crypto_binaries() {
        let Some(tc) = toolchain_or_skip() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let bin = ts::build(
            dir.path(),
            "stripped",
            ts::SHA_PROGRAM,
            &[],
            &["-ldflags=-s -w"],
        );
        check_binary(&tc, &bin, "amd64", 8, false);
        let data = load(&bin);
        let (bi, ft) = analyse(&data);
        assert_eq!(bi.setting("-ldflags"), Some("-s -w"));
        assert!(
            Elf::parse(&data).unwrap().syms.is_empty(),
            "symbol table should be gone"
        );
        assert!(go_names(&ft).contains("crypto/internal/fips140/sha256.New"));

        // PIE: the build info sits in the second writable segment, after
        // RELRO, which the fallback search must still reach.
        let pie = ts::build(
            dir.path(),
            "pie",
            ts::SHA_PROGRAM,
            &[("CGO_ENABLED", "0")],
            &["-buildmode=pie"],
        );
        check_binary(&tc, &pie, "amd64", 8, false);

        let plain = ts::build(
            dir.path(),
            "plain",
            ts::PLAIN_PROGRAM,
            &[("CGO_ENABLED", "0")],
            &[],
        );
        check_binary(&tc, &plain, "amd64", 8, false);
        let data = load(&plain);
        let (bi, ft) = analyse(&data);
        assert_eq!(bi.setting("GOFIPS140"), None);
        let crypto: Vec<_> = ft.names().filter(|n| n.starts_with("crypto/")).collect();
        assert!(crypto.is_empty(), "{crypto:?}");
    }

    #[test]
    fn cross_arch_little_endian() {
        let Some(tc) = toolchain_or_skip() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        for (arch, ps) in [("386", 4), ("arm64", 8)] {
            let env = [("GOARCH", arch), ("CGO_ENABLED", "0")];
            let bin = ts::build(dir.path(), arch, ts::SHA_PROGRAM, &env, &[]);
            check_binary(&tc, &bin, arch, ps, false);
        }
    }

    #[test]
    fn cross_arch_big_endian() {
        let Some(tc) = toolchain_or_skip() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        for (arch, ps) in [("s390x", 8), ("mips", 4)] {
            let env = [("GOARCH", arch), ("CGO_ENABLED", "0")];
            let bin = ts::build(dir.path(), arch, ts::SHA_PROGRAM, &env, &[]);
            check_binary(&tc, &bin, arch, ps, true);
        }
    }

    /// Runs both readers on a (possibly corrupted) image; only panics and
    /// runaway work count as failures.
    fn exercise(data: &[u8]) {
        let Ok(elf) = Elf::parse(data) else { return };
        let _ = read_build_info(&elf, data);
        if let Ok(Some(ft)) = read_func_table(&elf, data) {
            assert!(ft.names().count() + ft.skipped() == ft.len());
        }
    }

    #[test]
    fn corrupted_real_binary_never_panics() {
        let Some(_) = toolchain_or_skip() else { return };
        let dir = tempfile::tempdir().unwrap();
        let bin = ts::build(
            dir.path(),
            "fuzz",
            ts::PLAIN_PROGRAM,
            &[("CGO_ENABLED", "0")],
            &[],
        );
        let mut data = load(&bin);
        let elf = Elf::parse(&data).unwrap();
        let section = |name: &str| {
            let sh = elf
                .section_headers
                .iter()
                .find(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(name))
                .unwrap();
            (sh.sh_offset as usize, sh.sh_size as usize)
        };
        let (bi_off, _) = section(".go.buildinfo");
        let (pcln_off, pcln_len) = section(".gopclntab");
        drop(elf);

        // Truncations: spread over the file and clustered on both tables.
        let len = data.len();
        let cuts = (0..60)
            .map(|i| i * len / 60)
            .chain((0..20).map(|i| bi_off + i * 7))
            .chain((0..20).map(|i| pcln_off + i * 13));
        for cut in cuts {
            exercise(&data[..cut.min(len)]);
            exercise(&without_section_headers(&data[..cut.min(len).max(64)]));
        }

        // Byte patches on the build info and pclntab headers.
        let headers = (bi_off..bi_off + 64).chain(pcln_off..pcln_off + 72);
        for pos in headers {
            let orig = data[pos];
            for v in [0x00, 0xff, 0x80, orig ^ 0x01, orig.wrapping_add(0x40)] {
                data[pos] = v;
                exercise(&data);
            }
            data[pos] = orig;
        }
        // Pseudo-random patches across the whole table (functab, _func
        // structs, names), with a fixed-seed LCG for reproducibility.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let pos = pcln_off + (seed >> 33) as usize % pcln_len;
            let orig = data[pos];
            data[pos] = (seed >> 8) as u8;
            exercise(&data);
            data[pos] = orig;
        }
    }

    /// Linker-defined text symbols that are not functions.
    const NM_ONLY: [&str; 3] = ["runtime.text", "runtime.etext", "go:buildid"];
}
