//! Problem details (RFC 9457): the one shape of every error Strata itself produces.
//!
//! ```
//! use axum::{http::StatusCode, response::IntoResponse};
//! use axum_strata::problem::Problem;
//!
//! let problem = Problem::new(StatusCode::BAD_REQUEST)
//!     .with_detail("the item is not valid")
//!     .with_error("name", "must be 1 to 100 characters")
//!     .with_error("price", "must be greater than 0");
//! let response = problem.into_response();
//! assert_eq!(response.status(), StatusCode::BAD_REQUEST);
//! assert_eq!(response.headers()["content-type"], "application/problem+json");
//! ```
//!
//! The body of that response is
//! `{"type":"about:blank","title":"Bad Request","status":400,"detail":"the item is not valid",
//! "errors":[{"field":"name","message":"must be 1 to 100 characters"},
//! {"field":"price","message":"must be greater than 0"}]}`.
//!
//! Handlers may return `Problem` for their own errors too (it is an `IntoResponse` and an
//! `Error`), and clients may deserialize it.

use std::{borrow::Cow, fmt};

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a validation failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field, as the client named it (a query parameter, a JSON member).
    pub field: Cow<'static, str>,
    /// What is wrong with it, for a person.
    pub message: String,
}

/// An RFC 9457 problem-details response.
///
/// One pointer wide, so that `Result<T, Problem>` stays small.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[must_use]
pub struct Problem(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Details {
    #[serde(rename = "type")]
    kind: Cow<'static, str>,
    title: Cow<'static, str>,
    status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    #[serde(skip)]
    headers: HeaderMap,
    /// Whether it is about the request's input (see [`Problem::input`]).
    #[serde(skip)]
    input: bool,
}

impl Problem {
    /// A problem with `status`, its standard reason as title and type `about:blank`.
    pub fn new(status: StatusCode) -> Self {
        Self(Box::new(Details {
            kind: Cow::Borrowed("about:blank"),
            title: Cow::Borrowed(status.canonical_reason().unwrap_or("Error")),
            status: status.as_u16(),
            detail: None,
            instance: None,
            errors: Vec::new(),
            headers: HeaderMap::new(),
            input: false,
        }))
    }

    /// Sets the type URI that identifies the kind of problem.
    pub fn with_type(mut self, uri: impl Into<Cow<'static, str>>) -> Self {
        self.0.kind = uri.into();
        self
    }

    /// Sets the short, human-readable summary of the kind of problem.
    pub fn with_title(mut self, title: impl Into<Cow<'static, str>>) -> Self {
        self.0.title = title.into();
        self
    }

    /// Sets the explanation of this occurrence.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    /// Sets the URI of this occurrence.
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.0.instance = Some(instance.into());
        self
    }

    /// Adds an invalid field to the `errors` array.
    pub fn with_error(mut self, field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        self.0.errors.push(FieldError { field: field.into(), message: message.into() });
        self
    }

    /// Adds an invalid field to the `errors` array.
    pub fn with_field_error(mut self, error: FieldError) -> Self {
        self.0.errors.push(error);
        self
    }

    /// Changes the status, and the title where it was the old status's reason.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        let old = self.status();
        if old.canonical_reason() == Some(&*self.0.title) {
            self.0.title = Cow::Borrowed(status.canonical_reason().unwrap_or("Error"));
        }
        self.0.status = status.as_u16();
        self
    }

    /// Marks the problem as one about the request's input (a value that does not decode or
    /// breaks a rule, malformed syntax): its response then carries the intent
    /// [`InputProblem`], so that a level with
    /// [`input_error_status`](crate::StrataLayer::input_error_status) can answer it with
    /// another status (422 for users coming from FastAPI). Strata's extractors mark theirs.
    pub fn input(mut self) -> Self {
        self.0.input = true;
        self
    }

    /// Whether the problem is [about the input](Self::input).
    #[must_use]
    pub fn is_input(&self) -> bool {
        self.0.input
    }

    /// Adds a header to the response (such as the current `ETag` on a 412).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.append(name, value);
        self
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The title.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.0.title
    }

    /// The detail, if any.
    #[must_use]
    pub fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    /// The invalid fields.
    #[must_use]
    pub fn errors(&self) -> &[FieldError] {
        &self.0.errors
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.status, self.0.title)?;
        if let Some(detail) = &self.0.detail {
            write!(f, ": {detail}")?;
        }
        for e in &self.0.errors {
            write!(f, "; {}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

/// The JSON Schema of a problem body, written once for the OpenAPI documents of aide and utoipa.
#[cfg(any(feature = "openapi", feature = "utoipa"))]
pub(crate) fn problem_json_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "description": "An RFC 9457 problem.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": { "type": "string" },
            "title": { "type": "string" },
            "status": { "type": "integer", "minimum": 400, "maximum": 599 },
            "detail": { "type": "string" },
            "instance": { "type": "string" },
            "errors": {
                "type": "array",
                "description": "Each invalid field, and its rule.",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": { "field": { "type": "string" }, "message": { "type": "string" } }
                }
            }
        }
    })
}

/// The intent a response of an [input problem](Problem::input) carries in its extensions: the
/// problem, for a level that renders it with another status
/// ([`input_error_status`](crate::StrataLayer::input_error_status)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputProblem(pub Problem);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        // Serializing strings and numbers into a Vec cannot fail.
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        // A name given with `with_header` replaces what the response had (one name, one source),
        // and keeps every value it was given.
        for name in self.0.headers.keys() {
            let mut values = self.0.headers.get_all(name).iter();
            if let Some(first) = values.next() {
                headers.insert(name, first.clone());
            }
            for value in values {
                headers.append(name, value.clone());
            }
        }
        if self.0.input {
            response.extensions_mut().insert(InputProblem(self));
        }
        response
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use aide::{
        OperationOutput,
        generate::GenContext,
        openapi::{Operation, Response},
    };

    use super::Problem;
    use crate::openapi::fragments;

    /// `application/problem+json`. Its status is chosen at run time, so as a handler's error
    /// it is the default response; the extractors and levels that produce Strata's own
    /// problems (400, 406, 412, 413, 415, 416, 428) document them with their status.
    impl OperationOutput for Problem {
        type Inner = Self;

        fn operation_response(_: &mut GenContext, _: &mut Operation) -> Option<Response> {
            Some(fragments::problem("An RFC 9457 problem."))
        }

        fn inferred_responses(
            ctx: &mut GenContext,
            operation: &mut Operation,
        ) -> Vec<(Option<u16>, Response)> {
            Self::operation_response(ctx, operation).map(|r| vec![(None, r)]).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_in_rfc_9457_shape() {
        let problem = Problem::new(StatusCode::NOT_ACCEPTABLE).with_detail("offered: application/json");
        let json = serde_json::to_string(&problem).unwrap();
        assert_eq!(
            json,
            r#"{"type":"about:blank","title":"Not Acceptable","status":406,"detail":"offered: application/json"}"#
        );
        let back: Problem = serde_json::from_str(&json).unwrap();
        assert_eq!(back, problem);
    }

    #[test]
    fn an_added_content_type_replaces_rather_than_duplicates() {
        let response = Problem::new(StatusCode::GONE)
            .with_header(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.err+json"))
            .with_header(header::LINK, HeaderValue::from_static("</a>"))
            .with_header(header::LINK, HeaderValue::from_static("</b>"))
            .into_response();
        assert_eq!(response.headers().get_all(header::CONTENT_TYPE).iter().count(), 1);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/vnd.err+json");
        assert_eq!(response.headers().get_all(header::LINK).iter().count(), 2);
    }

    #[test]
    fn validation_errors_name_each_field() {
        let problem = Problem::new(StatusCode::BAD_REQUEST).with_error("limit", "must be at most 100");
        let value: serde_json::Value = serde_json::to_value(&problem).unwrap();
        assert_eq!(value["errors"][0]["field"], "limit");
        assert_eq!(value["errors"][0]["message"], "must be at most 100");
        assert_eq!(problem.to_string(), "400 Bad Request; limit: must be at most 100");
    }

    /// strata-tower writes its 412 body itself (it has no `Problem`): it must be exactly what
    /// this type would write, so that a client sees one shape.
    #[cfg(feature = "precondition")]
    #[tokio::test]
    async fn strata_towers_412_body_is_this_types_serialization() {
        let response =
            strata_tower::conditional::precondition_failed(Response::new(axum::body::Body::empty()));
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        let problem: Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(serde_json::to_vec(&problem).unwrap(), body);
    }
}
