//! utoipa's traits on Strata's types, for apps that document themselves with utoipa and
//! utoipa-axum: `ToSchema` for [`Problem`](crate::problem::Problem), the pagination containers
//! (generic over the item) and `MultiValueMap`; `IntoParams` for the pagination parameter
//! extractors. The schemas are the ones the `openapi` feature gives aide, written once.
//!
//! ```
//! use axum_strata::{pagination::OffsetPagination, problem::Problem, utoipa::{PartialSchema, ToSchema}};
//!
//! let problem = serde_json::to_value(Problem::schema()).unwrap();
//! assert_eq!(problem["required"], serde_json::json!(["type", "title", "status"]));
//! assert_eq!(OffsetPagination::<u32>::name(), "OffsetPagination_u32");
//! let page = serde_json::to_value(OffsetPagination::<u32>::schema()).unwrap();
//! assert_eq!(page["properties"]["items"]["items"]["type"], "integer");
//! ```

use std::borrow::Cow;

use utoipa::{
    IntoParams, PartialSchema, ToSchema,
    openapi::{
        ArrayBuilder, ObjectBuilder, RefOr, Required,
        path::{Parameter, ParameterBuilder, ParameterIn},
        schema::{Schema, SchemaType, Type},
    },
};

/// A schema from its JSON form (utoipa's types deserialize from it).
fn from_json(value: serde_json::Value) -> RefOr<Schema> {
    serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::Object(ObjectBuilder::new().build())))
}

fn integer(minimum: Option<u64>, maximum: Option<u64>) -> RefOr<Schema> {
    let mut schema = ObjectBuilder::new().schema_type(SchemaType::Type(Type::Integer));
    if let Some(minimum) = minimum {
        schema = schema.minimum(Some(minimum as f64));
    }
    if let Some(maximum) = maximum {
        schema = schema.maximum(Some(maximum as f64));
    }
    RefOr::T(Schema::Object(schema.build()))
}

impl PartialSchema for crate::problem::Problem {
    fn schema() -> RefOr<Schema> {
        from_json(crate::problem::problem_json_schema())
    }
}

impl ToSchema for crate::problem::Problem {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Problem")
    }
}

#[cfg(feature = "multi-value")]
impl<K, V: PartialSchema> PartialSchema for crate::multi_value::MultiValueMap<K, V> {
    fn schema() -> RefOr<Schema> {
        let values = ArrayBuilder::new().items(V::schema()).build();
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Object))
                .additional_properties(Some(Schema::Array(values)))
                .build(),
        ))
    }
}

#[cfg(feature = "multi-value")]
impl<K, V: ToSchema> ToSchema for crate::multi_value::MultiValueMap<K, V> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("MultiValueMap_{}", V::name()))
    }
}

#[cfg(feature = "pagination")]
mod pagination {
    use super::*;
    use crate::pagination::{
        ClassicPagination, ClassicParams, CursorPagination, CursorParams, DEFAULT_MAX_SIZE, MAX_POSITION,
        OffsetPagination, OffsetParams,
    };

    /// A container: `items` (an array of `T`) and Litestar's other fields, all required but
    /// `cursor`.
    fn container<T: PartialSchema>(fields: &[(&str, RefOr<Schema>, bool)]) -> RefOr<Schema> {
        let items = ArrayBuilder::new().items(T::schema()).build();
        let mut object = ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .property("items", Schema::Array(items))
            .required("items");
        for (name, schema, required) in fields {
            object = object.property(*name, schema.clone());
            if *required {
                object = object.required(*name);
            }
        }
        RefOr::T(Schema::Object(object.build()))
    }

    macro_rules! containers {
        ($($container:ident => [$($field:literal: $schema:expr, $required:expr);+ $(;)?]),+ $(,)?) => {
            $(
                impl<T: PartialSchema> PartialSchema for $container<T> {
                    fn schema() -> RefOr<Schema> {
                        container::<T>(&[$(($field, $schema, $required)),+])
                    }
                }

                impl<T: ToSchema> ToSchema for $container<T> {
                    fn name() -> Cow<'static, str> {
                        Cow::Owned(format!("{}_{}", stringify!($container), T::name()))
                    }
                }
            )+
        };
    }

    containers! {
        ClassicPagination => [
            "page_size": integer(Some(0), None), true;
            "current_page": integer(Some(1), None), true;
            "total_pages": integer(Some(0), None), true;
        ],
        OffsetPagination => [
            "limit": integer(Some(0), None), true;
            "offset": integer(Some(0), None), true;
            "total": integer(Some(0), None), true;
        ],
        CursorPagination => [
            "results_per_page": integer(Some(0), None), true;
            "cursor": RefOr::T(Schema::Object(ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).build())), false;
        ],
    }

    fn query(
        name: &str,
        description: &str,
        schema: RefOr<Schema>,
        provider: &impl Fn() -> Option<ParameterIn>,
    ) -> Parameter {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(provider().unwrap_or(ParameterIn::Query))
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema))
            .build()
    }

    /// The size parameter: at least 1, at most the crate's default maximum (a `Pagination`
    /// layer may set another).
    fn size(name: &str, provider: &impl Fn() -> Option<ParameterIn>) -> Parameter {
        query(name, "How many items a page holds.", integer(Some(1), Some(DEFAULT_MAX_SIZE)), provider)
    }

    impl IntoParams for ClassicParams {
        fn into_params(provider: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            vec![
                size("page_size", &provider),
                query("current_page", "The page, from 1.", integer(Some(1), Some(MAX_POSITION)), &provider),
            ]
        }
    }

    impl IntoParams for OffsetParams {
        fn into_params(provider: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            vec![
                size("limit", &provider),
                query(
                    "offset",
                    "How many items come before the page.",
                    integer(Some(0), Some(MAX_POSITION)),
                    &provider,
                ),
            ]
        }
    }

    impl<C> IntoParams for CursorParams<C> {
        fn into_params(provider: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
            let text = RefOr::T(Schema::Object(
                ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).build(),
            ));
            vec![
                size("results_per_page", &provider),
                query(
                    "cursor",
                    "The opaque cursor of the previous page; absent or empty for the first page.",
                    text,
                    &provider,
                ),
            ]
        }
    }
}
