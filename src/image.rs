//! The model every source resolves to: which blobs make up one image for one
//! platform, and what its config says. Sources differ only in how they find
//! and open blobs; everything after `ImagePlan` is source-agnostic.

use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::source::SourceError;

/// A content digest as written in descriptors (`sha256:<64 hex>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Digest(String);

impl Digest {
    /// Accepts only `sha256:` digests with 64 lowercase hex digits, because a
    /// digest is also used to build blob paths: anything else could name a
    /// file outside the blob store.
    pub fn parse(s: &str) -> Option<Digest> {
        let hex = s.strip_prefix("sha256:")?;
        let ok = hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| Digest(s.to_string()))
    }
    pub fn from_sha256(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex::encode(bytes)))
    }
    pub fn hex(&self) -> &str {
        self.0.strip_prefix("sha256:").unwrap_or(&self.0)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `sha256:0123456789ab` — enough to tell layers apart in text output.
    pub fn short(&self) -> &str {
        self.0.get(..19).unwrap_or(&self.0)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]` as `--platform` takes it.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut parts = s.split('/');
        let os = parts.next().filter(|p| !p.is_empty())?;
        let architecture = parts.next().filter(|p| !p.is_empty())?;
        let variant = parts.next().filter(|p| !p.is_empty()).map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        Some(Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant,
        })
    }

    pub fn linux_amd64() -> Platform {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }

    /// A requested platform without a variant matches any variant; with one,
    /// only that variant (arm64 images often say `v8`, users rarely do).
    pub fn matches(&self, wanted: &Platform) -> bool {
        self.os == wanted.os
            && self.architecture == wanted.architecture
            && (wanted.variant.is_none() || self.variant == wanted.variant)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// How a layer blob is compressed, decided from the media type and then
/// confirmed (or corrected) by the blob's magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn from_media_type(media_type: &str) -> Compression {
        if media_type.ends_with("+gzip")
            || media_type.ends_with(".tar.gzip")
            || media_type.ends_with("tar.gzip")
        {
            Compression::Gzip
        } else if media_type.ends_with("+zstd") {
            Compression::Zstd
        } else if media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip" {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
}

/// The parts of an image config that matter for judging crypto.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageConfig {
    pub platform: Option<Platform>,
    pub env: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    pub diff_ids: Vec<Digest>,
}

impl ImageConfig {
    /// The value of `NAME` in the config's Env (last one wins, as in execve).
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env.iter().rev().find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
    }

    /// Env entries that change which crypto runs or how (../shared/SIGNATURES.md §6).
    pub fn crypto_env(&self) -> Vec<String> {
        const NAMES: &[&str] = &[
            "GODEBUG",
            "GOLANG_FIPS",
            "GOFIPS",
            "GO_OPENSSL_VERSION_OVERRIDE",
            "GOLANG_NATIVE_HOSTFIPS_OVERRIDE",
            "OPENSSL_CONF",
            "OPENSSL_MODULES",
            "OPENSSL_FIPS",
            "OPENSSL_FORCE_FIPS_MODE",
            // Ubuntu's libcrypto reads this file instead of the kernel flag.
            "OPENSSL_FIPS_MODE_SWITCH_PATH",
            "OPENSSL_FIPS_CONF",
            "LIBGCRYPT_FORCE_FIPS_MODE",
            "GNUTLS_FORCE_FIPS_MODE",
            "NODE_OPTIONS",
            "NSS_FIPS",
            "DOTNET_OPENSSL_VERSION_OVERRIDE",
            "CLR_OPENSSL_VERSION_OVERRIDE",
            // Which .NET runtime, so which shim and OpenSSL, an app runs on.
            "DOTNET_ROOT",
            "DOTNET_ROOT_X64",
            "DOTNET_ROOT_ARM64",
            "DOTNET_ROLL_FORWARD",
            "LD_LIBRARY_PATH",
        ];
        NAMES
            .iter()
            .filter_map(|n| self.env_var(n).map(|v| format!("{n}={v}")))
            .collect()
    }

    /// The program the container runs: Entrypoint[0], or Cmd[0] without one.
    pub fn main_program(&self) -> Option<&str> {
        self.entrypoint
            .first()
            .or_else(|| self.cmd.first())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct LayerDesc {
    /// Position from the bottom (0 = base layer).
    pub index: usize,
    /// Digest of the blob as stored (compressed); `None` when the source does
    /// not record one (classic docker-archive layer.tar files).
    pub digest: Option<Digest>,
    /// sha256 of the uncompressed tar, from the config's rootfs.diff_ids.
    pub diff_id: Option<Digest>,
    pub media_type: String,
    pub size: Option<u64>,
    /// Where to open it: a digest, or a path inside an archive.
    pub locator: BlobLocator,
}

impl LayerDesc {
    /// The identity shown in reports: the blob digest, else the diff_id.
    pub fn id(&self) -> String {
        match (&self.digest, &self.diff_id) {
            (Some(d), _) | (None, Some(d)) => d.to_string(),
            (None, None) => format!("layer#{}", self.index),
        }
    }
}

#[derive(Debug, Clone)]
pub enum BlobLocator {
    Digest(Digest),
    /// A member of an archive, by its name there.
    Member(String),
}

/// Opens blobs of one image source. Implementations must only ever open
/// files inside the source they were built for.
pub trait BlobStore: Send + Sync {
    fn open(&self, locator: &BlobLocator) -> Result<Box<dyn Read + Send>, SourceError>;
    /// Where the blobs live, for error messages.
    fn describe(&self) -> String;
}

/// What to scan.
#[derive(Clone)]
pub enum Content {
    Layers {
        layers: Vec<LayerDesc>,
        store: Arc<dyn BlobStore>,
    },
    /// A root filesystem on the host, walked as one layer.
    Rootfs(PathBuf),
}

/// One image for one platform, resolved and ready to scan.
#[derive(Clone)]
pub struct ImagePlan {
    /// What the user asked for, as they wrote it.
    pub reference: String,
    /// `oci`, `docker-archive`, `dir`.
    pub source_kind: &'static str,
    pub manifest_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    pub config: ImageConfig,
    pub content: Content,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_rejects_path_tricks() {
        assert!(Digest::parse("sha256:../../etc/passwd").is_none());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_none());
        assert!(Digest::parse(&format!("sha512:{}", "a".repeat(64))).is_none());
        let d = Digest::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        assert_eq!(d.hex().len(), 64);
        assert_eq!(d.short(), "sha256:abababababab");
    }

    #[test]
    fn platform_parse_and_match() {
        let p = Platform::parse("linux/arm64").unwrap();
        let img = Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        };
        assert!(img.matches(&p));
        assert!(!img.matches(&Platform::parse("linux/arm64/v7").unwrap()));
        assert!(Platform::parse("linux").is_none());
        assert!(Platform::parse("linux/amd64/v2/x").is_none());
        assert_eq!(img.to_string(), "linux/arm64/v8");
    }

    #[test]
    fn env_last_wins_and_main_program() {
        let c = ImageConfig {
            env: vec![
                "GODEBUG=a=1".into(),
                "PATH=/bin".into(),
                "GODEBUG=fips140=on".into(),
            ],
            cmd: vec!["/bin/app".into()],
            ..Default::default()
        };
        assert_eq!(c.env_var("GODEBUG"), Some("fips140=on"));
        assert_eq!(c.env_var("GODEB"), None);
        assert_eq!(c.main_program(), Some("/bin/app"));
    }

    #[test]
    fn compression_by_media_type() {
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+gzip"),
            Compression::Gzip
        );
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar+zstd"),
            Compression::Zstd
        );
        assert_eq!(
            Compression::from_media_type("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Compression::Gzip
        );
        assert_eq!(
            Compression::from_media_type("application/vnd.oci.image.layer.v1.tar"),
            Compression::None
        );
    }
}
