//! Parsing and formatting cost of the common cases.

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use headers::{Header, HeaderValue};
use strata_headers::{Accept, CacheControl, ETag, IfNoneMatch};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,\
                              image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
const TYPICAL_CACHE_CONTROL: &str = "public, max-age=86400, stale-while-revalidate=60";
const IF_NONE_MATCH: &str = "\"a1b2c3\", W/\"d4e5f6\", \"0123456789abcdef0123456789abcdef\", W/\"v42\"";

fn decode<H: Header>(value: &HeaderValue) -> H {
    H::decode(&mut std::iter::once(value)).expect("the benchmark inputs are valid")
}

fn encode<H: Header>(h: &H) -> HeaderValue {
    let mut v = Vec::with_capacity(1);
    h.encode(&mut v);
    v.pop().expect("the benchmark values encode to one line")
}

fn accept(c: &mut Criterion) {
    let value = HeaderValue::from_static(BROWSER_ACCEPT);
    let offers = [mime::APPLICATION_JSON, "application/msgpack".parse().expect("valid"), mime::TEXT_HTML];
    let parsed: Accept = decode(&value);
    c.bench_function("accept/parse-browser", |b| b.iter(|| decode::<Accept>(black_box(&value))));
    c.bench_function("accept/best-match-browser", |b| {
        b.iter(|| black_box(&parsed).best_match(black_box(&offers)).map(|m| m.subtype().as_str().len()));
    });
}

fn cache_control(c: &mut Criterion) {
    let value = HeaderValue::from_static(TYPICAL_CACHE_CONTROL);
    let built = CacheControl::max_age(Duration::from_secs(86_400))
        .public()
        .with_stale_while_revalidate(Duration::from_secs(60));
    c.bench_function("cache-control/parse-typical", |b| b.iter(|| decode::<CacheControl>(black_box(&value))));
    c.bench_function("cache-control/format-typical", |b| b.iter(|| encode(black_box(&built))));
}

fn etags(c: &mut Criterion) {
    let value = HeaderValue::from_static(IF_NONE_MATCH);
    let current = ETag::weak("v42").expect("valid");
    let parsed: IfNoneMatch = decode(&value);
    c.bench_function("if-none-match/parse-list", |b| b.iter(|| decode::<IfNoneMatch>(black_box(&value))));
    c.bench_function("if-none-match/evaluate-list", |b| {
        b.iter(|| black_box(&parsed).precondition_passes(Some(black_box(&current))));
    });
    c.bench_function("etag/format", |b| b.iter(|| encode(black_box(&current))));
}

criterion_group!(benches, accept, cache_control, etags);
criterion_main!(benches);
