//! utoipa's `IntoResponses` and `ToResponse` on Strata's response types, and `IntoParams` on
//! its extractors: each from the description the type gives aide (written once), through
//! their JSON form; a generic type's item schema is the utoipa schema of its item.

#![allow(unused_imports, dead_code, reason = "the helpers serve the types of features that may be off")]

use std::collections::BTreeMap;

use aide::{OperationInput, OperationOutput, openapi::Operation};
use utoipa::{
    IntoParams, IntoResponses, PartialSchema, ToResponse,
    openapi::{
        RefOr, Response,
        path::{Parameter, ParameterIn},
        schema::Schema,
    },
};

use super::convert;

/// Runs `f` in aide's context of this thread, and puts the context's schemas back as they
/// were: what is described for utoipa (with stand-in items) must not reach a document aide
/// finishes on the same thread.
fn isolated<R>(f: impl FnOnce(&mut aide::generate::GenContext) -> R) -> R {
    aide::generate::in_context(|ctx| {
        let saved = ctx.schema.clone();
        let out = f(ctx);
        ctx.schema = saved;
        out
    })
}

/// The responses `O` documents for aide.
fn responses_of<O: OperationOutput>() -> BTreeMap<String, RefOr<Response>> {
    convert::responses(isolated(|ctx| O::inferred_responses(ctx, &mut Operation::default())))
}

/// The responses of `O` (a generic type, instantiated for aide with a stand-in item), with
/// `schema` as the schema of each body.
fn with_schema<O: OperationOutput>(schema: &RefOr<Schema>) -> BTreeMap<String, RefOr<Response>> {
    let mut responses = responses_of::<O>();
    for response in responses.values_mut() {
        if let RefOr::T(response) = response {
            for content in response.content.values_mut() {
                if let RefOr::T(content) = content {
                    content.schema = Some(schema.clone());
                }
            }
        }
    }
    responses
}

/// The parameters `I` (an extractor) documents, each in the place it says (utoipa's provider
/// is a fallback for parameters that name none, and these all name theirs).
fn params_of<I: OperationInput>() -> Vec<Parameter> {
    let mut operation = Operation::default();
    isolated(|ctx| I::operation_input(ctx, &mut operation));
    operation
        .parameters
        .into_iter()
        .filter_map(|parameter| convert::parameter(serde_json::to_value(&parameter).ok()?))
        .collect()
}

/// The one response of a type with one (its status aside), named `name`.
fn single<O: OperationOutput>(name: &'static str) -> (&'static str, RefOr<Response>) {
    let response = responses_of::<O>().into_values().next().unwrap_or_else(|| RefOr::T(Response::new(name)));
    (name, response)
}

/// Non-generic types: their responses as they give them to aide.
macro_rules! as_for_aide {
    ($($(#[$attr:meta])* $ty:ty;)+) => {$(
        $(#[$attr])*
        impl IntoResponses for $ty {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses_of::<Self>()
            }
        }
    )+};
}

as_for_aide! {
    crate::problem::Problem;
    #[cfg(feature = "file")]
    crate::file::File;
    #[cfg(feature = "file")]
    crate::file::FileError;
    #[cfg(feature = "redirect")]
    crate::redirect::Redirect;
    #[cfg(feature = "redirect")]
    crate::redirect::RedirectError;
    #[cfg(feature = "template")]
    crate::template::Template;
    #[cfg(feature = "precondition")]
    crate::precondition::PreconditionRejection;
}

/// The non-generic types with one response: it, by name.
macro_rules! named {
    ($($(#[$attr:meta])* $ty:ty => $name:literal;)+) => {$(
        $(#[$attr])*
        impl<'s> ToResponse<'s> for $ty {
            fn response() -> (&'s str, RefOr<Response>) {
                single::<Self>($name)
            }
        }
    )+};
}

named! {
    crate::problem::Problem => "Problem";
    #[cfg(feature = "file")]
    crate::file::File => "File";
    #[cfg(feature = "template")]
    crate::template::Template => "Template";
}

/// Generic over a body they do not describe: the same for every `S`.
macro_rules! streams {
    ($($(#[$attr:meta])* $ty:ident, name = $name:literal;)+) => {$(
        $(#[$attr])*
        impl<S> IntoResponses for $ty<S> {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses_of::<$ty<()>>()
            }
        }

        $(#[$attr])*
        impl<'s, S> ToResponse<'s> for $ty<S> {
            fn response() -> (&'s str, RefOr<Response>) {
                single::<$ty<()>>($name)
            }
        }
    )+};
}

streams! {
    #[cfg(feature = "sse")]
    ServerSentEvent, name = "ServerSentEvent";
    #[cfg(feature = "stream")]
    Streamed, name = "Streamed";
    #[cfg(feature = "stream")]
    JsonLines, name = "JsonLines";
}

#[cfg(feature = "sse")]
use crate::sse::ServerSentEvent;
#[cfg(feature = "stream")]
use crate::stream::{JsonLines, Streamed};

/// Generic over their item: its schema is `T`'s, inline (the types `T`'s schema refers to
/// are registered as for any of utoipa's `IntoResponses`: by `components(schemas(…))`, or a
/// `body = …` of theirs elsewhere).
macro_rules! items {
    ($($(#[$attr:meta])* $ty:ident;)+) => {$(
        $(#[$attr])*
        impl<T: PartialSchema> IntoResponses for $ty<T> {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                with_schema::<$ty<()>>(&T::schema())
            }
        }
    )+};
}

items! {
    #[cfg(feature = "content")]
    Content;
    #[cfg(feature = "msgpack")]
    MsgPack;
    #[cfg(feature = "negotiation")]
    Negotiated;
}

#[cfg(feature = "content")]
use crate::content::Content;
#[cfg(feature = "msgpack")]
use crate::msgpack::MsgPack;
#[cfg(feature = "negotiation")]
use crate::negotiation::Negotiated;

/// A page: the container's own schema (`items` of `T`'s), `Link` and the total.
#[cfg(feature = "pagination")]
macro_rules! pages {
    ($($ty:ident),+) => {$(
        impl<T: PartialSchema> IntoResponses for crate::pagination::$ty<T> {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                with_schema::<crate::pagination::$ty<()>>(&<Self as PartialSchema>::schema())
            }
        }
    )+};
}

#[cfg(feature = "pagination")]
pages!(ClassicPagination, OffsetPagination, CursorPagination);

/// The extractors whose parameters and rejections are documented for aide.
macro_rules! params {
    ($($(#[$attr:meta])* $ty:ty;)+) => {$(
        $(#[$attr])*
        impl IntoParams for $ty {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                params_of::<Self>()
            }
        }
    )+};
}

params! {
    #[cfg(feature = "pagination")]
    crate::pagination::ClassicParams;
    #[cfg(feature = "pagination")]
    crate::pagination::OffsetParams;
    #[cfg(feature = "precondition")]
    crate::precondition::Precondition;
}

#[cfg(feature = "pagination")]
impl<C> IntoParams for crate::pagination::CursorParams<C> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        params_of::<crate::pagination::CursorParams<()>>()
    }
}

/// The responses the extractor `E` gives before the handler runs, where the request does not
/// hold: for `responses(…)` next to the handler's own, as aide infers them from its inputs
/// (utoipa documents an extractor's parameters, not its rejections).
///
/// ```
/// # #[cfg(feature = "pagination")] {
/// use axum_strata::{pagination::OffsetParams, utoipa::IntoResponses, utoipa_docs::Rejections};
///
/// let responses = serde_json::to_value(Rejections::<OffsetParams>::responses()).unwrap();
/// assert!(responses["400"]["content"]["application/problem+json"].is_object());
/// # }
/// ```
#[derive(Debug)]
pub struct Rejections<E>(std::marker::PhantomData<fn() -> E>);

/// The responses `I` (an extractor) documents before the handler runs.
fn early_responses_of<I: OperationInput>() -> BTreeMap<String, RefOr<Response>> {
    convert::responses(isolated(|ctx| I::inferred_early_responses(ctx, &mut Operation::default())))
}

/// The extractors whose rejections are the same for every item type: given for `()`.
macro_rules! rejections {
    ($($(#[$attr:meta])* [$($generic:ident)?] $ty:ty => $as:ty;)+) => {$(
        $(#[$attr])*
        impl<$($generic)?> IntoResponses for Rejections<$ty> {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                early_responses_of::<$as>()
            }
        }
    )+};
}

rejections! {
    #[cfg(feature = "pagination")]
    [] crate::pagination::ClassicParams => crate::pagination::ClassicParams;
    #[cfg(feature = "pagination")]
    [] crate::pagination::OffsetParams => crate::pagination::OffsetParams;
    #[cfg(feature = "pagination")]
    [C] crate::pagination::CursorParams<C> => crate::pagination::CursorParams<()>;
    #[cfg(feature = "precondition")]
    [] crate::precondition::Precondition => crate::precondition::Precondition;
    #[cfg(feature = "msgpack")]
    [T] MsgPack<T> => MsgPack<()>;
    #[cfg(feature = "validation")]
    [T] crate::valid::Valid<axum::Json<T>> => crate::valid::Valid<axum::Json<()>>;
    #[cfg(feature = "validation")]
    [T] crate::valid::Valid<axum::extract::Query<T>> => crate::valid::Valid<axum::extract::Query<()>>;
    #[cfg(feature = "validation")]
    [T] crate::valid::Valid<axum::extract::Form<T>> => crate::valid::Valid<axum::extract::Form<()>>;
    #[cfg(feature = "validation")]
    [T] crate::valid::Valid<axum::extract::Path<T>> => crate::valid::Valid<axum::extract::Path<()>>;
    #[cfg(all(feature = "validation", feature = "msgpack"))]
    [T] crate::valid::Valid<MsgPack<T>> => crate::valid::Valid<MsgPack<()>>;
}
