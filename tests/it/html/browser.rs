//! Headless Chromium (Debian's `chromium`, installed by
//! scripts/setup/html.sh) for the HTML report tests. Every run is bounded
//! by a deadline and gets its own process group, which is killed when the
//! run ends however it ends, so no browser, zygote or renderer outlives a
//! test.

use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(90);

/// The window screenshots are taken at.
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 2000;

fn chromium() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "chromium is not installed: run `bash scripts/setup/html.sh` \
                 (scripts/test.sh does it before the tests)"
            )
        })
}

/// Kills the process group on drop, also when an assertion panics.
struct Group(i32);

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: kill(2) has no memory-safety preconditions; a negative
        // pid names the process group created for this run only.
        unsafe {
            libc::kill(-self.0, libc::SIGKILL);
        }
    }
}

pub struct Loaded {
    /// What Chromium printed on stdout (`--dump-dom`: the DOM after scripts ran).
    pub stdout: String,
    /// Every console message of the page: script errors, uncaught
    /// exceptions, CSP violations and failed loads all land here.
    pub console: Vec<String>,
}

/// Loads `page` once with `action` (`--dump-dom`, `--screenshot=…`).
pub fn load(page: &Path, action: &str) -> Loaded {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out_path = tmp.path().join("stdout");
    let err_path = tmp.path().join("stderr");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            // Root in a container has no user namespace for the sandbox.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            // Console messages go to stderr as `…:INFO:CONSOLE:N] "message", source: …`.
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!(
            "--user-data-dir={}",
            tmp.path().join("profile").display()
        ))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"))
        .process_group(0)
        .spawn()
        .expect("start chromium");
    let group = Group(i32::try_from(child.id()).expect("pid fits i32"));
    let started = Instant::now();
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => break Some(status),
            None if started.elapsed() > DEADLINE => break None,
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    drop(group);
    let _ = child.wait();
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let status = status.unwrap_or_else(|| {
        panic!(
            "chromium did not finish {} within {DEADLINE:?}:\n{stderr}",
            page.display()
        )
    });
    assert!(
        status.success(),
        "chromium failed on {} ({status}):\n{stderr}",
        page.display()
    );
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Loaded { stdout, console }
}

/// Width and height from a PNG's IHDR chunk, if it is a PNG.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let signature = b"\x89PNG\r\n\x1a\n";
    if bytes.get(..8)? != signature || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |range: std::ops::Range<usize>| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(range)?.try_into().ok()?))
    };
    Some((be(16..20)?, be(20..24)?))
}
