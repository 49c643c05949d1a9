//! Levels on utoipa-axum's `OpenApiRouter`: the layer on the wire, and what it does in the
//! document, by the same rules as on aide's routers.

use utoipa::openapi::path::Paths;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter, UtoipaMethodRouterExt as _};

use super::convert::{operations, through_aide};
use crate::{LevelDescription, StrataLayer};

/// Levels on utoipa-axum's routers: the layer on the wire, and its description in the
/// document, as [`StrataApiRouterExt`](crate::openapi::StrataApiRouterExt) does on aide's.
pub trait StrataOpenApiRouterExt<S>: Sized {
    /// Puts `level` around every route of this router (as `OpenApiRouter::layer` does), and
    /// adds what it does to each of their operations, where the handler or a closer level has
    /// not said it. Routes added afterwards are neither covered nor documented, as on the wire.
    #[must_use]
    fn strata(self, level: StrataLayer) -> Self;

    /// Adds the routes of `routes!(…)` with `level` around them alone (as
    /// `MethodRouter::layer` does), documented the same way.
    #[must_use]
    fn routes_strata(self, routes: UtoipaMethodRouter<S>, level: StrataLayer) -> Self;

    #[cfg(feature = "pagination")]
    /// Puts the pagination settings `config` around every route of this router, and writes
    /// its default and largest page size into their documented parameters.
    #[must_use]
    fn pagination(self, config: crate::pagination::Pagination) -> Self;
}

impl<S: Clone + Send + Sync + 'static> StrataOpenApiRouterExt<S> for OpenApiRouter<S> {
    fn strata(mut self, level: StrataLayer) -> Self {
        document_paths(level.description(), &mut self.get_openapi_mut().paths);
        self.layer(level)
    }

    fn routes_strata(
        self,
        (schemas, mut paths, method_router): UtoipaMethodRouter<S>,
        level: StrataLayer,
    ) -> Self {
        document_paths(level.description(), &mut paths);
        self.routes((schemas, paths, method_router).layer(level))
    }

    #[cfg(feature = "pagination")]
    fn pagination(mut self, config: crate::pagination::Pagination) -> Self {
        for (_, operation) in operations(&mut self.get_openapi_mut().paths) {
            through_aide(operation, |operation| config.document_operation(operation));
        }
        self.layer(config)
    }
}

/// Adds what `level` does to every operation of `paths` (utoipa's), by the rules of
/// [`document_operation`](crate::openapi::document_operation).
pub fn document_paths(level: &LevelDescription, paths: &mut Paths) {
    for (method, operation) in operations(paths) {
        through_aide(operation, |operation| crate::openapi::document_operation(level, &method, operation));
    }
}

/// Removes the marks Strata's response types leave for the levels (`x-strata-…` extensions)
/// from every response of `api`: for a document served by other means than
/// [`SchemaRoutes::from_utoipa`](crate::openapi::SchemaRoutes::from_utoipa), which removes
/// them itself.
pub fn strip_marks(api: &mut utoipa::openapi::OpenApi) {
    for (_, operation) in operations(&mut api.paths) {
        for response in operation.responses.responses.values_mut() {
            if let utoipa::openapi::RefOr::T(response) = response
                && let Some(extensions) = response.extensions.as_mut()
            {
                extensions.retain(|key, _| !key.starts_with("x-strata-"));
            }
        }
    }
}

/// Adds the paths of `api` (a utoipa document) to `target` (an aide document) under `prefix`,
/// joined as `Router::nest` joins them, with the schemas of its components that `target` does
/// not have yet: for an app documented with aide that nests a router documented with utoipa.
/// A path `target` has already is left as it is.
pub fn nest_into_aide(target: &mut aide::openapi::OpenApi, prefix: &str, api: &utoipa::openapi::OpenApi) {
    use serde_json::Value;
    let Ok(source) = serde_json::to_value(api) else { return };
    if let Some(items) = source.get("paths").and_then(Value::as_object) {
        let paths = target.paths.get_or_insert_with(Default::default);
        for (path, item) in items {
            let path = match (prefix.trim_end_matches('/'), path.as_str()) {
                ("", path) => path.to_owned(),
                (prefix, "/") => prefix.to_owned(),
                (prefix, path) => format!("{prefix}{path}"),
            };
            if !paths.paths.contains_key(&path)
                && let Some(item) = super::convert::from_json(item.clone(), "path item")
            {
                paths.paths.insert(path, aide::openapi::ReferenceOr::Item(item));
            }
        }
    }
    if let Some(schemas) = source.pointer("/components/schemas").and_then(Value::as_object) {
        let components = target.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas {
            if !components.schemas.contains_key(name)
                && let Some(schema) = super::convert::from_json(schema.clone(), "schema")
            {
                components.schemas.insert(name.clone(), schema);
            }
        }
    }
}
