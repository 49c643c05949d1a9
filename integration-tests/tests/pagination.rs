//! Pagination over real TCP: the showcase's 50 people, and routers built here for the rules
//! the showcase does not reach (no default size, cursors of another route).

#![allow(clippy::unwrap_used, reason = "a failed unwrap in a test is a failing test")]

use std::collections::HashSet;

use axum::{Router, routing::get};
use axum_strata::{
    Strata,
    pagination::{CursorPagination, CursorParams, OffsetPagination, OffsetParams, Pagination},
};
use integration_tests::{RawResponse, raw, request, serve};
use serde_json::{Value, json};

fn header<'a>(r: &'a RawResponse, name: &str) -> &'a str {
    r.header_values(name).first().copied().unwrap_or_else(|| panic!("no {name} in {}", r.head))
}

fn ids(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

/// The `next` target of a `Link` header.
fn next_link(r: &RawResponse) -> Option<String> {
    let link: axum_strata::headers::Link = header(r, "link").parse().unwrap();
    link.find_rel("next").map(|l| l.target().to_owned())
}

fn field_errors(r: &RawResponse) -> Vec<(String, String)> {
    assert_eq!((r.status(), header(r, "content-type")), (400, "application/problem+json"), "{}", r.head);
    r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn classic_pages_have_totals_links_and_an_empty_page_past_the_end() {
    let addr = serve(showcase::app()).await;
    let r = request(addr, "GET", "/seeds/pagination/classic/people?page_size=20&current_page=3", &[]).await;
    assert_eq!(r.status(), 200);
    let body = r.json();
    assert_eq!(
        (body["page_size"].as_u64(), body["current_page"].as_u64(), body["total_pages"].as_u64()),
        (Some(20), Some(3), Some(3))
    );
    assert_eq!(ids(&body).first().map(String::as_str), Some("person-41"));
    assert_eq!(
        ids(&body).len(),
        10,
        "the last of 3 pages holds the 10 left (the seed's round(2.5) loses it)"
    );
    assert_eq!(header(&r, "x-total-count"), "50");
    assert_eq!(
        header(&r, "link"),
        "</seeds/pagination/classic/people?page_size=20&current_page=1>; rel=\"first\", \
         </seeds/pagination/classic/people?page_size=20&current_page=2>; rel=\"prev\", \
         </seeds/pagination/classic/people?page_size=20&current_page=3>; rel=\"last\""
    );
    let past =
        request(addr, "GET", "/seeds/pagination/classic/people?page_size=20&current_page=7", &[]).await;
    assert_eq!(past.status(), 200);
    assert_eq!(past.json()["items"], json!([]));
    assert_eq!(past.json()["total_pages"], 3);
    let default = request(addr, "GET", "/seeds/pagination/classic/people", &[]).await;
    assert_eq!((default.json()["page_size"].as_u64(), ids(&default.json()).len()), (Some(10), 10));
}

#[tokio::test]
async fn offset_pages_keep_other_query_parameters_in_their_links() {
    let addr = serve(showcase::app()).await;
    let r =
        request(addr, "GET", "/seeds/pagination/offset/people?sort=name&limit=10&offset=39&tag=a%26b", &[])
            .await;
    let body = r.json();
    assert_eq!(ids(&body), (40..=49).map(|i| format!("person-{i}")).collect::<Vec<_>>());
    assert_eq!(
        (body["limit"].as_u64(), body["offset"].as_u64(), body["total"].as_u64()),
        (Some(10), Some(39), Some(50))
    );
    assert_eq!(
        next_link(&r).unwrap(),
        "/seeds/pagination/offset/people?sort=name&tag=a%26b&limit=10&offset=49"
    );
    // HEAD has the same headers and no body.
    let head = raw(
        addr,
        "HEAD /seeds/pagination/offset/people?limit=5 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!((head.status(), head.body.len()), (200, 0));
    assert_eq!(header(&head, "x-total-count"), "50");
}

#[tokio::test]
async fn cursor_pages_advance_through_every_person_once() {
    let addr = serve(showcase::app()).await;
    let mut next = Some("/seeds/pagination/cursor/people?results_per_page=7".to_owned());
    let (mut seen, mut pages) = (Vec::new(), 0);
    while let Some(path) = next {
        let r = request(addr, "GET", &path, &[]).await;
        assert_eq!(r.status(), 200, "{path}");
        let body = r.json();
        seen.extend(ids(&body));
        pages += 1;
        next = next_link(&r);
        // The body's cursor and the link's agree; the last page has neither.
        match &next {
            Some(link) => assert!(link.ends_with(&format!("cursor={}", body["cursor"].as_str().unwrap()))),
            None => assert_eq!(body["cursor"], Value::Null),
        }
    }
    assert_eq!(pages, 8);
    assert_eq!(seen, (1..=50).map(|i| format!("person-{i:02}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn bad_parameters_name_their_field_and_rule() {
    let addr = serve(showcase::app()).await;
    for (query, expected) in [
        ("page_size=0", vec![("page_size", "must be at least 1")]),
        ("page_size=51", vec![("page_size", "must be at most 50")]),
        (
            "page_size=x&current_page=-2",
            vec![("page_size", "must be a whole number"), ("current_page", "must be at least 1")],
        ),
        ("current_page=1&current_page=2", vec![("current_page", "must be given once")]),
    ] {
        let r = request(addr, "GET", &format!("/seeds/pagination/classic/people?{query}"), &[]).await;
        let expected: Vec<(String, String)> =
            expected.into_iter().map(|(f, m)| (f.to_owned(), m.to_owned())).collect();
        assert_eq!(field_errors(&r), expected, "{query}");
    }
    // `-0` is refused for its sign, and the message says so.
    let r = request(addr, "GET", "/seeds/pagination/offset/people?limit=5&offset=-0", &[]).await;
    assert_eq!(r.status(), 400);
    assert_eq!(field_errors(&r), [("offset".to_owned(), "must be written without a minus sign".to_owned())]);
}

#[tokio::test]
async fn forged_truncated_and_foreign_cursors_are_refused() {
    let addr = serve(showcase::app()).await;
    let first = request(addr, "GET", "/seeds/pagination/cursor/people?results_per_page=5", &[]).await;
    let cursor = first.json()["cursor"].as_str().unwrap().to_owned();
    let (payload, tag) = cursor.split_once('.').unwrap();
    // A client that guesses the format and points the cursor elsewhere: `"person-40"`.
    let forged = format!("{}.{tag}", "InBlcnNvbi00MCI");
    for bad in [forged, cursor[..cursor.len() - 3].to_owned(), payload.to_owned(), "%%%".to_owned()] {
        let r = request(
            addr,
            "GET",
            &format!("/seeds/pagination/cursor/people?results_per_page=5&cursor={bad}"),
            &[],
        )
        .await;
        let errors = field_errors(&r);
        assert_eq!(errors.len(), 1, "{bad}");
        assert_eq!(errors[0].0, "cursor", "{bad}");
    }
    let good = request(
        addr,
        "GET",
        &format!("/seeds/pagination/cursor/people?results_per_page=5&cursor={cursor}"),
        &[],
    )
    .await;
    assert_eq!(ids(&good.json())[0], "person-06");
}

fn numbers() -> Router {
    async fn list(params: CursorParams<u32>) -> CursorPagination<u32> {
        let start = params.cursor.unwrap_or(0);
        let items: Vec<u32> = (start..start + u32::try_from(params.results_per_page).unwrap()).collect();
        params.page(items, Some(&(start + 3)))
    }
    async fn plain(params: OffsetParams) -> OffsetPagination<u32> {
        params.page(vec![1, 2, 3], 3)
    }
    Router::new()
        .route("/a", get(list))
        .route("/b", get(list))
        .route("/plain", get(plain))
        .route("/small", get(plain).layer(Pagination::new().max_size(2)))
        .layer(Pagination::new().cursor_key(b"0123456789abcdef0123456789abcdef"))
        .layer(Strata::app())
}

#[tokio::test]
async fn a_cursor_of_another_route_is_refused_and_levels_merge() {
    let addr = serve(numbers()).await;
    let a = request(addr, "GET", "/a?results_per_page=3", &[]).await;
    let cursor = a.json()["cursor"].as_str().unwrap().to_owned();
    assert_eq!(
        request(addr, "GET", &format!("/a?results_per_page=3&cursor={cursor}"), &[]).await.json()["items"],
        json!([3, 4, 5])
    );
    let foreign = request(addr, "GET", &format!("/b?results_per_page=3&cursor={cursor}"), &[]).await;
    assert_eq!(field_errors(&foreign)[0].0, "cursor");

    // No level sets a default size here: it is required.
    assert_eq!(
        field_errors(&request(addr, "GET", "/plain", &[]).await),
        [("limit".to_owned(), "is required".to_owned())]
    );
    // The route's own largest size applies, and the router's key is kept.
    assert_eq!(
        field_errors(&request(addr, "GET", "/small?limit=3", &[]).await),
        [("limit".to_owned(), "must be at most 2".to_owned())]
    );
}

#[tokio::test]
async fn pages_are_negotiated_as_messagepack() {
    let addr = serve(showcase::app()).await;
    let r = request(addr, "GET", "/seeds/pagination/offset/people?limit=2", &["accept: application/msgpack"])
        .await;
    assert_eq!(header(&r, "content-type"), "application/msgpack");
    assert!(r.header_values("vary").iter().any(|v| v.eq_ignore_ascii_case("accept")));
    let page: OffsetPagination<showcase::routes::pagination::Person> =
        rmp_serde::from_slice(&r.content()).unwrap();
    assert_eq!((page.items.len(), page.total, page.items[1].id.as_str()), (2, 50, "person-02"));
    assert!(next_link(&r).is_some(), "the Link header comes with every format");
    let unique: HashSet<_> = page.items.iter().map(|p| &p.id).collect();
    assert_eq!(unique.len(), 2);
}
