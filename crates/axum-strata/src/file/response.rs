// A file as a response: its metadata headers, its body, and the intent that lets the range
// step send parts of it instead.

use std::time::UNIX_EPOCH;

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, header};
use strata_headers::{
    ContentDisposition,
    headers::{HeaderMapExt, LastModified},
};
use strata_tower::range::Seekable;

use super::{File, open::Source};

/// The latest modification time an HTTP date can carry: 9999-12-31 23:59:59 UTC.
const LAST_HTTP_DATE: u64 = 253_402_300_799;

impl IntoResponse for File {
    fn into_response(self) -> Response {
        if self.invalid_media_type {
            tracing::error!(path = %self.path.display(), "File: the media type is not a valid media type");
            return crate::problem::Problem::new(http::StatusCode::INTERNAL_SERVER_ERROR)
                .with_detail("the response could not be built")
                .into_response();
        }
        let content_type = self.content_type();
        let etag = self.etag();
        #[cfg(feature = "object-store")]
        let content_encoding = match &self.source {
            Source::Object(object) => object.content_encoding().cloned(),
            _ => None,
        };
        let base = if self.inline { ContentDisposition::inline() } else { ContentDisposition::attachment() };
        let disposition = match self.filename.as_deref() {
            Some(name) => base.with_filename(name),
            None => base,
        };
        // The range step reads parts of the file from the same content instead of the body.
        let seekable = match self.source {
            Source::Disk { data: Some(data), .. } => Seekable::bytes(data),
            Source::Disk { file, data: None } => {
                Seekable::reader(file, self.len, Body::new).chunk_size(self.chunk_size)
            }
            #[cfg(feature = "object-store")]
            Source::Object(object) => Seekable::fetched(object.fetch(), self.len, Body::new),
            #[cfg(feature = "object-store")]
            Source::Named { store } => {
                return super::store::StoreIntent::response(
                    store,
                    self.path,
                    self.filename,
                    self.inline,
                    self.media_type,
                    self.chunk_size,
                );
            }
        };
        let mut response = Response::new(seekable.body());
        response.extensions_mut().insert(seekable);
        let headers = response.headers_mut();
        if let Some(ct) = crate::media_type::content_type(&content_type) {
            headers.insert(header::CONTENT_TYPE, ct);
        }
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(self.len));
        if let Some(modified) = self.modified
            && modified.duration_since(UNIX_EPOCH).is_ok_and(|d| d.as_secs() <= LAST_HTTP_DATE)
        {
            headers.typed_insert(LastModified::from(modified));
        }
        if let Some(etag) = etag {
            headers.typed_insert(etag);
        }
        headers.typed_insert(disposition);
        // An object stored encoded goes out as stored, and says so (no range of it is served).
        #[cfg(feature = "object-store")]
        if let Some(encoding) = content_encoding {
            headers.insert(header::CONTENT_ENCODING, encoding);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use http_body_util::BodyExt;

    use strata_headers::mime;

    use super::*;
    use crate::file::{CHUNK_SIZE, RangeLayer, testing::dir};

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
        let text = File::open(d.join("data")).await.unwrap().media_type(crate::MediaType::Text);
        assert_eq!(ct(text.into_response()), "text/plain; charset=utf-8");
        let csv = File::open(d.join("data")).await.unwrap().media_type("text/csv");
        assert_eq!(ct(csv.into_response()), "text/csv; charset=utf-8");
        let invalid =
            File::open(d.join("data")).await.unwrap().media_type("not a media type").into_response();
        assert_eq!(invalid.status(), 500);
        assert_eq!(ct(invalid), "application/problem+json");
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
    async fn metadata_headers_and_a_stable_strong_etag() {
        let d = dir("meta");
        std::fs::write(d.join("f.txt"), b"hello").unwrap();
        let a = File::open(d.join("f.txt")).await.unwrap();
        let b = File::open(d.join("f.txt")).await.unwrap();
        assert_eq!(a.etag(), b.etag());
        assert!(!a.etag().unwrap().is_weak());
        let r = a.into_response();
        assert_eq!(r.headers()["content-length"], "5");
        // The tag is the size and the modification time in nanoseconds, in hexadecimal.
        let modified = std::fs::metadata(d.join("f.txt")).unwrap().modified().unwrap();
        let nanos = modified.duration_since(UNIX_EPOCH).unwrap().as_nanos();
        assert_eq!(r.headers()["etag"], format!("\"5-{nanos:x}\"").as_str());
        let sent = std::time::SystemTime::from(r.headers().typed_get::<LastModified>().unwrap());
        assert_eq!(sent.duration_since(UNIX_EPOCH).unwrap().as_secs(), (nanos / 1_000_000_000) as u64);
        assert!(r.headers().get("accept-ranges").is_none(), "ranges are not offered until they are served");
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
    async fn malformed_and_overlapping_ranges_get_the_whole_file() {
        for range in ["bytes=5-1", "lines=1-2", "bytes=0-5,2-3"] {
            let leaked: &'static str = Box::leak(range.to_owned().into_boxed_str());
            let (r, body) = ranged(&[("range", leaked)]).await;
            assert_eq!((r.status().as_u16(), body.len()), (200, 10), "{range}");
        }
    }
}
