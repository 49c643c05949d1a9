//! Helpers for Strata's end-to-end tests: a real server on `127.0.0.1:0` and a raw HTTP/1.1
//! client for checking exact bytes.

pub mod cdp;

// The repository README's Rust examples compile and run as doctests, so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

use std::{net::SocketAddr, time::Duration};

use axum::Router;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// Serves `app` with `axum::serve` on a free port of 127.0.0.1 and returns its address. The
/// server runs until the test's runtime ends.
///
/// # Panics
///
/// When no port can be bound on 127.0.0.1 (the test cannot run at all then).
pub async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A server started by [`serve_with_shutdown`].
#[derive(Debug)]
pub struct Server {
    /// Its address.
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Shuts the server down gracefully and waits until every connection has closed.
    ///
    /// # Panics
    ///
    /// When the server task panicked.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("the server task ends cleanly");
    }
}

/// Like [`serve`], with a graceful shutdown.
///
/// # Panics
///
/// As [`serve`].
pub async fn serve_with_shutdown(app: Router) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("bound address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Server { addr, stop, task }
}

/// A response as it came off the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// The status line and header lines, without the blank line.
    pub head: String,
    /// The body bytes exactly as sent (chunked framing included, if any).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Every value of header `name` (case-insensitive), in the order sent.
    #[must_use]
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.head
            .split("\r\n")
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect()
    }
}

impl RawResponse {
    /// The status code.
    ///
    /// # Panics
    ///
    /// When the status line has no code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.head.get(9..12).and_then(|code| code.parse().ok()).expect("a status line")
    }

    /// The body without chunked framing, if it had any.
    ///
    /// # Panics
    ///
    /// When the chunked framing is broken.
    #[must_use]
    pub fn content(&self) -> Vec<u8> {
        if !self.header_values("transfer-encoding").contains(&"chunked") {
            return self.body.clone();
        }
        let (mut out, mut rest) = (Vec::new(), self.body.as_slice());
        loop {
            let line = rest.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
            let size = std::str::from_utf8(&rest[..line]).expect("an ASCII chunk size");
            let size =
                usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).expect("a hex size");
            rest = &rest[line + 2..];
            if size == 0 {
                return out;
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
    }

    /// The body as JSON.
    ///
    /// # Panics
    ///
    /// When it is not JSON.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.content()).expect("a JSON body")
    }
}

/// Sends `METHOD path HTTP/1.1` with `host: x`, `connection: close` and `headers` (whole
/// header lines, such as `"accept: text/html"`), and reads the whole response.
///
/// # Panics
///
/// As [`raw`].
pub async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[&str]) -> RawResponse {
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    raw(addr, &request).await
}

/// Sends `request` as written (it should ask for `connection: close`) and reads the whole
/// response.
///
/// # Panics
///
/// When the server cannot be reached or answers with no header/body separator.
pub async fn raw(addr: SocketAddr, request: &str) -> RawResponse {
    raw_bytes(addr, request.as_bytes()).await
}

/// Like [`raw`], for requests whose body is not text.
///
/// # Panics
///
/// As [`raw`].
pub async fn raw_bytes(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write request");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.expect("read response");
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    RawResponse {
        head: String::from_utf8_lossy(&bytes[..split]).into_owned(),
        body: bytes[split + 4..].to_vec(),
    }
}

/// Sends `request` and reads until the response head is complete and `until` has appeared in
/// the body after it (at once for an empty `until`), the server closes, or `limit` has passed:
/// for endless responses (event streams) and for servers that may close without answering.
/// `None` when no complete head arrived.
///
/// # Panics
///
/// When the server cannot be reached.
pub async fn raw_until(
    addr: SocketAddr,
    request: &[u8],
    until: &[u8],
    limit: Duration,
) -> Option<RawResponse> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        // The server may answer (and close) before it has read everything: a failed write is
        // not a failed test.
        if stream.write_all(request).await.is_err() {
            let _ = stream.read_to_end(&mut bytes).await;
            return;
        }
        let mut buf = [0_u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
            if let Some(split) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                let body = &bytes[split + 4..];
                if until.is_empty() || body.windows(until.len()).any(|w| w == until) {
                    return;
                }
            }
        }
    })
    .await;
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some(RawResponse {
        head: String::from_utf8_lossy(&bytes[..split]).into_owned(),
        body: bytes[split + 4..].to_vec(),
    })
}
