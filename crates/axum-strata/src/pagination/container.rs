//! The three page containers, with Litestar's field names, and their responses.

use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use strata_headers::{Link, LinkValue, headers::HeaderMapExt};

use super::params::{ClassicParams, CursorParams, LinkBase, OffsetParams};
use crate::{negotiation::Negotiated, problem::Problem};

/// The header that carries the total number of items, where it is known.
pub const X_TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

/// What the response adds to the body: the request to link from, and the total.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Extra {
    base: Option<LinkBase>,
    total: Option<u64>,
    /// The next cursor could not be encoded: the response is a 500 problem.
    unencodable: bool,
}

impl Extra {
    fn respond<T: Serialize + Send + Sync + 'static>(self, body: T, link: Link) -> Response {
        if self.unencodable {
            return Problem::new(http::StatusCode::INTERNAL_SERVER_ERROR)
                .with_detail("the next page's cursor could not be encoded")
                .into_response();
        }
        let mut response = Negotiated(body).into_response();
        let headers = response.headers_mut();
        if !link.is_empty() {
            headers.typed_insert(link);
        }
        if let Some(total) = self.total {
            headers.insert(X_TOTAL_COUNT, HeaderValue::from(total));
        }
        response
    }
}

/// One link of a page's `Link` header.
fn link(rel: &str, target: &str) -> LinkValue {
    LinkValue::new(target).with_rel(rel)
}

/// A page of classic pagination: `items`, `page_size`, `current_page` (from 1) and
/// `total_pages`.
///
/// As a response it is sent like [`Negotiated`] (JSON, or what the closest negotiation level
/// picks), with a `Link` header (`first`, `prev`, `next`, `last`) and `X-Total-Count` when it
/// came from request parameters. A page past the end has no items and the real totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[must_use]
pub struct ClassicPagination<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// Items per page.
    pub page_size: u64,
    /// This page, from 1.
    pub current_page: u64,
    /// How many pages there are (0 when there are no items).
    pub total_pages: u64,
    #[serde(skip)]
    extra: Extra,
}

impl<T> ClassicPagination<T> {
    /// The same page with each item turned into another (rows into what clients see, say),
    /// keeping its links.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ClassicPagination<U> {
        ClassicPagination {
            items: self.items.into_iter().map(f).collect(),
            page_size: self.page_size,
            current_page: self.current_page,
            total_pages: self.total_pages,
            extra: self.extra,
        }
    }

    /// A page with these values and no `Link` header.
    pub fn new(items: Vec<T>, page_size: u64, current_page: u64, total_pages: u64) -> Self {
        Self { items, page_size, current_page, total_pages, extra: Extra::default() }
    }

    fn links(&self) -> Link {
        let Some(base) = &self.extra.base else { return Link::new() };
        let size = self.page_size.to_string();
        let page = |n: u64| base.url(&[("page_size", &size), ("current_page", &n.to_string())]);
        let last = self.total_pages.max(1);
        let mut links = Link::new().with(link("first", &page(1)));
        if self.current_page > 1 {
            links.push(link("prev", &page((self.current_page - 1).min(last))));
        }
        if self.current_page < self.total_pages {
            links.push(link("next", &page(self.current_page + 1)));
        }
        links.with(link("last", &page(last)))
    }
}

impl ClassicParams {
    /// The page of `items` (this page's, at most `page_size`) out of `total_items`.
    pub fn page<T>(&self, items: Vec<T>, total_items: u64) -> ClassicPagination<T> {
        let total_pages = total_items.div_ceil(self.page_size.max(1));
        ClassicPagination {
            items,
            page_size: self.page_size,
            current_page: self.current_page,
            total_pages,
            extra: Extra { base: self.base.clone(), total: Some(total_items), unencodable: false },
        }
    }
}

impl<T: Serialize + Send + Sync + 'static> IntoResponse for ClassicPagination<T> {
    fn into_response(mut self) -> Response {
        let links = self.links();
        let mut extra = std::mem::take(&mut self.extra);
        // Only a total that still agrees with the body's page count is sent.
        extra.total = extra.total.filter(|total| total.div_ceil(self.page_size.max(1)) == self.total_pages);
        extra.respond(self, links)
    }
}

/// A page of limit/offset pagination: `items`, `limit`, `offset` and `total`.
///
/// As a response it is sent like [`Negotiated`], with a `Link` header (`first`, `prev`,
/// `next`, `last`; `last` starts the last page of the same stride as this one) and
/// `X-Total-Count` when it came from request parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[must_use]
pub struct OffsetPagination<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// Items per page.
    pub limit: u64,
    /// Items skipped before this page.
    pub offset: u64,
    /// How many items there are.
    pub total: u64,
    #[serde(skip)]
    extra: Extra,
}

impl<T> OffsetPagination<T> {
    /// The same page with each item turned into another (rows into what clients see, say),
    /// keeping its links.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> OffsetPagination<U> {
        OffsetPagination {
            items: self.items.into_iter().map(f).collect(),
            limit: self.limit,
            offset: self.offset,
            total: self.total,
            extra: self.extra,
        }
    }

    /// A page with these values and no `Link` header.
    pub fn new(items: Vec<T>, limit: u64, offset: u64, total: u64) -> Self {
        Self { items, limit, offset, total, extra: Extra::default() }
    }

    fn links(&self) -> Link {
        let Some(base) = &self.extra.base else { return Link::new() };
        let (limit, offset, total) = (self.limit.max(1), self.offset, self.total);
        let limit_text = limit.to_string();
        let at = |n: u64| base.url(&[("limit", &limit_text), ("offset", &n.to_string())]);
        // The last offset of this page's stride that still has items.
        let stride = offset % limit;
        let last = if total > stride { stride + (total - 1 - stride) / limit * limit } else { 0 };
        let mut links = Link::new().with(link("first", &at(0)));
        if offset > 0 {
            links.push(link("prev", &at(offset.saturating_sub(limit).min(last))));
        }
        if offset.saturating_add(limit) < total {
            links.push(link("next", &at(offset + limit)));
        }
        links.with(link("last", &at(last)))
    }
}

impl OffsetParams {
    /// The page of `items` (this page's, at most `limit`) out of `total`.
    pub fn page<T>(&self, items: Vec<T>, total: u64) -> OffsetPagination<T> {
        OffsetPagination {
            items,
            limit: self.limit,
            offset: self.offset,
            total,
            extra: Extra { base: self.base.clone(), total: Some(total), unencodable: false },
        }
    }
}

impl<T: Serialize + Send + Sync + 'static> IntoResponse for OffsetPagination<T> {
    fn into_response(mut self) -> Response {
        let links = self.links();
        let mut extra = std::mem::take(&mut self.extra);
        // The header says what the body says, even if a handler changed `total`.
        extra.total = extra.total.map(|_| self.total);
        extra.respond(self, links)
    }
}

/// A page of cursor pagination: `items`, `results_per_page` and `cursor`, the opaque cursor of
/// the next page (`null` after the last one).
///
/// As a response it is sent like [`Negotiated`], with a `Link` header (`first`, and `next`
/// while there is a next page) when it came from request parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[must_use]
pub struct CursorPagination<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// Items per page.
    pub results_per_page: u64,
    /// The next page's cursor, to send back as `cursor`; `None` after the last page.
    pub cursor: Option<String>,
    #[serde(skip)]
    extra: Extra,
}

impl<T> CursorPagination<T> {
    /// The same page with each item turned into another (rows into what clients see, say),
    /// keeping its links.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> CursorPagination<U> {
        CursorPagination {
            items: self.items.into_iter().map(f).collect(),
            results_per_page: self.results_per_page,
            cursor: self.cursor,
            extra: self.extra,
        }
    }

    /// A page with these values and no `Link` header.
    pub fn new(items: Vec<T>, results_per_page: u64, cursor: Option<String>) -> Self {
        Self { items, results_per_page, cursor, extra: Extra::default() }
    }

    fn links(&self) -> Link {
        let Some(base) = &self.extra.base else { return Link::new() };
        let size = self.results_per_page.to_string();
        let mut links = Link::new().with(link("first", &base.url(&[("results_per_page", &size)])));
        if let Some(cursor) = &self.cursor {
            links.push(link("next", &base.url(&[("results_per_page", &size), ("cursor", cursor)])));
        }
        links
    }
}

impl<C: Serialize> CursorParams<C> {
    /// The page of `items`, followed by the page that starts at `next` (`None`: this is the
    /// last page). `next` is encoded, and signed when the level has a key.
    pub fn page<T>(&self, items: Vec<T>, next: Option<&C>) -> CursorPagination<T> {
        let mut extra = Extra { base: self.base.clone(), total: None, unencodable: false };
        let cursor = next.and_then(|next| match self.codec.encode(next) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::error!("a pagination cursor could not be serialized: {e}");
                extra.unencodable = true;
                None
            }
        });
        CursorPagination { items, results_per_page: self.results_per_page, cursor, extra }
    }
}

impl<T: Serialize + Send + Sync + 'static> IntoResponse for CursorPagination<T> {
    fn into_response(mut self) -> Response {
        let links = self.links();
        let extra = std::mem::take(&mut self.extra);
        extra.respond(self, links)
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };
    use schemars::JsonSchema;

    use super::{ClassicPagination, CursorPagination, OffsetPagination};
    use crate::openapi::fragments;

    /// The page in JSON (the closest negotiating level adds its formats), with `Link` and
    /// `X-Total-Count`.
    fn page<P: JsonSchema>(ctx: &mut GenContext, total: bool) -> Response {
        let body = fragments::body("application/json", fragments::schema_of::<P>(ctx));
        let mut response = fragments::response("A page of items.", [body]);
        response = fragments::with_header(
            response,
            "Link",
            "RFC 8288 links to the first, previous, next and last pages, where known.",
        );
        if total {
            response = fragments::with_header(response, "X-Total-Count", "The number of items in all pages.");
        }
        fragments::negotiated(response)
    }

    macro_rules! container {
        ($($container:ident, $total:expr;)*) => {$(
            impl<T: JsonSchema> OperationOutput for $container<T> {
                type Inner = Self;

                fn operation_response(ctx: &mut GenContext, _: &mut Operation) -> Option<Response> {
                    Some(page::<Self>(ctx, $total))
                }

                fn inferred_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
                    vec![(Some(200), page::<Self>(ctx, $total))]
                }
            }
        )*};
    }

    container! {
        ClassicPagination, true;
        OffsetPagination, true;
        CursorPagination, false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each link's relation type and target.
    fn rels(link: &Link) -> Vec<(&str, &str)> {
        link.values().map(|l| (l.rel().unwrap_or_default(), l.target())).collect()
    }

    fn base() -> Option<LinkBase> {
        Some(LinkBase::for_tests("/people", "q=x"))
    }

    #[test]
    fn classic_links() {
        let mut params = ClassicParams::new(20, 2);
        params.base = base();
        let page = params.page(vec![0; 20], 50);
        assert_eq!(page.total_pages, 3, "50 items in pages of 20 make 3 pages, not round(2.5)");
        assert_eq!(
            rels(&page.links()),
            [
                ("first", "/people?q=x&page_size=20&current_page=1"),
                ("prev", "/people?q=x&page_size=20&current_page=1"),
                ("next", "/people?q=x&page_size=20&current_page=3"),
                ("last", "/people?q=x&page_size=20&current_page=3"),
            ]
        );
        params.current_page = 9;
        let past = params.page(Vec::<u8>::new(), 50);
        assert_eq!(
            rels(&past.links()),
            [
                ("first", "/people?q=x&page_size=20&current_page=1"),
                ("prev", "/people?q=x&page_size=20&current_page=3"),
                ("last", "/people?q=x&page_size=20&current_page=3")
            ]
        );
        let empty = params.page(Vec::<u8>::new(), 0);
        assert_eq!(empty.total_pages, 0);
    }

    #[test]
    fn offset_links_follow_the_stride() {
        let mut params = OffsetParams::new(10, 5);
        params.base = base();
        assert_eq!(
            rels(&params.page(vec![0; 10], 50).links()),
            [
                ("first", "/people?q=x&limit=10&offset=0"),
                ("prev", "/people?q=x&limit=10&offset=0"),
                ("next", "/people?q=x&limit=10&offset=15"),
                ("last", "/people?q=x&limit=10&offset=45"),
            ]
        );
        params.offset = 40;
        assert_eq!(
            rels(&params.page(vec![0; 10], 50).links()),
            [
                ("first", "/people?q=x&limit=10&offset=0"),
                ("prev", "/people?q=x&limit=10&offset=30"),
                ("last", "/people?q=x&limit=10&offset=40")
            ]
        );
        params.offset = 500;
        let past = params.page(Vec::<u8>::new(), 50);
        assert_eq!(rels(&past.links())[1], ("prev", "/people?q=x&limit=10&offset=40"));
        params.offset = u64::MAX;
        let far = params.page(Vec::<u8>::new(), 50);
        assert_eq!(far.links().values().len(), 3);
        params.offset = 0;
        let none = params.page(Vec::<u8>::new(), 0);
        assert_eq!(
            rels(&none.links()),
            [("first", "/people?q=x&limit=10&offset=0"), ("last", "/people?q=x&limit=10&offset=0")]
        );
    }

    #[test]
    fn pages_without_a_request_have_no_links() {
        assert!(OffsetParams::new(10, 0).page(vec![1], 1).links().is_empty());
        assert!(ClassicParams::new(10, 1).page(vec![1], 1).links().is_empty());
    }

    #[test]
    fn the_link_header_is_written_byte_for_byte() {
        let mut params = OffsetParams::new(2, 2);
        params.base = Some(LinkBase::for_tests("/a b", "q=x"));
        let response = params.page(vec![1, 2], 5).into_response();
        assert_eq!(
            response.headers()["link"],
            "</a%20b?q=x&limit=2&offset=0>; rel=\"first\", </a%20b?q=x&limit=2&offset=0>; rel=\"prev\", \
             </a%20b?q=x&limit=2&offset=4>; rel=\"next\", </a%20b?q=x&limit=2&offset=4>; rel=\"last\""
        );
        assert_eq!(response.headers().get_all("link").iter().count(), 1);
        assert_eq!(response.headers()[X_TOTAL_COUNT], "5");
        let response = OffsetPagination::new(vec![1], 2, 0, 1).into_response();
        assert!(response.headers().get("link").is_none(), "no request, no links");
    }
}
