//! Jar analysis on archives made here: version and naming edge cases, and
//! hostile zips (truncated, lying sizes, duplicate names, bombs, random
//! damage) that must give an error or a problem, never a panic or an
//! unbounded allocation.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::jar_tests::{analyze, with};
use super::testutil::certs;
use super::*;

fn zip_of(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, stored) in members {
        let method = if *stored {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        w.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn bc_fips_jar(version: &str, extra: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let manifest = format!("Manifest-Version: 1.0\r\nImplementation-Version: {version}\r\n\r\n");
    let mut m: Vec<(&str, &[u8], bool)> = vec![
        ("META-INF/MANIFEST.MF", manifest.as_bytes(), false),
        ("org/bouncycastle/crypto/fips/FipsStatus.class", b"x", false),
    ];
    m.extend_from_slice(extra);
    zip_of(&m)
}

/// Central directory entries: (offset of the entry, name).
fn central_directory(z: &[u8]) -> Vec<(usize, String)> {
    let u16_at = |o: usize| u16::from_le_bytes([z[o], z[o + 1]]) as usize;
    let eocd = z.len() - 22;
    let mut at = u32::from_le_bytes(z[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let mut out = Vec::new();
    while z[at..at + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let (n, e, c) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        out.push((
            at,
            String::from_utf8_lossy(&z[at + 46..at + 46 + n]).into_owned(),
        ));
        at += 46 + n + e + c;
    }
    out
}

#[test]
fn versions_judge_on_whole_components() {
    let certs = certs();
    let judge = |v: &str| classify_jar(&analyze(&bc_fips_jar(v, &[]), "x.jar"), &certs);
    for (v, cert) in [
        ("1.0.1", "CMVP #3152"),
        ("1.0.2.4", "CMVP #4616"),
        ("2.1.0", "CMVP #4943"),
        ("2.1.2", "CMVP #4943"),
    ] {
        assert!(
            matches!(judge(v), JavaCryptoStatus::BcFipsValidated { certificate, .. } if certificate == cert),
            "{v}"
        );
    }
    for v in ["1.0.10", "2.0.0", "2.1.1", "2.1", "1.0"] {
        assert!(
            matches!(judge(v), JavaCryptoStatus::BcFipsUnvalidated { .. }),
            "{v}"
        );
    }
    // No HMAC entry: a problem, reported, not a verdict change.
    let f = analyze(&bc_fips_jar("2.1.0", &[]), "x.jar");
    assert!(f.problems.iter().any(|p| p.contains("HMAC.SHA256")));
}

#[test]
fn relocated_and_multi_release_classes() {
    let f = analyze(
        &zip_of(&[
            (
                "com/acme/shade/org/bouncycastle/jcajce/provider/BouncyCastleFipsProvider.class",
                b"x",
                false,
            ),
            ("com/acme/Main.class", b"x", false),
        ]),
        "app.jar",
    );
    assert_eq!(f.kind, JarKind::BcFips);
    assert!(f.shaded && f.evidence[0].starts_with("relocated class"));
    let f = analyze(
        &zip_of(&[(
            "META-INF/versions/11/org/bouncycastle/jce/provider/BouncyCastleProvider.class",
            b"x",
            false,
        )]),
        "mr.jar",
    );
    assert_eq!(f.kind, JarKind::Bcprov);
    assert!(!f.shaded);
    let f = analyze(&zip_of(&[("a.txt", b"x", false)]), "bc-fips-2.1.0.jar");
    assert_eq!(f.kind, JarKind::Other);
    assert!(f.problems[0].contains("named like BC-FIPS"));
    let f = analyze(&zip_of(&[("a.txt", b"x", false)]), "bctls-fips-2.0.19.jar");
    assert_eq!(f.kind, JarKind::BcTlsFips);
    assert!(classify_jar(&f, &certs()).status().is_none());
}

#[test]
fn not_a_zip_and_truncated_archives() {
    let err = analyze_jar(
        b"PK\x03\x04 nope",
        "x.jar",
        &JarLimits::default(),
        &JavaMarkers::default(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("x.jar: "), "{err}");
    let inner = bc_fips_jar("2.1.0", &[]);
    let cut = &inner[..inner.len() - 30];
    assert!(
        analyze_jar(
            cut,
            "cut.jar",
            &JarLimits::default(),
            &JavaMarkers::default()
        )
        .is_err()
    );
    // A damaged nested jar is a problem of its own, and the walk goes on.
    let outer = zip_of(&[("lib/cut.jar", cut, true), ("lib/ok.jar", &inner, false)]);
    let f = analyze(&outer, "outer.jar");
    assert_eq!(f.nested.len(), 2);
    assert!(f.nested[0].problems[0].starts_with("not a readable zip archive"));
    assert_eq!(f.nested[1].kind, JarKind::BcFips);
}

#[test]
fn lying_sizes_duplicates_and_entry_bound() {
    let inner = bc_fips_jar("2.1.0", &[]);
    let mut z = zip_of(&[("lib/a.jar", &inner, true), ("lib/b.jar", &inner, false)]);
    let cd = central_directory(&z);
    // Declared sizes of 4 GiB: refused from the header, nothing allocated.
    for (at, _) in &cd {
        z[at + 24..at + 28].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    }
    let f = with(
        JarLimits {
            max_nested_bytes: 1 << 20,
            ..JarLimits::default()
        },
        &z,
        "big.jar",
    );
    assert!(f.nested.is_empty());
    assert_eq!(
        f.problems,
        [
            "lib/a.jar: nested archive of 4294967280 bytes exceeds 1048576",
            "lib/b.jar: nested archive of 4294967280 bytes exceeds 1048576"
        ]
    );
    // A stored entry whose compressed size runs past the end.
    let mut z = zip_of(&[("lib/a.jar", &inner, true)]);
    let (at, _) = central_directory(&z)[0];
    z[at + 20..at + 24].copy_from_slice(&0x00ff_ffffu32.to_le_bytes());
    let f = analyze(&z, "past-end.jar");
    assert!(f.nested.is_empty());
    assert_eq!(
        f.problems,
        ["lib/a.jar: stored data lies outside the archive"]
    );
    // Two names made equal in the central directory.
    let mut z = zip_of(&[("a.txt", b"1", false), ("b.txt", b"2", false)]);
    let (at, _) = central_directory(&z)[1];
    z[at + 46] = b'a';
    let f = analyze(&z, "dup.jar");
    assert_eq!(
        f.problems,
        ["duplicate entry names (only one of each was read)"]
    );
    let many: Vec<String> = (0..10).map(|i| format!("f{i}.txt")).collect();
    let members: Vec<(&str, &[u8], bool)> = many
        .iter()
        .map(|n| (n.as_str(), &b"x"[..], false))
        .collect();
    let f = with(
        JarLimits {
            max_entries: 3,
            ..JarLimits::default()
        },
        &zip_of(&members),
        "many.jar",
    );
    assert_eq!(f.problems, ["10 entries; only the first 3 were looked at"]);
}

#[test]
fn deflate_bomb_is_cut_at_the_bound() {
    // 64 MiB of zeros deflates to about 64 KiB; its header then claims 100 bytes.
    let zeros = vec![0u8; 64 << 20];
    let mut z = zip_of(&[("lib/bomb.jar", &zeros, false)]);
    drop(zeros);
    let (at, _) = central_directory(&z)[0];
    z[at + 24..at + 28].copy_from_slice(&100u32.to_le_bytes());
    let f = with(
        JarLimits {
            max_nested_bytes: 1 << 20,
            ..JarLimits::default()
        },
        &z,
        "bomb.jar",
    );
    // The decompressor stops at the declared size: nothing past 100 bytes
    // is ever inflated, and the lie is reported.
    assert!(f.nested.is_empty());
    assert_eq!(f.problems.len(), 1);
    assert!(
        f.problems[0].starts_with("lib/bomb.jar: cannot inflate"),
        "{f:#?}"
    );
}

/// Byte flips across a small jar with a nested jar: any outcome but a panic.
#[test]
fn mutated_archives_never_panic() {
    let inner = bc_fips_jar("2.1.0", &[("META-INF/HMAC.SHA256", b"00", false)]);
    let base = zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nMain-Class: a.B\r\n\r\n",
            false,
        ),
        ("lib/inner.jar", &inner, true),
        ("lib/deflated.jar", &inner, false),
    ]);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut z = base.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() % z.len() as u64) as usize;
            z[i] = next() as u8;
        }
        if next() % 8 == 0 {
            z.truncate((next() % z.len() as u64) as usize);
        }
        let _ = analyze_jar(&z, "m.jar", &JarLimits::default(), &JavaMarkers::default());
    }
}
