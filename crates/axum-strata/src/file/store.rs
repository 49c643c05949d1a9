// Files from object stores (feature `object-store`): the object's metadata read once, its bytes
// fetched range by range; stores registered by name on a level, which resolves the intent.

use std::{
    collections::HashMap,
    fmt, io,
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
    time::SystemTime,
};

use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt as _, TryStreamExt as _, future, stream};
use http::StatusCode;
use object_store::{
    Attribute, GetOptions, GetRange, GetResult, GetResultPayload, ObjectStore, path::Path as Location,
};
use strata_headers::{ETag, mime};
use strata_tower::range::{Fetch, FetchStream};

use super::{CHUNK_SIZE, File, FileError, open::Source};
use crate::{MediaType, problem::Problem};

/// An object whose metadata was read: what its response needs, and how to fetch its bytes.
pub(crate) struct Object {
    fetch: Arc<ObjectFetch>,
    etag: Option<ETag>,
    content_type: Option<mime::Mime>,
    content_encoding: Option<http::HeaderValue>,
}

impl Object {
    pub(super) fn fetch(&self) -> Arc<dyn Fetch> {
        Arc::clone(&self.fetch) as Arc<dyn Fetch>
    }

    pub(super) fn etag(&self) -> Option<ETag> {
        self.etag.clone()
    }

    pub(super) fn content_type(&self) -> Option<mime::Mime> {
        self.content_type.clone()
    }

    pub(super) fn content_encoding(&self) -> Option<&http::HeaderValue> {
        self.content_encoding.as_ref()
    }
}

/// Fetches ranges of one version of an object: each request names the version (its strong
/// ETag, else the store's version id, else "unmodified since" its modification time), so an
/// object replaced while it is sent fails the body rather than mixing two versions.
struct ObjectFetch {
    store: Arc<dyn ObjectStore>,
    location: Location,
    /// The store's tag, where strong (`If-Match` compares strongly).
    e_tag: Option<String>,
    version: Option<String>,
    modified: chrono::DateTime<chrono::Utc>,
}

impl Fetch for ObjectFetch {
    fn fetch(&self, first: u64, last: u64) -> FetchStream {
        let Some(end) = last.checked_add(1) else {
            return Box::pin(stream::once(future::ready(Err(io::Error::other(
                "a range past the largest length",
            )))));
        };
        let pinned = self.e_tag.is_some() || self.version.is_some();
        let options = GetOptions {
            range: Some(GetRange::Bounded(first..end)),
            if_match: self.e_tag.clone(),
            version: self.version.clone(),
            if_unmodified_since: (!pinned).then_some(self.modified),
            ..GetOptions::default()
        };
        let (store, location) = (Arc::clone(&self.store), self.location.clone());
        let chunks = async move {
            match store.get_opts(&location, options).await {
                Ok(GetResult { payload: GetResultPayload::File(file, _), range, .. }) => {
                    local(file, range).left_stream().left_stream()
                }
                Ok(result) => result.into_stream().map_err(io::Error::other).right_stream().left_stream(),
                Err(e) => {
                    tracing::error!(location = %location, error = %e, "a file store failed while a file was sent");
                    stream::once(future::ready(Err(io::Error::other(e)))).right_stream()
                }
            }
        };
        Box::pin(stream::once(chunks).flatten())
    }
}

/// The bytes `range` of a file a local store opened, read in chunks of up to [`CHUNK_SIZE`]
/// (object_store's own stream of it reads 8 KiB at a time, each on the blocking pool).
fn local(
    file: std::fs::File,
    range: std::ops::Range<u64>,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> {
    use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
    let state = (tokio::fs::File::from_std(file), range.start, range.end, false);
    stream::try_unfold(state, |(mut file, at, end, positioned)| async move {
        if at >= end {
            return Ok(None);
        }
        if !positioned {
            file.seek(io::SeekFrom::Start(at)).await?;
        }
        let want = usize::try_from(end - at).map_or(CHUNK_SIZE, |n| n.min(CHUNK_SIZE));
        let mut buf = BytesMut::zeroed(want);
        let mut filled = 0;
        while filled < want {
            let n = file.read(&mut buf[filled..]).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file shrank while it was sent",
                ));
            }
            filled += n;
        }
        Ok(Some((buf.freeze(), (file, at + want as u64, end, true))))
    })
}

/// The location of `name`, a path a user supplied: relative, without empty, `.` or `..`
/// segments or control characters (object_store's own rules), so that it stays inside its
/// store and the store's prefix. Anything else names no file.
fn location(name: &str) -> Result<Location, FileError> {
    if name.is_empty() || name.starts_with('/') || name.ends_with('/') {
        return Err(FileError::NotFound);
    }
    let location = Location::parse(name).map_err(|_| FileError::NotFound)?;
    // `parse` keeps what it accepts as written: the location names exactly `name`.
    if location.as_ref() != name {
        return Err(FileError::NotFound);
    }
    Ok(location)
}

/// How long a client should wait before trying again after a store was unavailable.
const RETRY_AFTER_SECONDS: u32 = 5;

/// Whether `error` (or an error it comes from) says the store was unavailable for a while: a
/// timeout, a refused or reset connection, throttling, or a 502/503/504/429 after
/// object_store's retries. object_store keeps the status of such a failure in its message only,
/// so the messages are read, with the URLs in them (which hold the object's name) left out.
fn transient(error: &(dyn std::error::Error + 'static)) -> bool {
    const SAYS: [&str; 12] = [
        "timed out",
        "timeout",
        "slow down",
        "slowdown",
        "throttl",
        "too many requests",
        "service unavailable",
        "connection refused",
        "connection reset",
        "status code: 429",
        "status code: 503",
        "status code: 504",
    ];
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<io::Error>()
            && matches!(
                io.kind(),
                io::ErrorKind::TimedOut
                    | io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
            )
        {
            return true;
        }
        let text: String = error
            .to_string()
            .split_whitespace()
            .filter(|word| !word.contains("://"))
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        if SAYS.iter().any(|says| text.contains(says)) || text.contains("status code: 502") {
            return true;
        }
        next = error.source();
    }
    false
}

/// The I/O error kind somewhere in `error`'s chain, if any (a local store's permission error).
fn io_kind(error: &(dyn std::error::Error + 'static)) -> Option<io::ErrorKind> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        next = error.source();
    }
    None
}

impl FileError {
    /// A store's error as the response it becomes: not found 404, permission 403 (logged),
    /// unavailable for a while 503 (with `Retry-After`), anything else (the server's own
    /// credentials refused too) 502, logged.
    pub(super) fn from_store(error: object_store::Error, location: &str) -> Self {
        use object_store::Error;
        match &error {
            Error::NotFound { .. } | Error::InvalidPath { .. } => return Self::NotFound,
            Error::PermissionDenied { .. } => {
                tracing::warn!(location, error = %error, "a file store refused access");
                return Self::Forbidden;
            }
            // The server's own credentials: its failure, not the client's.
            Error::Unauthenticated { .. } => {
                tracing::error!(location, error = %error, "a file store refused the server's credentials");
                return Self::Store(error);
            }
            _ => {}
        }
        match io_kind(&error) {
            Some(io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory) => {
                return Self::NotFound;
            }
            Some(io::ErrorKind::PermissionDenied) => return Self::Forbidden,
            _ => {}
        }
        if transient(&error) {
            tracing::warn!(location, error = %error, "a file store is unavailable");
            return Self::Unavailable { retry_after: RETRY_AFTER_SECONDS };
        }
        tracing::error!(location, error = %error, "a file store failed");
        Self::Store(error)
    }
}

/// A store's error as the response it becomes, as [`File::from_store`] maps it.
impl From<object_store::Error> for FileError {
    fn from(error: object_store::Error) -> Self {
        Self::from_store(error, "")
    }
}

impl File {
    /// Reads the metadata of the object `name` (a path a user may have supplied) in `store`:
    /// a store given directly, as Litestar's `File(…, file_system=…)`. Its bytes are fetched
    /// when the body is sent, only those sent: a range fetches that range, a `HEAD` or a 304
    /// nothing.
    ///
    /// The response carries `Content-Type` (the explicit media type, else the one stored with
    /// the object, else guessed from its name), `Content-Length`, `Last-Modified`, a strong
    /// `ETag` (the store's own strong tag, else the version id, with the size and modification
    /// time; else those two alone) and `Content-Disposition`. Chunks are the store's (up to 1 MiB
    /// from a local store): [`chunk_size`](Self::chunk_size) applies to files on disk.
    ///
    /// # Errors
    ///
    /// [`FileError`]: 404 for no such object or a name that would leave the store (empty, absolute,
    /// with `.`, `..` or empty segments, control characters), 403 when the store refuses
    /// access, 503 when it is unavailable for a while (timeouts, throttling), 502 otherwise.
    pub async fn from_store(store: &Arc<dyn ObjectStore>, name: &str) -> Result<Self, FileError> {
        let location = location(name)?;
        let head = GetOptions { head: true, ..GetOptions::default() };
        let result = store.get_opts(&location, head).await.map_err(|e| FileError::from_store(e, name))?;
        let meta = result.meta;
        let attributes = result.attributes;
        let stored = |attribute: &Attribute| attributes.get(attribute).map(|v| v.as_ref().to_owned());
        let modified = SystemTime::from(meta.last_modified);
        // The store's own tag, where strong: each fetch names it (`If-Match` compares strongly),
        // and with the size and modification time it makes ours (some stores count their tags
        // per process: object_store's `InMemory` gives "0", "1", …, so the tag alone could name
        // other bytes after a restart). Else the version id does both.
        let (pin, base) = match meta.e_tag.as_deref().map(|raw| (raw, raw.parse::<ETag>())) {
            Some((raw, Ok(tag))) if !tag.is_weak() => (Some(raw.to_owned()), Some(tag.tag().to_owned())),
            Some((raw, Err(_))) => (Some(raw.to_owned()), Some(raw.to_owned())),
            _ => (None, meta.version.clone()),
        };
        let etag = base.and_then(|v| {
            let since = modified.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            ETag::strong(format!("{v}-{:x}-{since:x}", meta.size)).ok()
        });
        let object = Object {
            fetch: Arc::new(ObjectFetch {
                store: Arc::clone(store),
                location: location.clone(),
                e_tag: pin,
                version: meta.version.clone(),
                modified: meta.last_modified,
            }),
            etag,
            // A store's generic default (S3 gives `binary/octet-stream` to an object put without
            // one) says nothing: the name is a better guess.
            content_type: stored(&Attribute::ContentType)
                .and_then(|t| t.parse::<mime::Mime>().ok())
                .filter(|t| !matches!(t.essence_str(), "binary/octet-stream" | "application/octet-stream")),
            content_encoding: stored(&Attribute::ContentEncoding)
                .and_then(|e| http::HeaderValue::from_str(&e).ok()),
        };
        let mut file = Self::with_source(
            Source::Object(object),
            PathBuf::from(location.as_ref()),
            meta.size,
            Some(modified),
        );
        file.filename = location.filename().map(str::to_owned);
        Ok(file)
    }

    /// The object `name` (a path a user may have supplied) in the store registered as `store`
    /// on a level ([`StrataLayer::file_store`](crate::StrataLayer::file_store), Litestar's
    /// `FileSystemRegistry`): an intent, resolved by the closest level around the route that
    /// registers that name, as [`from_store`](Self::from_store) does. No level registering it
    /// makes the response a 500 problem naming the store, logged.
    ///
    /// Until it is resolved, the response is that 500 problem, carrying the intent: headers and
    /// extensions the handler or a middleware add to it are kept on the file's response, but
    /// levels and middleware between the route and the resolving level see a 500 (so register
    /// the store on the level closest to the route). Its [`len`](Self::len) and
    /// [`etag`](Self::etag) are unknown (0, `None`) until then.
    pub fn in_store(store: &str, name: &str) -> Self {
        Self::with_source(Source::Named { store: Arc::from(store) }, PathBuf::from(name), 0, None)
    }
}

/// A file in a store named on a level, not resolved yet: the intent a [`File::in_store`]
/// response carries, under a 500 problem that stays the answer if no level resolves it.
#[derive(Clone)]
pub(crate) struct StoreIntent(Arc<Mutex<Option<Pending>>>);

/// What the resolving level needs. Dropped unresolved (no level registers the store), it logs.
struct Pending {
    resolved: bool,
    store: Arc<str>,
    name: String,
    filename: Option<String>,
    inline: bool,
    media_type: Option<MediaType>,
    chunk_size: usize,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.resolved {
            tracing::error!(store = %self.store, name = %self.name, "File::in_store: no level registers this file store");
        }
    }
}

impl StoreIntent {
    /// The 500 problem naming `store`, carrying the intent.
    pub(super) fn response(
        store: Arc<str>,
        path: PathBuf,
        filename: Option<String>,
        inline: bool,
        media_type: Option<MediaType>,
        chunk_size: usize,
    ) -> Response {
        let detail = format!("no file store named {store:?} is registered");
        let pending = Pending {
            resolved: false,
            store,
            name: path.to_string_lossy().into_owned(),
            filename,
            inline,
            media_type,
            chunk_size,
        };
        let mut response =
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR).with_detail(detail).into_response();
        response.extensions_mut().insert(Self(Arc::new(Mutex::new(Some(pending)))));
        response
    }
}

/// The file stores registered on one level, by name.
#[derive(Clone, Default)]
pub(crate) struct FileStores(HashMap<Arc<str>, Arc<dyn ObjectStore>>);

impl fmt::Debug for FileStores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// The response a level makes of a store intent it resolves.
pub(crate) type Resolving = std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;

impl FileStores {
    pub(crate) fn insert(&mut self, name: Arc<str>, store: Arc<dyn ObjectStore>) {
        self.0.insert(name, store);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the intent `response` carries if it names a store of this level, and returns the
    /// future of the file's response; `None` (the response untouched) otherwise.
    pub(crate) fn resolve(&self, response: &mut Response) -> Option<Resolving> {
        let intent = response.extensions().get::<StoreIntent>()?;
        let mut slot = intent.0.lock().unwrap_or_else(PoisonError::into_inner);
        let store = Arc::clone(self.0.get(slot.as_ref()?.store.as_ref())?);
        let mut pending = slot.take()?;
        pending.resolved = true;
        drop(slot);
        response.extensions_mut().remove::<StoreIntent>();
        // What the handler (or a middleware between) added to the intent's response goes on the
        // file's: headers it does not set itself, and extensions.
        let mut headers = std::mem::take(response.headers_mut());
        for name in [http::header::CONTENT_TYPE, http::header::CONTENT_LENGTH] {
            headers.remove(name);
        }
        let extensions = std::mem::take(response.extensions_mut());
        Some(Box::pin(async move {
            let mut response = match File::from_store(&store, &pending.name).await {
                Ok(mut file) => {
                    if pending.filename.is_some() {
                        file.filename = pending.filename.take();
                    }
                    file.inline = pending.inline;
                    file.media_type = pending.media_type.take();
                    file.chunk_size = pending.chunk_size;
                    file.into_response()
                }
                Err(e) => e.into_response(),
            };
            // Each name the file's response does not set, with all its values.
            let (mut current, mut taking) = (None, false);
            for (name, value) in headers {
                if let Some(name) = name {
                    taking = !response.headers().contains_key(&name);
                    current = Some(name);
                }
                if taking && let Some(name) = &current {
                    response.headers_mut().append(name.clone(), value);
                }
            }
            response.extensions_mut().extend(extensions);
            response
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_leave_the_store_name_nothing() {
        for name in ["", "/etc/passwd", "a/../b", "..", ".", "a//b", "a/", "a\u{0}b", "a\nb", "./a"] {
            assert!(location(name).is_err(), "{name:?}");
        }
        for name in ["report.pdf", "dir/big.bin", "%2E%2E", "a b.txt", "ünï.txt"] {
            assert_eq!(location(name).unwrap().as_ref(), name);
        }
    }
}
