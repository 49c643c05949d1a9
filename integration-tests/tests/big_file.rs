//! Streaming a 1 GiB file keeps memory flat: the peak resident size of this process (server
//! and client) grows by a few chunks, not by the file. Alone in its test binary, so that no
//! other test shares the process's peak. Linux only: the peak comes from `/proc`.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use axum::{Router, routing::get};
use axum_strata::{Strata, file::File};
use integration_tests::serve;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The peak resident set size of this process, in KiB (`VmHWM` of `/proc/self/status`).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_gib_file_streams_with_bounded_memory() {
    const GIB: u64 = 1 << 30;
    let dir = std::env::temp_dir().join(format!("strata-big-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sparse.bin");
    // Sparse: a gibibyte of zeros that takes no disk space.
    std::fs::File::create(&path).unwrap().set_len(GIB).unwrap();

    let served = path.clone();
    let app = Router::new()
        .route(
            "/big",
            get(move || {
                let served = served.clone();
                async move { File::open(served).await }
            }),
        )
        .layer(Strata::app());
    let addr = serve(app).await;

    let before = peak_rss_kib();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /big HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    let mut head_end = None;
    let mut head = Vec::new();
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        if head_end.is_none() {
            head.extend_from_slice(&buf[..n]);
            if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                head_end = Some(i + 4);
                total += (head.len() - (i + 4)) as u64;
                head.truncate(i);
            }
        } else {
            total += n as u64;
        }
    }
    let after = peak_rss_kib();
    std::fs::remove_dir_all(&dir).unwrap();

    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains(&format!("content-length: {GIB}")), "{head}");
    assert_eq!(total, GIB, "the whole file arrived");
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "peak RSS before {} MiB, after {} MiB, grown {grown_mib} MiB for 1 GiB sent",
        before / 1024,
        after / 1024
    );
    assert!(grown_mib < 64, "memory grew by {grown_mib} MiB while streaming 1 GiB");
}
