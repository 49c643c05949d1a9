//! The seed examples, one module per part of the seed documents.

pub mod api;
pub mod background;
pub mod file_systems;
pub mod files;
pub mod handlers;
pub mod headers;
pub mod names;
pub mod pagination;
pub mod responses;
pub mod sockets;
pub mod streams;
pub mod template;

use std::{
    collections::hash_map::RandomState,
    hash::BuildHasher,
    ops::RangeInclusive,
    sync::atomic::{AtomicU64, Ordering},
};

use axum_strata::openapi::schemars::JsonSchema;
use serde::Serialize;

/// The `Resource` model of the seeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, eserde::Deserialize, validator::Validate, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
pub struct Resource {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// A number drawn from `range`, for the seeds whose header values are random. Randomness comes
/// from the standard library's per-process hash keys and a counter: enough for a showcase,
/// and no extra dependency.
#[must_use]
pub fn random_in(range: RangeInclusive<u64>) -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = RandomState::new().hash_one(n);
    let span = range.end() - range.start() + 1;
    range.start() + hash % span
}

/// Documents the path parameter `name` (an integer), for handlers that take a plain `Path<i64>`
/// (aide documents path parameters from structs only).
pub(crate) fn path_parameter<'t>(
    op: axum_strata::openapi::aide::transform::TransformOperation<'t>,
    name: &str,
    description: &str,
) -> axum_strata::openapi::aide::transform::TransformOperation<'t> {
    let integer = axum_strata::openapi::schemars::json_schema!({ "type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX });
    path_parameter_of(op, name, description, integer)
}

/// Documents the path parameter `name` with `schema`.
pub(crate) fn path_parameter_of<'t>(
    op: axum_strata::openapi::aide::transform::TransformOperation<'t>,
    name: &str,
    description: &str,
    schema: axum_strata::openapi::schemars::Schema,
) -> axum_strata::openapi::aide::transform::TransformOperation<'t> {
    use axum_strata::openapi::aide::openapi::{
        Parameter, ParameterData, ParameterSchemaOrContent, ReferenceOr, SchemaObject,
    };
    let mut op = op;
    let parameter = Parameter::Path {
        parameter_data: ParameterData {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            required: true,
            deprecated: None,
            format: ParameterSchemaOrContent::Schema(SchemaObject {
                json_schema: schema,
                example: None,
                external_docs: None,
            }),
            example: None,
            examples: Default::default(),
            explode: None,
            extensions: Default::default(),
        },
        style: Default::default(),
    };
    op.inner_mut().parameters.push(ReferenceOr::Item(parameter));
    op
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_numbers_stay_in_range_and_vary() {
        let drawn: Vec<u64> = (0..200).map(|_| random_in(1..=100)).collect();
        assert!(drawn.iter().all(|n| (1..=100).contains(n)));
        assert!(drawn.iter().any(|n| *n != drawn[0]));
    }
}
