//! One registry host: which scheme it speaks (HTTPS, or plain HTTP where
//! allowed and the server has no TLS), the HTTP clients built with the
//! system roots plus `--ca-file`, and the retry policy.

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};

use super::RegistryOptions;
use super::http::Fail;
use super::retry::{RetryPolicy, RetryState};

/// One registry host: its scheme, HTTP clients and retry policy.
pub struct Session {
    pub host: String,
    pub base: String,
    pub http: reqwest::Client,
    pub oci: oci_client::Client,
    pub policy: RetryPolicy,
}

/// Plain HTTP is tried only for these, and with `--insecure`, as docker
/// treats 127.0.0.0/8 as an insecure registry by default.
fn is_local(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    name == "localhost"
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The PEM certificates of `--ca-file`, for both HTTP clients.
pub struct CaCerts {
    pem_blocks: Vec<Vec<u8>>,
}

impl CaCerts {
    pub fn load(path: &std::path::Path) -> Result<CaCerts, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read --ca-file {}: {e}", path.display()))?;
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let mut pem_blocks = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(BEGIN) {
            let after = rest.get(start..).unwrap_or_default();
            let Some(end) = after.find(END) else { break };
            let block = after.get(..end + END.len()).unwrap_or_default();
            pem_blocks.push(format!("{block}\n").into_bytes());
            rest = after.get(end + END.len()..).unwrap_or_default();
        }
        if pem_blocks.is_empty() {
            return Err(format!(
                "--ca-file {} holds no PEM certificate",
                path.display()
            ));
        }
        for b in &pem_blocks {
            reqwest::Certificate::from_pem(b)
                .map_err(|e| format!("--ca-file {}: {e}", path.display()))?;
        }
        Ok(CaCerts { pem_blocks })
    }
}

impl Session {
    pub async fn connect(
        host: &str,
        opts: &RegistryOptions,
        ca: Option<&CaCerts>,
    ) -> Result<Session, Fail> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .read_timeout(opts.read_timeout)
            .user_agent(concat!("fipscan/", env!("CARGO_PKG_VERSION")));
        let mut oci_certs = Vec::new();
        if let Some(ca) = ca {
            let mut certs = Vec::new();
            for b in &ca.pem_blocks {
                certs.push(
                    reqwest::Certificate::from_pem(b)
                        .map_err(|e| Fail::Invalid(format!("--ca-file: {e}")))?,
                );
                oci_certs.push(Certificate {
                    encoding: CertificateEncoding::Pem,
                    data: b.clone(),
                });
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| Fail::Invalid(format!("cannot set up HTTPS: {}", chain(&e))))?;
        let policy = opts.policy();
        let allow_http = opts.insecure || is_local(host);
        let scheme = if allow_http {
            probe(&http, host, policy).await?
        } else {
            "https"
        };
        let oci = oci_client::Client::try_from(ClientConfig {
            protocol: if scheme == "http" {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            extra_root_certificates: oci_certs,
            connect_timeout: Some(opts.connect_timeout),
            read_timeout: Some(opts.read_timeout),
            user_agent: concat!("fipscan/", env!("CARGO_PKG_VERSION")),
            platform_resolver: None,
            ..ClientConfig::default()
        })
        .map_err(|e| Fail::Invalid(format!("cannot set up the registry client: {e}")))?;
        Ok(Session {
            host: host.to_string(),
            base: format!("{scheme}://{host}"),
            http,
            oci,
            policy,
        })
    }
}

/// Docker's rule for insecure registries: HTTPS first; plain HTTP only when
/// the server does not speak TLS at all (never after a certificate error,
/// which would silently downgrade a misconfigured TLS registry).
async fn probe(
    http: &reqwest::Client,
    host: &str,
    policy: RetryPolicy,
) -> Result<&'static str, Fail> {
    let mut state = RetryState::new(policy);
    loop {
        let tls_err = match http.get(format!("https://{host}/v2/")).send().await {
            Ok(_) => return Ok("https"),
            Err(e) => e,
        };
        if is_cert_error(&tls_err) {
            return Err(Fail::Network(tls_detail(host, &tls_err)));
        }
        if let Ok(r) = http.get(format!("http://{host}/v2/")).send().await {
            // A TLS server answers plain HTTP with 400: only a registry's
            // own answers to /v2/ mean it speaks HTTP.
            if matches!(r.status().as_u16(), 200 | 401) {
                return Ok("http");
            }
        }
        let fail = Fail::Network(format!("cannot reach {host}: {}", chain(&tls_err)));
        if !(tls_err.is_connect() || tls_err.is_timeout()) {
            return Err(fail);
        }
        match state.next_delay(None) {
            Ok(d) => tokio::time::sleep(d).await,
            Err(why) => return Err(fail.gave_up(why)),
        }
    }
}

/// The error and its causes on one line: reqwest's own message is only
/// "error sending request for url (…)".
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = c.source();
    }
    out
}

pub fn is_cert_error(e: &reqwest::Error) -> bool {
    chain(e).contains("certificate")
}

pub fn tls_detail(host: &str, e: &reqwest::Error) -> String {
    format!(
        "TLS with {host} failed: {} (for a private CA, pass --ca-file)",
        chain(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts() {
        assert!(is_local("localhost"));
        assert!(is_local("localhost:5000"));
        assert!(is_local("127.0.0.1:41234"));
        assert!(is_local("[::1]:5000"));
        assert!(!is_local("registry.example.com"));
        assert!(!is_local("127.example.com:5000"));
    }

    #[test]
    fn ca_file_needs_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ca.pem");
        std::fs::write(&f, "nothing here").unwrap();
        let e = CaCerts::load(&f).err().unwrap();
        assert!(e.contains("holds no PEM certificate"), "{e}");
        assert!(CaCerts::load(&dir.path().join("missing")).is_err());
    }
}
