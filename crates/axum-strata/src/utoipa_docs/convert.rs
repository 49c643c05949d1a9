//! Between utoipa's types and aide's, through their JSON form: the level rules are written once,
//! for aide's operations (`crate::openapi`), and run here on utoipa's.
//!
//! aide keeps schemas as they are written (any JSON); utoipa models them, and cannot read back
//! every schema it can write (an empty schema `{}`, for one). So only what the rules changed
//! comes back: a response the rules left as it was is kept as utoipa built it, and a changed
//! one that utoipa cannot read whole is patched (new headers, cleared content, marks removed).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::openapi::{
    RefOr, Response,
    path::{Operation, Paths},
};

/// `value` as a utoipa (or aide) type; `None` (logged) where it cannot be read as one.
pub(crate) fn from_json<T: DeserializeOwned>(value: Value, what: &str) -> Option<T> {
    match serde_json::from_value(value) {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::warn!(error = %e, "axum-strata: a {what} cannot be carried between aide and utoipa");
            None
        }
    }
}

/// A parameter in aide's JSON form as utoipa reads it: aide leaves out `required: false`,
/// which utoipa needs written.
pub(crate) fn parameter(mut json: Value) -> Option<utoipa::openapi::path::Parameter> {
    if let Some(object) = json.as_object_mut() {
        object.entry("required").or_insert(Value::Bool(false));
    }
    from_json(json, "parameter")
}

/// utoipa's form of aide's responses (as aide's types give them, status `None` for the default
/// response).
pub(crate) fn responses(
    responses: Vec<(Option<u16>, aide::openapi::Response)>,
) -> BTreeMap<String, RefOr<Response>> {
    responses
        .into_iter()
        .filter_map(|(status, response)| {
            let key = status.map_or_else(|| "default".to_owned(), |s| s.to_string());
            let json = serde_json::to_value(&response).ok()?;
            from_json::<Response>(json, "response").map(|r| (key, RefOr::T(r)))
        })
        .collect()
}

/// Runs `rule` (written for aide's operations) on the utoipa operation `operation`.
pub(crate) fn through_aide(operation: &mut Operation, rule: impl FnOnce(&mut aide::openapi::Operation)) {
    let Ok(before) = serde_json::to_value(&*operation) else { return };
    let Some(mut aide_operation) = from_json::<aide::openapi::Operation>(before.clone(), "operation") else {
        return;
    };
    rule(&mut aide_operation);
    let Ok(after) = serde_json::to_value(&aide_operation) else { return };
    if after == before {
        return;
    }
    if after.get("responses") != before.get("responses")
        && let Some(new) = after.get("responses").and_then(Value::as_object)
    {
        let old = std::mem::take(&mut operation.responses.responses);
        let old_json: Vec<(&String, Value)> =
            old.iter().map(|(k, v)| (k, serde_json::to_value(v).unwrap_or_default())).collect();
        for (status, json) in new {
            let kept = old_json.iter().find(|(_, v)| v == json).and_then(|(k, _)| old.get(*k)).cloned();
            let response = kept
                .or_else(|| serde_json::from_value(json.clone()).ok())
                .unwrap_or_else(|| patched(old.get(status).or_else(|| old.get("200")), json));
            operation.responses.responses.insert(status.clone(), response);
        }
    }
    if after.get("parameters") != before.get("parameters")
        && let Some(parameters) = after.get("parameters").and_then(Value::as_array)
    {
        let parameters: Option<Vec<_>> = parameters
            .iter()
            .map(|p| match p.get("$ref") {
                Some(_) => from_json(p.clone(), "parameter reference"),
                None => parameter(p.clone()).map(RefOr::T),
            })
            .collect();
        if let Some(parameters) = parameters {
            operation.parameters = Some(parameters);
        }
    }
}

/// `original` (the response the rules started from) with what `json` (the rules' result) adds
/// or removes, for a response utoipa cannot read back whole.
fn patched(original: Option<&RefOr<Response>>, json: &Value) -> RefOr<Response> {
    let description = json.get("description").and_then(Value::as_str).unwrap_or_default();
    let mut response = match original {
        Some(RefOr::T(response)) => response.clone(),
        Some(RefOr::Ref(reference)) => return RefOr::Ref(reference.clone()),
        None => Response::new(description),
    };
    description.clone_into(&mut response.description);
    if let Some(headers) = json.get("headers").and_then(Value::as_object) {
        for (name, header) in headers {
            if !response.headers.contains_key(name)
                && let Some(header) = from_json(header.clone(), "header")
            {
                response.headers.insert(name.clone(), header);
            }
        }
    }
    if json.get("content").and_then(Value::as_object).is_none_or(serde_json::Map::is_empty) {
        response.content.clear();
    }
    if let Some(extensions) = response.extensions.as_mut() {
        extensions.retain(|key, _| json.get(key).is_some());
    }
    RefOr::T(response)
}

/// Each operation of `paths`, with its method.
pub(crate) fn operations(paths: &mut Paths) -> impl Iterator<Item = (http::Method, &mut Operation)> {
    paths.paths.values_mut().flat_map(|item| {
        [
            (http::Method::GET, &mut item.get),
            (http::Method::HEAD, &mut item.head),
            (http::Method::POST, &mut item.post),
            (http::Method::PUT, &mut item.put),
            (http::Method::PATCH, &mut item.patch),
            (http::Method::DELETE, &mut item.delete),
            (http::Method::OPTIONS, &mut item.options),
            (http::Method::TRACE, &mut item.trace),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_mut().map(|o| (method, o)))
    })
}
