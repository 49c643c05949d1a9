//! `Content<T>`: content rendered by its media type, with status, headers and cookies, as
//! Litestar's `Response`.
//!
//! It is named for what the handler gives, as `Json<T>` and `Html<T>` are, and not `Response`:
//! that is axum's `Response`, which handlers and middleware name every day.
//!
//! The content is any `Serialize` value. JSON is the default media type; every `+json` type
//! (`application/vnd.example.resource+json`) is JSON too; MessagePack writes struct fields as
//! map keys; every other type (text, HTML, XML, bytes…) sends strings and bytes as they are,
//! and `text/*` gets `; charset=utf-8`. A value that cannot be sent as its media type (a
//! struct as `text/plain`) is a 500 problem response with a log line naming the type, never a
//! panic. Statuses that forbid a body (1xx, 204, 304) send none.
//!
//! Without a status, the response asks for the method's default (201 for `POST`, 204 for
//! `DELETE`, 200 otherwise), which `Strata::app()` resolves; without that layer it is 200.
//!
//! ```
//! use axum::{body::to_bytes, http::StatusCode, response::IntoResponse};
//! use axum_strata::content::{Content, MediaType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let response = Content::new(serde_json::json!({"id": 1}))
//!     .status(StatusCode::IM_A_TEAPOT)
//!     .media_type("application/vnd.example.resource+json")
//!     .header("my-header", "xyz")
//!     .into_response();
//! assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
//! assert_eq!(response.headers()["content-type"], "application/vnd.example.resource+json");
//! assert_eq!(response.headers()["my-header"], "xyz");
//! assert_eq!(to_bytes(response.into_body(), 1024).await.unwrap(), r#"{"id":1}"#);
//!
//! let text = Content::new("healthy").media_type(MediaType::Text).into_response();
//! assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
//! # }
//! ```

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use std::any::Any;

use bytes::Bytes;
use serde::Serialize;
use strata_headers::mime::Mime;
use strata_tower::default_status::StatusUnset;

pub use crate::MediaType;
use crate::{
    media_type::content_type,
    problem::Problem,
    render::{self, forbids_body},
};

/// A response whose content is rendered by its media type; see the [module docs](self).
#[derive(Debug)]
#[must_use]
pub struct Content<T> {
    content: T,
    status: Option<StatusCode>,
    media_type: MediaType,
    headers: HeaderMap,
    #[cfg(feature = "cookies")]
    cookies: Vec<crate::cookies::Cookie<'static>>,
    #[cfg(feature = "background")]
    background: strata_tower::background::TaskSet,
    invalid: Option<String>,
}

impl<T> Content<T> {
    /// A JSON response of `content`, its status left to the method.
    pub fn new(content: T) -> Self {
        Self {
            content,
            status: None,
            media_type: MediaType::Json,
            headers: HeaderMap::new(),
            #[cfg(feature = "cookies")]
            cookies: Vec::new(),
            #[cfg(feature = "background")]
            background: strata_tower::background::TaskSet::new(),
            invalid: None,
        }
    }

    /// Sets the status.
    pub const fn status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the media type: a [`MediaType`], a `Mime`, or a string such as
    /// `"application/vnd.example.resource+json"`. A string that is no media type makes the
    /// response a 500 problem, logged.
    pub fn media_type<M: TryInto<MediaType>>(mut self, media_type: M) -> Self {
        match media_type.try_into() {
            Ok(m) => self.media_type = m,
            Err(_) => self.invalid = Some("the media type is not a valid media type".to_owned()),
        }
        self
    }

    /// Adds a header (a later one with the same name is added too). Names and values that are
    /// not valid make the response a 500 problem, logged, rather than panic: they may come
    /// from input.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        match (name.try_into(), value.try_into()) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => self.invalid = Some("a header name or value is not valid".to_owned()),
        }
        self
    }

    /// Sets a cookie; setting the same cookie (name, path, domain) again replaces it.
    #[cfg(feature = "cookies")]
    pub fn cookie(mut self, cookie: crate::cookies::Cookie<'static>) -> Self {
        self.cookies.retain(|c| !crate::cookies::same_cookie(c, &cookie));
        self.cookies.push(cookie);
        self
    }

    /// Adds a background task, run after the response has been sent (see
    /// [`background`](crate::background)). Works without any layer; with `Strata::app()` and a
    /// runner it is tracked.
    #[cfg(feature = "background")]
    pub fn background(mut self, task: crate::background::BackgroundTask) -> Self {
        self.background.push(task);
        self
    }

    /// Adds a set of background tasks, with its options (concurrent, stop at the first
    /// failure…).
    #[cfg(feature = "background")]
    pub fn background_tasks(mut self, tasks: crate::background::TaskSet) -> Self {
        self.background.append(tasks);
        self
    }

    /// Deletes the cookie `name` set with this `path` and `domain`.
    #[cfg(feature = "cookies")]
    pub fn delete_cookie(self, name: &str, path: Option<&str>, domain: Option<&str>) -> Self {
        self.cookie(crate::cookies::removal(name, path, domain))
    }
}

fn server_error(detail: &str) -> Response {
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR).with_detail(detail).into_response()
}

/// The body of content sent "as it is", without copying it, when it is already bytes: a
/// `&'static str`, `String`, `Vec<u8>` or `&'static [u8]`. Anything else is rendered.
fn as_it_is<T: 'static>(content: &mut Option<T>) -> Option<Bytes> {
    let any = content as &mut dyn Any;
    if let Some(s) = any.downcast_mut::<Option<&'static str>>() {
        return s.take().map(|s| Bytes::from_static(s.as_bytes()));
    }
    if let Some(s) = any.downcast_mut::<Option<String>>() {
        return s.take().map(Bytes::from);
    }
    if let Some(v) = any.downcast_mut::<Option<Vec<u8>>>() {
        return v.take().map(Bytes::from);
    }
    if let Some(b) = any.downcast_mut::<Option<&'static [u8]>>() {
        return b.take().map(Bytes::from_static);
    }
    None
}

/// [`as_it_is`] for media types that send strings and bytes as they are.
fn as_it_is_if<T: 'static>(mime: &Mime, content: &mut Option<T>) -> Option<Bytes> {
    if render::is_as_it_is(mime) { as_it_is(content) } else { None }
}

impl<T: Serialize + 'static> IntoResponse for Content<T> {
    fn into_response(self) -> Response {
        if let Some(invalid) = &self.invalid {
            tracing::error!("Content<{}>: {invalid}", std::any::type_name::<T>());
            return server_error("the response could not be built");
        }
        let status = self.status.unwrap_or(StatusCode::OK);
        let mime = self.media_type.to_mime();
        let mut content = Some(self.content);
        let mut response = if forbids_body(status) {
            Response::new(Body::empty())
        } else {
            let rendered = match as_it_is_if(&mime, &mut content) {
                Some(bytes) => Ok(bytes),
                None => content.as_ref().map_or(Ok(Bytes::new()), |c| render::render(c, &mime)),
            };
            match rendered {
                Ok(bytes) => {
                    let mut response = Response::new(Body::from(bytes));
                    if let Some(value) = content_type(&mime) {
                        response.headers_mut().insert(header::CONTENT_TYPE, value);
                    }
                    response
                }
                Err(e) => {
                    tracing::error!("{e}");
                    return server_error("the response content could not be rendered");
                }
            }
        };
        *response.status_mut() = status;
        if self.status.is_none() {
            response.extensions_mut().insert(StatusUnset);
        }
        let headers = response.headers_mut();
        // The handler's headers win over the rendered Content-Type.
        for name in self.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &self.headers {
            headers.append(name, value.clone());
        }
        #[cfg(feature = "cookies")]
        for cookie in &self.cookies {
            crate::cookies::set_cookie(headers, cookie);
        }
        #[cfg(feature = "background")]
        if !self.background.is_empty() {
            let pending = crate::background::PendingTasks::default();
            pending.append(self.background);
            let body = std::mem::take(response.body_mut());
            *response.body_mut() = Body::new(pending.wrap(body));
            response.extensions_mut().insert(pending);
        }
        response
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, ReferenceOr, Response, StatusCode as ApiStatus},
    };
    use http::StatusCode;
    use schemars::JsonSchema;

    use super::Content;
    use crate::{MediaType, openapi::fragments};

    /// JSON, with the status of the method where the handler chooses none; a route whose
    /// content has another media type or status says so with [`Content::document`].
    impl<T: JsonSchema> OperationOutput for Content<T> {
        type Inner = T;

        fn operation_response(ctx: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body("application/json", fragments::schema_of::<T>(ctx));
            Some(fragments::by_method(fragments::response("The content.", [body])))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }

    impl<T: JsonSchema> Content<T> {
        /// Documents the content of a route whose handler sets `status` and `media_type`
        /// (with [`status`](Self::status) and [`media_type`](Self::media_type)): its response
        /// replaces the one by method. Use the same constants in the handler and here.
        pub fn document(operation: &mut Operation, status: StatusCode, media_type: &MediaType) {
            Self::document_each(operation, status, std::slice::from_ref(media_type));
        }

        /// Like [`document`](Self::document), for a handler that picks one of `media_types`
        /// at run time (negotiating by hand): one content entry each.
        pub fn document_each(operation: &mut Operation, status: StatusCode, media_types: &[MediaType]) {
            let content: Vec<_> = media_types
                .iter()
                .map(|media_type| {
                    let mime = media_type.to_mime();
                    let schema = aide::generate::in_context(|ctx| {
                        if fragments::is_structured(&mime) {
                            fragments::schema_of::<T>(ctx)
                        } else {
                            fragments::inline(fragments::string())
                        }
                    });
                    fragments::body(mime.essence_str(), schema)
                })
                .collect();
            let response = fragments::response("The content.", content);
            let responses = operation.responses.get_or_insert_with(Default::default);
            if let Some(ReferenceOr::Item(ok)) = responses.responses.get(&ApiStatus::Code(200))
                && ok.extensions.contains_key(fragments::STATUS_BY_METHOD)
            {
                responses.responses.shift_remove(&ApiStatus::Code(200));
            }
            responses.responses.insert(ApiStatus::Code(status.as_u16()), ReferenceOr::Item(response));
            responses.responses.sort_keys();
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    async fn body(r: Response) -> String {
        String::from_utf8(to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn strings_and_bytes_go_out_as_they_are_except_as_json() {
        for (r, expected) in [
            (Content::new("static").media_type(MediaType::Text).into_response(), "static"),
            (Content::new("owned".to_owned()).media_type(MediaType::Html).into_response(), "owned"),
            (Content::new(&b"bytes"[..]).media_type("application/octet-stream").into_response(), "bytes"),
            (Content::new(b"vec".to_vec()).media_type("application/octet-stream").into_response(), "vec"),
            (Content::new("quoted".to_owned()).into_response(), "\"quoted\""),
        ] {
            assert_eq!(body(r).await, expected);
        }
    }

    #[tokio::test]
    async fn json_is_the_default_and_the_status_is_left_to_the_method() {
        let r = Content::new(serde_json::json!({"a": 1})).into_response();
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.extensions().get::<StatusUnset>().is_some());
        assert_eq!(body(r).await, r#"{"a":1}"#);
    }

    #[tokio::test]
    async fn html_and_text_get_a_charset_and_are_sent_as_they_are() {
        let r = Content::new("<p>hi</p>").media_type(MediaType::Html).into_response();
        assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(body(r).await, "<p>hi</p>");
        let r = Content::new("x").media_type("text/csv; charset=latin1").into_response();
        assert_eq!(r.headers()["content-type"], "text/csv; charset=latin1");
        let r = Content::new("x").media_type("text/plain; format=flowed").into_response();
        assert_eq!(r.headers()["content-type"], "text/plain; format=flowed; charset=utf-8");
    }

    #[tokio::test]
    async fn a_struct_as_text_is_a_500_problem_not_a_panic() {
        let r = Content::new(serde_json::json!({"a": 1})).media_type("application/xml").into_response();
        assert_eq!(r.status(), 500);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }

    #[tokio::test]
    async fn bad_headers_and_media_types_from_input_are_500_problems() {
        let r = Content::new("x").header("ok", "line\nbreak").into_response();
        assert_eq!(r.status(), 500);
        let r = Content::new("x").media_type("not a media type").into_response();
        assert_eq!(r.status(), 500);
    }

    #[tokio::test]
    async fn statuses_without_a_body_send_none() {
        for status in [StatusCode::NO_CONTENT, StatusCode::NOT_MODIFIED, StatusCode::CONTINUE] {
            let r = Content::new("ignored").status(status).into_response();
            assert!(r.headers().get("content-type").is_none());
            assert_eq!(body(r).await, "");
        }
    }

    #[tokio::test]
    async fn the_handlers_content_type_wins() {
        let r = Content::new("x")
            .media_type(MediaType::Text)
            .header("content-type", "text/x-custom")
            .into_response();
        assert_eq!(r.headers().get_all("content-type").iter().count(), 1);
        assert_eq!(r.headers()["content-type"], "text/x-custom");
    }

    #[cfg(feature = "cookies")]
    #[tokio::test]
    async fn cookies_are_deduplicated_and_deletable() {
        use crate::cookies::Cookie;
        let r = Content::new("x")
            .cookie(Cookie::new("my-cookie", "abc"))
            .cookie(Cookie::new("my-cookie", "def"))
            .delete_cookie("old", Some("/"), None)
            .into_response();
        let lines: Vec<_> = r.headers().get_all("set-cookie").iter().collect();
        assert_eq!(
            lines,
            ["my-cookie=def", "old=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
        );
    }

    #[cfg(feature = "msgpack")]
    #[tokio::test]
    async fn msgpack_media_type() {
        let mut map = std::collections::BTreeMap::new();
        map.insert("hello", "world");
        let r = Content::new(map).media_type(MediaType::MessagePack).into_response();
        assert_eq!(r.headers()["content-type"], "application/x-msgpack");
        assert_eq!(to_bytes(r.into_body(), 100).await.unwrap(), &b"\x81\xa5hello\xa5world"[..]);
    }
}
