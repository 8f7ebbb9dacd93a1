//! What a jar (war, ear) holds of Bouncy Castle, found by class entries
//! rather than by file name, so renamed and shaded copies are seen too;
//! nested archives (Spring Boot `BOOT-INF/lib/`, `WEB-INF/lib/`, `lib/`)
//! are opened in memory up to a depth and byte bound.
//!
//! Untrusted input: every read is bounded by `JarLimits`, a bound hit or a
//! damaged nested archive becomes a problem in the facts, and only a top
//! archive that cannot be opened at all is an `Err`.

use std::io::Cursor;

use serde::Serialize;
use zip::ZipArchive;

use super::properties::{manifest_attr, parse_manifest, parse_properties, prop};
use super::{JavaError, JavaMarkers, Pat};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JarKind {
    /// bc-fips: the BC-FJA module itself (FIPS classes present).
    BcFips,
    /// bctls-fips / bcpkix-fips: APIs on top of bc-fips, not crypto modules.
    BcTlsFips,
    BcPkixFips,
    /// bcprov: the regular, non-FIPS Bouncy Castle provider.
    Bcprov,
    Other,
}

#[derive(Debug, Clone, Serialize)]
pub struct JarLimits {
    /// Deepest nesting opened; the top archive is depth 0.
    pub max_depth: u8,
    /// Entries looked at per archive (the rest are skipped, with a problem).
    pub max_entries: usize,
    /// A nested archive is held in memory only up to this size. Only the
    /// archives on the current path are held at once, so peak memory stays
    /// under `max_depth * max_nested_bytes` beside the caller's own bytes.
    pub max_nested_bytes: u64,
    /// Bytes decompressed over the whole tree (STORED nested archives are
    /// borrowed from their parent, not copied, and do not count).
    pub max_total_bytes: u64,
    /// Manifest and pom.properties reads.
    pub max_meta_bytes: u64,
}

impl Default for JarLimits {
    fn default() -> JarLimits {
        JarLimits {
            max_depth: 3,
            max_entries: 200_000,
            max_nested_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
            max_meta_bytes: 64 << 10,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JarFacts {
    /// File name of the top archive, entry name for nested ones.
    pub name: String,
    /// Entry names from the top archive down; empty for the top archive.
    pub path_in_archive: Vec<String>,
    pub kind: JarKind,
    pub version: Option<String>,
    /// Where `version` was read, e.g. "META-INF/MANIFEST.MF Implementation-Version".
    pub version_source: Option<String>,
    /// Manifest `Main-Class` (an application jar, not a library).
    pub main_class: Option<String>,
    /// Bouncy Castle classes sit beside other classes, or under a relocated
    /// package: a repackaged copy, not the jar Bouncy Castle ships.
    pub shaded: bool,
    /// Class entries and manifest/pom lines that decided `kind` and `version`.
    pub evidence: Vec<String>,
    pub nested: Vec<JarFacts>,
    /// Bounds hit and damage found (the walk went on past them).
    pub problems: Vec<String>,
    /// SHA-256 (hex) of this archive's bytes, nested ones included, for SBOMs.
    pub sha256: Option<String>,
}

impl JarFacts {
    pub(super) fn new(name: &str, path: Vec<String>) -> JarFacts {
        JarFacts {
            name: name.to_string(),
            path_in_archive: path,
            kind: JarKind::Other,
            version: None,
            version_source: None,
            main_class: None,
            shaded: false,
            evidence: Vec::new(),
            nested: Vec::new(),
            problems: Vec::new(),
            sha256: None,
        }
    }

    /// This archive and every nested one, depth first.
    pub fn iter(&self) -> Vec<&JarFacts> {
        let mut out = vec![self];
        for n in &self.nested {
            out.extend(n.iter());
        }
        out
    }
}

/// Analyses the archive in `bytes`. `name` is its file name (used for the
/// name markers and in messages).
pub fn analyze_jar(
    bytes: &[u8],
    name: &str,
    limits: &JarLimits,
    markers: &JavaMarkers,
) -> Result<JarFacts, JavaError> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|source| JavaError::Zip {
        name: name.to_string(),
        source,
    })?;
    let mut walk = Walk {
        limits,
        markers,
        budget: limits.max_total_bytes,
    };
    Ok(walk.archive(archive, bytes, name, Vec::new(), 0))
}

/// One analysis: the bounds and what is left of the byte budget. Bounded
/// reads and nested archives are in `bounded.rs`.
pub(super) struct Walk<'a> {
    pub(super) limits: &'a JarLimits,
    pub(super) markers: &'a JavaMarkers,
    /// Decompressed bytes still allowed.
    pub(super) budget: u64,
}

/// Class entries that matter, counted in one pass over the names.
#[derive(Default)]
struct Scan {
    manifest: Option<usize>,
    poms: Vec<(usize, String)>,
    nested: Vec<(usize, String)>,
    fips_class: bool,
    hmac: bool,
    bcprov_class: bool,
    relocated: bool,
    bc_classes: u64,
    other_classes: u64,
}

/// Poms read per archive: a shaded jar lists one per bundled artifact.
const MAX_POMS: usize = 32;

impl Walk<'_> {
    pub(super) fn archive<'b>(
        &mut self,
        mut ar: ZipArchive<Cursor<&'b [u8]>>,
        bytes: &'b [u8],
        name: &str,
        path: Vec<String>,
        depth: u8,
    ) -> JarFacts {
        let mut f = JarFacts::new(name, path);
        f.sha256 = Some(crate::detect::sha256_hex(bytes));
        let scan = self.scan(&mut ar, &mut f);
        let manifest = scan
            .manifest
            .and_then(|i| self.read_text(&mut ar, i, "META-INF/MANIFEST.MF", &mut f))
            .map(|t| parse_manifest(&t))
            .unwrap_or_default();
        f.main_class = manifest_attr(&manifest, "Main-Class").map(str::to_string);
        let poms = self.bc_poms(&mut ar, &scan.poms, &mut f);
        self.decide_kind(&scan, &poms, &mut f);
        self.decide_version(&scan, &manifest, &poms, &mut f);
        for (i, entry) in &scan.nested {
            self.nested(&mut ar, bytes, *i, entry, depth, &mut f);
        }
        f
    }

    fn scan(&self, ar: &mut ZipArchive<Cursor<&[u8]>>, f: &mut JarFacts) -> Scan {
        let m = self.markers;
        let mut s = Scan::default();
        if ar.len() > self.limits.max_entries {
            f.problems.push(format!(
                "{} entries; only the first {} were looked at",
                ar.len(),
                self.limits.max_entries
            ));
        }
        if ar.has_duplicate_names() {
            f.problems
                .push("duplicate entry names (only one of each was read)".into());
        }
        for i in 0..ar.len().min(self.limits.max_entries) {
            let Ok(entry) = ar.by_index_data(i) else {
                f.problems.push(format!("entry {i}: unreadable header"));
                continue;
            };
            let Ok(ename) = entry.name() else { continue };
            if entry.is_dir() {
                continue;
            }
            if ename.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                s.manifest = Some(i);
            } else if m.bcfips_hmac.matches(&ename) {
                s.hmac = true;
            } else if ename.starts_with("META-INF/maven/") && ename.ends_with("/pom.properties") {
                s.poms.push((i, ename.into_owned()));
            } else if is_archive(&ename) {
                s.nested.push((i, ename.into_owned()));
            } else if ename.ends_with(".class") {
                let class = class_key(&ename);
                if m.bc_package.matches(class) {
                    s.bc_classes += 1;
                } else if !class.ends_with("module-info.class") {
                    s.other_classes += 1;
                }
                for (p, fips) in [
                    (&m.bcfips_status_class, true),
                    (&m.bcfips_provider_class, true),
                    (&m.bcprov_provider_class, false),
                ] {
                    if let Some(relocated) = class_hit(p, class) {
                        s.relocated |= relocated;
                        *(if fips {
                            &mut s.fips_class
                        } else {
                            &mut s.bcprov_class
                        }) = true;
                        let how = if relocated {
                            "relocated class"
                        } else {
                            "class"
                        };
                        f.evidence.push(format!("{how} {ename}"));
                    }
                }
            }
        }
        s
    }

    /// `(artifactId, version, entry)` of every Bouncy Castle pom.properties.
    fn bc_poms(
        &mut self,
        ar: &mut ZipArchive<Cursor<&[u8]>>,
        poms: &[(usize, String)],
        f: &mut JarFacts,
    ) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        // META-INF/maven/<groupId>/<artifactId>/pom.properties
        let bc = poms.iter().filter(|(_, e)| {
            e.split('/')
                .nth(2)
                .is_some_and(|g| self.markers.bc_group_id.matches(g))
        });
        for (i, entry) in bc.take(MAX_POMS) {
            let Some(text) = self.read_text(ar, *i, entry, f) else {
                continue;
            };
            let props = parse_properties(&text);
            let dir = entry.split('/').nth(3).unwrap_or_default();
            let artifact = prop(&props, "artifactId").unwrap_or(dir).trim().to_string();
            if let Some(v) = prop(&props, "version") {
                out.push((artifact, v.trim().to_string(), entry.clone()));
            }
        }
        out
    }

    fn decide_kind(&self, s: &Scan, poms: &[(String, String, String)], f: &mut JarFacts) {
        let m = self.markers;
        let file = f.name.rsplit('/').next().unwrap_or_default().to_string();
        let named = |p: &Pat| p.matches(&file) || poms.iter().any(|(a, _, _)| p.matches(a));
        f.kind = if s.fips_class {
            JarKind::BcFips
        } else if s.bcprov_class {
            JarKind::Bcprov
        } else if named(&m.bctls_fips_name) {
            JarKind::BcTlsFips
        } else if named(&m.bcpkix_fips_name) {
            JarKind::BcPkixFips
        } else {
            JarKind::Other
        };
        if matches!(f.kind, JarKind::BcTlsFips | JarKind::BcPkixFips) {
            f.evidence
                .push(format!("name {file} (or its Maven artifactId)"));
        }
        if f.kind != JarKind::BcFips && m.bc_fips_name.matches(&file) {
            f.problems.push(format!(
                "named like BC-FIPS ({file}) but holds no BC-FIPS classes"
            ));
        }
        if matches!(f.kind, JarKind::BcFips | JarKind::Bcprov) && s.fips_class && s.bcprov_class {
            f.evidence
                .push("both BC-FIPS and regular bcprov classes in one archive".into());
        }
        f.shaded = matches!(f.kind, JarKind::BcFips | JarKind::Bcprov)
            && (s.relocated || s.other_classes > 0);
        if f.kind == JarKind::BcFips {
            // FipsStatus MACs the jar it was loaded from against this entry.
            if s.hmac {
                f.evidence.push(format!("entry {}", m.bcfips_hmac.pattern));
            } else if !f.shaded {
                f.problems.push(format!(
                    "no {} entry: BC-FIPS's power-on integrity test would fail",
                    m.bcfips_hmac.pattern
                ));
            }
        }
        if f.shaded {
            f.evidence.push(format!(
                "{} Bouncy Castle classes beside {} other classes{}",
                s.bc_classes,
                s.other_classes,
                if s.relocated { ", relocated" } else { "" }
            ));
        }
    }

    fn decide_version(
        &self,
        s: &Scan,
        manifest: &[(String, String)],
        poms: &[(String, String, String)],
        f: &mut JarFacts,
    ) {
        let m = self.markers;
        let artifact = match f.kind {
            JarKind::BcFips => &m.bc_fips_name,
            JarKind::Bcprov => &m.bcprov_name,
            JarKind::BcTlsFips => &m.bctls_fips_name,
            JarKind::BcPkixFips => &m.bcpkix_fips_name,
            JarKind::Other => return,
        };
        // A Maven pom names its artifact, so it survives shading.
        if let Some((a, v, entry)) = poms.iter().find(|(a, _, _)| artifact.matches(a)) {
            f.version = Some(v.clone());
            f.version_source = Some(format!("{entry} version"));
            f.evidence
                .push(format!("{entry}: artifactId={a} version={v}"));
            return;
        }
        // The manifest speaks for Bouncy Castle only if it is theirs: their
        // vendor id, or a jar with no classes but theirs. In a shaded jar it
        // carries the application's version.
        let vendor = manifest_attr(manifest, "Implementation-Vendor-Id");
        let theirs = vendor.is_some_and(|v| m.bc_group_id.matches(v))
            || (s.other_classes == 0 && !s.relocated);
        if !theirs {
            return;
        }
        for key in ["Bundle-Version", "Implementation-Version"] {
            if let Some(v) = manifest_attr(manifest, key).filter(|v| !v.is_empty()) {
                f.version = Some(v.to_string());
                f.version_source = Some(format!("META-INF/MANIFEST.MF {key}"));
                f.evidence.push(format!("META-INF/MANIFEST.MF: {key}: {v}"));
                return;
            }
        }
    }
}

/// `*.jar`, `*.war`, `*.ear` in any case, without allocating per entry.
fn is_archive(entry: &str) -> bool {
    let b = entry.as_bytes();
    let tail = b.get(b.len().saturating_sub(4)..).unwrap_or_default();
    [b".jar", b".war", b".ear"]
        .iter()
        .any(|x| tail.eq_ignore_ascii_case(*x))
}

/// A class entry as its class loader sees it: without the Spring Boot or
/// webapp class root, or the multi-release `META-INF/versions/N/` prefix.
fn class_key(entry: &str) -> &str {
    for root in ["BOOT-INF/classes/", "WEB-INF/classes/"] {
        if let Some(rest) = entry.strip_prefix(root) {
            return rest;
        }
    }
    if let Some(rest) = entry.strip_prefix("META-INF/versions/")
        && let Some((n, class)) = rest.split_once('/')
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return class;
    }
    entry
}

/// Some(false) if `p` matches the class, Some(true) if the class is the
/// pattern under a relocated package (`com/acme/shaded/org/bouncycastle/...`).
fn class_hit(p: &Pat, class: &str) -> Option<bool> {
    if p.matches(class) {
        return Some(false);
    }
    let prefix = class.strip_suffix(p.pattern.as_str())?;
    prefix.ends_with('/').then_some(true)
}
