//! Drives one endpoint in-process, for profilers: `valgrind --tool=callgrind` counts the
//! instructions of each twin, repeatably.
//!
//! ```text
//! cargo build --release -p bench-server --example profile
//! valgrind --tool=callgrind target/release/examples/profile /strata/plaintext-1K 20000
//! ```

#![allow(clippy::unwrap_used, clippy::print_stdout, reason = "a profiling aid")]

use axum::{body::Body, extract::Request};
use http_body_util::BodyExt;
use tower::{Service, ServiceExt};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "/strata/plaintext-1K".to_owned());
    let n: usize = args.next().map_or(10_000, |n| n.parse().unwrap());
    let headers: Vec<(String, String)> = args
        .filter_map(|h| h.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .collect();
    let dir = std::env::temp_dir().join(format!("strata-profile-{}", std::process::id()));
    let fixtures = bench_server::Fixtures::create(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let runner = axum_strata::background::Runner::new();
    // As `axum::serve` does once per connection: handlers become routes, layers are applied.
    let mut app = bench_server::app(&fixtures, &runner).with_state::<()>(());
    let mut bytes = 0;
    rt.block_on(async {
        for _ in 0..n {
            let mut request = Request::builder().uri(path.as_str());
            for (k, v) in &headers {
                request = request.header(k.as_str(), v.as_str());
            }
            let request: Request = request.body(Body::empty()).unwrap();
            let response = ServiceExt::<Request>::ready(&mut app).await.unwrap().call(request).await.unwrap();
            bytes += response.into_body().collect().await.unwrap().to_bytes().len();
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    println!("{n} requests to {path}, {bytes} bytes");
}
