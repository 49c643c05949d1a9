//! Optimistic concurrency for `PUT`, `PATCH` and `DELETE`: the `Precondition` extractor.
//!
//! A layer cannot answer 412 for an unsafe method: by the time it sees the response, the
//! handler has already made the change. The handler itself checks the client's `If-Match` /
//! `If-Unmodified-Since` against the resource's current version *before* changing it, and
//! answers 412 Precondition Failed (a problem response carrying the current `ETag`) when the
//! client's copy is stale, or 428 Precondition Required when the application demands a
//! precondition and the client sent none. Malformed dates are ignored (RFC 9110 §13.1.3,
//! §13.1.4), but a malformed `If-Match` on an unsafe method fails the precondition: the client
//! meant the change to be conditional (a common mistake is a tag without its quotes), and
//! going ahead unconditionally could overwrite someone else's change.
//!
//! Existence comes first: when the resource is missing, the answer is 404 whatever the
//! preconditions say (RFC 9110 §13.2.1 ignores them when the response without them would not
//! be a 2xx). [`Precondition::check_existing`] takes the current representation as an `Option`
//! and says "not found" with `Ok(None)`, so the order is the one the types give.
//!
//! ```
//! use std::{collections::HashMap, sync::{Arc, Mutex}};
//! use axum::{Router, body::Body, extract::{Path, State}, http::{Request, StatusCode}, response::{IntoResponse, Response}, routing::put};
//! use axum_strata::{headers::ETag, precondition::Precondition};
//! use tower::ServiceExt;
//!
//! /// Item id → version.
//! type Items = Arc<Mutex<HashMap<u32, u64>>>;
//!
//! async fn replace(State(items): State<Items>, Path(id): Path<u32>, precondition: Precondition) -> Response {
//!     let mut items = items.lock().unwrap();
//!     let tag = |version: &&mut u64| ETag::strong(version.to_string()).unwrap();
//!     match precondition.check_existing(items.get_mut(&id), tag) {
//!         Ok(None) => StatusCode::NOT_FOUND.into_response(), // existence first
//!         Err(stale) => stale.into_response(),                // 412, with the current ETag
//!         Ok(Some(version)) => match precondition.require() {
//!             Err(required) => required.into_response(),      // 428 without If-Match
//!             Ok(_) => {
//!                 *version += 1;
//!                 StatusCode::NO_CONTENT.into_response()
//!             }
//!         },
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let items: Items = Arc::new(Mutex::new(HashMap::from([(1, 1)])));
//! let app: Router = Router::new().route("/items/{id}", put(replace)).with_state(items);
//! let put = |path: &str, if_match: Option<&str>| {
//!     let request = Request::put(path);
//!     let request = match if_match { Some(tag) => request.header("if-match", tag), None => request };
//!     request.body(Body::from("new")).unwrap()
//! };
//! let status = |request: Request<Body>| async { app.clone().oneshot(request).await.unwrap().status() };
//! assert_eq!(status(put("/items/1", None)).await, 428);
//! assert_eq!(status(put("/items/1", Some("\"1\""))).await, 204);
//! assert_eq!(status(put("/items/9", Some("\"1\""))).await, 404, "no item 9: not a 412");
//! // The client's copy is stale now: 412, with the current ETag.
//! let stale = app.clone().oneshot(put("/items/1", Some("\"1\""))).await.unwrap();
//! assert_eq!(stale.status(), 412);
//! assert_eq!(stale.headers()["etag"], "\"2\"");
//! # }
//! ```

use std::{
    convert::Infallible,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Body,
    extract::FromRequestParts,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, Method, StatusCode, header, request::Parts};
use strata_headers::ETag;
use strata_tower::conditional::{Outcome, Representation, RequestConditions};

use crate::body::NoBody;

/// The preconditions of a request, to check against the current version of the resource.
/// Extracting it never fails.
#[derive(Clone, Debug)]
pub struct Precondition {
    method: Method,
    conditions: RequestConditions,
    /// `If-Match` was sent but does not parse.
    malformed_if_match: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Precondition {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let conditions = RequestConditions::from_headers(&parts.headers);
        let malformed_if_match =
            conditions.if_match().is_none() && parts.headers.contains_key(header::IF_MATCH);
        Ok(Self { method: parts.method.clone(), conditions, malformed_if_match })
    }
}

impl Precondition {
    /// Demands a precondition: 428 Precondition Required unless the request has `If-Match` or
    /// `If-Unmodified-Since`.
    ///
    /// # Errors
    ///
    /// [`PreconditionRejection::Required`] when neither header is there (or both are malformed).
    pub fn require(&self) -> Result<&Self, PreconditionRejection> {
        if self.conditions.has_change_precondition() || self.malformed_if_match {
            Ok(self)
        } else {
            Err(PreconditionRejection::Required)
        }
    }

    /// Checks the preconditions against a resource that may be missing, existence first: `Ok(None)`
    /// when `current` is `None` (answer your 404: RFC 9110 §13.2.1 has the preconditions ignored
    /// when the response without them would not be a 2xx), `Ok(Some(current))` when it exists
    /// and they hold, and the rejection when it exists and they do not. `etag` gives the entity
    /// tag of the current representation.
    ///
    /// This is the check for a `GET`, `PUT`, `PATCH` or `DELETE` of a resource that is a 404
    /// when missing. Where the request succeeds on a missing resource too (a `PUT` that creates
    /// it, guarded by `If-None-Match: *`), use [`check`](Self::check) with `None`.
    ///
    /// ```
    /// # use axum::http::Request;
    /// # use axum::extract::FromRequestParts;
    /// use axum_strata::{headers::ETag, precondition::Precondition};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let (mut parts, ()) = Request::delete("/items/7").header("if-match", "\"v1\"").body(()).unwrap().into_parts();
    /// # let Ok(precondition) = Precondition::from_request_parts(&mut parts, &()).await;
    /// let tag = |version: &u64| ETag::strong(format!("v{version}")).unwrap();
    /// // The item is gone: not a 412 but "not found", whatever `If-Match` says.
    /// assert!(matches!(precondition.check_existing(None, tag), Ok(None)));
    /// assert!(matches!(precondition.check_existing(Some(1), tag), Ok(Some(1))));
    /// assert!(precondition.check_existing(Some(2), tag).is_err()); // 412, with ETag "v2"
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check), only when `current` is `Some`.
    pub fn check_existing<T>(
        &self,
        current: Option<T>,
        etag: impl FnOnce(&T) -> ETag,
    ) -> Result<Option<T>, PreconditionRejection> {
        let Some(current) = current else {
            return Ok(None);
        };
        self.check(Some(&etag(&current)))?;
        Ok(Some(current))
    }

    /// Checks the preconditions against the current entity tag (`None`: the resource does not
    /// exist, and the request would succeed without it, as a `PUT` that creates it; for a
    /// resource that is a 404 when missing, use [`check_existing`](Self::check_existing)).
    ///
    /// # Errors
    ///
    /// [`PreconditionRejection::Failed`] (412) when they do not hold, or
    /// [`PreconditionRejection::NotModified`] (304) for a `GET`/`HEAD` whose `If-None-Match`
    /// matches.
    pub fn check(&self, current: Option<&ETag>) -> Result<(), PreconditionRejection> {
        self.check_representation(
            current.map(|etag| Representation { etag: Some(etag), last_modified: None }),
        )
    }

    /// Checks the preconditions against the current representation's tag and modification
    /// time (`None`: the resource does not exist).
    ///
    /// # Errors
    ///
    /// As [`check`](Self::check).
    pub fn check_representation(
        &self,
        current: Option<Representation<'_>>,
    ) -> Result<(), PreconditionRejection> {
        let etag = current.and_then(|c| c.etag).cloned();
        let last_modified = current.and_then(|c| c.last_modified);
        if self.malformed_if_match && !self.method.is_safe() {
            return Err(PreconditionRejection::Failed { etag });
        }
        match self.conditions.evaluate(&self.method, current) {
            Outcome::NotModified => Err(PreconditionRejection::NotModified { etag, last_modified }),
            Outcome::PreconditionFailed => Err(PreconditionRejection::Failed { etag }),
            _ => Ok(()),
        }
    }

    /// The parsed conditional headers.
    #[must_use]
    pub const fn conditions(&self) -> &RequestConditions {
        &self.conditions
    }
}

crate::macros::rejection! {
    /// Why a request's preconditions stopped it.
    #[derive(Clone, Debug)]
    pub enum PreconditionRejection {
        /// 412: the client's copy is not the current one.
        #[status = StatusCode::PRECONDITION_FAILED]
        #[body = "the resource has changed since the version named in If-Match or If-Unmodified-Since"]
        Failed {
            /// The current entity tag, sent back so the client can refetch.
            etag: Option<ETag>,
        },
        /// 428: the application demands `If-Match` or `If-Unmodified-Since`.
        #[status = StatusCode::PRECONDITION_REQUIRED]
        #[body = "this request must be conditional: send If-Match with the ETag of your copy"]
        Required,
        /// 304: the client's cached copy is current (only for `GET` and `HEAD`). Not a problem: an
        /// empty body, and an empty body text.
        #[status = StatusCode::NOT_MODIFIED]
        #[body = ""]
        NotModified {
            /// The current entity tag.
            etag: Option<ETag>,
            /// The current modification time.
            last_modified: Option<SystemTime>,
        },
    }
    respond = respond;
}

/// The response of a [`PreconditionRejection`]: a problem with the current `ETag` for 412, an
/// empty 304 with the current validators.
fn respond(rejection: PreconditionRejection) -> Response {
    match rejection {
        PreconditionRejection::NotModified { etag, last_modified } => {
            // An empty body of unannounced size: no `content-length: 0` on a 304 to HEAD.
            let mut response = (StatusCode::NOT_MODIFIED, Body::new(NoBody)).into_response();
            if let Some(etag) = etag {
                response.headers_mut().insert(header::ETAG, etag.header_value().clone());
            }
            if let Some(value) = last_modified.and_then(http_date) {
                response.headers_mut().insert(header::LAST_MODIFIED, value);
            }
            response
        }
        PreconditionRejection::Failed { etag: Some(ref etag) } => {
            rejection.problem().with_header(header::ETAG, etag.header_value().clone()).into_response()
        }
        PreconditionRejection::Failed { etag: None } | PreconditionRejection::Required => {
            rejection.problem().into_response()
        }
    }
}

/// Formats an HTTP date; `None` for times an HTTP date cannot express (before 1970, or from the
/// year 10000 on), for which `httpdate` would panic.
fn http_date(time: SystemTime) -> Option<HeaderValue> {
    const YEAR_10000: u64 = 253_402_300_800;
    let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
    if secs >= YEAR_10000 {
        return None;
    }
    HeaderValue::try_from(httpdate::fmt_http_date(time)).ok()
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationInput, OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };

    use super::{Precondition, PreconditionRejection};
    use crate::openapi::fragments;

    /// 412 (with the current `ETag`) and 428, as problems.
    fn rejections() -> Vec<(Option<u16>, Response)> {
        fragments::problems(&[
            (412, "Precondition Failed: the resource changed."),
            (428, "Precondition Required: send `If-Match`."),
        ])
        .into_iter()
        .map(|(status, response)| match status {
            Some(412) => {
                (status, fragments::with_header(response, "ETag", "The current version, where known."))
            }
            _ => (status, response),
        })
        .collect()
    }

    /// What [`Precondition`] answers when the preconditions fail or are missing, for a handler
    /// that returns the rejection itself.
    impl OperationOutput for PreconditionRejection {
        type Inner = Self;

        fn inferred_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            rejections()
        }
    }

    /// `If-Match` and `If-Unmodified-Since`; 412 when they do not hold, 428 when an unsafe
    /// method sends neither.
    impl OperationInput for Precondition {
        fn operation_input(_: &mut GenContext, operation: &mut Operation) {
            fragments::add_parameters(
                operation,
                [
                    fragments::header_parameter(
                        "If-Match",
                        "The ETag of the version the change is based on.",
                        false,
                    ),
                    fragments::header_parameter(
                        "If-Unmodified-Since",
                        "The change applies only if the resource is unchanged since this date.",
                        false,
                    ),
                ],
            );
        }

        fn inferred_early_responses(_: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
            rejections()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn precondition(method: Method, if_match: &str) -> Precondition {
        let request =
            http::Request::builder().method(method).header("if-match", if_match).body(()).unwrap_or_default();
        let (mut parts, ()) = request.into_parts();
        match Precondition::from_request_parts(&mut parts, &()).await {
            Ok(p) => p,
            Err(never) => match never {},
        }
    }

    #[tokio::test]
    async fn a_malformed_if_match_fails_unsafe_methods_only() {
        let tag = ETag::strong("v1").ok();
        let unquoted = precondition(Method::PATCH, "v1").await;
        assert!(unquoted.require().is_ok(), "the client did send a precondition");
        assert!(matches!(unquoted.check(tag.as_ref()), Err(PreconditionRejection::Failed { .. })));
        assert!(precondition(Method::GET, "v1").await.check(tag.as_ref()).is_ok());
        assert!(precondition(Method::PATCH, "\"v1\"").await.check(tag.as_ref()).is_ok());
    }

    #[test]
    fn dates_outside_what_http_can_express_are_left_out_not_a_panic() {
        assert!(http_date(UNIX_EPOCH - Duration::from_secs(1)).is_none());
        assert!(http_date(UNIX_EPOCH + Duration::from_secs(253_402_300_800)).is_none());
        let response = PreconditionRejection::NotModified {
            etag: None,
            last_modified: Some(UNIX_EPOCH - Duration::from_secs(86_400)),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert!(response.headers().get("last-modified").is_none());
        let response = PreconditionRejection::NotModified { etag: None, last_modified: Some(UNIX_EPOCH) }
            .into_response();
        assert_eq!(response.headers()["last-modified"], "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    async fn text(response: Response) -> String {
        String::from_utf8(axum::body::to_bytes(response.into_body(), 1024).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn failed_and_required_are_problems_byte_for_byte() {
        let current = ETag::strong("v2").unwrap();
        let failed = precondition(Method::PUT, "\"v1\"").await.check(Some(&current)).unwrap_err();
        assert_eq!(
            failed.to_string(),
            "412 Precondition Failed: the resource has changed since the version named in If-Match or \
             If-Unmodified-Since"
        );
        let response = failed.into_response();
        assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(response.headers()["etag"], "\"v2\"");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        assert_eq!(
            text(response).await,
            r#"{"type":"about:blank","title":"Precondition Failed","status":412,"detail":"the resource has changed since the version named in If-Match or If-Unmodified-Since"}"#
        );

        let (mut parts, ()) = http::Request::builder().method(Method::PUT).body(()).unwrap().into_parts();
        let Ok(unconditional) = Precondition::from_request_parts(&mut parts, &()).await;
        let response = unconditional.require().unwrap_err().into_response();
        assert_eq!(response.status(), StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(
            text(response).await,
            r#"{"type":"about:blank","title":"Precondition Required","status":428,"detail":"this request must be conditional: send If-Match with the ETag of your copy"}"#
        );
    }
}
