//! Tells the tests which outside tools they can use, so that a test whose tool is missing is
//! reported as ignored rather than as passed.
//!
//! - `strata_ci`: the `CI` variable is set (not empty, not `false`): every test runs, and a
//!   missing tool fails it (`.ci/run` installs them).
//! - `strata_chromium`: `/usr/bin/chromium` exists; `strata_curl`: `curl` is on the `PATH`;
//!   `strata_moto`: `moto_server` (moto's S3-compatible server, from PyPI) is on the `PATH`.
//!
//! Tests carry `#[cfg_attr(not(any(strata_ci, strata_chromium)), ignore = "…")]`: outside CI,
//! without the tool, `cargo test` lists them as ignored, with the reason. The script runs again
//! when `CI` or `PATH` changes, or a directory that holds (or would hold) a tool changes, so
//! installing Chromium or curl turns the tests on at the next build.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(strata_ci, strata_chromium, strata_curl, strata_moto)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if ci {
        println!("cargo::rustc-cfg=strata_ci");
    }
    let chromium = Path::new("/usr/bin/chromium");
    println!("cargo::rerun-if-changed=/usr/bin");
    if chromium.exists() {
        println!("cargo::rustc-cfg=strata_chromium");
    }
    let path: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    for dir in path.iter().filter(|d| d.is_dir() && d.as_path() != Path::new("/usr/bin")) {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    if path.iter().any(|dir| dir.join("curl").is_file()) {
        println!("cargo::rustc-cfg=strata_curl");
    }
    if path.iter().any(|dir| dir.join("moto_server").is_file()) {
        println!("cargo::rustc-cfg=strata_moto");
    }
}
