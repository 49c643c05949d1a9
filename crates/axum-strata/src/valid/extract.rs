// The extractors, and axum's rejections as problems.

use axum::{
    Form, Json,
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, Path, Query, RawPathParams, Request,
        rejection::{
            BytesRejection, FormRejection, JsonRejection, PathRejection, QueryRejection,
            RawPathParamsRejection,
        },
    },
};
use eserde::EDeserialize;
use http::{HeaderMap, Method, StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;
use strata_headers::mime::{self, Mime};
use validator::Validate;

use super::{Valid, decode};
use crate::problem::{FieldError, Problem};

pub use crate::problem::InputProblem;

/// A 400 about the input, with `errors`.
fn invalid(detail: impl Into<String>, errors: Vec<FieldError>) -> Problem {
    errors
        .into_iter()
        .fold(Problem::new(StatusCode::BAD_REQUEST).with_detail(detail), Problem::with_field_error)
        .input()
}

/// A 400 about the input's syntax, without fields.
fn malformed(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST).with_detail(detail).input()
}

fn unsupported(expected: &str) -> Problem {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        .with_detail(format!("expected a body of type {expected}"))
}

/// `value`, if it keeps every rule of its type.
fn checked<T: Validate>(value: T) -> Result<T, Problem> {
    match value.validate() {
        Ok(()) => Ok(value),
        Err(errors) => {
            Err(invalid("the input breaks the rules of its fields", decode::validation_errors(&errors)))
        }
    }
}

fn content_type(headers: &HeaderMap) -> Option<Mime> {
    headers.get(header::CONTENT_TYPE)?.to_str().ok()?.parse().ok()
}

/// `application/json` or a `+json` type, as axum's `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    content_type(headers).is_some_and(|m| {
        m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
    })
}

fn is_form(headers: &HeaderMap) -> bool {
    content_type(headers)
        .is_some_and(|m| m.essence_str() == mime::APPLICATION_WWW_FORM_URLENCODED.essence_str())
}

/// One JSON value for `T`, every error reported.
pub(crate) fn json<T: for<'de> EDeserialize<'de>>(bytes: &[u8]) -> Result<T, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("the body is empty: send a JSON value"));
    }
    let mut first_pass = serde_json::Deserializer::from_slice(bytes);
    let first = match T::deserialize(&mut first_pass).and_then(|value| first_pass.end().map(|()| value)) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    // serde_json calls some errors of the value syntax errors (a list where an enum belongs):
    // the body is malformed only if it is not JSON at all.
    if (first.is_syntax() || first.is_eof())
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err()
    {
        return Err(malformed(format!("the body is not valid JSON: {first}")));
    }
    Err(invalid(
        "the body does not have the expected fields and types",
        decode::every_json_error::<T>(bytes, &first),
    ))
}

/// `key=value&…` pairs for `T`, every error reported.
fn urlencoded<T: DeserializeOwned>(input: &[u8], what: &str) -> Result<T, Problem> {
    let first = match serde_urlencoded::from_bytes::<T>(input) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(input).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let errors = decode::every_pair_error::<T>(&pairs, &first);
    Err(invalid(format!("the {what} does not have the expected fields and types"), errors))
}

impl<T, S> FromRequest<S> for Valid<Json<T>>
where
    T: for<'de> EDeserialize<'de> + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(req.headers()) {
            return Err(unsupported("application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(Problem::from)?;
        json(&bytes).and_then(checked).map(|value| Self(Json(value)))
    }
}

impl<T, S> FromRequestParts<S> for Valid<Query<T>>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let query = parts.uri.query().unwrap_or_default();
        urlencoded(query.as_bytes(), "query string").and_then(checked).map(|value| Self(Query(value)))
    }
}

/// As axum's `Form`: the query string of a `GET` or `HEAD`, else an
/// `application/x-www-form-urlencoded` body.
impl<T, S> FromRequest<S> for Valid<Form<T>>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let value = if req.method() == Method::GET || req.method() == Method::HEAD {
            urlencoded(req.uri().query().unwrap_or_default().as_bytes(), "query string")?
        } else {
            if !is_form(req.headers()) {
                return Err(unsupported("application/x-www-form-urlencoded"));
            }
            let bytes = Bytes::from_request(req, state).await.map_err(Problem::from)?;
            urlencoded(&bytes, "form")?
        };
        checked(value).map(|value| Self(Form(value)))
    }
}

/// The route's named parameters as the fields of `T` (a struct: a tuple has no names to
/// report).
impl<T, S> FromRequestParts<S> for Valid<Path<T>>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(Problem::from)?;
        // Decoded once by axum; written as pairs again for the one decoder of text pairs.
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &params {
            pairs.append_pair(name, value);
        }
        urlencoded(pairs.finish().as_bytes(), "path").and_then(checked).map(|value| Self(Path(value)))
    }
}

#[cfg(feature = "msgpack")]
impl<T, S> FromRequest<S> for Valid<crate::msgpack::MsgPack<T>>
where
    T: for<'de> EDeserialize<'de> + Validate,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        use serde::Deserialize as _;

        use crate::msgpack::{self, MsgPackLimits, MsgPackRejection};
        let refused = |r: MsgPackRejection| {
            let problem = Problem::new(r.status()).with_detail(r.body_text());
            if r.status() == StatusCode::BAD_REQUEST { problem.input() } else { problem }
        };
        if !msgpack::has_msgpack_type(req.headers()) {
            return Err(refused(MsgPackRejection::UnsupportedMediaType));
        }
        let limits = req.extensions().get::<MsgPackLimits>().copied().unwrap_or_default();
        let bytes = Bytes::from_request(req, state).await.map_err(Problem::from)?;
        msgpack::check(&bytes, limits).map_err(refused)?;
        let value = match T::deserialize(&mut msgpack::deserializer(&bytes, limits)) {
            Ok(value) => value,
            Err(first) => {
                // The second pass reads the same value as JSON text (bytes become arrays of
                // numbers, and a map with keys that are not text gets the first error only).
                let errors = serde_json::Value::deserialize(&mut msgpack::deserializer(&bytes, limits))
                    .ok()
                    .and_then(|value| serde_json::to_vec(&value).ok())
                    .map_or_else(
                        || vec![FieldError { field: "".into(), message: first.to_string() }],
                        |json| decode::every_json_error::<T>(&json, &first),
                    );
                return Err(invalid("the body does not have the expected fields and types", errors));
            }
        };
        checked(value).map(|value| Self(crate::msgpack::MsgPack(value)))
    }
}

/// A body that could not be read: its own status (413 over the limit, 400 otherwise).
impl From<BytesRejection> for Problem {
    fn from(rejection: BytesRejection) -> Self {
        let problem = Self::new(rejection.status()).with_detail(rejection.body_text());
        if rejection.status() == StatusCode::BAD_REQUEST { problem.input() } else { problem }
    }
}

/// 400 for a body that is not JSON or not the expected value (axum says 422 for the latter),
/// 415 without a JSON `Content-Type`, the body's own status when it could not be read.
impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => malformed(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => malformed(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => unsupported("application/json"),
            JsonRejection::BytesRejection(e) => e.into(),
            other => Self::new(other.status()).with_detail(other.body_text()),
        }
    }
}

/// 400, with the query string's error.
impl From<QueryRejection> for Problem {
    fn from(rejection: QueryRejection) -> Self {
        malformed(rejection.body_text())
    }
}

/// 400 for a form that does not decode (axum says 422), 415 for another `Content-Type`.
impl From<FormRejection> for Problem {
    fn from(rejection: FormRejection) -> Self {
        match rejection {
            FormRejection::InvalidFormContentType(_) => unsupported("application/x-www-form-urlencoded"),
            FormRejection::FailedToDeserializeForm(e) => malformed(e.body_text()),
            FormRejection::FailedToDeserializeFormBody(e) => malformed(e.body_text()),
            FormRejection::BytesRejection(e) => e.into(),
            other => Self::new(other.status()).with_detail(other.body_text()),
        }
    }
}

/// 400 for parameters that do not decode; 500 where the route has none to give (a bug of the
/// app, not of the request).
impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) if e.status() == StatusCode::BAD_REQUEST => {
                malformed(e.body_text())
            }
            other => Self::new(other.status()).with_detail(other.body_text()),
        }
    }
}

/// 400 for a parameter that is not UTF-8 once percent-decoded; 500 where the route has none.
impl From<RawPathParamsRejection> for Problem {
    fn from(rejection: RawPathParamsRejection) -> Self {
        let problem = Self::new(rejection.status()).with_detail(rejection.body_text());
        if rejection.status() == StatusCode::BAD_REQUEST { problem.input() } else { problem }
    }
}
