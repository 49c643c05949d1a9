//! The parameter extractors: `page_size`/`current_page`, `limit`/`offset` and
//! `results_per_page`/`cursor`.

use std::borrow::Cow;

use axum::{
    extract::{FromRequestParts, OriginalUri},
    response::{IntoResponse, Response},
};
use http::{StatusCode, request::Parts};
use serde::de::DeserializeOwned;

use super::{Pagination, cursor::CursorCodec};
use crate::problem::FieldError;

crate::macros::rejection! {
    /// Why the pagination parameters of a request were refused: a 400 problem whose `errors`
    /// name each invalid parameter (a bad cursor among them) and its rule, all at once.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum PaginationRejection {
        /// Parameters missing (with no default), repeated, not whole numbers, out of range, or a
        /// cursor this endpoint did not issue.
        #[status = StatusCode::BAD_REQUEST]
        #[body = "invalid pagination parameters"]
        InvalidParameters {
            /// Each invalid parameter, as the client named it, and its rule.
            errors: Vec<FieldError>,
        },
    }
    respond = respond;
}

/// The response of a [`PaginationRejection`]: the problem, with its `errors`.
fn respond(rejection: PaginationRejection) -> Response {
    let mut problem = rejection.problem();
    let PaginationRejection::InvalidParameters { errors } = rejection;
    for FieldError { field, message } in errors {
        problem = problem.with_error(field, message);
    }
    problem.input().into_response()
}

/// The largest `current_page` or `offset`: SQL databases take signed 64-bit offsets.
pub const MAX_POSITION: u64 = i64::MAX as u64;

/// The request's path and the query parameters that are not pagination's, to build links from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LinkBase {
    path: String,
    /// The other query parameters, exactly as the client wrote them, joined by `&`.
    kept: String,
}

impl LinkBase {
    fn new(parts: &Parts, pairs: &[Pair<'_>], ours: &[&str]) -> Self {
        let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |original| &original.0);
        let mut kept = String::new();
        for pair in pairs.iter().filter(|p| !ours.contains(&p.name.as_ref())) {
            if !kept.is_empty() {
                kept.push('&');
            }
            kept.push_str(pair.raw);
        }
        // `//host/x` is a valid request path, but as a link target it names another host.
        let path = uri.path();
        let path = if path.starts_with("//") {
            format!("/{}", path.trim_start_matches('/'))
        } else {
            path.to_owned()
        };
        Self { path, kept }
    }

    #[cfg(test)]
    pub(crate) fn for_tests(path: &str, kept: &str) -> Self {
        Self { path: path.to_owned(), kept: kept.to_owned() }
    }

    /// The request's path.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The path with the kept parameters and then `params`.
    pub(crate) fn url(&self, params: &[(&str, &str)]) -> String {
        let mut url = String::with_capacity(self.path.len() + self.kept.len() + 40);
        url.push_str(&self.path);
        url.push('?');
        url.push_str(&self.kept);
        for (name, value) in params {
            if !url.ends_with('?') {
                url.push('&');
            }
            url.push_str(name);
            url.push('=');
            url.push_str(value);
        }
        url
    }
}

/// One `name=value` pair of the query: decoded name and value, and the raw text.
struct Pair<'a> {
    name: Cow<'a, str>,
    value: Cow<'a, str>,
    raw: &'a str,
}

fn pairs(query: &str) -> Vec<Pair<'_>> {
    query
        .split('&')
        .filter(|raw| !raw.is_empty())
        .filter_map(|raw| {
            let (name, value) = form_urlencoded::parse(raw.as_bytes()).next()?;
            Some(Pair { name, value, raw })
        })
        .collect()
}

/// The value of `name`: `Ok(None)` when absent, an error message when given more than once.
fn single<'a>(pairs: &'a [Pair<'a>], name: &str) -> Result<Option<&'a str>, &'static str> {
    let mut found = pairs.iter().filter(|p| p.name == name);
    match (found.next(), found.next()) {
        (None, _) => Ok(None),
        (Some(p), None) => Ok(Some(&p.value)),
        (Some(_), Some(_)) => Err("must be given once"),
    }
}

/// Collects the invalid fields of one request.
#[derive(Default)]
struct Errors(Vec<(&'static str, String)>);

impl Errors {
    /// Reads the whole number `field`, between `min` and `max`, or `default` when absent.
    fn number(
        &mut self,
        pairs: &[Pair<'_>],
        field: &'static str,
        default: Option<u64>,
        min: u64,
        max: u64,
    ) -> u64 {
        let raw = match single(pairs, field) {
            Ok(raw) => raw,
            Err(message) => return self.fail(field, message.to_owned()),
        };
        let Some(raw) = raw else {
            return match default {
                Some(value) => value,
                None => self.fail(field, "is required".to_owned()),
            };
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match raw.parse::<u64>() {
            Ok(n) if n < min => self.fail(field, format!("must be at least {min}")),
            Ok(n) if n > max => self.fail(field, format!("must be at most {max}")),
            Ok(n) => n,
            // `-0` is no negative number, so "at least 0" would not say what is wrong.
            Err(_) if raw.strip_prefix('-').is_some_and(|d| digits(d) && d.bytes().all(|b| b == b'0')) => {
                self.fail(field, "must be written without a minus sign".to_owned())
            }
            Err(_) if raw.strip_prefix('-').is_some_and(digits) => {
                self.fail(field, format!("must be at least {min}"))
            }
            Err(_) if digits(raw.strip_prefix('+').unwrap_or(raw)) => {
                self.fail(field, format!("must be at most {max}"))
            }
            Err(_) => self.fail(field, "must be a whole number".to_owned()),
        }
    }

    fn fail(&mut self, field: &'static str, message: String) -> u64 {
        self.0.push((field, message));
        0
    }

    fn into_result(self) -> Result<(), PaginationRejection> {
        if self.0.is_empty() {
            return Ok(());
        }
        let errors =
            self.0.into_iter().map(|(field, message)| FieldError { field: field.into(), message }).collect();
        Err(PaginationRejection::InvalidParameters { errors })
    }
}

fn config(parts: &Parts) -> Cow<'_, Pagination> {
    parts.extensions.get::<Pagination>().map_or_else(|| Cow::Owned(Pagination::new()), Cow::Borrowed)
}

/// `page_size` and `current_page` (from 1), for [`ClassicPagination`](super::ClassicPagination).
///
/// `page_size` comes from the query or the level's default and is at most the level's largest
/// size; `current_page` defaults to 1. Anything else is a 400 problem naming each invalid
/// parameter and its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassicParams {
    /// Items per page, at least 1.
    pub page_size: u64,
    /// The page, from 1.
    pub current_page: u64,
    pub(crate) base: Option<LinkBase>,
}

impl ClassicParams {
    /// Parameters that did not come from a request (the page has no `Link` header).
    #[must_use]
    pub fn new(page_size: u64, current_page: u64) -> Self {
        Self { page_size: page_size.max(1), current_page: current_page.max(1), base: None }
    }

    /// How many items come before this page (saturating at `u64::MAX`).
    #[must_use]
    pub const fn offset(&self) -> u64 {
        self.current_page.saturating_sub(1).saturating_mul(self.page_size)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClassicParams {
    type Rejection = PaginationRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, PaginationRejection> {
        let config = config(parts);
        let pairs = pairs(parts.uri.query().unwrap_or(""));
        let mut errors = Errors::default();
        let page_size = errors.number(&pairs, "page_size", config.size_default(), 1, config.max());
        let current_page = errors.number(&pairs, "current_page", Some(1), 1, MAX_POSITION);
        errors.into_result()?;
        let base = LinkBase::new(parts, &pairs, &["page_size", "current_page"]);
        Ok(Self { page_size, current_page, base: Some(base) })
    }
}

/// `limit` and `offset` (from 0), for [`OffsetPagination`](super::OffsetPagination).
///
/// `limit` comes from the query or the level's default and is at most the level's largest
/// size; `offset` defaults to 0. Anything else is a 400 problem naming each invalid parameter
/// and its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetParams {
    /// Items per page, at least 1.
    pub limit: u64,
    /// Items skipped, from 0.
    pub offset: u64,
    pub(crate) base: Option<LinkBase>,
}

impl OffsetParams {
    /// Parameters that did not come from a request (the page has no `Link` header).
    #[must_use]
    pub fn new(limit: u64, offset: u64) -> Self {
        Self { limit: limit.max(1), offset, base: None }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for OffsetParams {
    type Rejection = PaginationRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, PaginationRejection> {
        let config = config(parts);
        let pairs = pairs(parts.uri.query().unwrap_or(""));
        let mut errors = Errors::default();
        let limit = errors.number(&pairs, "limit", config.size_default(), 1, config.max());
        let offset = errors.number(&pairs, "offset", Some(0), 0, MAX_POSITION);
        errors.into_result()?;
        let base = LinkBase::new(parts, &pairs, &["limit", "offset"]);
        Ok(Self { limit, offset, base: Some(base) })
    }
}

/// `results_per_page` and an opaque `cursor`, for [`CursorPagination`](super::CursorPagination).
///
/// `C` is the paginator's cursor value (the last key seen, say). The client gets it back
/// encoded; see the [module docs](super) for the format. A cursor that does not decode to a `C`,
/// or whose tag does not match when the level has a key, is a 400 problem. An absent or empty
/// `cursor` means the first page.
#[derive(Clone, Debug)]
pub struct CursorParams<C> {
    /// Items per page, at least 1.
    pub results_per_page: u64,
    /// Where the page starts: `None` for the first page.
    pub cursor: Option<C>,
    pub(crate) base: Option<LinkBase>,
    pub(crate) codec: CursorCodec,
}

impl<C> CursorParams<C> {
    /// Parameters that did not come from a request: the page has no `Link` header and its
    /// cursor is not signed.
    #[must_use]
    pub fn new(results_per_page: u64, cursor: Option<C>) -> Self {
        Self { results_per_page: results_per_page.max(1), cursor, base: None, codec: CursorCodec::default() }
    }
}

impl<S: Send + Sync, C: DeserializeOwned> FromRequestParts<S> for CursorParams<C> {
    type Rejection = PaginationRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, PaginationRejection> {
        let config = config(parts);
        let pairs = pairs(parts.uri.query().unwrap_or(""));
        let mut errors = Errors::default();
        let results_per_page =
            errors.number(&pairs, "results_per_page", config.size_default(), 1, config.max());
        let base = LinkBase::new(parts, &pairs, &["results_per_page", "cursor"]);
        let codec = CursorCodec { key: config.key().cloned(), scope: base.path().to_owned() };
        let cursor = match single(&pairs, "cursor") {
            Ok(None | Some("")) => None,
            Ok(Some(token)) => match codec.decode(token) {
                Ok(cursor) => Some(cursor),
                Err(e) => {
                    errors.fail("cursor", e.message().to_owned());
                    None
                }
            },
            Err(message) => {
                errors.fail("cursor", message.to_owned());
                None
            }
        };
        errors.into_result()?;
        Ok(Self { results_per_page, cursor, base: Some(base), codec })
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationInput,
        generate::GenContext,
        openapi::{Operation, Parameter, Response},
    };
    use schemars::json_schema;

    use super::{ClassicParams, CursorParams, MAX_POSITION, OffsetParams};
    use crate::{
        openapi::fragments,
        pagination::{DEFAULT_MAX_SIZE, Pagination},
    };

    /// The page size parameter, with the limits of `config`.
    fn size(name: &str, config: &Pagination) -> Parameter {
        let mut schema = json_schema!({ "type": "integer", "minimum": 1, "maximum": config.max() });
        if let Some(default) = config.size_default() {
            schema.insert("default".to_owned(), default.into());
        }
        fragments::query_parameter(name, "Items per page.", schema)
    }

    fn position(name: &str, description: &str, min: u64) -> Parameter {
        let schema =
            json_schema!({ "type": "integer", "minimum": min, "maximum": MAX_POSITION, "default": min });
        fragments::query_parameter(name, description, schema)
    }

    fn invalid() -> Vec<(Option<u16>, Response)> {
        fragments::problems(&[(400, "Invalid pagination parameters: `errors` names each, with its rule.")])
    }

    impl Pagination {
        /// Writes this configuration's default and largest page size into the size
        /// parameters the pagination extractors documented on `operation`: the same value
        /// the layer gives them at run time.
        pub fn document_operation(&self, operation: &mut Operation) {
            for parameter in &mut operation.parameters {
                let aide::openapi::ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = parameter
                else {
                    continue;
                };
                if matches!(parameter_data.name.as_str(), "page_size" | "limit" | "results_per_page") {
                    let name = parameter_data.name.clone();
                    *parameter = aide::openapi::ReferenceOr::Item(size(&name, self));
                }
            }
        }
    }

    /// Without a level's configuration, the extractors' own limits (at most
    /// [`DEFAULT_MAX_SIZE`]); a [`Pagination`] layer documents its own with
    /// [`Pagination::document_operation`].
    fn defaults() -> Pagination {
        Pagination::new().max_size(DEFAULT_MAX_SIZE)
    }

    impl OperationInput for ClassicParams {
        fn operation_input(_: &mut GenContext, operation: &mut Operation) {
            let parameters =
                [size("page_size", &defaults()), position("current_page", "The page, from 1.", 1)];
            fragments::add_parameters(operation, parameters);
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            invalid()
        }
    }

    impl OperationInput for OffsetParams {
        fn operation_input(_: &mut GenContext, operation: &mut Operation) {
            let parameters = [size("limit", &defaults()), position("offset", "Items skipped, from 0.", 0)];
            fragments::add_parameters(operation, parameters);
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            invalid()
        }
    }

    impl<C> OperationInput for CursorParams<C> {
        fn operation_input(_: &mut GenContext, operation: &mut Operation) {
            let cursor = fragments::query_parameter(
                "cursor",
                "The opaque cursor of the previous page; absent or empty for the first page.",
                fragments::string(),
            );
            fragments::add_parameters(operation, [size("results_per_page", &defaults()), cursor]);
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            invalid()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    async fn offset(uri: &str, config: Option<Pagination>) -> Result<OffsetParams, PaginationRejection> {
        let mut request = http::Request::get(uri).body(()).unwrap();
        if let Some(config) = config {
            request.extensions_mut().insert(config);
        }
        let (mut parts, ()) = request.into_parts();
        OffsetParams::from_request_parts(&mut parts, &()).await
    }

    fn fields(rejection: &PaginationRejection) -> Vec<(String, String)> {
        let PaginationRejection::InvalidParameters { errors } = rejection;
        errors.iter().map(|e| (e.field.to_string(), e.message.clone())).collect()
    }

    #[tokio::test]
    async fn each_rule_names_its_field() {
        let cases: &[(&str, &str, &str)] = &[
            ("/p?offset=0", "limit", "is required"),
            ("/p?limit=abc", "limit", "must be a whole number"),
            ("/p?limit=1.5", "limit", "must be a whole number"),
            ("/p?limit=", "limit", "must be a whole number"),
            ("/p?limit=-3", "limit", "must be at least 1"),
            ("/p?limit=0", "limit", "must be at least 1"),
            ("/p?limit=101", "limit", "must be at most 100"),
            ("/p?limit=99999999999999999999999", "limit", "must be at most 100"),
            ("/p?limit=5&limit=6", "limit", "must be given once"),
            ("/p?limit=5&offset=-1", "offset", "must be at least 0"),
            ("/p?limit=5&offset=-0", "offset", "must be written without a minus sign"),
            ("/p?limit=5&offset=-000", "offset", "must be written without a minus sign"),
            ("/p?limit=5&offset=9223372036854775808", "offset", "must be at most 9223372036854775807"),
        ];
        for (uri, field, message) in cases {
            let problem = offset(uri, None).await.unwrap_err();
            assert_eq!(problem.status(), 400, "{uri}");
            assert_eq!(fields(&problem), [((*field).to_owned(), (*message).to_owned())], "{uri}");
        }
        let both = offset("/p?limit=x&offset=y", None).await.unwrap_err();
        assert_eq!(fields(&both).len(), 2);
    }

    #[tokio::test]
    async fn defaults_and_limits_come_from_the_level() {
        let p = offset("/p", Some(Pagination::new().default_size(20))).await.unwrap();
        assert_eq!((p.limit, p.offset), (20, 0));
        let p = offset("/p?limit=%33", Some(Pagination::new().max_size(3))).await.unwrap();
        assert_eq!(p.limit, 3);
        let problem = offset("/p?limit=4", Some(Pagination::new().max_size(3))).await.unwrap_err();
        assert_eq!(fields(&problem)[0].1, "must be at most 3");
        // A default above the largest size is clamped to it.
        let p = offset("/p", Some(Pagination::new().default_size(500))).await.unwrap();
        assert_eq!(p.limit, 100);
    }

    #[tokio::test]
    async fn links_keep_the_other_parameters_as_written() {
        let p = offset("/p?q=a%20b&limit=5&sort=-name&offset=10&&x", None).await.unwrap();
        assert_eq!(
            p.base.unwrap().url(&[("limit", "5"), ("offset", "15")]),
            "/p?q=a%20b&sort=-name&x&limit=5&offset=15"
        );
        let p = offset("/p?limit=5", None).await.unwrap();
        assert_eq!(p.base.unwrap().url(&[("limit", "5")]), "/p?limit=5");
    }

    #[tokio::test]
    async fn links_never_name_another_host() {
        let p = offset("//evil.example/p?limit=5", None).await.unwrap();
        assert_eq!(p.base.unwrap().url(&[("limit", "5")]), "/evil.example/p?limit=5");
    }

    #[test]
    fn classic_offsets_saturate() {
        assert_eq!(ClassicParams::new(10, 3).offset(), 20);
        assert_eq!(ClassicParams::new(u64::MAX, 3).offset(), u64::MAX);
        assert_eq!(ClassicParams::new(0, 0).offset(), 0);
    }

    #[tokio::test]
    async fn the_rejection_is_a_problem_naming_every_field_byte_for_byte() {
        use axum::response::IntoResponse as _;
        let response = offset("/p?limit=x&offset=-1", None).await.unwrap_err().into_response();
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(
            body,
            r#"{"type":"about:blank","title":"Bad Request","status":400,"detail":"invalid pagination parameters","errors":[{"field":"limit","message":"must be a whole number"},{"field":"offset","message":"must be at least 0"}]}"#
        );

        let request = http::Request::get("/p?results_per_page=5&cursor=!!").body(()).unwrap();
        let (mut parts, ()) = request.into_parts();
        let rejection = CursorParams::<u64>::from_request_parts(&mut parts, &()).await.unwrap_err();
        let body = axum::body::to_bytes(rejection.into_response().into_body(), 1024).await.unwrap();
        assert_eq!(
            body,
            r#"{"type":"about:blank","title":"Bad Request","status":400,"detail":"invalid pagination parameters","errors":[{"field":"cursor","message":"is not a cursor this endpoint issued"}]}"#
        );
    }
}
