//! A small driver for headless Chromium over the DevTools protocol, for the browser tests: a
//! minimal WebSocket client (text frames only, enough for CDP's JSON) instead of a dependency
//! tree for one test. Every read has a deadline ([`READ_LIMIT`]), so a browser that hangs fails
//! the test instead of stalling it, and pings are answered with pongs.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::{Child, Command},
};

/// Where Debian installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The longest wait for any one read from DevTools (a frame, the handshake, a command's reply).
pub const READ_LIMIT: Duration = Duration::from_secs(30);

/// `future`, or a panic naming `what` when it takes longer than [`READ_LIMIT`].
async fn within<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(READ_LIMIT, future).await {
        Ok(value) => value,
        Err(_) => panic!("DevTools: no {what} within {READ_LIMIT:?}"),
    }
}

/// Whether the browser tests can run here.
#[must_use]
pub fn chromium_available() -> bool {
    Path::new(CHROMIUM).exists()
}

/// A headless Chromium, killed when dropped, and a DevTools session on one page.
#[derive(Debug)]
pub struct Browser {
    _child: Child,
    ws: TcpStream,
    next_id: u64,
    session: String,
    /// The profile directory (and downloads below it).
    pub dir: PathBuf,
}

impl Browser {
    /// Starts Chromium with a fresh profile and opens a blank page.
    ///
    /// # Panics
    ///
    /// When Chromium does not start or does not speak DevTools within 30 s.
    pub async fn start() -> Self {
        let dir =
            std::env::temp_dir().join(format!("strata-chromium-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).expect("profile dir");
        let mut child = Command::new(CHROMIUM)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", dir.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("chromium stderr") {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium exited without a DevTools address");
        })
        .await
        .expect("chromium announces DevTools within 30 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let ws = connect(&url).await;
        let mut browser = Self { _child: child, ws, next_id: 0, session: String::new(), dir };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}), false).await;
        let target_id = target["targetId"].as_str().expect("target id").to_owned();
        let attached = browser
            .call("Target.attachToTarget", json!({"targetId": target_id, "flatten": true}), false)
            .await;
        browser.session = attached["sessionId"].as_str().expect("session id").to_owned();
        browser
    }

    /// Sends a command (to the page's session, or to the browser) and returns its result.
    ///
    /// # Panics
    ///
    /// When the command fails or the connection breaks.
    pub async fn call(&mut self, method: &str, params: Value, page: bool) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if page {
            message["sessionId"] = Value::String(self.session.clone());
        }
        send(&mut self.ws, &message.to_string()).await;
        let ws = &mut self.ws;
        within(&format!("reply to {method}"), async move {
            loop {
                let reply: Value = serde_json::from_str(&receive(ws).await).expect("json");
                if reply["id"].as_u64() == Some(id) {
                    assert!(reply.get("error").is_none(), "{method}: {reply}");
                    return reply["result"].clone();
                }
            }
        })
        .await
    }

    /// Opens `url` in the page.
    pub async fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}), true).await;
    }

    /// Evaluates `expression` in the page and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true}), true)
            .await;
        result["result"]["value"].clone()
    }

    /// Evaluates `expression` every 100 ms until it is true, for at most `limit`.
    pub async fn wait_for(&mut self, expression: &str, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            if self.eval(expression).await == Value::Bool(true) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// Opens a WebSocket to `ws://host:port/path`.
async fn connect(url: &str) -> TcpStream {
    let rest = url.strip_prefix("ws://").expect("a ws:// address");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = within("connection", TcpStream::connect(host)).await.expect("connect to DevTools");
    let request = format!(
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: c3RyYXRhLWJyb3dzZXItdA==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("handshake");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        within("handshake reply", stream.read_exact(&mut byte)).await.expect("handshake reply");
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
    stream
}

/// Sends one masked text frame.
async fn send(stream: &mut TcpStream, text: &str) {
    send_frame(stream, 0x1, text.as_bytes()).await;
}

/// Sends one masked, final frame of `opcode` (text 0x1, pong 0xa).
async fn send_frame(stream: &mut TcpStream, opcode: u8, payload: &[u8]) {
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | u8::try_from(n).expect("small")),
        n if n < 65_536 => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(n).expect("medium").to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mask = [0x37u8, 0xfa, 0x21, 0x3d];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    stream.write_all(&frame).await.expect("send frame");
}

/// Receives one text message (joining continuation frames, answering pings, skipping pongs).
async fn receive(stream: &mut TcpStream) -> String {
    let mut message = Vec::new();
    loop {
        let mut head = [0u8; 2];
        within("frame", stream.read_exact(&mut head)).await.expect("frame head");
        let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
        let len = match head[1] & 0x7f {
            126 => {
                let mut b = [0u8; 2];
                within("frame length", stream.read_exact(&mut b)).await.expect("length");
                u64::from(u16::from_be_bytes(b))
            }
            127 => {
                let mut b = [0u8; 8];
                within("frame length", stream.read_exact(&mut b)).await.expect("length");
                u64::from_be_bytes(b)
            }
            n => u64::from(n),
        };
        let mut payload = vec![0u8; usize::try_from(len).expect("frame fits")];
        within("frame payload", stream.read_exact(&mut payload)).await.expect("payload");
        match opcode {
            0x8 => panic!("DevTools closed the connection"),
            0x9 => {
                send_frame(stream, 0xa, &payload).await;
                continue;
            }
            0xa => continue,
            _ => message.extend_from_slice(&payload),
        }
        if fin {
            return String::from_utf8(message).expect("utf-8 message");
        }
    }
}
