//! Headless Chromium against the showcase: the index page's EventSources receive the seed's
//! events, an EventSource reconnects with `Last-Event-ID` and resumes, and a download of a
//! non-ASCII file name is saved under that name.
//!
//! In CI (`CI` set) Chromium must be there (`.ci/run` installs Debian's `chromium`); elsewhere,
//! without it when the tests were built, the test is reported as ignored (`build.rs` says how).

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, response::Html, routing::get};
use axum_strata::sse::{Message, RequestLastEventId, ServerSentEvent};
use integration_tests::{
    cdp::{Browser, chromium_available},
    serve,
};
use serde_json::json;

const TEST_PAGE: &str = r#"<!doctype html><title>resume</title><script>
window.seen = [];
const source = new EventSource("/test/resume");
source.onmessage = (e) => window.seen.push(e.lastEventId + ":" + e.data);
</script>"#;

/// Sends ids 1 to 3 and ends; a reconnection after id N gets one event "after N" and ends.
fn resume_routes(seen_ids: Arc<Mutex<Vec<Option<String>>>>) -> Router {
    Router::new().route("/test/page", get(|| async { Html(TEST_PAGE) })).route(
        "/test/resume",
        get(move |last: RequestLastEventId| {
            seen_ids.lock().unwrap().push(last.0.clone());
            async move {
                let events: Vec<Message> = match (last.0.as_deref(), last.next_id()) {
                    (Some(seen), Some(next)) => {
                        vec![Message::new().id(next.to_string()).data(format!("after {seen}"))]
                    }
                    _ => ["one", "two", "three"]
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            Message::new().id((i + 1).to_string()).data(*d).retry(Duration::from_millis(100))
                        })
                        .collect(),
                };
                ServerSentEvent::new(futures_util::stream::iter(events))
            }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(any(strata_ci, strata_chromium)),
    ignore = "needs Chromium at /usr/bin/chromium (CI installs it)"
)]
async fn chromium_receives_events_resumes_and_downloads() {
    assert!(
        chromium_available(),
        "{} is missing: CI must install Chromium (.ci/run does); elsewhere, rebuild the tests and this one is ignored",
        integration_tests::cdp::CHROMIUM
    );
    let seen_ids = Arc::new(Mutex::new(Vec::new()));
    let addr = serve(showcase::app().merge(resume_routes(Arc::clone(&seen_ids)))).await;
    let mut browser = Browser::start().await;

    // The index page's live panel: the seed's ten rounds and the API's updates.
    browser.navigate(&format!("http://{addr}/")).await;
    let arrived = browser
        .wait_for(
            "document.querySelectorAll('#count li').length >= 10 && document.querySelectorAll('#events li').length >= 1",
            Duration::from_secs(20),
        )
        .await;
    assert!(arrived, "the index page's EventSources received events");
    let texts =
        browser.eval("Array.from(document.querySelectorAll('#count li')).map(li => li.textContent)").await;
    // The panel keeps the newest 20: plain values (data only) and `event2` messages with data
    // 2 × count, whatever round they are from.
    let texts: Vec<&str> = texts.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.parse::<u32>().is_ok()), "{texts:?}");
    assert!(
        texts
            .iter()
            .filter_map(|t| t.strip_prefix("event2: "))
            .any(|n| n.parse::<u32>().is_ok_and(|n| n % 2 == 0)),
        "{texts:?}"
    );
    let update = browser.eval("document.querySelector('#events li').textContent").await;
    assert!(update.as_str().unwrap().starts_with("update: {\"counter\":"), "{update}");

    // Reconnection with Last-Event-ID.
    browser.navigate(&format!("http://{addr}/test/page")).await;
    let resumed =
        browser.wait_for("window.seen && window.seen.includes('4:after 3')", Duration::from_secs(20)).await;
    let seen = browser.eval("window.seen").await;
    assert!(resumed, "the EventSource resumed after id 3: {seen}");
    assert_eq!(
        seen.as_array().unwrap()[..4],
        [json!("1:one"), json!("2:two"), json!("3:three"), json!("4:after 3")]
    );
    let ids = seen_ids.lock().unwrap().clone();
    assert_eq!(ids[0], None);
    assert_eq!(ids[1].as_deref(), Some("3"), "{ids:?}");

    // A download with a non-ASCII name is saved under it.
    let downloads = browser.dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    browser
        .call(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": downloads.to_str().unwrap()}),
            false,
        )
        .await;
    browser.navigate(&format!("http://{addr}/seeds/api/download/r%C3%A9sum%C3%A9%202024.txt")).await;
    let saved = downloads.join("résumé 2024.txt");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !saved.exists() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let names: Vec<_> = std::fs::read_dir(&downloads).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(saved.exists(), "saved files: {names:?}");
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), "Ada Lovelace\nAnalyst\n");
    let _ = std::fs::remove_dir_all(&browser.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(any(strata_ci, strata_chromium)),
    ignore = "needs Chromium at /usr/bin/chromium (CI installs it)"
)]
async fn chromium_lists_the_seed_operations_at_schema() {
    assert!(
        chromium_available(),
        "{} is missing: CI must install Chromium (.ci/run does)",
        integration_tests::cdp::CHROMIUM
    );
    let addr = serve(showcase::app()).await;
    let mut browser = Browser::start().await;
    browser.navigate(&format!("http://{addr}/schema")).await;
    // Swagger UI (inlined: the page needs no network) renders one block per operation.
    let listed = browser
        .wait_for("document.querySelectorAll('.opblock-summary-path').length >= 20", Duration::from_secs(20))
        .await;
    let paths = browser
        .eval("Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.textContent)")
        .await;
    assert!(listed, "Swagger UI listed the operations: {paths}");
    let paths: Vec<String> =
        paths.as_array().unwrap().iter().map(|p| p.as_str().unwrap().replace('\u{200b}', "")).collect();
    for path in [
        "/seeds/dynamic-headers/resources",
        "/seeds/pagination/cursor/people",
        "/seeds/handlers/resources/{pk}",
    ] {
        assert!(paths.iter().any(|p| p == path), "{path} in {paths:?}");
    }
    let _ = std::fs::remove_dir_all(&browser.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(any(strata_ci, strata_chromium)),
    ignore = "needs Chromium at /usr/bin/chromium (CI installs it)"
)]
async fn chromium_receives_the_json_message_of_the_websocket_seed() {
    assert!(
        chromium_available(),
        "{} is missing: CI must install Chromium (.ci/run does)",
        integration_tests::cdp::CHROMIUM
    );
    let addr = serve(showcase::app()).await;
    let mut browser = Browser::start().await;
    browser.navigate(&format!("http://{addr}/")).await;
    browser
        .eval(&format!(
            "window.__ws = []; const s = new WebSocket('ws://{addr}/seeds/websocket/socket'); \
             s.onmessage = (e) => window.__ws.push(e.data); \
             s.onclose = (e) => window.__ws.push('closed ' + e.code); true"
        ))
        .await;
    let done = browser.wait_for("window.__ws.length >= 2", Duration::from_secs(20)).await;
    let received = browser.eval("window.__ws").await;
    assert!(done, "{received}");
    assert_eq!(received, serde_json::json!([r#"{"hello":"world"}"#, "closed 1000"]));
    let _ = std::fs::remove_dir_all(&browser.dir);
}
