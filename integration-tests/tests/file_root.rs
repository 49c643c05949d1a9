//! `File::open_under` under attack: while requests run, a writer inside the served root keeps
//! swapping a file for a symlink that leads out of it, and a directory for a symlink to its
//! parent. No response may carry a byte from outside the root.

#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::{Router, extract::Path as UrlPath, routing::get};
use axum_strata::file::File;
use integration_tests::{request, serve};

const SECRET: &str = "SECRET outside the root";
const INSIDE: &str = "inside the root";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-file-root-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("root/d")).unwrap();
    std::fs::write(dir.join("secret.txt"), SECRET).unwrap();
    std::fs::write(dir.join("root/x.txt"), INSIDE).unwrap();
    std::fs::write(dir.join("root/d/secret.txt"), INSIDE).unwrap();
    dir
}

/// Swaps `root/x.txt` between a file and a symlink to `../secret.txt`, and `root/d` between a
/// directory and a symlink to `..`, each by an atomic rename, until told to stop.
fn swap(base: &Path, stop: &AtomicBool) -> u64 {
    let root = base.join("root");
    let mut swaps = 0;
    while !stop.load(Ordering::Relaxed) && swaps < 1_000_000 {
        let _ = std::fs::remove_file(root.join("link.tmp"));
        std::os::unix::fs::symlink("../secret.txt", root.join("link.tmp")).unwrap();
        std::fs::rename(root.join("link.tmp"), root.join("x.txt")).unwrap();
        std::fs::write(root.join("file.tmp"), INSIDE).unwrap();
        std::fs::rename(root.join("file.tmp"), root.join("x.txt")).unwrap();

        let _ = std::fs::remove_file(root.join("dlink.tmp"));
        std::os::unix::fs::symlink("..", root.join("dlink.tmp")).unwrap();
        let _ = std::fs::remove_dir_all(root.join("d.old"));
        if root.join("d").is_dir() && !root.join("d").is_symlink() {
            std::fs::rename(root.join("d"), root.join("d.old")).unwrap();
        }
        std::fs::rename(root.join("dlink.tmp"), root.join("d")).unwrap();
        std::fs::create_dir_all(root.join("dnew.tmp")).unwrap();
        std::fs::write(root.join("dnew.tmp/secret.txt"), INSIDE).unwrap();
        std::fs::remove_file(root.join("d")).unwrap();
        std::fs::rename(root.join("dnew.tmp"), root.join("d")).unwrap();
        swaps += 2;
    }
    swaps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_swapped_in_never_serves_a_byte_from_outside_the_root() {
    let base = scratch("race");
    let root = base.join("root");
    let app = Router::new().route(
        "/f/{*name}",
        get(move |UrlPath(name): UrlPath<String>| {
            let root = root.clone();
            async move { File::open_under(&root, &name).await }
        }),
    );
    let addr = serve(app).await;

    let stop = Arc::new(AtomicBool::new(false));
    let swapper = std::thread::spawn({
        let (base, stop) = (base.clone(), Arc::clone(&stop));
        move || swap(&base, &stop)
    });

    let (mut served, mut refused) = (0, 0);
    for i in 0..1_500 {
        let name = if i % 2 == 0 { "x.txt" } else { "d/secret.txt" };
        let response = request(addr, "GET", &format!("/f/{name}"), &[]).await;
        let body = String::from_utf8_lossy(&response.content()).into_owned();
        assert!(!body.contains("SECRET"), "{name}: a byte from outside the root was served");
        match response.status() {
            200 => {
                assert_eq!(body, INSIDE);
                served += 1;
            }
            404 => refused += 1,
            other => panic!("{name}: {other}\n{}", response.head),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    let _ = std::fs::remove_dir_all(&base);
    // Both sides of the race happened: files inside were served, escapes were refused.
    assert!(served > 0 && refused > 0, "served {served}, refused {refused}, swaps {swaps}");
}

#[tokio::test]
async fn a_fifo_under_the_root_is_refused_without_blocking() {
    let base = scratch("fifo");
    let root = base.join("root");
    let status = std::process::Command::new("mkfifo").arg(root.join("pipe")).status().unwrap();
    assert!(status.success(), "mkfifo (coreutils) makes the FIFO");
    // Nobody writes to the FIFO: an open that waited for a writer would never return.
    let error = File::open_under(&root, "pipe").await.unwrap_err();
    assert_eq!(error.status(), 404);
    let _ = std::fs::remove_dir_all(&base);
}
