//! `/schema`: the document as JSON and YAML, and Swagger UI, each built once.

use std::sync::Arc;

use aide::openapi::OpenApi;
use axum::{Router, routing::get};
use bytes::Bytes;
use http::{HeaderValue, header};
use strata_headers::CacheControl;

use super::fragments::{NEGOTIATED, STATUS_BY_METHOD};
use crate::Strata;

/// The served forms of one OpenAPI document, made once; see the [module docs](super).
#[derive(Clone, Debug)]
pub struct SchemaRoutes {
    json: Arc<Bytes>,
    yaml: Arc<Bytes>,
    html: Arc<Bytes>,
}

impl SchemaRoutes {
    /// Renders `api` as JSON, YAML and a Swagger UI page (its scripts inlined: no network
    /// needed) that reads the JSON from `/schema/openapi.json`.
    ///
    /// Marks that no level resolved (a response type's "status by method" where no app level
    /// covers the route) are removed first, as the wire never sees them either.
    #[must_use]
    pub fn new(api: &OpenApi) -> Self {
        Self::with_prefix(api, "/schema")
    }

    /// As [`new`](Self::new), for routes served under `prefix` instead of `/schema`.
    #[must_use]
    pub fn with_prefix(api: &OpenApi, prefix: &str) -> Self {
        Self::from_value(serde_json::to_value(api).unwrap_or_default(), prefix)
    }

    /// As [`with_prefix`](Self::with_prefix), for a document built with utoipa (feature
    /// `utoipa`): its levels' marks are removed the same way.
    #[cfg(feature = "utoipa")]
    #[must_use]
    pub fn from_utoipa(api: &utoipa::openapi::OpenApi, prefix: &str) -> Self {
        Self::from_value(serde_json::to_value(api).unwrap_or_default(), prefix)
    }

    /// The served forms of a document in its JSON form.
    fn from_value(mut value: serde_json::Value, prefix: &str) -> Self {
        strip_marks(&mut value);
        let json = serde_json::to_vec_pretty(&value).unwrap_or_default();
        let mut yaml = String::new();
        write_yaml(&value, 0, &mut yaml);
        let title = value.pointer("/info/title").and_then(serde_json::Value::as_str).unwrap_or("API");
        let html = aide::swagger::Swagger::new(format!("{prefix}/openapi.json"))
            .with_title(title)
            .html()
            // No badge fetched from the validator's site: the page needs no network.
            .replacen(
                "\"layout\": \"BaseLayout\",",
                "\"layout\": \"BaseLayout\",\n        \"validatorUrl\": null,",
                1,
            );
        Self {
            json: Arc::new(Bytes::from(json)),
            yaml: Arc::new(Bytes::from(yaml)),
            html: Arc::new(Bytes::from(html)),
        }
    }

    /// The document as JSON.
    #[must_use]
    pub fn json(&self) -> &Bytes {
        &self.json
    }

    /// The document as YAML.
    #[must_use]
    pub fn yaml(&self) -> &Bytes {
        &self.yaml
    }

    /// The routes: `{prefix}` (the UI), `{prefix}/openapi.json` and `{prefix}/openapi.yaml`
    /// (use the prefix given to [`with_prefix`](Self::with_prefix)), each with an ETag
    /// of its bytes, computed once, and 304 on revalidation.
    pub fn router<S: Clone + Send + Sync + 'static>(&self, prefix: &str) -> Router<S> {
        let route = |bytes: &Arc<Bytes>, content_type: &'static str| {
            let bytes = Arc::clone(bytes);
            // The document's own hash, as computed ETags are; sent weak like every level's tag,
            // so that it stays true if a compression layer re-encodes the body.
            let level = Strata::layer()
                .cache_control(CacheControl::no_cache())
                .etag(strata_tower::etag::compute(&bytes));
            get(move || {
                let bytes = Bytes::clone(&bytes);
                async move { ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], bytes) }
            })
            .layer(level)
        };
        Router::new()
            .route(prefix, route(&self.html, "text/html; charset=utf-8"))
            .route(&format!("{prefix}/openapi.json"), route(&self.json, "application/json"))
            .route(&format!("{prefix}/openapi.yaml"), route(&self.yaml, "application/yaml"))
            .layer(Strata::app())
    }
}

/// Removes the marks of every response of every operation in the document `api` (JSON).
pub(crate) fn strip_marks(api: &mut serde_json::Value) {
    let Some(paths) = api.get_mut("paths").and_then(serde_json::Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(serde_json::Value::as_object_mut) {
        for operation in item.values_mut() {
            let Some(responses) = operation.get_mut("responses").and_then(serde_json::Value::as_object_mut)
            else {
                continue;
            };
            for response in responses.values_mut().filter_map(serde_json::Value::as_object_mut) {
                response.remove(STATUS_BY_METHOD);
                response.remove(NEGOTIATED);
            }
        }
    }
}

/// Block-style YAML; strings are double-quoted with JSON's escapes, which YAML shares.
pub(crate) fn write_yaml(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                out.push_str(&pad);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                nested(value, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for value in items {
                out.push_str(&pad);
                out.push('-');
                nested(value, indent, out);
            }
        }
        scalar => {
            out.push_str(&pad);
            out.push_str(&scalar.to_string());
            out.push('\n');
        }
    }
}

fn nested(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 1, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 1, out);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar.to_string());
            out.push('\n');
        }
    }
}
