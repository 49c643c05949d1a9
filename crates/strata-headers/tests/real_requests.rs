//! Header lines that browsers and common tools really send (`test-files/browser-requests.txt`)
//! all decode, and mean what they should.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use headers::{Header, HeaderValue};
use strata_headers::{Accept, CacheControl, IfMatch, IfNoneMatch, LastEventId, mime};

const FIXTURE: &str = include_str!("../../../test-files/browser-requests.txt");

fn lines(name: &str) -> Vec<HeaderValue> {
    FIXTURE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| HeaderValue::from_str(v).unwrap())
        .collect()
}

fn decode_each<H: Header>(name: &str) -> Vec<H> {
    let values = lines(name);
    assert!(!values.is_empty(), "the fixture has {name} lines");
    values
        .iter()
        .map(|v| H::decode(&mut std::iter::once(v)).unwrap_or_else(|e| panic!("{name}: {v:?}: {e}")))
        .collect()
}

#[test]
fn browser_accepts_prefer_html_over_json_and_all_accept_json() {
    let accepts = decode_each::<Accept>("accept");
    let html_first = [mime::APPLICATION_JSON, mime::TEXT_HTML];
    // The two navigation Accepts of browsers prefer HTML…
    for accept in &accepts[..2] {
        assert_eq!(accept.best_match(&html_first), Some(&mime::TEXT_HTML));
    }
    // …and every line accepts JSON except the EventSource one, which accepts only events.
    for accept in &accepts[..4] {
        assert!(accept.accepts(&mime::APPLICATION_JSON));
    }
    assert!(!accepts[4].accepts(&mime::APPLICATION_JSON));
    assert!(accepts[4].accepts(&mime::TEXT_EVENT_STREAM));
}

#[test]
fn reload_cache_controls_decode() {
    let ccs = decode_each::<CacheControl>("cache-control");
    assert_eq!(ccs[0].get_max_age(), Some(std::time::Duration::ZERO));
    assert!(ccs[1].is_no_cache());
}

#[test]
fn conditional_headers_decode() {
    let inms = decode_each::<IfNoneMatch>("if-none-match");
    assert!(inms[0].list().tags()[0].is_weak());
    assert_eq!(inms[1].list().tags()[0].tag(), "33a64df551425fcc55e4d42a148795d9f25f89d4");
    let ims = decode_each::<IfMatch>("if-match");
    assert_eq!(ims[0].list().tags().len(), 3);
    assert_eq!(decode_each::<LastEventId>("last-event-id")[0].as_str(), "42");
}
