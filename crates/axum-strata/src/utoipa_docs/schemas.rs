//! utoipa's `ToSchema` for [`Problem`](crate::problem::Problem), the pagination containers
//! (generic over the item) and `MultiValueMap`. `Problem`'s schema is the one the `openapi`
//! feature gives aide, written once; the containers' are their fields, with the item's utoipa
//! schema.

#![allow(unused_imports, dead_code, reason = "the helpers serve the types of features that may be off")]

use std::borrow::Cow;

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        ArrayBuilder, ObjectBuilder, RefOr,
        schema::{Schema, SchemaType, Type},
    },
};

/// A schema from its JSON form (utoipa's types deserialize from it).
fn from_json(value: serde_json::Value) -> RefOr<Schema> {
    super::convert::from_json(value, "schema")
        .unwrap_or_else(|| RefOr::T(Schema::Object(ObjectBuilder::new().build())))
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
    use crate::pagination::{ClassicPagination, CursorPagination, OffsetPagination};

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
}
