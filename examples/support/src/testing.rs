//! What the examples' binary tests share: a database file of the test's own, a binary started
//! until it says where it listens, a raw `GET`, and a stop by `SIGTERM`.

#![allow(clippy::missing_panics_doc, reason = "test helpers: a panic is a failing test")]

use std::{path::PathBuf, process::ExitStatus, process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::{Child, Command},
    task::JoinHandle,
};

/// A SQLite database path of the test's own in the temporary directory; the file and its
/// `-wal` and `-shm` companions are removed when it is made (left from an earlier run) and when
/// it is dropped.
#[derive(Debug)]
pub struct TempDb(pub PathBuf);

impl TempDb {
    /// `strata-{prefix}-{pid}-{name}.sqlite3` in the temporary directory.
    #[must_use]
    pub fn new(prefix: &str, name: &str) -> Self {
        let db =
            Self(std::env::temp_dir().join(format!("strata-{prefix}-{}-{name}.sqlite3", std::process::id())));
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A binary started by [`Spawned::start`]: the process, the address it listens on, and its log.
#[derive(Debug)]
pub struct Spawned {
    /// The process (killed when dropped).
    pub child: Child,
    /// The `HOST:PORT` it said it listens on.
    pub addr: String,
    log: JoinHandle<Vec<String>>,
}

impl Spawned {
    /// Starts `cmd` (standard error piped, `RUST_LOG=info`, killed on drop) and reads its log
    /// until a line contains `marker` followed by `http://HOST:PORT/`; panics if it exits first
    /// or takes more than 60 s. The log keeps being read, so the process never blocks on a full
    /// pipe.
    pub async fn start(mut cmd: Command, marker: &str) -> Self {
        cmd.env("RUST_LOG", "info").stderr(Stdio::piped()).kill_on_drop(true);
        let mut child = cmd.spawn().expect("the binary starts");
        let mut lines = BufReader::new(child.stderr.take().expect("standard error is piped")).lines();
        let mut log = Vec::new();
        let found = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                let addr = line
                    .split(marker)
                    .nth(1)
                    .and_then(|rest| rest.strip_prefix("http://"))
                    .and_then(|rest| rest.split('/').next())
                    .map(str::to_owned);
                log.push(line);
                if addr.is_some() {
                    return addr;
                }
            }
            None
        })
        .await;
        let Ok(Some(addr)) = found else {
            panic!("the binary did not say `{marker} http://…` within 60 s: {log:#?}");
        };
        let log = tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                log.push(line);
            }
            log
        });
        Self { child, addr, log }
    }

    /// Sends `GET path` over a new connection and returns the whole raw response.
    pub async fn get(&self, path: &str) -> String {
        get(&self.addr, path).await
    }

    /// Sends `SIGTERM`, as `docker stop`, systemd and Kubernetes do, and waits (at most 30 s)
    /// for the exit; returns the exit status and every line the binary logged.
    #[cfg(unix)]
    pub async fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().expect("the binary is running").to_string();
        let kill = Command::new("kill").args(["-TERM", &pid]).status().await.expect("kill runs");
        assert!(kill.success(), "kill -TERM {pid}: {kill:?}");
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the binary exits within 30 s of SIGTERM")
            .expect("the exit status is read");
        (exit, self.log.await.expect("the log reader ends"))
    }
}

/// Sends `GET path` to `addr` over a new connection (`connection: close`) and returns the
/// whole raw response.
pub async fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("the request is sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("the response is read");
    response
}
