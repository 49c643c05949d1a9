//! Property tests for every header: encode-then-decode gives the same value, decoding arbitrary
//! bytes never panics, and whatever decodes re-encodes to something that decodes to the same.

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::time::Duration;

use headers::{Header, HeaderName, HeaderValue};
use proptest::{collection::vec, option, prelude::*};
use strata_headers::{
    Accept, CacheControl, ContentDisposition, ETag, EntityTagList, Forwarded, Host, IfMatch, IfNoneMatch,
    IfRange, LastEventId, Link, LinkValue, MaxStale, MediaRange, QValue, Range, RangeSpec, Vary,
};

fn encode<H: Header>(h: &H) -> Vec<HeaderValue> {
    let mut values = Vec::new();
    h.encode(&mut values);
    values
}

fn decode<H: Header>(values: &[HeaderValue]) -> Result<H, headers::Error> {
    H::decode(&mut values.iter())
}

/// Encodes, checks that the result is one line, and decodes it again.
fn round_trip<H: Header + PartialEq + std::fmt::Debug>(h: &H) -> Result<(), TestCaseError> {
    let values = encode(h);
    prop_assert_eq!(values.len(), 1, "one header line for {:?}", h);
    let back: H = decode(&values).map_err(|e| TestCaseError::fail(format!("{h:?} → {values:?}: {e}")))?;
    prop_assert_eq!(&back, h);
    Ok(())
}

/// Decoding must not panic; if it succeeds, the value must re-encode and decode to itself.
fn stable<H: Header + PartialEq + std::fmt::Debug>(values: &[HeaderValue]) -> Result<(), TestCaseError> {
    if let Ok(h) = decode::<H>(values) {
        let again = encode(&h);
        if !again.is_empty() {
            let back: H = decode(&again)
                .map_err(|e| TestCaseError::fail(format!("{values:?} → {h:?} → {again:?}: {e}")))?;
            prop_assert_eq!(back, h, "from {:?} via {:?}", values, again);
        }
    }
    Ok(())
}

/// [`stable`] for every header of the crate.
fn every_header_is_stable(values: &[HeaderValue]) -> Result<(), TestCaseError> {
    stable::<CacheControl>(values)?;
    stable::<ETag>(values)?;
    stable::<IfMatch>(values)?;
    stable::<IfNoneMatch>(values)?;
    stable::<Accept>(values)?;
    stable::<ContentDisposition>(values)?;
    stable::<Link>(values)?;
    stable::<Vary>(values)?;
    stable::<Range>(values)?;
    stable::<IfRange>(values)?;
    stable::<Host>(values)?;
    stable::<Forwarded>(values)?;
    stable::<LastEventId>(values)
}

fn header_name() -> impl Strategy<Value = HeaderName> {
    "[a-z][a-z0-9-]{0,10}".prop_map(|s| HeaderName::from_bytes(s.as_bytes()).unwrap())
}

fn secs() -> impl Strategy<Value = Duration> {
    prop_oneof![0u64..100_000, 0u64..u64::MAX].prop_map(Duration::from_secs)
}

prop_compose! {
    fn cache_control()(
        max_age in option::of(secs()), s_maxage in option::of(secs()),
        swr in option::of(secs()), sie in option::of(secs()), min_fresh in option::of(secs()),
        max_stale in option::of(option::of(secs())),
        no_cache in option::of(vec(header_name(), 0..3)), private in option::of(vec(header_name(), 0..3)),
        flags in vec(any::<bool>(), 8),
        extensions in vec(("x-[a-z0-9]{1,6}", option::of("[ -~]{0,10}")), 0..3),
    ) -> CacheControl {
        let mut cc = CacheControl::new();
        if let Some(d) = max_age { cc = cc.with_max_age(d); }
        if let Some(d) = s_maxage { cc = cc.with_s_maxage(d); }
        if let Some(d) = swr { cc = cc.with_stale_while_revalidate(d); }
        if let Some(d) = sie { cc = cc.with_stale_if_error(d); }
        if let Some(d) = min_fresh { cc = cc.with_min_fresh(d); }
        if let Some(m) = max_stale { cc = cc.with_max_stale(m.map_or(MaxStale::Any, MaxStale::AtMost)); }
        match no_cache { Some(f) if f.is_empty() => cc = cc.with_no_cache(), Some(f) => cc = cc.with_no_cache_fields(f), None => {} }
        match private { Some(f) if f.is_empty() => cc = cc.private(), Some(f) => cc = cc.with_private_fields(f), None => {} }
        let builders: [fn(CacheControl) -> CacheControl; 8] = [
            CacheControl::with_no_store, CacheControl::public, CacheControl::no_transform,
            CacheControl::must_revalidate, CacheControl::proxy_revalidate, CacheControl::must_understand,
            CacheControl::immutable, CacheControl::only_if_cached,
        ];
        for (on, build) in flags.into_iter().zip(builders) {
            if on { cc = build(cc); }
        }
        for (name, value) in extensions {
            cc = cc.with_extension(&name, value.as_deref()).unwrap();
        }
        cc
    }
}

fn etag() -> impl Strategy<Value = ETag> {
    (any::<bool>(), "[!#-~éü€]{0,16}")
        .prop_map(|(weak, tag)| if weak { ETag::weak(tag).unwrap() } else { ETag::strong(tag).unwrap() })
}

fn tag_list() -> impl Strategy<Value = EntityTagList> {
    prop_oneof![Just(EntityTagList::Any), vec(etag(), 1..5).prop_map(EntityTagList::Tags),]
}

fn media_range() -> impl Strategy<Value = MediaRange> {
    let essence = prop_oneof![Just("*/*".to_owned()), "[a-z]{1,8}/\\*", "[a-z]{1,8}/[a-z][a-z0-9.+-]{0,10}",];
    let params = vec(("[a-pr-z][a-z]{0,4}", "[a-z0-9]{1,6}"), 0..3);
    (essence, params, 0u16..=1000).prop_map(|(essence, params, q)| {
        let mut s = essence;
        let mut seen = Vec::new();
        for (n, v) in params {
            if !seen.contains(&n) {
                s.push_str(&format!("; {n}={v}"));
                seen.push(n);
            }
        }
        MediaRange::new(s.parse().unwrap()).unwrap().with_q(QValue::from_thousandths(q).unwrap())
    })
}

fn link_value() -> impl Strategy<Value = LinkValue> {
    (
        "\\PC{0,24}",
        option::of("[a-z]{1,8}( [a-z]{1,8}){0,2}"),
        vec(("[a-qs-z][a-z]{0,5}", "\\PC{0,10}"), 0..3),
    )
        .prop_map(|(target, rel, params)| {
            let mut link = LinkValue::new(target);
            if let Some(rel) = rel {
                link = link.with_rel(&rel);
            }
            for (name, value) in params {
                link = link.with_param(&name, &value).unwrap();
            }
            link
        })
}

fn range_spec() -> impl Strategy<Value = RangeSpec> {
    prop_oneof![
        (any::<u64>(), option::of(any::<u64>()))
            .prop_map(|(a, b)| RangeSpec::Int { first: a.min(b.unwrap_or(a)), last: b.map(|b| b.max(a)) }),
        any::<u64>().prop_map(RangeSpec::Suffix),
    ]
}

/// Text made mostly of the characters header grammars care about, to reach deep parser paths.
fn syntaxy() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 \t,;=\"\\\\*/<>%'W.+:?&#éߺ-]{0,48}"
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hosts_that_parse_keep_their_host_and_port(
        name in "[a-z0-9.-]{1,20}|\\[[0-9a-f:]{2,20}\\]|[!-~]{0,20}",
        port in option::of(0u32..70_000),
    ) {
        let value = port.map_or_else(|| name.clone(), |p| format!("{name}:{p}"));
        if let Ok(host) = Host::new(&value) {
            prop_assert_eq!(host.as_str(), value.as_str());
            prop_assert!(port.is_none_or(|p| host.port() == u16::try_from(p).ok()));
            prop_assert_eq!(format!("{}{}", host.host(), &value[host.host().len()..]), value);
            prop_assert!(!host.host().contains('@') && !host.host().contains('/'));
        } else {
            prop_assert!(port.is_some_and(|p| p > 65_535) || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') || name.is_empty());
        }
    }


    #[test]
    fn cache_control_round_trips(cc in cache_control()) {
        prop_assume!(!cc.is_empty());
        round_trip(&cc)?;
        prop_assert_eq!(cc.to_string().parse::<CacheControl>().unwrap(), cc);
    }

    #[test]
    fn etag_round_trips(tag in etag()) {
        round_trip(&tag)?;
        prop_assert_eq!(ETag::from_header(&tag.to_string()).unwrap(), tag);
    }

    #[test]
    fn the_weak_form_of_a_tag_is_weak_and_weakly_equal(tag in etag()) {
        let weak = tag.clone().into_weak();
        prop_assert!(weak.is_weak());
        prop_assert!(weak.weak_eq(&tag));
        prop_assert_eq!(weak.tag(), tag.tag());
        prop_assert_eq!(ETag::from_header(&weak.to_string()).unwrap(), weak);
    }

    #[test]
    fn if_match_and_if_none_match_round_trip(list in tag_list()) {
        round_trip(&IfMatch(list.clone()))?;
        round_trip(&IfNoneMatch(list.clone()))?;
        prop_assert_eq!(list.to_string().parse::<EntityTagList>().unwrap(), list);
    }

    #[test]
    fn accept_round_trips(ranges in vec(media_range(), 1..6)) {
        round_trip(&Accept::from_ranges(ranges))?;
    }

    #[test]
    fn content_disposition_round_trips(
        inline in any::<bool>(),
        filename in option::of("\\PC{0,24}"),
        params in vec(("[a-eg-z][a-z]{0,5}", "\\PC{0,10}"), 0..3),
    ) {
        let mut cd = if inline { ContentDisposition::inline() } else { ContentDisposition::attachment() };
        if let Some(f) = filename { cd = cd.with_filename(f); }
        for (n, v) in params { cd = cd.with_param(&n, &v).unwrap(); }
        round_trip(&cd)?;
    }

    #[test]
    fn link_round_trips(links in vec(link_value(), 1..4)) {
        round_trip(&Link::from_values(links))?;
    }

    #[test]
    fn vary_round_trips(any in any::<bool>(), fields in vec(header_name(), 1..5)) {
        let vary = if any { Vary::any() } else { Vary::fields(fields) };
        round_trip(&vary)?;
    }

    #[test]
    fn range_round_trips(specs in vec(range_spec(), 1..6), len in any::<u64>()) {
        let range = Range::from_specs(specs.clone()).unwrap();
        round_trip(&range)?;
        prop_assert_eq!(range.specs().collect::<Vec<_>>(), specs);
        for r in range.satisfiable_ranges(len) {
            prop_assert!(r.first() <= r.last() && r.last() < len, "{:?} within {}", r, len);
        }
    }

    #[test]
    fn if_range_round_trips(tag in etag(), secs in 0..253_402_300_800_u64) {
        round_trip(&IfRange::etag(tag))?;
        round_trip(&IfRange::date(std::time::UNIX_EPOCH + Duration::from_secs(secs)))?;
    }

    #[test]
    fn last_event_id_round_trips(id in "\\PC{0,24}") {
        round_trip(&LastEventId::new(id).unwrap())?;
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(lines in vec(vec(any::<u8>(), 0..64), 1..3)) {
        // Bytes a header value cannot hold (controls but tab, DEL) are never handed to a decoder.
        let values: Vec<HeaderValue> = lines
            .into_iter()
            .map(|l| {
                let l: Vec<u8> = l.into_iter().map(|b| if (b < 0x20 && b != b'\t') || b == 0x7f { b' ' } else { b }).collect();
                HeaderValue::from_bytes(&l).unwrap()
            })
            .collect();
        every_header_is_stable(&values)?;
    }

    #[test]
    fn decoding_syntax_heavy_text_never_panics(lines in vec(syntaxy(), 1..3)) {
        let values: Vec<HeaderValue> = lines.iter().filter_map(|l| HeaderValue::from_str(l).ok()).collect();
        prop_assume!(!values.is_empty());
        every_header_is_stable(&values)?;
    }
}
