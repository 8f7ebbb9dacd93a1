//! A TLS registry (CA generated at test time) with htpasswd basic auth:
//! credentials from flags, a Docker config, a credential helper and
//! podman's auth file; wrong or missing credentials and an untrusted
//! certificate are refused with the right error. No secret is ever printed.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::harness::{Config, Home, PASSWORD, REFRESH_TOKEN, Registry, USER, essence, oci_essence};
use super::proxy::{Faults, Proxy};
use crate::common::image;

fn tls_registry() -> Registry {
    let reg = Registry::start(Config {
        tls_basic: true,
        ..Config::default()
    });
    reg.push("go-fips-on", "secure/app:1");
    reg
}

fn b64(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &x)| acc | (u32::from(x) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn assert_no_secret(run: &super::harness::Scan) {
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
        assert!(
            !text.contains(&b64(&format!("{USER}:{PASSWORD}"))),
            "{text}"
        );
    }
}

#[test]
fn credentials_from_flags_over_tls_with_a_private_ca() {
    let reg = tls_registry();
    let home = Home::new();
    let ca = reg.ca();
    let r = reg.reference("secure/app:1");
    let (run, doc) = home.json(
        &[
            &r,
            "--ca-file",
            ca.to_str().unwrap(),
            "--username",
            USER,
            "--password-stdin",
        ],
        &[],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(essence(image(&doc)), oci_essence("go-fips-on", &[]));
    assert_no_secret(&run);
}

#[test]
fn credentials_from_a_docker_config_and_a_podman_auth_file() {
    let reg = tls_registry();
    let home = Home::new();
    let ca = reg.ca();
    let r = reg.reference("secure/app:1");
    let auth = format!(
        r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
        reg.host(),
        b64(&format!("{USER}:{PASSWORD}"))
    );
    fs::write(home.docker_config().join("config.json"), &auth).unwrap();
    let (run, doc) = home.json(&[&r, "--ca-file", ca.to_str().unwrap()], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(essence(image(&doc)), oci_essence("go-fips-on", &[]));
    assert_no_secret(&run);

    // podman's file, named by REGISTRY_AUTH_FILE; the Docker config is empty.
    fs::remove_file(home.docker_config().join("config.json")).unwrap();
    let podman = home.dir.path().join("auth.json");
    fs::write(&podman, &auth).unwrap();
    let (run, _) = home.json(
        &[&r, "--ca-file", ca.to_str().unwrap()],
        &[("REGISTRY_AUTH_FILE", podman.display().to_string())],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // ...and found at $XDG_RUNTIME_DIR/containers/auth.json.
    let xdg = home.dir.path().join("run").join("containers");
    fs::create_dir_all(&xdg).unwrap();
    fs::rename(&podman, xdg.join("auth.json")).unwrap();
    let (run, _) = home.json(&[&r, "--ca-file", ca.to_str().unwrap()], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn credentials_from_a_credential_helper() {
    let reg = tls_registry();
    let home = Home::new();
    let bin = home.bin();
    let asked = home.dir.path().join("asked.txt");
    let helper = bin.join("docker-credential-fipstest");
    fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\ncat > '{}'\nprintf '{{\"ServerURL\":\"x\",\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}'\n",
            asked.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&helper, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ca = reg.ca();
    let r = reg.reference("secure/app:1");
    for config in [
        format!(r#"{{"credHelpers":{{"{}":"fipstest"}}}}"#, reg.host()),
        r#"{"credsStore":"fipstest"}"#.to_string(),
    ] {
        fs::write(home.docker_config().join("config.json"), &config).unwrap();
        let (run, doc) = home.json(
            &[&r, "--ca-file", ca.to_str().unwrap()],
            &[("PATH", path.clone())],
            None,
        );
        assert_eq!(run.code, 0, "{config}: {}", run.stderr);
        assert_eq!(essence(image(&doc)), oci_essence("go-fips-on", &[]));
        assert_eq!(fs::read_to_string(&asked).unwrap(), reg.host());
        assert_no_secret(&run);
    }
    // A helper that fails is a clear error, not a silent anonymous pull.
    fs::write(&helper, "#!/bin/sh\necho boom >&2\nexit 3\n").unwrap();
    let run = home.fipscan(
        &["scan", &r, "--ca-file", ca.to_str().unwrap()],
        &[("PATH", path)],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "{r}: credentials: docker-credential-fipstest get failed"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn wrong_or_missing_credentials_are_refused() {
    let reg = tls_registry();
    let home = Home::new();
    let ca = reg.ca();
    let r = reg.reference("secure/app:1");
    let run = home.fipscan(
        &[
            "scan",
            &r,
            "--ca-file",
            ca.to_str().unwrap(),
            "--username",
            USER,
            "--password-stdin",
        ],
        &[],
        Some("not-the-password"),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{r}: unauthorized (401)"))
            && run
                .stderr
                .contains("credentials from --username/--password-stdin were rejected"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not-the-password"));

    let run = home.fipscan(&["scan", &r, "--ca-file", ca.to_str().unwrap()], &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{r}: unauthorized (401)"))
            && run
                .stderr
                .contains(&format!("no credentials for {}", reg.host())),
        "{}",
        run.stderr
    );
}

#[test]
fn an_untrusted_certificate_is_refused_and_never_downgraded() {
    let reg = tls_registry();
    let home = Home::new();
    let r = reg.reference("secure/app:1");
    let run = home.fipscan(
        &[
            "scan",
            &r,
            "--username",
            USER,
            "--password-stdin",
            "--insecure",
        ],
        &[],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&r)
            && run.stderr.contains("certificate")
            && run.stderr.contains("--ca-file"),
        "{}",
        run.stderr
    );
    assert_no_secret(&run);
}

#[test]
fn access_denied_is_its_own_error() {
    // distribution's htpasswd auth has no per-repository rules, so a proxy
    // answers 403 the way a registry with access control does.
    let reg = Registry::start(Config::default());
    reg.push("go-std", "closed/app:1");
    let proxy = Proxy::start(reg.port, Faults::ManifestStatus(403));
    let home = Home::new();
    let r = format!("{}/closed/app:1", proxy.host());
    let run = home.fipscan(&["scan", &r], &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{r}: access denied (403): DENIED")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bearer_token_is_fetched_per_repository_with_the_credentials() {
    let reg = Registry::start(Config::default());
    reg.push("go-fips-on", "team/app:1");
    let basic: &'static str =
        Box::leak(format!("Basic {}", b64(&format!("{USER}:{PASSWORD}"))).into_boxed_str());
    let proxy = Proxy::start(reg.port, Faults::Bearer(basic));
    let home = Home::new();
    let r = format!("{}/team/app:1", proxy.host());
    let (run, doc) = home.json(
        &[&r, "--username", USER, "--password-stdin"],
        &[],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(essence(image(&doc)), oci_essence("go-fips-on", &[]));
    assert_no_secret(&run);
    let log = proxy.log();
    let tokens: Vec<&str> = log
        .iter()
        .filter(|e| e.answer == "token")
        .map(|e| e.path.as_str())
        .collect();
    // One token for the repository, asked for with its pull scope; every
    // manifest and blob request then carried it.
    assert_eq!(tokens.len(), 1, "{log:#?}");
    assert!(
        tokens[0].contains("scope=repository%3Ateam%2Fapp%3Apull"),
        "{}",
        tokens[0]
    );
    assert!(
        log.iter()
            .any(|e| e.path.contains("/blobs/") && e.answer == "ok")
    );

    // The token service refuses a wrong password, and anonymous pulls.
    let run = home.fipscan(
        &["scan", &r, "--username", USER, "--password-stdin"],
        &[],
        Some("wrong"),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "{r}: unauthorized (401): the token service refused"
        )) && run
            .stderr
            .contains("credentials from --username/--password-stdin were rejected"),
        "{}",
        run.stderr
    );
    let run = home.fipscan(&["scan", &r], &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{r}: unauthorized (401)"))
            && run.stderr.contains("no credentials for"),
        "{}",
        run.stderr
    );
}

/// ACR's way: `az acr login` leaves an identity token (an OAuth2 refresh
/// token) in the Docker config with a placeholder user; it is exchanged at
/// the token service the registry's challenge names, per repository. The
/// registry is the real one, with token auth; the token service signs the
/// JWTs it checks.
#[test]
fn an_identity_token_is_exchanged_for_an_access_token() {
    let reg = Registry::start(Config {
        token: true,
        ..Config::default()
    });
    reg.push("go-fips-on", "acr/app:1");
    let home = Home::new();
    let r = reg.reference("acr/app:1");
    let config = |token: &str| {
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{}","identitytoken":"{token}"}}}}}}"#,
            reg.host(),
            b64("00000000-0000-0000-0000-000000000000:")
        )
    };
    fs::write(
        home.docker_config().join("config.json"),
        config(REFRESH_TOKEN),
    )
    .unwrap();
    let (run, doc) = home.json(&[&r], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(essence(image(&doc)), oci_essence("go-fips-on", &[]));
    assert!(!run.stdout.contains(REFRESH_TOKEN) && !run.stderr.contains(REFRESH_TOKEN));
    let log = reg.token_log();
    assert!(
        log.iter()
            .any(|l| l == "POST refresh_token repository:acr/app:pull"),
        "{log:?}"
    );

    // A revoked or wrong token: a clear 401 naming the reference and where
    // the credentials came from, never the token.
    fs::write(home.docker_config().join("config.json"), config("revoked")).unwrap();
    let run = home.fipscan(&["scan", &r], &[], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(&r), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the token service refused the identity token (401"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("config.json were rejected"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("revoked"), "{}", run.stderr);
}
