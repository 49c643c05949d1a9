//! Seed 000, "Streaming" and "Server-sent events": an endless stream of the current time, and
//! the ten-round event generator.

use std::time::Duration;

use axum_strata::{
    openapi::aide::axum::{ApiRouter, routing as api},
    sse::{Message, ServerSentEvent},
    stream::JsonLines,
};
use bytes::Bytes;
use serde_json::json;

/// The current UTC time as RFC 3339 with microseconds (what Litestar's `encode_json` makes of a
/// `datetime`).
#[must_use]
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

/// `/seeds/stream`: `GET /time` streams `{"current_time": …}` every 10 ms, one JSON value a
/// line, until the client goes away.
pub fn stream() -> ApiRouter {
    ApiRouter::new().api_route(
        "/time",
        api::get(|| async {
            JsonLines::new(async_stream::stream! {
                loop {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    yield json!({ "current_time": now_rfc3339() });
                }
            })
        }),
    )
}

/// `/seeds/sse`: `GET /count`, ten rounds of an integer, a string, bytes, a message with data
/// `2 × count`, event `event2` and retry 10 ms, and a message with a comment.
pub fn sse() -> ApiRouter {
    ApiRouter::new().api_route(
        "/count",
        api::get(|| async {
            ServerSentEvent::new(async_stream::stream! {
                let mut count = 0;
                while count < 10 {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    count += 1;
                    yield Message::from(count);
                    yield Message::from(count.to_string());
                    yield Message::from(Bytes::from(count.to_string()));
                    yield Message::new().data((2 * count).to_string()).event("event2").retry(Duration::from_millis(10));
                    yield Message::new()
                        .event("something-with-comment")
                        .retry(Duration::from_millis(1000))
                        .comment("some comment");
                }
            })
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_has_the_right_shape_and_year() {
        let now = now_rfc3339();
        assert_eq!(now.len(), "2026-11-21T14:59:01.123456Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T', "{now}");
        let year: i32 = now[..4].parse().unwrap();
        assert!((2024..3000).contains(&year), "{now}");
    }
}
