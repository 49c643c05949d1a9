//! The pieces of operations Strata's types describe themselves with, written once.
#![allow(
    dead_code,
    reason = "each helper serves the types of some feature; with few features on, some go unused"
)]

use aide::{
    generate::GenContext,
    openapi::{
        Header, HeaderStyle, MediaType, Operation, Parameter, ParameterData, ParameterSchemaOrContent,
        QueryStyle, ReferenceOr, RequestBody, Response, SchemaObject, StatusCode,
    },
};
use schemars::{JsonSchema, Schema, json_schema};

use crate::problem::PROBLEM_JSON;

/// Marks a response whose status the app level gives by method (POST 201, DELETE 204): the
/// level that resolves it removes the mark.
pub(crate) const STATUS_BY_METHOD: &str = "x-strata-status-by-method";
/// Marks a response the closest negotiating level adds its formats to.
pub(crate) const NEGOTIATED: &str = "x-strata-negotiated";

/// The schema of `T`, registered in the document's components where it is named.
pub(crate) fn schema_of<T: JsonSchema>(ctx: &mut GenContext) -> SchemaObject {
    inline(ctx.schema.subschema_for::<T>())
}

pub(crate) fn inline(json_schema: Schema) -> SchemaObject {
    SchemaObject { json_schema, example: None, external_docs: None }
}

pub(crate) fn string() -> Schema {
    json_schema!({ "type": "string" })
}

pub(crate) fn binary() -> Schema {
    json_schema!({ "type": "string", "format": "binary" })
}

/// One content entry.
pub(crate) fn body(media_type: &str, schema: SchemaObject) -> (String, MediaType) {
    (media_type.to_owned(), MediaType { schema: Some(schema), ..MediaType::default() })
}

pub(crate) fn response(
    description: &str,
    content: impl IntoIterator<Item = (String, MediaType)>,
) -> Response {
    let mut response = Response { description: description.to_owned(), ..Response::default() };
    response.content.extend(content);
    response
}

/// `response`, whose status the app level gives by method.
pub(crate) fn by_method(mut response: Response) -> Response {
    response.extensions.insert(STATUS_BY_METHOD.to_owned(), true.into());
    response
}

/// `response`, whose formats the closest negotiating level gives.
pub(crate) fn negotiated(mut response: Response) -> Response {
    response.extensions.insert(NEGOTIATED.to_owned(), true.into());
    by_method(response)
}

pub(crate) fn header(description: Option<&str>, example: Option<&str>) -> ReferenceOr<Header> {
    ReferenceOr::Item(Header {
        description: description.map(str::to_owned),
        style: HeaderStyle::Simple,
        required: false,
        deprecated: None,
        format: ParameterSchemaOrContent::Schema(inline(string())),
        example: example.map(Into::into),
        examples: Default::default(),
        extensions: Default::default(),
    })
}

/// Whether `response` documents the header `name` (case-insensitively).
pub(crate) fn has_header(response: &Response, name: &str) -> bool {
    response.headers.keys().any(|k| k.eq_ignore_ascii_case(name))
}

/// `response` with the header `name`, unless it documents it already.
pub(crate) fn with_header(mut response: Response, name: &str, description: &str) -> Response {
    if !has_header(&response, name) {
        response.headers.insert(name.to_owned(), header(Some(description), None));
    }
    response
}

/// The RFC 9457 problem every error of Strata's is.
pub(crate) fn problem_schema() -> Schema {
    Schema::try_from(crate::problem::problem_json_schema())
        .unwrap_or_else(|_| json_schema!({ "type": "object" }))
}

/// An `application/problem+json` response.
pub(crate) fn problem(description: &str) -> Response {
    response(description, [body(PROBLEM_JSON, inline(problem_schema()))])
}

/// `(status, problem)` pairs, for `inferred_responses` and `inferred_early_responses`.
pub(crate) fn problems(statuses: &[(u16, &str)]) -> Vec<(Option<u16>, Response)> {
    statuses.iter().map(|&(status, description)| (Some(status), problem(description))).collect()
}

/// Adds `response` for `status` unless the operation documents that status already.
pub(crate) fn add_response(operation: &mut Operation, status: StatusCode, response: Response) {
    let responses = operation.responses.get_or_insert_with(Default::default);
    responses.responses.entry(status).or_insert(ReferenceOr::Item(response));
}

fn data(name: &str, description: &str, required: bool, schema: Schema) -> ParameterData {
    ParameterData {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required,
        deprecated: None,
        format: ParameterSchemaOrContent::Schema(inline(schema)),
        example: None,
        examples: Default::default(),
        explode: None,
        extensions: Default::default(),
    }
}

pub(crate) fn header_parameter(name: &str, description: &str, required: bool) -> Parameter {
    Parameter::Header {
        parameter_data: data(name, description, required, string()),
        style: HeaderStyle::Simple,
    }
}

pub(crate) fn query_parameter(name: &str, description: &str, schema: Schema) -> Parameter {
    Parameter::Query {
        parameter_data: data(name, description, false, schema),
        allow_reserved: false,
        style: QueryStyle::Form,
        allow_empty_value: None,
    }
}

/// Adds `parameters` to the operation, each unless one of the same name and place is there.
pub(crate) fn add_parameters(operation: &mut Operation, parameters: impl IntoIterator<Item = Parameter>) {
    for parameter in parameters {
        let exists = operation.parameters.iter().any(|p| match p {
            ReferenceOr::Item(p) => {
                p.parameter_data_ref().name == parameter.parameter_data_ref().name
                    && std::mem::discriminant(p) == std::mem::discriminant(&parameter)
            }
            ReferenceOr::Reference { .. } => false,
        });
        if !exists {
            operation.parameters.push(ReferenceOr::Item(parameter));
        }
    }
}

/// Sets the operation's request body.
pub(crate) fn request_body(operation: &mut Operation, media_type: &str, schema: SchemaObject) {
    let mut request_body = RequestBody { required: true, ..RequestBody::default() };
    request_body.content.extend([body(media_type, schema)]);
    operation.request_body = Some(ReferenceOr::Item(request_body));
}

/// Whether a body of `mime` is the value itself, serialized (JSON, `+json`, MessagePack),
/// rather than text.
pub(crate) fn is_structured(mime: &strata_headers::mime::Mime) -> bool {
    use strata_headers::mime::JSON;
    mime.subtype() == JSON || mime.suffix() == Some(JSON) || mime.subtype().as_str().ends_with("msgpack")
}
