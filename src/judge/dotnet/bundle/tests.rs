//! Synthetic bundles, written to the format the .NET bundler writes, for
//! the parser's success paths and every error path.

use std::io::Write;

use super::*;

/// A path string: 7-bit length prefix, then the bytes.
pub fn path_string(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut n = s.len();
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(s.as_bytes());
    out
}

/// One bundled file: type byte, path, content, deflate it or not.
pub type File<'a> = (u8, &'a str, &'a [u8], bool);

/// `host` followed by the files and a manifest of `major`.0; returns the
/// bytes and the header offset the marker would hold.
pub fn build(host: &[u8], major: u32, files: &[File]) -> (Vec<u8>, i64) {
    let mut out = host.to_vec();
    let mut rows = Vec::new();
    for &(kind, path, data, compress) in files {
        let offset = out.len() as i64;
        let compressed = if compress {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(data).unwrap();
            let c = enc.finish().unwrap();
            out.extend_from_slice(&c);
            c.len() as i64
        } else {
            out.extend_from_slice(data);
            0
        };
        rows.push((offset, data.len() as i64, compressed, kind, path));
    }
    let header = out.len() as i64;
    out.extend_from_slice(&major.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(rows.len() as i32).to_le_bytes());
    out.extend(path_string("Sc3CqCC3Uh6OWSaxa4jGenTnbaQ+OyI="));
    if major >= 2 {
        out.extend_from_slice(&[0u8; 40]);
    }
    for (offset, size, compressed, kind, path) in rows {
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        if major >= 6 {
            out.extend_from_slice(&compressed.to_le_bytes());
        }
        out.push(kind);
        out.extend(path_string(path));
    }
    (out, header)
}

const HOST: &[u8] =
    b"\x7fELF host\0libSystem.Security.Cryptography.Native.OpenSsl\0libssl.so.3\0libssl.so.1.1\0";
const RC: &[u8] = br#"{"runtimeOptions":{"tfm":"net8.0","includedFrameworks":[{"name":"Microsoft.NETCore.App","version":"8.0.30"}]}}"#;

fn sample(major: u32) -> (Vec<u8>, i64) {
    build(
        HOST,
        major,
        &[
            (1, "app.dll", b"MZ app", false),
            (4, "app.runtimeconfig.json", RC, false),
            (3, "app.deps.json", br#"{"libraries":{}}"#, major >= 6),
        ],
    )
}

/// The header offset of a bundle whose manifest is replaced: `manifest`
/// follows the host bytes directly.
fn with_manifest(manifest: &[u8]) -> (Vec<u8>, i64) {
    let mut out = HOST.to_vec();
    out.extend_from_slice(manifest);
    (out, HOST.len() as i64)
}

fn header(major: u32, count: i32) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&major.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(&count.to_le_bytes());
    h.extend(path_string("id"));
    h.extend_from_slice(&[0u8; 40]);
    h
}

fn entry(offset: i64, size: i64, compressed: i64, kind: u8, path: &str) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend_from_slice(&offset.to_le_bytes());
    e.extend_from_slice(&size.to_le_bytes());
    e.extend_from_slice(&compressed.to_le_bytes());
    e.push(kind);
    e.extend(path_string(path));
    e
}

#[test]
fn reads_v6_v2_and_v1_manifests() {
    for major in [6, 2, 1] {
        let (data, at) = sample(major);
        let m = parse(&data, at).unwrap();
        assert_eq!((m.major, m.minor, m.header_offset), (major, 0, at as u64));
        assert_eq!(m.bundle_id, "Sc3CqCC3Uh6OWSaxa4jGenTnbaQ+OyI=");
        let kinds: Vec<(EntryKind, &str)> = m
            .entries
            .iter()
            .map(|e| (e.kind, e.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (EntryKind::Assembly, "app.dll"),
                (EntryKind::RuntimeConfigJson, "app.runtimeconfig.json"),
                (EntryKind::DepsJson, "app.deps.json")
            ]
        );
        assert_eq!(m.entries[0].offset, HOST.len() as u64);
        assert_eq!(read_entry(&data, &m.entries[1], 1 << 20).unwrap(), RC);
        // Compressed (v6 only) or stored, the deps.json reads the same.
        assert_eq!(m.entries[2].compressed_size > 0, major >= 6);
        assert_eq!(
            read_entry(&data, &m.entries[2], 1 << 20).unwrap(),
            br#"{"libraries":{}}"#
        );
    }
}

#[test]
fn long_paths_take_a_two_byte_length() {
    let long = "d/".repeat(100) + "app.dll";
    let (data, at) = build(HOST, 6, &[(1, &long, b"MZ", false)]);
    assert_eq!(parse(&data, at).unwrap().entries[0].path, long);
}

#[test]
fn a_header_offset_outside_the_file_is_refused() {
    let (data, _) = sample(6);
    let len = data.len() as u64;
    for offset in [len as i64, len as i64 + 1, -8, 0, i64::MAX] {
        assert_eq!(
            parse(&data, offset),
            Err(BundleError::HeaderOutOfRange { offset, len })
        );
    }
    // A file cut before its manifest (a truncated copy) says so in words.
    let cut = &data[..HOST.len() + 10];
    let (_, at) = sample(6);
    assert_eq!(
        parse(cut, at).unwrap_err().to_string(),
        format!(
            "the bundle header offset {at} is not inside the file ({} bytes): the file is truncated or its marker is corrupt",
            cut.len()
        )
    );
}

#[test]
fn a_truncated_header_is_refused() {
    let (data, at) = sample(6);
    let start = at as usize;
    // Cut inside the fixed header, the bundle id, the v2 fields, then an entry.
    for (cut, what) in [
        (start + 6, "bundle header"),
        (start + 13, "bundle id"),
        (start + 12 + 33 + 20, "bundle header (v2)"),
    ] {
        assert_eq!(
            parse(&data[..cut], at),
            Err(BundleError::Truncated {
                what,
                at: if what == "bundle header" {
                    start as u64 + 4
                } else if what == "bundle id" {
                    start as u64 + 13
                } else {
                    start as u64 + 12 + 33
                },
                len: cut as u64
            }),
            "cut at {cut}"
        );
    }
    // Every cut of the manifest is an error, none a panic.
    for cut in start + 1..data.len() {
        assert!(parse(&data[..cut], at).is_err(), "cut at {cut}");
    }
}

#[test]
fn a_file_count_too_large_is_refused() {
    // More than the cap.
    let (data, at) = with_manifest(&header(6, 1_000_000));
    let left = (data.len() - at as usize - 12 - 3 - 40) as u64;
    assert_eq!(
        parse(&data, at),
        Err(BundleError::FileCount {
            count: 1_000_000,
            max: 0,
            left
        })
    );
    // Within the cap, but more than the bytes left could describe.
    let mut m = header(6, 3);
    m.extend(entry(1, 1, 0, 1, "a.dll"));
    m.extend(entry(2, 1, 0, 1, "b.dll"));
    let (data, at) = with_manifest(&m);
    let err = parse(&data, at).unwrap_err();
    assert_eq!(
        err,
        BundleError::FileCount {
            count: 3,
            max: 2,
            left: 62
        }
    );
    assert_eq!(
        err.to_string(),
        "the bundle manifest claims 3 files; at most 2 fit (the cap of 65536, and what the 62 bytes after the header can describe)"
    );
    for count in [0, -1, i32::MIN] {
        let (data, at) = with_manifest(&header(6, count));
        assert!(
            matches!(parse(&data, at), Err(BundleError::FileCount { count: c, .. }) if c == i64::from(count))
        );
    }
}

#[test]
fn an_entry_offset_out_of_range_is_refused() {
    let mut m = header(6, 2);
    m.extend(entry(1, 4, 0, 1, "a.dll"));
    m.extend(entry(60, 1000, 0, 1, "b.dll"));
    let (data, at) = with_manifest(&m);
    let len = data.len() as u64;
    assert_eq!(
        parse(&data, at),
        Err(BundleError::EntryOutOfRange {
            index: 1,
            path: "b.dll".into(),
            offset: 60,
            stored: 1000,
            len
        })
    );
    // The compressed size is what is stored, so it is what must fit.
    let mut m = header(6, 1);
    m.extend(entry(1, 4, 1 << 40, 1, "a.dll"));
    let (data, at) = with_manifest(&m);
    assert!(matches!(
        parse(&data, at),
        Err(BundleError::EntryOutOfRange { stored, .. }) if stored == 1 << 40
    ));
    // The largest offset and size the format holds are out of range, not a wrap.
    let mut m = header(6, 1);
    m.extend(entry(i64::MAX, i64::MAX, 0, 1, "a.dll"));
    let (data, at) = with_manifest(&m);
    assert!(matches!(
        parse(&data, at),
        Err(BundleError::EntryOutOfRange { .. })
    ));
}

#[test]
fn invalid_entries_versions_and_lengths_are_refused() {
    for (offset, size, compressed, kind) in
        [(0, 1, 0, 1), (1, -1, 0, 1), (1, 1, -1, 1), (1, 1, 0, 6)]
    {
        let mut m = header(6, 1);
        m.extend(entry(offset, size, compressed, kind, "a.dll"));
        let (data, at) = with_manifest(&m);
        assert_eq!(
            parse(&data, at),
            Err(BundleError::EntryInvalid {
                index: 0,
                path: "a.dll".into(),
                offset,
                size,
                compressed,
                kind
            })
        );
    }
    let (data, at) = with_manifest(&header(7, 1));
    assert_eq!(
        parse(&data, at),
        Err(BundleError::Version { major: 7, minor: 0 })
    );
    // Three length bytes, and an empty string.
    for (bytes, why) in [
        (&[0x80u8, 0x80, 0x01][..], "more than two bytes"),
        (&[0u8][..], "empty"),
        (&[0xffu8, 0x7f][..], "longer than PATH_MAX"),
    ] {
        let mut m = header(6, 1);
        let mut e = entry(1, 1, 0, 1, "a.dll");
        e.truncate(25);
        e.extend_from_slice(bytes);
        e.extend_from_slice(&[b'a'; 64]);
        m.extend(e);
        let (data, at) = with_manifest(&m);
        assert_eq!(
            parse(&data, at),
            Err(BundleError::StringLength {
                what: "manifest entry path",
                at: at as u64 + 12 + 3 + 40 + 25,
                why
            })
        );
    }
}

#[test]
fn entries_that_do_not_inflate_are_errors() {
    let e = Entry {
        offset: 0,
        size: 10,
        compressed_size: 4,
        kind: EntryKind::DepsJson,
        path: "app.deps.json".into(),
    };
    assert!(matches!(
        read_entry(&[0xff, 0xff, 0xff, 0xff], &e, 1 << 20),
        Err(BundleError::Inflate { .. })
    ));
    // A stream that inflates to more (or less) than the manifest names.
    let (data, at) = build(HOST, 6, &[(3, "app.deps.json", &[b' '; 100], true)]);
    let mut e = parse(&data, at).unwrap().entries.remove(0);
    e.size = 50;
    assert_eq!(
        read_entry(&data, &e, 1 << 20),
        Err(BundleError::Inflate {
            path: "app.deps.json".into(),
            size: 50,
            why: "it inflates to 51 bytes".into()
        })
    );
    e.size = 200;
    assert_eq!(
        read_entry(&data, &e, 1 << 20).unwrap_err().to_string(),
        "bundled app.deps.json does not inflate to the 200 bytes the manifest names: it inflates to 100 bytes"
    );
    assert_eq!(
        read_entry(&data, &e, 199),
        Err(BundleError::EntryTooLarge {
            path: "app.deps.json".into(),
            size: 200,
            max: 199
        })
    );
}
