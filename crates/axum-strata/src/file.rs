//! File responses (Litestar's `File`): opened in the handler, sent with their metadata.
//!
//! [`File::open`] reads the metadata; the response then carries `Content-Type` (the explicit
//! media type, else guessed from the file name, else from the path, else
//! `application/octet-stream`), `Content-Length`, `Last-Modified`, a strong `ETag` made from
//! the size and modification time, and a `Content-Disposition` (attachment by default, RFC 6266
//! with `filename*` for names that are not plain ASCII). Under `Strata::app()` a matching
//! `If-None-Match` or `If-Modified-Since` gets a 304, as for any response.
//!
//! Files up to the chunk size (1 MiB by default) are read into one frame; larger ones are
//! streamed chunk by chunk, so memory stays bounded per connection whatever the file size.
//!
//! Opening errors are problem responses: not found → 404, permission denied → 403, anything
//! else → 500 with a log line. [`File::open_under`] serves a name a user supplied from under a
//! root directory: absolute names, `..`, and symlinks leading out of the root are 404s.
//!
//! ```
//! use axum::{body::to_bytes, response::IntoResponse};
//! use axum_strata::file::File;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let dir = std::env::temp_dir().join(format!("strata-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("report.txt"), "all good").unwrap();
//!
//! let file = File::open(dir.join("report.txt")).await.unwrap().filename("résumé.txt");
//! let response = file.into_response();
//! assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
//! assert_eq!(response.headers()["content-length"], "8");
//! assert_eq!(
//!     response.headers()["content-disposition"],
//!     "attachment; filename=\"resume.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
//! );
//! assert_eq!(to_bytes(response.into_body(), 100).await.unwrap(), "all good");
//!
//! // A user-supplied name cannot leave the root.
//! assert_eq!(File::open_under(&dir, "../etc/passwd").await.unwrap_err().status(), 404);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # }
//! ```

use std::{
    fmt, io,
    path::{Component, Path, PathBuf},
    pin::Pin,
    task::{Context, Poll},
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use bytes::{Bytes, BytesMut};
use http::{HeaderValue, StatusCode, header};
use strata_headers::{ContentDisposition, ETag, headers::HeaderMapExt, mime};
use tokio::io::{AsyncRead, ReadBuf};

use crate::problem::Problem;

/// The chunk size files are read with, and the size up to which they are sent in one frame.
pub const CHUNK_SIZE: usize = 1024 * 1024;

/// A file opened to be sent; see the [module docs](self).
#[must_use]
pub struct File {
    file: tokio::fs::File,
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    filename: Option<String>,
    inline: bool,
    media_type: Option<mime::Mime>,
    chunk_size: usize,
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("len", &self.len)
            .field("filename", &self.filename)
            .field("inline", &self.inline)
            .finish_non_exhaustive()
    }
}

/// Why a file could not be opened, as the response it becomes.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileError {
    /// No such file (or a name refused by [`File::open_under`]): 404.
    NotFound,
    /// The server may not read it: 403.
    Forbidden,
    /// Anything else (logged): 500.
    Other(io::Error),
}

impl FileError {
    fn from_io(e: io::Error, path: &Path) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory => {
                Self::NotFound
            }
            io::ErrorKind::PermissionDenied => Self::Forbidden,
            _ => {
                tracing::error!(path = %path.display(), error = %e, "a file could not be opened");
                Self::Other(e)
            }
        }
    }

    /// The status of the response.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem's detail.
    #[must_use]
    pub const fn body_text(&self) -> &'static str {
        match self {
            Self::NotFound => "no such file",
            Self::Forbidden => "the file may not be read",
            Self::Other(_) => "the file could not be read",
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.body_text())
    }
}

impl std::error::Error for FileError {}

impl IntoResponse for FileError {
    fn into_response(self) -> Response {
        Problem::new(self.status()).with_detail(self.body_text()).into_response()
    }
}

impl File {
    /// Opens `path` and reads its metadata.
    ///
    /// # Errors
    ///
    /// [`FileError`]: 404 when there is no such file (or it is a directory), 403 when it may
    /// not be read, 500 otherwise.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, FileError> {
        let path = path.as_ref().to_path_buf();
        let file = tokio::fs::File::open(&path).await.map_err(|e| FileError::from_io(e, &path))?;
        let metadata = file.metadata().await.map_err(|e| FileError::from_io(e, &path))?;
        if !metadata.is_file() {
            return Err(FileError::NotFound);
        }
        Ok(Self {
            file,
            len: metadata.len(),
            modified: metadata.modified().ok(),
            path,
            filename: None,
            inline: false,
            media_type: None,
            chunk_size: CHUNK_SIZE,
        })
    }

    /// Opens `name`, a relative path a user supplied, under `root`. Absolute names, `..`
    /// components and symlinks that lead out of `root` are refused as not found; the
    /// attachment's file name is the name's last component.
    ///
    /// # Errors
    ///
    /// As [`File::open`], and 404 for every refused name.
    pub async fn open_under(root: impl AsRef<Path>, name: &str) -> Result<Self, FileError> {
        let relative = Path::new(name);
        let plain = !name.is_empty()
            && relative.components().all(|c| matches!(c, Component::Normal(_)))
            && !name.contains('\0');
        if !plain {
            return Err(FileError::NotFound);
        }
        let root =
            tokio::fs::canonicalize(root.as_ref()).await.map_err(|e| FileError::from_io(e, root.as_ref()))?;
        let path = tokio::fs::canonicalize(root.join(relative))
            .await
            .map_err(|e| FileError::from_io(e, relative))?;
        if !path.starts_with(&root) {
            return Err(FileError::NotFound);
        }
        let filename = relative.file_name().and_then(|n| n.to_str()).map(str::to_owned);
        let mut file = Self::open(path).await?;
        file.filename = filename;
        Ok(file)
    }

    /// The file name sent in `Content-Disposition`, and used to guess the media type.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Shows the file in the browser (`inline`) instead of offering to save it.
    pub const fn inline(mut self) -> Self {
        self.inline = true;
        self
    }

    /// Sets the media type explicitly.
    pub fn media_type(mut self, media_type: mime::Mime) -> Self {
        self.media_type = Some(media_type);
        self
    }

    /// Reads and sends the file in chunks of `bytes` (at least 1); files up to that size go out
    /// in one frame.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// The file's size.
    #[must_use]
    pub const fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The strong entity tag of this version of the file: its size and modification time.
    #[must_use]
    pub fn etag(&self) -> Option<ETag> {
        let modified = self.modified?.duration_since(UNIX_EPOCH).ok()?;
        ETag::strong(format!("{:x}-{:x}", self.len, modified.as_nanos())).ok()
    }

    fn content_type(&self) -> mime::Mime {
        if let Some(m) = &self.media_type {
            return m.clone();
        }
        self.filename
            .as_deref()
            .and_then(|n| mime_guess::from_path(n).first())
            .or_else(|| mime_guess::from_path(&self.path).first())
            .unwrap_or(mime::APPLICATION_OCTET_STREAM)
    }
}

impl IntoResponse for File {
    fn into_response(self) -> Response {
        let content_type = self.content_type();
        let etag = self.etag();
        let disposition = self.filename.as_deref().map_or_else(
            || if self.inline { ContentDisposition::inline() } else { ContentDisposition::attachment() },
            |name| {
                let base =
                    if self.inline { ContentDisposition::inline() } else { ContentDisposition::attachment() };
                base.with_filename(name)
            },
        );
        let body = FileBody { file: self.file, remaining: self.len, chunk_size: self.chunk_size };
        let mut response = Response::new(Body::new(body));
        let headers = response.headers_mut();
        let ct = if content_type.type_() == mime::TEXT && content_type.get_param(mime::CHARSET).is_none() {
            format!("{content_type}; charset=utf-8")
        } else {
            content_type.to_string()
        };
        if let Ok(ct) = HeaderValue::try_from(ct) {
            headers.insert(header::CONTENT_TYPE, ct);
        }
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(self.len));
        if let Some(modified) = self.modified
            && modified.duration_since(UNIX_EPOCH).is_ok_and(|d| d.as_secs() < 253_402_300_800)
            && let Ok(value) = HeaderValue::try_from(httpdate::fmt_http_date(modified))
        {
            headers.insert(header::LAST_MODIFIED, value);
        }
        if let Some(etag) = etag {
            headers.typed_insert(etag);
        }
        headers.typed_insert(disposition);
        response
    }
}

/// The body of a [`File`]: at most one chunk in memory.
struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
    chunk_size: usize,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.remaining).map_or(this.chunk_size, |r| r.min(this.chunk_size));
        let mut buf = BytesMut::zeroed(want);
        let mut filled = 0;
        // Fill the chunk: a small file goes out as one frame.
        while filled < want {
            let mut read_buf = ReadBuf::new(&mut buf[filled..]);
            match Pin::new(&mut this.file).poll_read(cx, &mut read_buf) {
                Poll::Ready(Ok(())) => {
                    let n = read_buf.filled().len();
                    if n == 0 {
                        break;
                    }
                    filled += n;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                Poll::Pending if filled == 0 => return Poll::Pending,
                Poll::Pending => break,
            }
        }
        if filled == 0 {
            // The file shrank since it was opened: the promised length cannot be sent.
            this.remaining = 0;
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while it was sent",
            ))));
        }
        buf.truncate(filled);
        this.remaining -= filled as u64;
        Poll::Ready(Some(Ok(http_body::Frame::data(buf.freeze()))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("strata-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn small_files_go_out_in_one_frame_large_ones_in_bounded_chunks() {
        let d = dir("chunks");
        std::fs::write(d.join("big.bin"), vec![7u8; 10_000]).unwrap();
        let response = File::open(d.join("big.bin")).await.unwrap().chunk_size(4096).into_response();
        let mut body = response.into_body();
        let mut sizes = Vec::new();
        while let Some(frame) = body.frame().await {
            sizes.push(frame.unwrap().into_data().unwrap().len());
        }
        assert_eq!(sizes, [4096, 4096, 1808]);
        let response = File::open(d.join("big.bin")).await.unwrap().into_response();
        let mut body = response.into_body();
        assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap().len(), 10_000);
        assert!(body.frame().await.is_none());
    }

    #[tokio::test]
    async fn content_type_comes_from_the_explicit_type_then_name_then_path() {
        let d = dir("types");
        std::fs::write(d.join("data"), b"x").unwrap();
        std::fs::write(d.join("page.html"), b"x").unwrap();
        let ct = |r: Response| r.headers()["content-type"].to_str().unwrap().to_owned();
        assert_eq!(ct(File::open(d.join("data")).await.unwrap().into_response()), "application/octet-stream");
        assert_eq!(
            ct(File::open(d.join("page.html")).await.unwrap().into_response()),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            ct(File::open(d.join("data")).await.unwrap().filename("r.pdf").into_response()),
            "application/pdf"
        );
        let explicit = File::open(d.join("page.html")).await.unwrap().media_type(mime::APPLICATION_JSON);
        assert_eq!(ct(explicit.into_response()), "application/json");
    }

    #[tokio::test]
    async fn awkward_names_make_a_correct_content_disposition() {
        let d = dir("names");
        std::fs::write(d.join("f"), b"x").unwrap();
        async fn disposition(path: &Path, name: &str) -> String {
            let r = File::open(path).await.unwrap().filename(name).into_response();
            r.headers()["content-disposition"].to_str().unwrap().to_owned()
        }
        let f = d.join("f");
        let cd = |name: &'static str| disposition(&f, name);
        assert_eq!(cd("report.pdf").await, "attachment; filename=\"report.pdf\"");
        assert_eq!(
            cd("résumé 2024.pdf").await,
            "attachment; filename=\"resume 2024.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf"
        );
        assert_eq!(
            cd("a\"b;c.txt").await,
            "attachment; filename=\"a\\\"b;c.txt\"; filename*=UTF-8''a%22b%3Bc.txt"
        );
        assert_eq!(cd("x\r\ny.txt").await, "attachment; filename=\"x__y.txt\"");
        let inline = File::open(d.join("f")).await.unwrap().inline().into_response();
        assert_eq!(inline.headers()["content-disposition"], "inline");
    }

    #[tokio::test]
    async fn opening_errors_map_to_404_403_and_paths_cannot_escape() {
        let d = dir("escape");
        std::fs::create_dir_all(d.join("root/sub")).unwrap();
        std::fs::write(d.join("root/sub/ok.txt"), b"ok").unwrap();
        std::fs::write(d.join("secret.txt"), b"secret").unwrap();
        std::os::unix::fs::symlink(d.join("secret.txt"), d.join("root/link.txt")).unwrap();
        let root = d.join("root");
        let ok = File::open_under(&root, "sub/ok.txt").await.unwrap().into_response();
        assert_eq!(ok.headers()["content-disposition"], "attachment; filename=\"ok.txt\"");
        for bad in [
            "../secret.txt",
            "/etc/passwd",
            "link.txt",
            "sub/../../secret.txt",
            "",
            "sub",
            "nope.txt",
            "a\0b",
        ] {
            let e = File::open_under(&root, bad).await.unwrap_err();
            assert_eq!(e.status(), 404, "{bad:?}");
        }
        assert_eq!(File::open(d.join("missing")).await.unwrap_err().status(), 404);
        assert_eq!(File::open(&d).await.unwrap_err().status(), 404, "a directory is not a file");
    }

    #[tokio::test]
    async fn metadata_headers_and_a_stable_strong_etag() {
        let d = dir("meta");
        std::fs::write(d.join("f.txt"), b"hello").unwrap();
        let a = File::open(d.join("f.txt")).await.unwrap();
        let b = File::open(d.join("f.txt")).await.unwrap();
        assert_eq!(a.etag(), b.etag());
        assert!(!a.etag().unwrap().is_weak());
        let r = a.into_response();
        assert_eq!(r.headers()["content-length"], "5");
        assert!(r.headers().contains_key("last-modified"));
        assert!(r.headers().get("accept-ranges").is_none(), "ranges are not offered until they are served");
    }
}
