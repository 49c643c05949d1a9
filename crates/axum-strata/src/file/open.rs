// Opening a file: its metadata, and its content when it is small; names a user supplied,
// served from under a root.

use std::{
    fmt, io,
    path::{Component, Path, PathBuf},
    time::SystemTime,
};

use bytes::Bytes;
use strata_headers::{ETag, mime};

use super::FileError;
use crate::MediaType;

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

/// Where a file's bytes come from.
pub(super) enum Source {
    /// Local disk: the opened file, and its whole content when it was read at `open` (no
    /// larger than [`READ_AT_OPEN`]).
    Disk { file: tokio::fs::File, data: Option<Bytes> },
    /// An object whose metadata was read: its bytes are fetched range by range.
    #[cfg(feature = "object-store")]
    Object(super::store::Object),
    /// An object in a store registered by name on a level, which resolves it.
    #[cfg(feature = "object-store")]
    Named { store: std::sync::Arc<str> },
}

/// A file opened to be sent; see the [module docs](super).
#[must_use]
pub struct File {
    pub(super) source: Source,
    /// The path on disk, or the object's location in its store.
    pub(super) path: PathBuf,
    pub(super) len: u64,
    pub(super) modified: Option<SystemTime>,
    pub(super) filename: Option<String>,
    pub(super) inline: bool,
    pub(super) media_type: Option<MediaType>,
    /// Set when [`File::media_type`] was given something that is no media type.
    pub(super) invalid_media_type: bool,
    pub(super) chunk_size: usize,
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

/// An opened file, its metadata and, for a small one, its whole content.
type Opened = (std::fs::File, std::fs::Metadata, Option<Bytes>);

/// Reads the metadata of an opened file, and the whole file when it is small: `None` for
/// anything but a regular file (a directory, a FIFO, a device).
fn read_opened(mut file: std::fs::File) -> io::Result<Option<Opened>> {
    use std::io::Read as _;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(None);
    }
    // A small file is read now, while the handler awaits anyway: the response is then ready
    // to go out head and body in one write (with Nagle's algorithm on, a head sent alone waits
    // for the client's delayed ACK).
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

/// Whatever a user-supplied name makes the system say (too long, a symlink loop, a way out of
/// the root, …), it is a name that is not served: 404, logged at debug level only; a file
/// that may not be read is 403.
fn unserved(name: &Path, e: &io::Error) -> FileError {
    // cap-std refuses a way out of the root as PermissionDenied with no OS error code.
    if e.kind() == io::ErrorKind::PermissionDenied && e.raw_os_error().is_some() {
        return FileError::Forbidden;
    }
    tracing::debug!(name = %name.display(), error = %e, "a requested file name is not served");
    FileError::NotFound
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
            move || read_opened(std::fs::File::open(&path)?)
        })
        .await
        .map_err(|e| FileError::from_io(io::Error::other(e), &path))?
        .map_err(|e| FileError::from_io(e, &path))?;
        Self::from_opened(opened, path)
    }

    fn from_opened(opened: Option<Opened>, path: PathBuf) -> Result<Self, FileError> {
        let Some((file, metadata, data)) = opened else {
            return Err(FileError::NotFound);
        };
        let file = tokio::fs::File::from_std(file);
        let len = data_len(data.as_ref(), metadata.len());
        Ok(Self::with_source(Source::Disk { file, data }, path, len, metadata.modified().ok()))
    }

    /// Opens `name`, a relative path a user supplied, under `root`. Absolute names, `..`
    /// components and symlinks that lead out of `root` are refused as not found, and so is
    /// anything but a regular file; resolving and opening are one step that cannot leave
    /// `root` (see the [module docs](super)), so no race with a writer inside it can either; the
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
        let root = root.as_ref().to_path_buf();
        let path = root.join(relative);
        // The name is resolved and opened in one step that cannot leave `root` (cap-std: openat2
        // with RESOLVE_BENEATH where the kernel has it, else a walk component by component that
        // follows no symlink out), so a symlink swapped in between a check and the open cannot
        // lead outside. Then the opened file itself is checked, not its name.
        let opened = tokio::task::spawn_blocking({
            let (root, relative) = (root.clone(), relative.to_path_buf());
            move || -> Result<Option<Opened>, (io::Error, bool)> {
                let dir = cap_std::fs::Dir::open_ambient_dir(&root, cap_std::ambient_authority())
                    .map_err(|e| (e, true))?;
                let mut options = cap_std::fs::OpenOptions::new();
                options.read(true);
                // A FIFO swapped in would otherwise block this thread until someone writes.
                #[cfg(unix)]
                {
                    use cap_std::fs::OpenOptionsExt as _;
                    options.custom_flags(libc::O_NONBLOCK);
                }
                let file = dir.open_with(&relative, &options).map_err(|e| (e, false))?;
                read_opened(file.into_std()).map_err(|e| (e, false))
            }
        })
        .await
        .map_err(|e| FileError::from_io(io::Error::other(e), &path))?;
        let opened = match opened {
            Ok(opened) => opened,
            // The root itself is configuration: its errors are the server's.
            Err((e, true)) => return Err(FileError::from_io(e, &root)),
            Err((e, false)) => return Err(unserved(relative, &e)),
        };
        let mut file = Self::from_opened(opened, path)?;
        file.filename = relative.file_name().and_then(|n| n.to_str()).map(str::to_owned);
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

    /// Sets the media type explicitly: a [`MediaType`], a `Mime`, or a string such as
    /// `"text/csv"` (`text/*` without a charset gets `; charset=utf-8`). A string that is no
    /// media type makes the response a 500 problem, logged, as
    /// [`Content::media_type`](crate::content::Content::media_type) does.
    pub fn media_type<M: TryInto<MediaType>>(mut self, media_type: M) -> Self {
        match media_type.try_into() {
            Ok(m) => self.media_type = Some(m),
            Err(_) => self.invalid_media_type = true,
        }
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

    /// The strong entity tag of this version of the file: its size and modification time (for
    /// an object, the store's own tag or version where it has one).
    #[must_use]
    pub fn etag(&self) -> Option<ETag> {
        #[cfg(feature = "object-store")]
        if let Source::Object(object) = &self.source
            && let Some(tag) = object.etag()
        {
            return Some(tag);
        }
        ETag::from_size_and_modified(self.len, self.modified?)
    }

    /// A file with `source` and its metadata, sent as an attachment unless told otherwise.
    pub(super) fn with_source(source: Source, path: PathBuf, len: u64, modified: Option<SystemTime>) -> Self {
        Self {
            source,
            path,
            len,
            modified,
            filename: None,
            inline: false,
            media_type: None,
            invalid_media_type: false,
            chunk_size: CHUNK_SIZE,
        }
    }

    pub(super) fn content_type(&self) -> mime::Mime {
        if let Some(m) = &self.media_type {
            return m.to_mime();
        }
        #[cfg(feature = "object-store")]
        if let Source::Object(object) = &self.source
            && let Some(stored) = object.content_type()
        {
            return stored;
        }
        self.filename
            .as_deref()
            .and_then(|n| mime_guess::from_path(n).first())
            .or_else(|| mime_guess::from_path(&self.path).first())
            .unwrap_or(mime::APPLICATION_OCTET_STREAM)
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, ReferenceOr, Response, StatusCode},
    };

    use super::{File, FileError};
    use crate::openapi::fragments;

    /// Any media type: `File` takes it from the file name at run time;
    /// [`File::document`](super::File::document) names it for a route that knows.
    const ANY: &str = "*/*";

    fn whole() -> Response {
        let body = fragments::body(ANY, fragments::inline(fragments::binary()));
        let response = fragments::response("The file.", [body]);
        [
            ("Content-Disposition", "`attachment` or `inline`, with the file name (RFC 6266)."),
            ("Accept-Ranges", "`bytes`: ranges are served."),
            ("ETag", "The version of the file, from its metadata."),
            ("Last-Modified", "When the file last changed."),
        ]
        .into_iter()
        .fold(response, |response, (name, description)| fragments::with_header(response, name, description))
    }

    /// The file (its media type from the file name), with `Content-Disposition`,
    /// `Accept-Ranges`, `ETag` and `Last-Modified`; 206 for ranges, 416 for unsatisfiable ones.
    impl OperationOutput for File {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            Some(whole())
        }

        fn inferred_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            let mut partial = whole();
            partial.description = "The ranges asked for (one part, or `multipart/byteranges`).".to_owned();
            partial = fragments::with_header(partial, "Content-Range", "The range sent.");
            let mut out = vec![(Some(200), whole()), (Some(206), partial)];
            out.extend(fragments::problems(&[(416, "Range Not Satisfiable.")]));
            out
        }
    }

    impl File {
        /// Documents the media type of the files a route sends (`application/pdf`), in place
        /// of any (`*/*`), on its 200 and 206 responses. The type sent is still the one of the
        /// file name (or [`media_type`](Self::media_type)).
        pub fn document(operation: &mut Operation, media_type: &str) {
            let Some(responses) = operation.responses.as_mut() else { return };
            for status in [200, 206] {
                if let Some(ReferenceOr::Item(response)) =
                    responses.responses.get_mut(&StatusCode::Code(status))
                    && let Some(body) = response.content.shift_remove(ANY)
                {
                    response.content.insert(media_type.to_owned(), body);
                }
            }
        }

        /// Documents what a route whose files come from a store ([`File::from_store`],
        /// [`File::in_store`]) answers besides a disk's: 502 when the store fails, 503 with
        /// `Retry-After` when it is unavailable for a while, 500 for a store no level registers.
        #[cfg(feature = "object-store")]
        pub fn document_store(operation: &mut Operation) {
            for (status, response) in fragments::problems(&[
                (403, "The store refuses access to the file."),
                (404, "No such file, or a name outside the store."),
                (500, "The file could not be opened, or no level registers the named store."),
                (502, "The file's store failed."),
                (503, "The file's store is unavailable for now."),
            ]) {
                let response = match status {
                    Some(503) => {
                        fragments::with_header(response, "Retry-After", "When to try again, in seconds.")
                    }
                    _ => response,
                };
                if let Some(status) = status {
                    fragments::add_response(operation, StatusCode::Code(status), response);
                }
            }
            if let Some(responses) = operation.responses.as_mut() {
                responses.responses.sort_keys();
            }
        }
    }

    /// The problems a file that cannot be opened is: 404, 403 and 500.
    impl OperationOutput for FileError {
        type Inner = Self;

        fn inferred_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            fragments::problems(&[
                (404, "No such file, or a name outside the directory."),
                (403, "The server may not read the file."),
                (500, "The file could not be opened."),
            ])
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;
    use crate::file::testing::dir;

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
    async fn names_the_system_refuses_are_404_not_500() {
        let d = dir("long");
        let long = "x".repeat(300);
        assert_eq!(File::open_under(&d, &long).await.unwrap_err().status(), 404);
        std::os::unix::fs::symlink(d.join("loop"), d.join("loop")).unwrap();
        assert_eq!(File::open_under(&d, "loop").await.unwrap_err().status(), 404);
    }
}
