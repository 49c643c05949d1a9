//! Server-sent events (Litestar's `ServerSentEvent`), framed as the HTML standard says.
//!
//! A stream yields [`Message`]s, or plain values that become one: integers, strings, bytes
//! (as UTF-8 text) and JSON values (sent as JSON, not as a debug dump). Plain values get the
//! stream's default event type, id and retry ([`ServerSentEvent::event_type`], …); full
//! messages carry their own and nothing else (Litestar sends both). Items may also be `Result`s:
//! an error is logged and ends the stream as an error.
//!
//! Framing: a field per line, in the order comment, `event`, `id`, `retry`, `data`, then a
//! blank line. Multi-line data becomes several `data:` lines; CR or LF in an event type, id or
//! comment cannot start a new field (they become spaces, and a multi-line comment several
//! comment lines); `retry` is in milliseconds. Keep-alive comments (`:` alone) are sent when
//! the stream has been quiet for the keep-alive interval (15 s by default), a timer that every
//! event resets. Responses carry `Content-Type: text/event-stream`, `Cache-Control: no-cache`
//! and `X-Accel-Buffering: no`. When the client goes away, the stream is dropped, and the
//! producer stops. A reconnecting `EventSource` says where it left off in `Last-Event-ID`:
//! extract it with [`RequestLastEventId`].
//!
//! ```
//! use axum::{body::to_bytes, response::IntoResponse};
//! use axum_strata::sse::{Message, ServerSentEvent};
//! use futures_util::stream;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let events = stream::iter([
//!     Message::from(1),
//!     Message::from("two\nlines"),
//!     Message::new().event("update").id("7").retry(std::time::Duration::from_secs(1)).json(&serde_json::json!({"n": 7})),
//! ]);
//! let response = ServerSentEvent::new(events).event_type("tick").into_response();
//! assert_eq!(response.headers()["content-type"], "text/event-stream");
//! let body = to_bytes(response.into_body(), 1024).await.unwrap();
//! assert_eq!(
//!     body,
//!     "event: tick\ndata: 1\n\n\
//!      event: tick\ndata: two\ndata: lines\n\n\
//!      event: update\nid: 7\nretry: 1000\ndata: {\"n\":7}\n\n"
//! );
//! # }
//! ```

use std::{
    borrow::Cow,
    convert::Infallible,
    fmt::{self, Write as _},
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::Body,
    extract::FromRequestParts,
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures_util::Stream;
use http::{HeaderValue, header, request::Parts};
use pin_project_lite::pin_project;
use serde::Serialize;
use tokio::time::{Instant, Sleep};

/// One event: data, event type, id, retry and comment, any of them optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Message {
    data: Option<String>,
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
    comment: Option<String>,
    /// Made from a plain value: the stream's defaults apply.
    plain: bool,
}

impl Message {
    /// An empty message, to fill with the builders.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the data (several lines become several `data:` lines).
    pub fn data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// Sets the data to `value` as JSON. A value that cannot be serialized sets no data, and
    /// the error is logged.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_string(value) {
            Ok(json) => self.data = Some(json),
            Err(e) => tracing::error!("a server-sent event's data could not be serialized: {e}"),
        }
        self
    }

    /// Sets the event type (`message` for the browser when absent).
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// Sets the id, which a reconnecting `EventSource` sends back as `Last-Event-ID`.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the reconnection delay the browser should use (sent in milliseconds).
    pub const fn retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets a comment (ignored by `EventSource`, useful for pings and debugging).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    fn plain(data: String) -> Self {
        Self { data: Some(data), plain: true, ..Self::default() }
    }

    /// Writes the frame of this message, with the stream's defaults for plain values.
    fn write(&self, defaults: &Defaults, out: &mut String) {
        let pick = |own: &Option<String>, default: &Option<String>| -> Option<String> {
            own.clone().or_else(|| if self.plain { default.clone() } else { None })
        };
        if let Some(comment) = &self.comment {
            for line in lines(comment) {
                out.push(':');
                if !line.is_empty() {
                    out.push(' ');
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        if let Some(event) = pick(&self.event, &defaults.event) {
            field(out, "event", &one_line(&event));
        }
        if let Some(id) = pick(&self.id, &defaults.id) {
            // A NUL makes browsers ignore the id: drop it.
            field(out, "id", &one_line(&id).replace('\0', ""));
        }
        let retry = self.retry.or(if self.plain { defaults.retry } else { None });
        if let Some(retry) = retry {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "retry: {}", retry.as_millis());
        }
        if let Some(data) = &self.data {
            for line in lines(data) {
                field(out, "data", line);
            }
        }
        out.push('\n');
    }
}

/// Splits on CRLF, CR or LF, as the SSE parser does.
fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.split("\r\n").flat_map(|l| l.split(['\r', '\n']))
}

/// A value for a single-line field: CR and LF become spaces.
fn one_line(s: &str) -> Cow<'_, str> {
    if s.contains(['\r', '\n']) { Cow::Owned(s.replace(['\r', '\n'], " ")) } else { Cow::Borrowed(s) }
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push(':');
    if !value.is_empty() {
        out.push(' ');
        out.push_str(value);
    }
    out.push('\n');
}

macro_rules! plain_from {
    ($($t:ty),*) => {
        $(impl From<$t> for Message {
            fn from(value: $t) -> Self {
                Self::plain(value.to_string())
            }
        })*
    };
}

plain_from!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, char, &str, String
);

impl From<Bytes> for Message {
    fn from(value: Bytes) -> Self {
        Self::plain(String::from_utf8_lossy(&value).into_owned())
    }
}

impl From<Vec<u8>> for Message {
    fn from(value: Vec<u8>) -> Self {
        Self::plain(String::from_utf8_lossy(&value).into_owned())
    }
}

impl From<serde_json::Value> for Message {
    /// The value as JSON data (strings too are sent as JSON strings).
    fn from(value: serde_json::Value) -> Self {
        Self::plain(value.to_string())
    }
}

/// What a stream of events may yield: anything that becomes a [`Message`], or a `Result` of it.
///
/// Not named `Event`: in axum, `axum::response::sse::Event` is a message, and this is a trait.
pub trait IntoMessage {
    /// The message, or the error that ends the stream.
    ///
    /// # Errors
    ///
    /// The item's own error, as text for the log.
    fn into_message(self) -> Result<Message, String>;
}

impl<T: Into<Message>> IntoMessage for T {
    fn into_message(self) -> Result<Message, String> {
        Ok(self.into())
    }
}

impl<T: Into<Message>, E: fmt::Display> IntoMessage for Result<T, E> {
    fn into_message(self) -> Result<Message, String> {
        self.map(Into::into).map_err(|e| e.to_string())
    }
}

#[derive(Clone, Debug, Default)]
struct Defaults {
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
}

/// A server-sent events response; see the [module docs](self).
#[must_use]
pub struct ServerSentEvent<S> {
    stream: S,
    defaults: Defaults,
    keep_alive: Option<Duration>,
}

impl<S> fmt::Debug for ServerSentEvent<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSentEvent")
            .field("defaults", &self.defaults)
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

/// The default keep-alive interval.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

impl<S> ServerSentEvent<S> {
    /// Events from `stream`, with a keep-alive comment after 15 s of quiet.
    pub const fn new(stream: S) -> Self {
        Self {
            stream,
            defaults: Defaults { event: None, id: None, retry: None },
            keep_alive: Some(KEEP_ALIVE),
        }
    }

    /// The event type of plain values.
    pub fn event_type(mut self, event: impl Into<String>) -> Self {
        self.defaults.event = Some(event.into());
        self
    }

    /// The id of plain values.
    pub fn event_id(mut self, id: impl Into<String>) -> Self {
        self.defaults.id = Some(id.into());
        self
    }

    /// The retry of plain values.
    pub const fn retry(mut self, retry: Duration) -> Self {
        self.defaults.retry = Some(retry);
        self
    }

    /// Sends a keep-alive comment after `interval` without an event (zero means none).
    pub const fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = if interval.is_zero() { None } else { Some(interval) };
        self
    }

    /// Sends no keep-alive comments.
    pub const fn without_keep_alive(mut self) -> Self {
        self.keep_alive = None;
        self
    }
}

impl<S> IntoResponse for ServerSentEvent<S>
where
    S: Stream + Send + 'static,
    S::Item: IntoMessage,
{
    fn into_response(self) -> Response {
        let body = SseBody {
            stream: self.stream,
            defaults: self.defaults,
            keep_alive: self.keep_alive,
            timer: self.keep_alive.map(|d| Box::pin(tokio::time::sleep_until(deadline(d)))),
            done: false,
        };
        let mut response = Response::new(Body::new(body));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        response
    }
}

pin_project! {
    struct SseBody<S> {
        #[pin]
        stream: S,
        defaults: Defaults,
        keep_alive: Option<Duration>,
        timer: Option<Pin<Box<Sleep>>>,
        done: bool,
    }
}

impl<S> http_body::Body for SseBody<S>
where
    S: Stream,
    S::Item: IntoMessage,
{
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match this.stream.poll_next(cx) {
            Poll::Ready(Some(item)) => {
                if let (Some(timer), Some(interval)) = (this.timer.as_mut(), *this.keep_alive) {
                    timer.as_mut().reset(deadline(interval));
                }
                match item.into_message() {
                    Ok(message) => {
                        let mut frame = String::with_capacity(64);
                        message.write(this.defaults, &mut frame);
                        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(frame)))))
                    }
                    Err(e) => {
                        *this.done = true;
                        tracing::error!(error = %e, "a server-sent event stream failed: the body ends as an error");
                        Poll::Ready(Some(Err(axum::Error::new(std::io::Error::other(e)))))
                    }
                }
            }
            Poll::Ready(None) => {
                *this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => {
                let (Some(timer), Some(interval)) = (this.timer.as_mut(), *this.keep_alive) else {
                    return Poll::Pending;
                };
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                timer.as_mut().reset(deadline(interval));
                Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(b":\n\n")))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

/// When the next keep-alive is due; an interval too long to add means never, in practice.
fn deadline(interval: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(interval).unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}

/// The `Last-Event-ID` of a reconnecting `EventSource`, if any: the extractor. Never rejects: a
/// value that is not UTF-8 text, or sent on several lines, counts as absent.
///
/// The typed header is [`headers::LastEventId`](strata_headers::LastEventId), to build, parse
/// or echo an id (or with `axum_extra::TypedHeader`, which rejects a malformed one); this is
/// the handler argument. Two names, so that code importing both never has two `LastEventId`s.
///
/// The id is whatever the client sends. For a stream numbered 0, 1, 2…, resume with
/// [`next_id`](Self::next_id), never with `id.parse::<u64>()? + 1`: that overflows on
/// `18446744073709551615` (a panic in a debug build).
///
/// ```
/// use axum_strata::sse::RequestLastEventId;
///
/// async fn events(last: RequestLastEventId) -> String {
///     // Resume after the last id seen, or start from the beginning (no id, an id that is not a
///     // number, or u64::MAX: nothing comes after it).
///     let first = last.next_id().unwrap_or(0);
///     format!("from {first}")
/// }
/// # let _: axum::Router = axum::Router::new().route("/events", axum::routing::get(events));
/// let resume = |id: &str| RequestLastEventId(Some(id.to_owned())).next_id();
/// assert_eq!(resume("41"), Some(42));
/// assert_eq!(resume("18446744073709551615"), None);
/// assert_eq!(RequestLastEventId(None).next_id(), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestLastEventId(pub Option<String>);

impl RequestLastEventId {
    /// The id after the last one, for a stream whose ids are decimal numbers: `Some(n + 1)` when
    /// the id is the decimal digits of a `u64` below `u64::MAX`, else `None` (no id, not a
    /// number, or no number after it); see [`LastEventId::next_id`](strata_headers::LastEventId::next_id).
    #[must_use]
    pub fn next_id(&self) -> Option<u64> {
        strata_headers::LastEventId::new(self.0.as_deref()?).ok()?.next_id()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLastEventId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        use strata_headers::headers::Header as _;
        let mut values = parts.headers.get_all("last-event-id").iter();
        let id = strata_headers::LastEventId::decode(&mut values).ok().map(|id| id.as_str().to_owned());
        Ok(Self(id))
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationInput, OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };

    use super::{RequestLastEventId, ServerSentEvent};
    use crate::openapi::fragments;

    /// One event of the stream, as the WHATWG parser gives it to a client (the schema each
    /// event of a `text/event-stream` body is checked against, as OpenAPI 3.2's `itemSchema`).
    fn event_schema() -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "One server-sent event.",
            "required": ["data"],
            "properties": {
                "data": { "type": "string", "description": "The event's data lines, joined by newlines." },
                "event": { "type": "string", "description": "The event type (`message` when not given)." },
                "id": { "type": "string", "description": "The event id a reconnecting client sends back." },
                "retry": { "type": "integer", "minimum": 0, "description": "The reconnection time, in milliseconds." }
            }
        })
    }

    /// `text/event-stream`, each event an object of `data`, `event`, `id` and `retry`.
    impl<S> OperationOutput for ServerSentEvent<S> {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            let body = fragments::body("text/event-stream", fragments::inline(event_schema()));
            let response = fragments::response("Server-sent events.", [body]);
            Some(fragments::with_header(
                response,
                "X-Accel-Buffering",
                "`no`: proxies must not buffer the stream.",
            ))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(Some(200), r)]).unwrap_or_default()
        }
    }

    /// The optional `Last-Event-ID` header of a reconnecting client.
    impl OperationInput for RequestLastEventId {
        fn operation_input(_: &mut GenContext, operation: &mut Operation) {
            fragments::add_parameters(
                operation,
                [fragments::header_parameter(
                    "Last-Event-ID",
                    "The id of the last event the client received.",
                    false,
                )],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    use axum::body::to_bytes;
    use futures_util::stream;
    use http_body_util::BodyExt;

    use super::*;

    fn frame(message: &Message, defaults: &Defaults) -> String {
        let mut out = String::new();
        message.write(defaults, &mut out);
        out
    }

    #[test]
    fn the_seeds_values_frame_byte_for_byte() {
        let d = Defaults::default();
        assert_eq!(frame(&Message::from(3), &d), "data: 3\n\n");
        assert_eq!(frame(&Message::from("3"), &d), "data: 3\n\n");
        assert_eq!(frame(&Message::from(Bytes::from_static(b"3")), &d), "data: 3\n\n");
        assert_eq!(
            frame(
                &Message::new().data((2 * 3).to_string()).event("event2").retry(Duration::from_millis(10)),
                &d
            ),
            "event: event2\nretry: 10\ndata: 6\n\n"
        );
        assert_eq!(
            frame(
                &Message::new()
                    .event("something-with-comment")
                    .retry(Duration::from_secs(1))
                    .comment("some comment"),
                &d
            ),
            ": some comment\nevent: something-with-comment\nretry: 1000\n\n"
        );
    }

    #[test]
    fn json_values_are_json_not_a_debug_dump() {
        let value = serde_json::json!({"timestamp": 1.5, "counter": 2});
        assert_eq!(
            frame(&Message::from(value.clone()), &Defaults::default()),
            "data: {\"counter\":2,\"timestamp\":1.5}\n\n"
        );
        assert_eq!(
            frame(&Message::new().json(&value), &Defaults::default()),
            "data: {\"counter\":2,\"timestamp\":1.5}\n\n"
        );
    }

    #[test]
    fn cr_lf_cannot_inject_fields() {
        let m = Message::new()
            .event("evil\ndata: injected")
            .id("1\r\nretry: 0")
            .comment("a\nb\r\nc")
            .data("x\r\ny\rz\n");
        assert_eq!(
            frame(&m, &Defaults::default()),
            ": a\n: b\n: c\nevent: evil data: injected\nid: 1  retry: 0\ndata: x\ndata: y\ndata: z\ndata:\n\n"
        );
    }

    #[test]
    fn defaults_apply_to_plain_values_only() {
        let d = Defaults {
            event: Some("tick".into()),
            id: Some("9".into()),
            retry: Some(Duration::from_secs(2)),
        };
        assert_eq!(frame(&Message::from(1), &d), "event: tick\nid: 9\nretry: 2000\ndata: 1\n\n");
        assert_eq!(frame(&Message::new().data("own"), &d), "data: own\n\n");
    }

    #[tokio::test(start_paused = true)]
    async fn keep_alive_comments_fill_quiet_periods_and_events_reset_the_timer() {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
        let events =
            futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) });
        let response = ServerSentEvent::new(events).keep_alive(Duration::from_secs(10)).into_response();
        let mut body = response.into_body();
        // 10 s of quiet: a keep-alive comment.
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first, ":\n\n");
        // 6 s later an event, which resets the timer…
        tokio::time::advance(Duration::from_secs(6)).await;
        tx.send(Message::from("hi")).unwrap();
        assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap(), "data: hi\n\n");
        // …so the next comment comes 10 s after the event, not 4 s.
        let before = Instant::now();
        assert_eq!(body.frame().await.unwrap().unwrap().into_data().unwrap(), ":\n\n");
        assert_eq!(Instant::now() - before, Duration::from_secs(10));
    }

    #[tokio::test]
    async fn errors_end_the_body_and_the_producer_stops_with_the_client() {
        let items: Vec<Result<i32, &str>> = vec![Ok(1), Err("broken")];
        let response = ServerSentEvent::new(stream::iter(items)).into_response();
        assert!(to_bytes(response.into_body(), 1024).await.is_err());

        let dropped = Arc::new(AtomicBool::new(false));
        struct Guard(Arc<AtomicBool>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let guard = Guard(Arc::clone(&dropped));
        let endless = stream::repeat_with(move || {
            let _keep = &guard;
            Message::from(1)
        });
        drop(ServerSentEvent::new(endless).into_response());
        assert!(dropped.load(Ordering::SeqCst));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_or_huge_keep_alive_intervals_neither_spin_nor_panic() {
        let quiet = || futures_util::stream::pending::<Message>();
        let mut zero = ServerSentEvent::new(quiet()).keep_alive(Duration::ZERO).into_response().into_body();
        let polled = tokio::time::timeout(Duration::from_secs(60), zero.frame()).await;
        assert!(polled.is_err(), "no keep-alive at all");
        let mut huge = ServerSentEvent::new(quiet()).keep_alive(Duration::MAX).into_response().into_body();
        assert!(tokio::time::timeout(Duration::from_secs(60), huge.frame()).await.is_err());
    }

    #[tokio::test]
    async fn last_event_id_is_extracted_or_absent() {
        let (mut parts, ()) =
            http::Request::builder().header("last-event-id", "42").body(()).unwrap().into_parts();
        assert_eq!(
            RequestLastEventId::from_request_parts(&mut parts, &()).await.unwrap().0.as_deref(),
            Some("42")
        );
        let (mut parts, ()) = http::Request::new(()).into_parts();
        assert_eq!(RequestLastEventId::from_request_parts(&mut parts, &()).await.unwrap().0, None);
    }
}
