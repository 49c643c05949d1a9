//! A level's [`LevelDescription`], converted for aide: what the level does on the wire, added
//! to each operation it covers.

use aide::{
    axum::{ApiRouter, routing::ApiMethodRouter},
    openapi::{Operation, PathItem, ReferenceOr, Response, StatusCode},
};
use http::{Method, header};

use super::fragments::{self, NEGOTIATED, STATUS_BY_METHOD, has_header};
use crate::{LevelDescription, StrataLayer, builder::EtagDescription};

/// Levels on aide's routers: the layer on the wire, and its description in the document.
pub trait StrataApiRouterExt<S>: Sized {
    /// Puts `level` around every route of this router (as `Router::layer` does), and adds what
    /// it does to each of their operations, where the handler or a closer level has not said it.
    #[must_use]
    fn strata(self, level: StrataLayer) -> Self;

    /// Adds a route with `level` around it alone (as `MethodRouter::layer` does), documented
    /// the same way.
    #[must_use]
    fn api_route_strata(self, path: &str, method_router: ApiMethodRouter<S>, level: StrataLayer) -> Self;

    #[cfg(feature = "pagination")]
    /// Puts the pagination settings `config` around every route of this router, and writes
    /// its default and largest page size into their documented parameters.
    #[must_use]
    fn pagination(self, config: crate::pagination::Pagination) -> Self;
}

impl<S: Clone + Send + Sync + 'static> StrataApiRouterExt<S> for ApiRouter<S> {
    fn strata(self, level: StrataLayer) -> Self {
        let description = level.description().clone();
        self.with_path_items(|mut item| {
            document_path_item(&description, item.inner_mut());
            item
        })
        .layer(level)
    }

    fn api_route_strata(self, path: &str, method_router: ApiMethodRouter<S>, level: StrataLayer) -> Self {
        let description = level.description().clone();
        self.api_route_with(path, method_router.layer(level), |mut item| {
            document_path_item(&description, item.inner_mut());
            item
        })
    }

    #[cfg(feature = "pagination")]
    fn pagination(self, config: crate::pagination::Pagination) -> Self {
        self.with_path_items(|mut item| {
            for operation in operations(item.inner_mut()) {
                config.document_operation(operation);
            }
            item
        })
        .layer(config)
    }
}

#[cfg(feature = "pagination")]
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.head, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete]
        .into_iter()
        .flatten()
}

/// Adds what `level` does to every operation of `item`.
pub fn document_path_item(level: &LevelDescription, item: &mut PathItem) {
    let operations = [
        (Method::GET, &mut item.get),
        (Method::HEAD, &mut item.head),
        (Method::POST, &mut item.post),
        (Method::PUT, &mut item.put),
        (Method::PATCH, &mut item.patch),
        (Method::DELETE, &mut item.delete),
        (Method::OPTIONS, &mut item.options),
        (Method::TRACE, &mut item.trace),
    ];
    for (method, operation) in operations {
        if let Some(operation) = operation {
            document_operation(level, &method, operation);
        }
    }
}

/// Adds to `operation` (of `method`) what `level` does on the wire, where the handler or a
/// closer level (documented before it) has not said it: closest wins, as on the wire.
pub fn document_operation(level: &LevelDescription, method: &Method, operation: &mut Operation) {
    #[cfg(feature = "negotiation")]
    negotiate(level, operation);
    default_status(level, method, operation);
    if let Some(status) = level.input_error_status() {
        input_problems(status, operation);
    }
    for (status, response) in responses_with_status(operation) {
        headers(level, status, response);
    }
    if level.answers_conditional_requests() {
        not_modified(method, operation);
        // Nothing outside the app level resolves the marks.
        for response in responses_mut(operation) {
            response.extensions.shift_remove(STATUS_BY_METHOD);
            response.extensions.shift_remove(NEGOTIATED);
        }
    }
}

/// The documented 400 (the input problems of the extractors) under `status` instead, as the
/// level answers it.
fn input_problems(status: http::StatusCode, operation: &mut Operation) {
    let Some(responses) = operation.responses.as_mut() else { return };
    if let Some(bad_request) = responses.responses.shift_remove(&StatusCode::Code(400)) {
        responses.responses.entry(StatusCode::Code(status.as_u16())).or_insert(bad_request);
        responses.responses.sort_keys();
    }
}

/// Each response with its status (`None` for the default response, which stands for errors).
fn responses_with_status(operation: &mut Operation) -> impl Iterator<Item = (Option<u16>, &mut Response)> {
    operation
        .responses
        .iter_mut()
        .flat_map(|r| {
            r.default.iter_mut().map(|d| (None, d)).chain(r.responses.iter_mut().map(|(status, r)| {
                let code = match status {
                    StatusCode::Code(code) => Some(*code),
                    StatusCode::Range(_) => None,
                };
                (code, r)
            }))
        })
        .filter_map(|(status, r)| match r {
            ReferenceOr::Item(response) => Some((status, response)),
            ReferenceOr::Reference { .. } => None,
        })
}

fn responses_mut(operation: &mut Operation) -> impl Iterator<Item = &mut Response> {
    operation
        .responses
        .iter_mut()
        .flat_map(|r| r.default.iter_mut().chain(r.responses.values_mut()))
        .filter_map(|r| match r {
            ReferenceOr::Item(response) => Some(response),
            ReferenceOr::Reference { .. } => None,
        })
}

#[cfg(feature = "negotiation")]
fn negotiate(level: &LevelDescription, operation: &mut Operation) {
    let Some(formats) = level.negotiated_formats() else { return };
    let mut negotiated = false;
    for response in responses_mut(operation) {
        if response.extensions.shift_remove(NEGOTIATED).is_none() {
            continue;
        }
        negotiated = true;
        let schema = response.content.get("application/json").and_then(|m| m.schema.clone());
        let mut content = Vec::new();
        for media_type in formats.iter().flat_map(|f| f.media_types()) {
            let schema = match (&schema, fragments::is_structured(media_type)) {
                (Some(schema), true) => schema.clone(),
                _ => fragments::inline(fragments::string()),
            };
            content.push(fragments::body(media_type.essence_str(), schema));
        }
        response.content.clear();
        response.content.extend(content);
        if !has_header(response, "Vary") {
            response.headers.insert(
                "Vary".to_owned(),
                fragments::header(Some("Accept: the format is negotiated."), Some("Accept")),
            );
        }
    }
    if negotiated && !level.has_negotiation_fallback() {
        fragments::add_response(
            operation,
            StatusCode::Code(406),
            fragments::problem("Not Acceptable: the client accepts none of the formats offered."),
        );
    }
}

fn default_status(level: &LevelDescription, method: &Method, operation: &mut Operation) {
    let Some(responses) = operation.responses.as_mut() else { return };
    let Some(ReferenceOr::Item(ok)) = responses.responses.get(&StatusCode::Code(200)) else { return };
    let marked = ok.extensions.contains_key(STATUS_BY_METHOD);
    let Some(status) = level.default_status(method, !marked) else { return };
    if status.as_u16() == 200 {
        return;
    }
    let Some(ReferenceOr::Item(mut response)) = responses.responses.shift_remove(&StatusCode::Code(200))
    else {
        return;
    };
    response.extensions.shift_remove(STATUS_BY_METHOD);
    if status == http::StatusCode::NO_CONTENT {
        response.content.clear();
    }
    responses.responses.entry(StatusCode::Code(status.as_u16())).or_insert(ReferenceOr::Item(response));
    responses.responses.sort_keys();
}

/// The headers `level` adds to a response of `status` (`None`: the default response, an
/// error): cache headers and cookies go on 2xx and 3xx only unless the level opted in, as on
/// the wire.
fn headers(level: &LevelDescription, status: Option<u16>, response: &mut Response) {
    let status = status.and_then(|s| http::StatusCode::from_u16(s).ok());
    let cache_headers = status.is_some_and(|s| level.sends_cache_headers_on(s))
        || (status.is_none() && level.sends_cache_headers_on(http::StatusCode::INTERNAL_SERVER_ERROR));
    for spec in level.headers() {
        let name = display_name(spec.name().as_str());
        if has_header(response, &name) {
            continue;
        }
        if !cache_headers && strata_tower::cache_safety::is_cache_header(spec.name()) {
            continue;
        }
        let example = match spec.values() {
            [value] if !spec.is_documentation_only() => value.to_str().ok(),
            _ => None,
        };
        let description = spec.description().or_else(|| known_description(spec.name()));
        response.headers.insert(name, fragments::header(description, example));
    }
    if let EtagDescription::Computed { strong, .. } = level.etag()
        && status.is_some_and(|s| s.is_success())
        && !has_header(response, "ETag")
    {
        let description = if strong {
            "A strong ETag computed from the body (bodies of known size)."
        } else {
            "A weak ETag computed from the body (bodies of known size)."
        };
        response.headers.insert("ETag".to_owned(), fragments::header(Some(description), None));
    }
    #[cfg(feature = "cookies")]
    {
        let names: Vec<&str> = level.cookies().map(|c| c.name()).collect();
        let sets = status.map_or_else(
            || level.sets_cookies_on(http::StatusCode::INTERNAL_SERVER_ERROR),
            |s| level.sets_cookies_on(s),
        );
        if sets && !names.is_empty() && !has_header(response, "Set-Cookie") {
            let description = format!("Sets the cookies {}.", names.join(", "));
            response.headers.insert("Set-Cookie".to_owned(), fragments::header(Some(&description), None));
        }
    }
}

/// 304 Not Modified for GET and HEAD where a successful response carries a validator.
fn not_modified(method: &Method, operation: &mut Operation) {
    if method != Method::GET && method != Method::HEAD {
        return;
    }
    let validated = operation.responses.iter().flat_map(|r| r.responses.iter()).any(|(status, response)| {
        matches!(status, StatusCode::Code(200..=299))
            && matches!(response, ReferenceOr::Item(r) if has_header(r, "ETag") || has_header(r, "Last-Modified"))
    });
    if validated {
        let mut response = fragments::response("Not Modified: the client's copy is current.", []);
        response = fragments::with_header(response, "ETag", "The current version.");
        fragments::add_response(operation, StatusCode::Code(304), response);
        if let Some(responses) = operation.responses.as_mut() {
            responses.responses.sort_keys();
        }
    }
}

fn known_description(name: &http::HeaderName) -> Option<&'static str> {
    Some(match *name {
        header::CACHE_CONTROL => "Caching directives.",
        header::ETAG => "The version of the representation.",
        header::VARY => "The request headers the response varies with.",
        _ => return None,
    })
}

/// `random-header` as `Random-Header`, `etag` as `ETag`.
fn display_name(name: &str) -> String {
    match name {
        "etag" => "ETag".to_owned(),
        "www-authenticate" => "WWW-Authenticate".to_owned(),
        _ => name
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}
