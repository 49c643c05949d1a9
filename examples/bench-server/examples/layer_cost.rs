//! What a level costs on a one-route app, without the bench's nesting: the same 1,000-byte
//! text route bare, under an identity layer, under axum's `map_response`, under
//! `Router::layer(Strata::app())`, and with `Strata::app()` wrapped around the router. For
//! callgrind, like `profile.rs`:
//!
//! ```text
//! cargo build --release -p bench-server --example layer_cost
//! valgrind --tool=callgrind target/release/examples/layer_cost identity 20000
//! ```
//!
//! Variants: `bare`, `identity`, `map-response`, `strata`, `strata-around`.

#![allow(clippy::unwrap_used, clippy::print_stdout, reason = "a profiling aid")]

use axum::{
    Router, body::Body, extract::Request, http::header::CONTENT_TYPE, response::Response, routing::get,
};
use axum_strata::{
    Strata,
    content::{Content, MediaType},
};
use http_body_util::BodyExt;
use tower::{Layer, Service, ServiceExt};

/// As `axum::serve` does once per connection: handlers become routes, layers are applied.
fn served(router: Router) -> Router {
    router.with_state(())
}

async fn drive<S>(mut service: S, n: usize) -> usize
where
    S: Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    let mut bytes = 0;
    for _ in 0..n {
        let request: Request = Request::builder().uri("/p").body(Body::empty()).unwrap();
        let response = service.ready().await.unwrap().call(request).await.unwrap();
        bytes += response.into_body().collect().await.unwrap().to_bytes().len();
    }
    bytes
}

fn main() {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_else(|| "strata".to_owned());
    let n: usize = args.next().map_or(10_000, |n| n.parse().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let strata = || async { Content::new(bench_server::TEXT_1K.as_str()).media_type(MediaType::Text) };
    let plain = || async { ([(CONTENT_TYPE, "text/plain; charset=utf-8")], bench_server::TEXT_1K.as_str()) };
    let bytes = rt.block_on(async {
        match variant.as_str() {
            "bare" => drive(served(Router::new().route("/p", get(plain))), n).await,
            "identity" => {
                drive(served(Router::new().route("/p", get(plain)).layer(tower::layer::layer_fn(|s| s))), n)
                    .await
            }
            "map-response" => {
                let layer = axum::middleware::map_response(|r: Response| async { r });
                drive(served(Router::new().route("/p", get(plain)).layer(layer)), n).await
            }
            "strata" => drive(served(Router::new().route("/p", get(strata)).layer(Strata::app())), n).await,
            "strata-around" => {
                drive(Strata::app().layer(served(Router::new().route("/p", get(strata)))), n).await
            }
            other => panic!("unknown variant {other}"),
        }
    });
    println!("{n} requests, {variant}, {bytes} bytes");
}
