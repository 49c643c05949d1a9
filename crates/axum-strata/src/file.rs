//! File responses (Litestar's `File`): opened in the handler, sent with their metadata.
//!
//! [`File::open`] reads the metadata; the response then carries `Content-Type` (the explicit
//! media type, else guessed from the file name, else from the path, else
//! `application/octet-stream`), `Content-Length`, `Last-Modified`, a strong `ETag` made from
//! the size and modification time, and a `Content-Disposition` (attachment by default, RFC 6266
//! with `filename*` for names that are not plain ASCII). Under `Strata::app()` a matching
//! `If-None-Match` or `If-Modified-Since` gets a 304, as for any response, and ranges are
//! served ([`RangeLayer`]): `Accept-Ranges: bytes`; one range → 206 with `Content-Range`;
//! several → `multipart/byteranges`; none satisfiable → 416 with `bytes */size`; a stale
//! `If-Range`, a malformed `Range`, overlapping ranges or more than [`MAX_RANGES`] → the whole
//! file. Without that layer files are sent whole, and no range is advertised.
//!
//! Files up to [`READ_AT_OPEN`] (64 KiB) are read by [`File::open`], so that head and body go
//! out in one write (a head sent alone waits for the client's delayed ACK when Nagle's
//! algorithm is on); files up to [`CHUNK_SIZE`] (1 MiB) are sent in one frame; larger ones are
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
    collections::VecDeque,
    fmt, io,
    path::{Component, Path, PathBuf},
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll, ready},
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use bytes::{Bytes, BytesMut};
use http::{HeaderValue, StatusCode, header};
use strata_headers::{ContentDisposition, ETag, headers::HeaderMapExt, mime};
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};

use crate::problem::Problem;

/// The chunk size files are read with, and the size up to which they are read at `open` and
/// sent in one frame.
pub const CHUNK_SIZE: usize = 1024 * 1024;

/// Files up to this size are read at `open`: the response is then ready to go out head and
/// body in one write. Larger ones are read by the body (up to [`CHUNK_SIZE`] in one frame), so
/// reading and sending overlap.
pub const READ_AT_OPEN: u64 = 64 * 1024;

/// The length sent: that of the bytes read, when the file was read at `open` (it may have
/// changed since its metadata was read).
fn data_len(data: Option<&Bytes>, metadata_len: u64) -> u64 {
    data.map_or(metadata_len, |d| d.len() as u64)
}

/// A file opened to be sent; see the [module docs](self).
#[must_use]
pub struct File {
    file: tokio::fs::File,
    /// The whole content, read at `open` when the file is no larger than [`READ_AT_OPEN`].
    data: Option<Bytes>,
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
        // Open, metadata and (for a small file) the whole read in one trip to the blocking pool:
        // each trip costs more than the work itself for a small file.
        let opened = tokio::task::spawn_blocking({
            let path = path.clone();
            move || -> io::Result<Option<(std::fs::File, std::fs::Metadata, Option<Bytes>)>> {
                use std::io::Read as _;
                let mut file = std::fs::File::open(&path)?;
                let metadata = file.metadata()?;
                if !metadata.is_file() {
                    return Ok(None);
                }
                // A small file is read now, while the handler awaits anyway: the response is then
                // ready to go out head and body in one write (with Nagle's algorithm on, a head
                // sent alone waits for the client's delayed ACK).
                let data = if metadata.len() <= READ_AT_OPEN {
                    let mut buf = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
                    // Bounded: a file that grew since its metadata was read is not read whole.
                    (&mut file).take(READ_AT_OPEN).read_to_end(&mut buf)?;
                    Some(Bytes::from(buf))
                } else {
                    None
                };
                Ok(Some((file, metadata, data)))
            }
        })
        .await
        .map_err(|e| FileError::from_io(io::Error::other(e), &path))?
        .map_err(|e| FileError::from_io(e, &path))?;
        let Some((file, metadata, data)) = opened else {
            return Err(FileError::NotFound);
        };
        let file = tokio::fs::File::from_std(file);
        let len = data_len(data.as_ref(), metadata.len());
        Ok(Self {
            file,
            data,
            len,
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
        // Whatever a user-supplied name makes the system say (too long, a symlink loop, …), it
        // is a name that is not served: 404, logged at debug level only.
        let unserved = |e: io::Error| {
            if e.kind() == io::ErrorKind::PermissionDenied {
                return FileError::Forbidden;
            }
            tracing::debug!(name = %relative.display(), error = %e, "a requested file name is not served");
            FileError::NotFound
        };
        let path = tokio::fs::canonicalize(root.join(relative)).await.map_err(unserved)?;
        if !path.starts_with(&root) {
            return Err(FileError::NotFound);
        }
        // Only regular files: opening a FIFO would block a thread until someone writes to it.
        if !tokio::fs::metadata(&path).await.map_err(unserved)?.is_file() {
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
        let (body, content) = match self.data {
            Some(data) => (Body::from(data.clone()), Content::Memory(data)),
            None => {
                let shared = Arc::new(Mutex::new(Some(self.file)));
                let body = FileBody {
                    file: None,
                    shared: Some(Arc::clone(&shared)),
                    remaining: self.len,
                    chunk_size: self.chunk_size,
                };
                (Body::new(body), Content::Disk(shared))
            }
        };
        let ct = if content_type.type_() == mime::TEXT && content_type.get_param(mime::CHARSET).is_none() {
            format!("{content_type}; charset=utf-8")
        } else {
            content_type.to_string()
        };
        let mut response = Response::new(body);
        // Multipart ranges' parts carry the same type as the whole.
        response.extensions_mut().insert(FileSource {
            content,
            len: self.len,
            chunk_size: self.chunk_size,
            content_type: ct.clone(),
        });
        let headers = response.headers_mut();
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

/// The file behind a [`File`] response, for the range step to read parts of it instead.
#[derive(Clone)]
struct FileSource {
    content: Content,
    len: u64,
    chunk_size: usize,
    content_type: String,
}

/// Where a file's bytes are.
#[derive(Clone)]
enum Content {
    /// Read at `open`.
    Memory(Bytes),
    /// On disk; the handle is shared with the body until one of them takes it.
    Disk(Arc<Mutex<Option<tokio::fs::File>>>),
}

fn take(file: &Mutex<Option<tokio::fs::File>>) -> Option<tokio::fs::File> {
    file.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Reads up to `want` bytes from `file`, as many as are ready: a small file goes out as one
/// frame. Reaching the end of the file first is an error: the length promised cannot be sent
/// (the file shrank since it was opened).
fn poll_chunk(file: &mut tokio::fs::File, cx: &mut Context<'_>, want: usize) -> Poll<io::Result<Bytes>> {
    let mut buf = BytesMut::zeroed(want);
    let mut filled = 0;
    while filled < want {
        let mut read_buf = ReadBuf::new(&mut buf[filled..]);
        match Pin::new(&mut *file).poll_read(cx, &mut read_buf) {
            Poll::Ready(Ok(())) => {
                let n = read_buf.filled().len();
                if n == 0 {
                    break;
                }
                filled += n;
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending if filled == 0 => return Poll::Pending,
            Poll::Pending => break,
        }
    }
    if filled == 0 {
        return Poll::Ready(Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file shrank while it was sent",
        )));
    }
    buf.truncate(filled);
    Poll::Ready(Ok(buf.freeze()))
}

/// The body of a [`File`]: at most one chunk in memory.
struct FileBody {
    file: Option<tokio::fs::File>,
    shared: Option<Arc<Mutex<Option<tokio::fs::File>>>>,
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
        if this.file.is_none() {
            this.file = this.shared.take().and_then(|s| take(&s));
        }
        let Some(file) = this.file.as_mut() else {
            this.remaining = 0;
            return Poll::Ready(Some(Err(io::Error::other("the file was taken by another body"))));
        };
        let want = usize::try_from(this.remaining).map_or(this.chunk_size, |r| r.min(this.chunk_size));
        let chunk = ready!(poll_chunk(file, cx, want));
        if chunk.is_err() {
            this.remaining = 0;
        }
        Poll::Ready(Some(chunk.map(|bytes| {
            this.remaining -= bytes.len() as u64;
            http_body::Frame::data(bytes)
        })))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

// ----- ranges --------------------------------------------------------------------------------

/// More ranges than this in one request are answered with the whole file.
pub const MAX_RANGES: usize = 16;

/// A byte range, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ByteRange {
    first: u64,
    last: u64,
}

impl ByteRange {
    const fn len(self) -> u64 {
        self.last - self.first + 1
    }
}

/// What a `Range` header asks of a representation of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum RangeRequest {
    /// Ignore it: not `bytes`, malformed, or better answered with the whole file.
    Whole,
    /// Nothing of it can be served: 416.
    Unsatisfiable,
    /// These ranges, in order.
    Ranges(Vec<ByteRange>),
}

/// Parses a `Range` field (RFC 9110 §14.1.2) against a representation of `len` bytes.
fn parse_range(field: &str, len: u64) -> RangeRequest {
    // `range-unit "=" range-set`: the unit is case-insensitive, with no space around `=`.
    let Some((unit, specs)) = field.trim().split_once('=') else {
        return RangeRequest::Whole;
    };
    if !unit.eq_ignore_ascii_case("bytes") {
        return RangeRequest::Whole;
    }
    let mut ranges = Vec::new();
    let mut count = 0;
    for spec in specs.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        count += 1;
        let Some((first, last)) = spec.split_once('-') else { return RangeRequest::Whole };
        let (first, last) = (first.trim(), last.trim());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let range = if first.is_empty() {
            // A suffix: the last N bytes.
            if !digits(last) {
                return RangeRequest::Whole;
            }
            let n: u64 = last.parse().unwrap_or(u64::MAX);
            if n == 0 || len == 0 {
                continue;
            }
            ByteRange { first: len.saturating_sub(n), last: len - 1 }
        } else {
            if !digits(first) || !(last.is_empty() || digits(last)) {
                return RangeRequest::Whole;
            }
            let start: u64 = first.parse().unwrap_or(u64::MAX);
            let end: u64 = if last.is_empty() { u64::MAX } else { last.parse().unwrap_or(u64::MAX) };
            if end < start {
                return RangeRequest::Whole;
            }
            if start >= len {
                continue;
            }
            ByteRange { first: start, last: end.min(len - 1) }
        };
        ranges.push(range);
    }
    if count == 0 {
        return RangeRequest::Whole;
    }
    if ranges.is_empty() {
        return RangeRequest::Unsatisfiable;
    }
    if ranges.len() > MAX_RANGES {
        return RangeRequest::Whole;
    }
    // Overlapping ranges (a way to amplify the response) get the whole file instead.
    let mut sorted = ranges.clone();
    sorted.sort_by_key(|r| r.first);
    if sorted.windows(2).any(|w| w[1].first <= w[0].last) {
        return RangeRequest::Whole;
    }
    RangeRequest::Ranges(ranges)
}

/// Whether `If-Range` (RFC 9110 §13.1.5) lets the ranges be served: its entity tag must match
/// the response's by strong comparison, or its date equal the `Last-Modified`.
fn if_range_holds(if_range: Option<&HeaderValue>, headers: &http::HeaderMap) -> bool {
    let Some(value) = if_range.and_then(|v| v.to_str().ok()) else {
        return if_range.is_none();
    };
    if value.starts_with('"') || value.starts_with("W/") {
        let current =
            headers.get(header::ETAG).and_then(|v| v.to_str().ok()).and_then(|v| ETag::from_header(v).ok());
        return match (ETag::from_header(value), current) {
            (Ok(asked), Some(current)) => asked.strong_eq(&current),
            _ => false,
        };
    }
    match (httpdate::parse_http_date(value), headers.get(header::LAST_MODIFIED).and_then(|v| v.to_str().ok()))
    {
        // A date validates strongly only when the file has not changed for a second (RFC 9110
        // §8.8.2.2): within one second, two versions share a date.
        (Ok(asked), Some(modified)) => httpdate::parse_http_date(modified).is_ok_and(|m| {
            m == asked && SystemTime::now().duration_since(m).is_ok_and(|age| age.as_secs() >= 1)
        }),
        _ => false,
    }
}

/// The `Range` of a `GET` request (the only method range handling is defined for, RFC 9110
/// §14.2), with its `If-Range`, kept while the response is made.
#[derive(Debug, Default)]
pub(crate) struct RangeWanted(Option<Box<(HeaderValue, Option<HeaderValue>)>>);

impl RangeWanted {
    /// What `req` asks for: nothing (and no allocation) for the usual request.
    pub(crate) fn of(req: &axum::extract::Request) -> Self {
        if req.method() != http::Method::GET {
            return Self(None);
        }
        let Some(range) = req.headers().get(header::RANGE) else { return Self(None) };
        Self(Some(Box::new((range.clone(), req.headers().get(header::IF_RANGE).cloned()))))
    }

    /// Serves the ranges asked for of a [`File`] response, and advertises `Accept-Ranges` on
    /// it; leaves other responses alone.
    pub(crate) fn resolve(&self, response: Response) -> Response {
        match &self.0 {
            Some(wanted) => resolve_range(Some(&wanted.0), wanted.1.as_ref(), response),
            None => resolve_range(None, None, response),
        }
    }
}

/// Turns a 200 [`File`] response into the 206 or 416 its request's `Range` asks for.
fn resolve_range(
    range: Option<&HeaderValue>,
    if_range: Option<&HeaderValue>,
    mut response: Response,
) -> Response {
    let Some(source) = response.extensions_mut().remove::<FileSource>() else {
        return response;
    };
    // A layer between the handler and here may have re-encoded (compressed) or replaced the
    // body: then the file's bytes are not the body's, and no range is offered.
    let length = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if response.headers().contains_key(header::CONTENT_ENCODING) || length != Some(source.len) {
        return response;
    }
    response.headers_mut().insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let Some(range) = range else {
        return response;
    };
    if response.status() != StatusCode::OK || !if_range_holds(if_range, response.headers()) {
        return response;
    }
    let Ok(field) = range.to_str() else { return response };
    match parse_range(field, source.len) {
        RangeRequest::Whole => response,
        RangeRequest::Unsatisfiable => {
            let mut problem = Problem::new(StatusCode::RANGE_NOT_SATISFIABLE)
                .with_detail(format!("the file has {} bytes", source.len))
                .into_response();
            if let Ok(v) = HeaderValue::try_from(format!("bytes */{}", source.len)) {
                problem.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            problem
        }
        RangeRequest::Ranges(ranges) => {
            let file = match &source.content {
                Content::Memory(data) => Source::Memory(data.clone()),
                Content::Disk(shared) => match take(shared) {
                    Some(file) => Source::Disk(file),
                    None => return response,
                },
            };
            let (parts, _) = response.into_parts();
            partial(parts, file, &source, &ranges)
        }
    }
}

/// What a 206's ranges are read from.
enum Source {
    Memory(Bytes),
    Disk(tokio::fs::File),
}

fn partial(
    mut parts: http::response::Parts,
    file: Source,
    source: &FileSource,
    ranges: &[ByteRange],
) -> Response {
    let mut segments = VecDeque::new();
    parts.status = StatusCode::PARTIAL_CONTENT;
    if let [range] = ranges {
        if let Ok(v) = HeaderValue::try_from(format!("bytes {}-{}/{}", range.first, range.last, source.len)) {
            parts.headers.insert(header::CONTENT_RANGE, v);
        }
        segments.push_back(Segment::File(*range));
    } else {
        // A boundary that the parts' bytes are unlikely to contain, different per response.
        let boundary = format!("strata-{:016x}", xorshift_seed(&parts, source.len));
        for range in ranges {
            let head = format!(
                "\r\n--{boundary}\r\nContent-Type: {}\r\nContent-Range: bytes {}-{}/{}\r\n\r\n",
                source.content_type, range.first, range.last, source.len
            );
            segments.push_back(Segment::Bytes(Bytes::from(head)));
            segments.push_back(Segment::File(*range));
        }
        segments.push_back(Segment::Bytes(Bytes::from(format!("\r\n--{boundary}--\r\n"))));
        if let Ok(v) = HeaderValue::try_from(format!("multipart/byteranges; boundary={boundary}")) {
            parts.headers.insert(header::CONTENT_TYPE, v);
        }
    }
    let len: u64 = segments.iter().map(Segment::len).sum();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let body = match file {
        // In memory: the ranges are slices, sent in one frame.
        Source::Memory(data) => {
            let mut all = BytesMut::with_capacity(usize::try_from(len).unwrap_or(0));
            for segment in &segments {
                match segment {
                    Segment::Bytes(b) => all.extend_from_slice(b),
                    Segment::File(r) => {
                        let first = usize::try_from(r.first).unwrap_or(usize::MAX);
                        let last = usize::try_from(r.last).unwrap_or(usize::MAX);
                        // Ranges were resolved against this length: always in bounds.
                        all.extend_from_slice(data.get(first..=last).unwrap_or_default());
                    }
                }
            }
            Body::from(all.freeze())
        }
        Source::Disk(file) => Body::new(RangeBody {
            file,
            segments,
            seeking: false,
            position: None,
            remaining_len: len,
            chunk_size: source.chunk_size,
        }),
    };
    Response::from_parts(parts, body)
}

/// A per-response number for the multipart boundary, from the clock and a counter.
fn xorshift_seed(parts: &http::response::Parts, len: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut x = COUNTER.fetch_add(0x9E37_79B9, Ordering::Relaxed)
        ^ u64::from(nanos)
        ^ len
        ^ (parts.headers.len() as u64);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

enum Segment {
    Bytes(Bytes),
    File(ByteRange),
}

impl Segment {
    const fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::File(r) => r.len(),
        }
    }
}

/// The body of a 206: part headers and ranges of the file, one chunk at a time.
struct RangeBody {
    file: tokio::fs::File,
    segments: VecDeque<Segment>,
    seeking: bool,
    /// Where the file is positioned, once known.
    position: Option<u64>,
    remaining_len: u64,
    chunk_size: usize,
}

impl http_body::Body for RangeBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        loop {
            let Some(segment) = this.segments.front_mut() else { return Poll::Ready(None) };
            match segment {
                Segment::Bytes(bytes) => {
                    let bytes = std::mem::take(bytes);
                    this.segments.pop_front();
                    this.remaining_len -= bytes.len() as u64;
                    return Poll::Ready(Some(Ok(http_body::Frame::data(bytes))));
                }
                Segment::File(range) => {
                    if range.first > range.last {
                        this.segments.pop_front();
                        continue;
                    }
                    let mut file = Pin::new(&mut this.file);
                    // Seek once where a range starts; its later chunks follow on.
                    if this.position != Some(range.first) {
                        if !this.seeking {
                            file.as_mut().start_seek(io::SeekFrom::Start(range.first))?;
                            this.seeking = true;
                        }
                        let position = match file.as_mut().poll_complete(cx) {
                            Poll::Ready(Ok(p)) => p,
                            Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                            Poll::Pending => return Poll::Pending,
                        };
                        this.seeking = false;
                        if position != range.first {
                            return Poll::Ready(Some(Err(io::Error::other(
                                "the file could not be positioned",
                            ))));
                        }
                        this.position = Some(position);
                    }
                    let want =
                        usize::try_from(range.len()).map_or(this.chunk_size, |n| n.min(this.chunk_size));
                    let bytes = match ready!(poll_chunk(&mut this.file, cx, want)) {
                        Ok(bytes) => bytes,
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    };
                    let n = bytes.len() as u64;
                    // The next read continues where this one ended, without a seek.
                    range.first += n;
                    this.position = Some(range.first);
                    this.remaining_len -= n;
                    return Poll::Ready(Some(Ok(http_body::Frame::data(bytes))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining_len == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining_len)
    }
}

/// Serves the ranges of [`File`] responses (and advertises `Accept-Ranges: bytes` on them);
/// part of `Strata::app()`, after conditional requests.
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct RangeLayer(());

impl RangeLayer {
    /// The layer.
    pub const fn new() -> Self {
        Self(())
    }
}

impl<S> tower::Layer<S> for RangeLayer {
    type Service = Ranges<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Ranges { inner }
    }
}

/// The service of [`RangeLayer`].
#[derive(Clone, Debug)]
pub struct Ranges<S> {
    inner: S,
}

impl<S> tower::Service<axum::extract::Request> for Ranges<S>
where
    S: tower::Service<axum::extract::Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = RangeFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: axum::extract::Request) -> Self::Future {
        let wanted = RangeWanted::of(&req);
        RangeFuture { inner: self.inner.call(req), wanted }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Ranges`].
    pub struct RangeFuture<F> {
        #[pin]
        inner: F,
        wanted: RangeWanted,
    }
}

impl<F> fmt::Debug for RangeFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangeFuture").field("wanted", &self.wanted).finish_non_exhaustive()
    }
}

impl<F, E> std::future::Future for RangeFuture<F>
where
    F: std::future::Future<Output = Result<Response, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        Poll::Ready(Ok(this.wanted.resolve(response)))
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
        // Larger than the chunk size: read from disk chunk by chunk.
        std::fs::write(d.join("big.bin"), vec![7u8; CHUNK_SIZE + 10_000]).unwrap();
        let response = File::open(d.join("big.bin")).await.unwrap().chunk_size(4096).into_response();
        let mut body = response.into_body();
        let mut sizes = Vec::new();
        while let Some(frame) = body.frame().await {
            sizes.push(frame.unwrap().into_data().unwrap().len());
        }
        assert!(sizes.iter().all(|&n| n <= 4096), "bounded chunks");
        assert_eq!(sizes.iter().sum::<usize>(), CHUNK_SIZE + 10_000);
        // Up to the chunk size: one frame (read at open when small).
        for size in [10_000, 500_000] {
            std::fs::write(d.join("small.bin"), vec![7u8; size]).unwrap();
            let response = File::open(d.join("small.bin")).await.unwrap().into_response();
            let mut body = response.into_body();
            assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap().len(), size);
            assert!(body.frame().await.is_none());
        }
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

    #[test]
    fn range_parsing_follows_rfc_9110() {
        let r = |a: u64, b: u64| ByteRange { first: a, last: b };
        // RFC 9110 §14.1.2 examples on a 10000-byte representation.
        assert_eq!(parse_range("bytes=0-499", 10_000), RangeRequest::Ranges(vec![r(0, 499)]));
        assert_eq!(parse_range("bytes=500-999", 10_000), RangeRequest::Ranges(vec![r(500, 999)]));
        assert_eq!(parse_range("bytes=-500", 10_000), RangeRequest::Ranges(vec![r(9500, 9999)]));
        assert_eq!(parse_range("bytes=9500-", 10_000), RangeRequest::Ranges(vec![r(9500, 9999)]));
        assert_eq!(parse_range("bytes=0-0,-1", 10_000), RangeRequest::Ranges(vec![r(0, 0), r(9999, 9999)]));
        assert_eq!(
            parse_range("Bytes = 0-9999999", 10_000),
            RangeRequest::Whole,
            "a unit with spaces is malformed"
        );
        assert_eq!(
            parse_range("BYTES=0-0", 10_000),
            RangeRequest::Ranges(vec![r(0, 0)]),
            "the unit is case-insensitive"
        );
        assert_eq!(parse_range("bytes=5-99999", 10), RangeRequest::Ranges(vec![r(5, 9)]));
        assert_eq!(parse_range("bytes=10-20", 10), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 10), RangeRequest::Unsatisfiable);
        for ignored in ["bytes=5-1", "bytes=a-b", "items=0-1", "bytes=", "bytes=0-1,x", "0-1"] {
            assert_eq!(parse_range(ignored, 10), RangeRequest::Whole, "{ignored}");
        }
        // Overlaps and too many ranges: the whole file.
        assert_eq!(parse_range("bytes=0-5,3-8", 10), RangeRequest::Whole);
        let many = (0..17).map(|i| format!("{i}-{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(parse_range(&format!("bytes={many}"), 100), RangeRequest::Whole);
    }

    /// The file the range tests read, written once per process so its ETag stays the same.
    fn digits() -> PathBuf {
        static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        PATH.get_or_init(|| {
            let d = dir("ranges");
            std::fs::write(d.join("digits.txt"), b"0123456789").unwrap();
            d.join("digits.txt")
        })
        .clone()
    }

    async fn ranged(headers: &[(&'static str, &'static str)]) -> (Response, Vec<u8>) {
        use tower::{Layer, ServiceExt, service_fn};
        let path = digits();
        let svc = service_fn(move |_req: axum::extract::Request| {
            let path = path.clone();
            async move { Ok::<_, std::convert::Infallible>(File::open(path).await.unwrap().into_response()) }
        });
        let mut request = http::Request::builder();
        for (n, v) in headers {
            request = request.header(*n, *v);
        }
        let response =
            RangeLayer::new().layer(svc).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes().to_vec();
        (Response::from_parts(parts, Body::empty()), bytes)
    }

    #[tokio::test]
    async fn a_single_range_is_a_206_with_content_range() {
        let (r, body) = ranged(&[("range", "bytes=2-4")]).await;
        assert_eq!(r.status(), 206);
        assert_eq!(r.headers()["content-range"], "bytes 2-4/10");
        assert_eq!(r.headers()["content-length"], "3");
        assert_eq!(r.headers()["accept-ranges"], "bytes");
        assert_eq!(body, b"234");
        let (_, body) = ranged(&[("range", "bytes=-3")]).await;
        assert_eq!(body, b"789");
    }

    #[tokio::test]
    async fn several_ranges_are_multipart_byteranges_byte_for_byte() {
        let (r, body) = ranged(&[("range", "bytes=0-1,5-6")]).await;
        assert_eq!(r.status(), 206);
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        let boundary = ct.strip_prefix("multipart/byteranges; boundary=").unwrap();
        let expected = format!(
            "\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/10\r\n\r\n01\
             \r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 5-6/10\r\n\r\n56\
             \r\n--{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
        assert_eq!(r.headers()["content-length"], expected.len().to_string().as_str());
    }

    #[tokio::test]
    async fn ranges_of_a_file_read_from_disk_seek_to_each_part() {
        use tower::{Layer, ServiceExt, service_fn};
        let d = dir("disk-ranges");
        let content: Vec<u8> = (0..CHUNK_SIZE + 300).map(|i| (i % 251) as u8).collect();
        std::fs::write(d.join("big.bin"), &content).unwrap();
        let path = d.join("big.bin");
        let svc = service_fn(move |_req: axum::extract::Request| {
            let path = path.clone();
            async move {
                Ok::<_, std::convert::Infallible>(
                    File::open(path).await.unwrap().chunk_size(100).into_response(),
                )
            }
        });
        let request = http::Request::builder()
            .header("range", "bytes=5-204,1048600-1048623")
            .body(Body::empty())
            .unwrap();
        let response = RangeLayer::new().layer(svc).oneshot(request).await.unwrap();
        assert_eq!(response.status(), 206);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        // The two parts' bytes, found between their part headers.
        let first = &content[5..=204];
        let second = &content[1_048_600..=1_048_623];
        let find = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
        assert!(find(first), "the first range, read in two chunks");
        assert!(find(second), "the second range, after a seek");
        assert!(find(format!("Content-Range: bytes 1048600-1048623/{}", CHUNK_SIZE + 300).as_bytes()));
    }

    #[tokio::test]
    async fn unsatisfiable_is_416_with_the_size() {
        let (r, _) = ranged(&[("range", "bytes=50-60")]).await;
        assert_eq!(r.status(), 416);
        assert_eq!(r.headers()["content-range"], "bytes */10");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    #[tokio::test]
    async fn if_range_must_match_the_current_version() {
        let (whole, _) = ranged(&[]).await;
        let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
        let etag: &'static str = Box::leak(etag.into_boxed_str());
        let (r, body) = ranged(&[("range", "bytes=0-0"), ("if-range", etag)]).await;
        assert_eq!((r.status().as_u16(), body.as_slice()), (206, &b"0"[..]));
        let (r, body) = ranged(&[("range", "bytes=0-0"), ("if-range", "\"stale\"")]).await;
        assert_eq!((r.status().as_u16(), body.len()), (200, 10), "a stale If-Range gets the whole file");
        let (r, _) = ranged(&[("range", "bytes=0-0"), ("if-range", "Thu, 01 Jan 1970 00:00:00 GMT")]).await;
        assert_eq!(r.status(), 200);
    }

    #[tokio::test]
    async fn ranges_are_for_get_only_and_never_for_a_re_encoded_body() {
        use tower::{Layer, ServiceExt, service_fn};
        let (r, _) = ranged(&[("range", "bytes=0-1")]).await;
        assert_eq!(r.status(), 206);
        let svc = service_fn(|_req: axum::extract::Request| async {
            let mut r = File::open(digits()).await.unwrap().into_response();
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            Ok::<_, std::convert::Infallible>(r)
        });
        let request = http::Request::builder().header("range", "bytes=0-1").body(Body::empty()).unwrap();
        let r = RangeLayer::new().layer(svc).oneshot(request).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("accept-ranges").is_none());
        let svc = service_fn(|_req: axum::extract::Request| async {
            Ok::<_, std::convert::Infallible>(File::open(digits()).await.unwrap().into_response())
        });
        let head =
            http::Request::builder().method("HEAD").header("range", "bytes=0-1").body(Body::empty()).unwrap();
        assert_eq!(RangeLayer::new().layer(svc).oneshot(head).await.unwrap().status(), 200);
    }

    #[tokio::test]
    async fn names_the_system_refuses_are_404_not_500() {
        let d = dir("long");
        let long = "x".repeat(300);
        assert_eq!(File::open_under(&d, &long).await.unwrap_err().status(), 404);
        std::os::unix::fs::symlink(d.join("loop"), d.join("loop")).unwrap();
        assert_eq!(File::open_under(&d, "loop").await.unwrap_err().status(), 404);
    }

    #[tokio::test]
    async fn malformed_and_overlapping_ranges_get_the_whole_file() {
        for range in ["bytes=5-1", "lines=1-2", "bytes=0-5,2-3"] {
            let leaked: &'static str = Box::leak(range.to_owned().into_boxed_str());
            let (r, body) = ranged(&[("range", leaked)]).await;
            assert_eq!((r.status().as_u16(), body.len()), (200, 10), "{range}");
        }
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
