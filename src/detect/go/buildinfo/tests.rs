use super::*;

const START: &str = "3077af0c9274080241e1c107e6d618e6";
const END: &str = "f932433186182072008242104116d8f2";

/// Sentinel-stripped modinfo of `GOFIPS140=v1.0.0 CGO_ENABLED=0 go build
/// -trimpath` with go1.27.3 (copied from the binary).
const FIPS_MODINFO: &str = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\nbuild\t-buildmode=exe\nbuild\t-compiler=gc\nbuild\t-tags=fips140v1.0\nbuild\t-trimpath=true\nbuild\tDefaultGODEBUG=fips140=on\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOFIPS140=v1.0.0-c2097c7c\nbuild\tGOOS=linux\nbuild\tGOAMD64=v1\n";
/// `GOEXPERIMENT=boringcrypto CGO_ENABLED=1 go build`.
const BORING_MODINFO: &str = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\nbuild\t-buildmode=exe\nbuild\t-compiler=gc\nbuild\tCGO_ENABLED=1\nbuild\tCGO_CFLAGS=\nbuild\tCGO_CPPFLAGS=\nbuild\tCGO_CXXFLAGS=\nbuild\tCGO_LDFLAGS=\nbuild\tGOARCH=amd64\nbuild\tGOEXPERIMENT=boringcrypto\nbuild\tGOOS=linux\nbuild\tGOAMD64=v1\n";
/// A module with a replaced dependency and quoted ldflags; note the empty
/// line Go's BuildInfo.String emits after a `=>` line.
const REPLACE_MODINFO: &str = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\texample.com/dep\tv1.2.3\n=>\t../dep\t(devel)\t\n\nbuild\t-buildmode=exe\nbuild\t-compiler=gc\nbuild\t-gcflags=all=-l\nbuild\t-ldflags=\"-s -w -X 'main.v=a b'\"\nbuild\t-tags=netgo,osusergo\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\nbuild\tGOAMD64=v1\n";

fn framed(text: &str) -> Vec<u8> {
    let mut v = hex::decode(START).unwrap();
    v.extend_from_slice(text.as_bytes());
    v.extend(hex::decode(END).unwrap());
    v
}

fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn header(ptr_size: u8, flags: u8) -> Vec<u8> {
    let mut h = BUILDINFO_MAGIC.to_vec();
    h.extend([ptr_size, flags]);
    h.resize(HEADER_SIZE, 0);
    h
}

fn inline_blob(ptr_size: u8, big_endian: bool, version: &str, modinfo: &[u8]) -> Vec<u8> {
    let mut b = header(ptr_size, FLAG_INLINE | u8::from(big_endian));
    for s in [version.as_bytes(), modinfo] {
        put_uvarint(&mut b, s.len() as u64);
        b.extend_from_slice(s);
    }
    b
}

fn no_memory(_: u64, _: u64) -> Option<&'static [u8]> {
    None
}

fn setting<'a>(m: &'a Modinfo, k: &str) -> Option<&'a str> {
    m.settings
        .iter()
        .find(|(a, _)| a == k)
        .map(|(_, v)| v.as_str())
}

#[test]
fn real_fips_modinfo() {
    let m = parse_modinfo(FIPS_MODINFO).unwrap();
    assert_eq!(m.path.as_deref(), Some("example.com/hello"));
    let main = m.main.as_ref().unwrap();
    assert_eq!(
        (main.path.as_str(), main.version.as_str(), main.sum.as_str()),
        ("example.com/hello", "(devel)", "")
    );
    assert!(m.deps.is_empty());
    assert_eq!(m.settings.len(), 10);
    assert_eq!(setting(&m, "GOFIPS140"), Some("v1.0.0-c2097c7c"));
    // Only the first '=' splits key from value.
    assert_eq!(setting(&m, "DefaultGODEBUG"), Some("fips140=on"));
    assert_eq!(setting(&m, "-tags"), Some("fips140v1.0"));
}

#[test]
fn real_boring_modinfo_keeps_empty_values() {
    let m = parse_modinfo(BORING_MODINFO).unwrap();
    assert_eq!(setting(&m, "GOEXPERIMENT"), Some("boringcrypto"));
    assert_eq!(setting(&m, "CGO_CFLAGS"), Some(""));
    assert_eq!(
        m.settings.first().map(|(k, v)| (k.as_str(), v.as_str())),
        Some(("-buildmode", "exe"))
    );
}

#[test]
fn real_replace_and_quoted_ldflags() {
    let m = parse_modinfo(REPLACE_MODINFO).unwrap();
    assert_eq!(m.deps.len(), 1);
    let dep = &m.deps[0];
    assert_eq!(
        (dep.path.as_str(), dep.version.as_str(), dep.sum.as_str()),
        ("example.com/dep", "v1.2.3", "")
    );
    let rep = dep.replace.as_deref().unwrap();
    assert_eq!(
        (rep.path.as_str(), rep.version.as_str()),
        ("../dep", "(devel)")
    );
    assert_eq!(setting(&m, "-ldflags"), Some("-s -w -X 'main.v=a b'"));
    assert_eq!(setting(&m, "-gcflags"), Some("all=-l"));
}

#[test]
fn modinfo_sums_main_replace_and_escapes() {
    let text = "go\tgo1.21.0\nmod\tex.com/m\tv0.0.0\n=>\tex.com/fork\tv1.0.0\th1:abc=\ndep\tgolang.org/x/sys\tv0.1.0\th1:Q2Ra=\nbuild\t\"k=\\x41\\101\\u00e9\\U0001F600\\t\"=`raw\r\"v`\nbuild\t-ldflags=\"-X \\\"a=b\\\"\"\nbuild\tX=\"\\xff\"\nlast line without newline is ignored\tbuild\tA=B";
    let m = parse_modinfo(text).unwrap();
    let main = m.main.as_ref().unwrap();
    assert_eq!(
        main.replace.as_deref().map(|r| r.sum.as_str()),
        Some("h1:abc=")
    );
    assert_eq!(m.deps[0].sum, "h1:Q2Ra=");
    assert_eq!(
        m.settings[0],
        ("k=AA\u{e9}\u{1F600}\t".to_owned(), "raw\"v".to_owned())
    );
    assert_eq!(m.settings[1].1, "-X \"a=b\"");
    assert_eq!(m.settings[2].1, "\u{fffd}");
    assert_eq!(m.settings.len(), 3);
    assert_eq!(parse_modinfo("").unwrap(), Modinfo::default());
}

#[test]
fn modinfo_errors_carry_line_numbers() {
    let cases = [
        ("path\tp\nbuild\tnoequals\n", 2, "missing '='"),
        ("build\t=v\n", 1, "missing key"),
        ("build\t\n", 1, "missing '='"),
        ("build\tk=a b\n", 1, "must be quoted"),
        ("build\tk v=1\n", 1, "must be quoted"),
        ("build\t\"k\"x\n", 1, "unexpected character"),
        ("build\t\"k\"\n", 1, "missing '=' after quoted key"),
        ("build\t\"k\n", 1, "invalid quoted key"),
        ("build\tk=\"v\"x\n", 1, "invalid quoted value"),
        ("build\tk=\"\\q\"\n", 1, "invalid quoted value"),
        ("build\tk=\"\\uD800\"\n", 1, "invalid quoted value"),
        ("build\tk=\"\\400\"\n", 1, "invalid quoted value"),
        ("\n\n=>\ta\tb\tc\n", 3, "no module"),
        ("dep\ta\tb\n\n=>\ta\tb\tc\n=>\ta\tb\tc\n", 4, "no module"),
        ("dep\ta\tb\n=>\ta\tb\n", 2, "3 columns"),
        ("mod\ta\n", 1, "2 or 3 columns"),
        ("dep\ta\tb\tc\td\n", 1, "2 or 3 columns"),
    ];
    for (text, line, needle) in cases {
        match parse_modinfo(text) {
            Err(GoError::BadModinfo { line: l, reason }) => {
                assert_eq!(l, line, "{text:?}: {reason}");
                assert!(reason.contains(needle), "{text:?}: {reason}");
            }
            other => panic!("{text:?}: expected error, got {other:?}"),
        }
    }
    let huge = "x".repeat(MAX_MODINFO_LEN as usize + 1);
    assert!(matches!(
        parse_modinfo(&huge),
        Err(GoError::TooLarge { .. })
    ));
}

#[test]
fn inline_blob_all_layouts() {
    for (ps, be) in [(4, false), (8, false), (4, true), (8, true)] {
        let blob = inline_blob(ps, be, "go1.27.3-X:boringcrypto", &framed(BORING_MODINFO));
        let bi = parse_build_info_blob(&blob, no_memory).unwrap();
        assert_eq!(bi.go_version, "go1.27.3-X:boringcrypto");
        assert_eq!(
            (bi.format, bi.ptr_size, bi.big_endian),
            (BuildInfoFormat::Inline, ps, be)
        );
        assert_eq!(bi.setting("GOEXPERIMENT"), Some("boringcrypto"));
        assert_eq!(bi.setting("missing"), None);
        assert_eq!(bi.main.map(|m| m.path), Some("example.com/hello".into()));
    }
}

#[test]
fn unframed_modinfo_is_dropped_like_go() {
    // Shorter than the two sentinels, or not ending in "\n" + sentinel.
    for m in [&b"path\tx\n"[..], &[b'a'; 40][..]] {
        let bi = parse_build_info_blob(&inline_blob(8, false, "go1.20", m), no_memory).unwrap();
        assert!(bi.path.is_none() && bi.settings.is_empty());
    }
}

/// Legacy (< 1.18) blobs point at Go string headers; a fake address space
/// stands in for the ELF segments.
#[test]
fn pointer_blob_all_layouts() {
    for (ps, be) in [(4u8, false), (8, false), (4, true), (8, true)] {
        let word = |v: u64| -> Vec<u8> {
            match (ps, be) {
                (4, false) => (v as u32).to_le_bytes().to_vec(),
                (4, true) => (v as u32).to_be_bytes().to_vec(),
                (_, false) => v.to_le_bytes().to_vec(),
                (_, true) => v.to_be_bytes().to_vec(),
            }
        };
        let modinfo = framed(FIPS_MODINFO);
        let mut headers = [
            word(0x1000),
            word(7),
            word(0x3000),
            word(modinfo.len() as u64),
        ]
        .concat();
        headers.resize(64, 0);
        let regions: Vec<(u64, Vec<u8>)> = vec![
            (0x1000, b"go1.17.13".to_vec()),
            (0x2000, headers),
            (0x3000, modinfo),
        ];
        let translate = |addr: u64, len: u64| {
            regions.iter().find_map(|(base, bytes)| {
                let rel = usize::try_from(addr.checked_sub(*base)?).ok()?;
                bytes.get(rel..rel.checked_add(usize::try_from(len).ok()?)?)
            })
        };
        let mut blob = header(ps, u8::from(be));
        blob.splice(
            16..16 + 2 * ps as usize,
            [word(0x2000), word(0x2000 + 2 * ps as u64)].concat(),
        );
        let bi = parse_build_info_blob(&blob, translate).unwrap();
        assert_eq!(bi.go_version, "go1.17.");
        assert_eq!(
            (bi.format, bi.ptr_size, bi.big_endian),
            (BuildInfoFormat::Pointer, ps, be)
        );
        assert_eq!(bi.setting("GOFIPS140"), Some("v1.0.0-c2097c7c"));

        // Version pointer into unmapped memory.
        let mut bad = blob.clone();
        bad.splice(16..16 + ps as usize, word(0x9000));
        let err = parse_build_info_blob(&bad, translate).unwrap_err();
        assert!(
            matches!(err, GoError::AddressNotMapped { vaddr: 0x9000, .. }),
            "{err}"
        );
    }
}

#[test]
fn pointer_blob_rejects_huge_and_dangling_strings() {
    let mut hdrs = [0x1000u64, 5, 0x1000, u64::MAX]
        .map(u64::to_le_bytes)
        .concat();
    hdrs.extend(0x1000u64.to_le_bytes());
    hdrs.extend(1_000u64.to_le_bytes());
    let translate = |addr: u64, len: u64| {
        let rel = usize::try_from(addr.checked_sub(0x1000)?).ok()?;
        hdrs.get(rel..rel + usize::try_from(len).ok()?)
    };
    let mut blob = header(8, 0);
    blob.splice(16..32, [0x1000u64, 0x1010].map(u64::to_le_bytes).concat());
    assert!(matches!(
        parse_build_info_blob(&blob, translate),
        Err(GoError::TooLarge {
            what: "modinfo",
            ..
        })
    ));
    blob.splice(24..32, 0x1020u64.to_le_bytes());
    assert!(matches!(
        parse_build_info_blob(&blob, translate),
        Err(GoError::AddressNotMapped { .. })
    ));
}

#[test]
fn garbage_and_truncation_are_errors() {
    let good = inline_blob(8, false, "go1.22.0", &framed(FIPS_MODINFO));
    // Every truncation point yields an error, never a panic.
    for cut in 0..good.len() {
        assert!(
            parse_build_info_blob(&good[..cut], no_memory).is_err(),
            "cut at {cut}"
        );
    }
    let mut bad_ptr = good.clone();
    bad_ptr[14] = 7;
    assert!(matches!(
        parse_build_info_blob(&bad_ptr, no_memory),
        Err(GoError::BadHeader { .. })
    ));
    let mut bad_magic = good.clone();
    bad_magic[3] = b'X';
    assert!(matches!(
        parse_build_info_blob(&bad_magic, no_memory),
        Err(GoError::BadHeader { .. })
    ));

    // Huge lengths are refused before any slicing or allocation.
    let mut huge = header(8, FLAG_INLINE);
    put_uvarint(&mut huge, u64::MAX);
    assert!(matches!(
        parse_build_info_blob(&huge, no_memory),
        Err(GoError::TooLarge { .. })
    ));
    let mut huge_mod = header(8, FLAG_INLINE);
    put_uvarint(&mut huge_mod, 2);
    huge_mod.extend(b"go");
    put_uvarint(&mut huge_mod, MAX_MODINFO_LEN + 1);
    assert!(matches!(
        parse_build_info_blob(&huge_mod, no_memory),
        Err(GoError::TooLarge {
            what: "modinfo",
            ..
        })
    ));
    // Eleven continuation bytes: uvarint overflow.
    let mut overflow = header(8, FLAG_INLINE);
    overflow.extend([0xff; 11]);
    assert!(matches!(
        parse_build_info_blob(&overflow, no_memory),
        Err(GoError::BadHeader { .. })
    ));
    // Empty or non-UTF-8 version.
    for v in [&b""[..], &b"go\xff"[..]] {
        let mut b = header(8, FLAG_INLINE);
        put_uvarint(&mut b, v.len() as u64);
        b.extend_from_slice(v);
        b.push(0);
        assert!(matches!(
            parse_build_info_blob(&b, no_memory),
            Err(GoError::BadHeader { .. })
        ));
    }
}

#[test]
fn uvarint_matches_go() {
    assert!(matches!(uvarint(&[0x01]), Uvarint::Ok(1, 1)));
    assert!(matches!(uvarint(&[0xac, 0x02]), Uvarint::Ok(300, 2)));
    let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert!(matches!(uvarint(&max), Uvarint::Ok(u64::MAX, 10)));
    let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
    assert!(matches!(uvarint(&over), Uvarint::Overflow));
    assert!(matches!(uvarint(&[0x80, 0x80]), Uvarint::Truncated));
    assert!(matches!(uvarint(&[]), Uvarint::Truncated));
}
