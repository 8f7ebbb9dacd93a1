//! Go executable introspection: build info and the function table.

pub mod buildinfo;
pub mod error;
pub mod pclntab;

pub use buildinfo::{
    BuildInfo, BuildInfoFormat, Modinfo, Module, parse_build_info_blob, parse_modinfo,
    read_build_info,
};
pub use error::GoError;
pub use pclntab::{FuncTable, PclnVersion, read_func_table};

/// Builds small real Go programs for tests when a Go toolchain is on PATH.
///
/// Tests call [`test_support::toolchain`] and return early (printing a skip
/// note) when it is `None`, so the suite still passes on machines without Go.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    pub(crate) struct Toolchain {
        /// `go env GOVERSION`, e.g. `go1.27.3`.
        pub version: String,
    }

    pub(crate) fn toolchain() -> Option<Toolchain> {
        let out = go_cmd().args(["env", "GOVERSION"]).output().ok()?;
        let version = String::from_utf8(out.stdout).ok()?.trim().to_owned();
        (out.status.success() && version.starts_with("go")).then_some(Toolchain { version })
    }

    /// True when cgo builds can work (a C compiler is reachable).
    pub(crate) fn has_c_compiler() -> bool {
        let Ok(out) = go_cmd().args(["env", "CC"]).output() else {
            return false;
        };
        let cc = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        !cc.is_empty()
            && Command::new(&cc)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
    }

    /// A `go` command isolated from the caller's GOFLAGS and from any network.
    fn go_cmd() -> Command {
        let mut c = Command::new("go");
        c.env("GOFLAGS", "")
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOWORK", "off")
            .env_remove("GOEXPERIMENT")
            .env_remove("GOFIPS140")
            .env_remove("GOOS")
            .env_remove("GOARCH")
            .env_remove("CGO_ENABLED");
        // Go derives its caches from HOME; CI-like environments may lack it.
        let no_home = ["HOME", "XDG_CACHE_HOME", "GOCACHE"]
            .iter()
            .all(|v| std::env::var_os(v).is_none());
        if no_home {
            let base = std::env::temp_dir().join("fipscan-test-go");
            c.env("GOCACHE", base.join("cache"))
                .env("GOMODCACHE", base.join("mod"))
                .env("GOPATH", base.join("path"));
        }
        c
    }

    pub(crate) const SHA_PROGRAM: &str = r#"package main

import (
	"crypto/sha256"
	"fmt"
	"os"
)

func main() {
	h := sha256.Sum256([]byte(os.Args[0]))
	fmt.Printf("%x\n", h)
}
"#;

    pub(crate) const PLAIN_PROGRAM: &str = r#"package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
"#;

    /// Writes a one-file module into `dir/src-<name>` and builds it to
    /// `dir/<name>` with extra environment and build flags.
    pub(crate) fn build(
        dir: &Path,
        name: &str,
        program: &str,
        env: &[(&str, &str)],
        flags: &[&str],
    ) -> PathBuf {
        let src = dir.join(format!("src-{name}"));
        std::fs::create_dir_all(&src).expect("create source dir");
        std::fs::write(src.join("go.mod"), "module example.com/hello\n\ngo 1.24\n")
            .expect("write go.mod");
        std::fs::write(src.join("main.go"), program).expect("write main.go");
        let out = dir.join(name);
        let mut cmd = go_cmd();
        cmd.current_dir(&src)
            .arg("build")
            .args(flags)
            .arg("-o")
            .arg(&out)
            .arg(".");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let res = cmd.output().expect("run go build");
        assert!(
            res.status.success(),
            "go build {name} failed: {}",
            String::from_utf8_lossy(&res.stderr)
        );
        out
    }

    /// `go version -m`: the recorded Go version and the modinfo text as Go
    /// prints it (one leading tab removed from each line).
    pub(crate) fn version_m(bin: &Path) -> (String, String) {
        let out = go_cmd()
            .args(["version", "-m"])
            .arg(bin)
            .output()
            .expect("go version -m");
        assert!(out.status.success(), "go version -m failed");
        let text = String::from_utf8(out.stdout).expect("utf-8 output");
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let version = first.rsplit(": ").next().unwrap_or_default().to_owned();
        let body: String = lines
            .map(|l| format!("{}\n", l.strip_prefix('\t').unwrap_or(l)))
            .collect();
        (version, body)
    }

    /// `go tool nm` output as (type letter, name) pairs.
    pub(crate) fn nm(bin: &Path) -> Vec<(char, String)> {
        let out = go_cmd()
            .args(["tool", "nm"])
            .arg(bin)
            .output()
            .expect("go tool nm");
        assert!(out.status.success(), "go tool nm failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                // Format: "<addr> <type> <name>"; names may contain spaces
                // (generic instantiations), so split only twice.
                let (_addr, rest) = l.trim_start().split_once(' ')?;
                let (ty, name) = rest.split_once(' ')?;
                Some((ty.chars().next()?, name.to_owned()))
            })
            .collect()
    }
}
