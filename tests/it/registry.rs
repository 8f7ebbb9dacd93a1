//! Pulling from a real registry server (Debian's docker-registry, started
//! by the tests on 127.0.0.1): verdicts equal to the OCI-layout scans, tags,
//! digests, platforms, Docker manifest types, credentials, TLS, faults.

mod auth;
mod faults;
pub mod harness;
mod proxy;
mod pull;
