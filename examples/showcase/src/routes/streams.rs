//! Seed 000, "Streaming" and "Server-sent events": an endless stream of the current time, and
//! the ten-round event generator.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::{Router, routing::get};
use axum_strata::{
    sse::{Message, ServerSentEvent},
    stream::JsonLines,
};
use bytes::Bytes;
use serde_json::json;

/// The current UTC time as RFC 3339 with microseconds (what Litestar's `encode_json` makes of a
/// `datetime`), without a date crate: days to civil date after Howard Hinnant's algorithm.
#[must_use]
pub fn now_rfc3339() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let z = days.cast_signed() + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        now.subsec_micros()
    )
}

/// `/seeds/stream`: `GET /time` streams `{"current_time": …}` every 10 ms, one JSON value a
/// line, until the client goes away.
pub fn stream() -> Router {
    Router::new().route(
        "/time",
        get(|| async {
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
pub fn sse() -> Router {
    Router::new().route(
        "/count",
        get(|| async {
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
