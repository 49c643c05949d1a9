// Decoding that reports every bad field, and validator's errors as field errors.

use std::{borrow::Cow, fmt::Display};

use eserde::{
    EDeserialize,
    path::{Path, Segment},
};
use serde::de::DeserializeOwned;
use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::problem::FieldError;

/// The largest body read a second time to find every error (64 KiB): a larger bad body gets
/// its first error, and a note that there may be more.
const MAX_SECOND_PASS: usize = 64 * 1024;

/// The note after a list that may not hold every error.
const MORE_MAYBE: &str = "there may be more errors after these";

/// The most field errors one problem lists; a body of a million bad items gets the first ones
/// and a last entry that says how many more there were.
pub(crate) const MAX_ERRORS: usize = 100;

/// How deep validator's nested errors are followed (a recursive type nests as deep as its
/// input, which the decoders bound already; this bounds the walk on its own).
const MAX_DEPTH: usize = 64;

/// After serde's first pass failed with `first`: every error of the JSON text `bytes`, each
/// with its path, from eserde's second pass (which goes on after each error); or `first` alone
/// when the second pass finds none (an error eserde does not see, such as a custom
/// `Deserialize`).
pub(crate) fn every_json_error<T>(bytes: &[u8], first: &impl Display) -> Vec<FieldError>
where
    T: for<'de> EDeserialize<'de>,
{
    if bytes.len() > MAX_SECOND_PASS {
        // A large bad body gets its first error, with its path, and no second pass: eserde
        // keeps every error it meets, and a large body can hold a million of them.
        let mut de = serde_json::Deserializer::from_slice(bytes);
        return match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => {
                let (field, message) = field_and_message_of(e.path(), &e.inner().to_string());
                vec![
                    FieldError { field: Cow::Owned(field), message },
                    FieldError { field: Cow::Borrowed(""), message: MORE_MAYBE.to_owned() },
                ]
            }
            Ok(_) => vec![FieldError { field: Cow::Borrowed(""), message: first.to_string() }],
        };
    }
    let mut errors: Vec<_> = match eserde::json::from_slice::<T>(bytes) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().collect(),
    };
    // Two places where eserde 0.1.7 loses its way, and the repair loop over the parsed value
    // answers instead: after an unknown variant (`path/de.rs`, `variant_seed` pushes the
    // variant's segment and nothing pops it on error, so later paths are off by one), and
    // after an array or object where a scalar belongs (it stops reading there, and reports
    // the rest of a valid body as a syntax error at the root).
    let lost = errors.iter().any(|e| {
        let at_root = e.path().is_none_or(Path::is_empty);
        let after_variant =
            e.path().and_then(|p| p.iter().next_back()).is_some_and(|s| matches!(s, Segment::Enum { .. }));
        after_variant || (at_root && e.message().starts_with("expected"))
    });
    if lost && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        return every_value_error::<T>(value, first);
    }
    errors.retain(|e| e.path().is_some_and(|p| !p.is_empty()) || !e.message().is_empty());
    // A third: once it has met an error, eserde reports fields of an object that may be absent
    // (`Option`, `#[serde(default)]`) as missing. serde itself, in the repair loop, does not:
    // a missing field of an object stands only if the loop finds it missing too.
    if errors.iter().any(|e| e.message().starts_with("missing field `"))
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
    {
        let confirmed = every_value_error::<T>(value.clone(), first);
        errors.retain(|e| {
            if !e.message().starts_with("missing field `") {
                return true;
            }
            let (field, message) = field_and_message(e.path(), e.message());
            let parent: Vec<&str> =
                field.rsplit_once('/').map_or_else(Vec::new, |(p, _)| p.split('/').collect());
            let in_object = parent
                .iter()
                .try_fold(&value, |v, key| match v {
                    serde_json::Value::Object(map) => map.get(*key),
                    serde_json::Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                    _ => None,
                })
                .is_some_and(serde_json::Value::is_object);
            !in_object || confirmed.iter().any(|c| c.field == field && c.message == message)
        });
    }
    let total = errors.len();
    let mut out: Vec<FieldError> = errors
        .into_iter()
        .take(MAX_ERRORS)
        .map(|e| {
            let (field, message) = field_and_message(e.path(), e.message());
            FieldError { field: Cow::Owned(field), message }
        })
        .collect();
    if out.is_empty() {
        return vec![FieldError { field: Cow::Borrowed(""), message: first.to_string() }];
    }
    if total > MAX_ERRORS {
        out.push(FieldError {
            field: Cow::Borrowed(""),
            message: format!("and {} more errors", total - MAX_ERRORS),
        });
    }
    out
}

/// What stands in for a bad or missing JSON value, so that decoding goes on to the next error:
/// one of them decodes as an `Option`, a number, a boolean, a string, a list or a struct.
fn json_stand_ins() -> [serde_json::Value; 6] {
    use serde_json::{Map, Value};
    [
        Value::Null,
        Value::from(0),
        Value::Bool(false),
        Value::from("x"),
        Value::Array(Vec::new()),
        Value::Object(Map::new()),
    ]
}

/// Every error of `value` for `T`, found one a round as [`every_pair_error`] does for pairs,
/// over a JSON tree: each error is recorded at its path, the value there replaced by a
/// stand-in (the first variant the error names, for an unknown variant), and errors inside a
/// stand-in are not the client's, so they are fixed but not recorded. Bounded by
/// [`MAX_ROUNDS`] and [`MAX_ERRORS`]; the value is at most [`MAX_SECOND_PASS`] of text.
fn every_value_error<T: DeserializeOwned>(
    mut value: serde_json::Value,
    first: &impl Display,
) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = Vec::new();
    // The paths given a stand-in, and which one they have.
    let mut stood_in: Vec<(Vec<String>, usize)> = Vec::new();
    let mut tried_variant: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut complete = false;
    for _ in 0..MAX_ROUNDS {
        let Err(error) = serde_path_to_error::deserialize::<_, T>(&value) else {
            complete = true;
            break;
        };
        let mut path: Vec<String> = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        let message = clean(&error.inner().to_string());
        let (message, missing) =
            match message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
                Some(field) => {
                    path.push(field.to_owned());
                    ("is required".to_owned(), true)
                }
                None => (message, false),
            };
        let ours = stood_in.iter().any(|(p, _)| path.starts_with(p) && *p != path);
        let tried = stood_in.iter_mut().find(|(p, _)| *p == path);
        let next = match tried {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                if !ours {
                    if out.len() == MAX_ERRORS {
                        break;
                    }
                    out.push(FieldError { field: Cow::Owned(path.join("/")), message: message.clone() });
                }
                stood_in.push((path.clone(), 0));
                0
            }
        };
        // An unknown variant names the ones that exist: the first of them stands in, once.
        let variant = message
            .split("expected ")
            .nth(1)
            .and_then(|rest| rest.split('`').nth(1))
            .filter(|_| message.starts_with("unknown variant"))
            .map(serde_json::Value::from);
        let stand_in = match variant {
            Some(variant) if tried_variant.insert(path.join("/")) => variant,
            _ => {
                let Some(stand_in) = json_stand_ins().into_iter().nth(next) else { break };
                stand_in
            }
        };
        if path.is_empty() || !put(&mut value, &path, stand_in, missing) {
            break;
        }
    }
    if out.is_empty() {
        out.push(FieldError { field: Cow::Borrowed(""), message: first.to_string() });
    } else if !complete {
        out.push(FieldError { field: Cow::Borrowed(""), message: MORE_MAYBE.to_owned() });
    }
    out
}

/// Puts `stand_in` at `path` in `value`; `false` where the path does not lead anywhere.
fn put(value: &mut serde_json::Value, path: &[String], stand_in: serde_json::Value, missing: bool) -> bool {
    let Some((last, parents)) = path.split_last() else { return false };
    let mut at = value;
    for segment in parents {
        at = match at {
            serde_json::Value::Object(map) => match map.get_mut(segment) {
                Some(next) => next,
                None => return false,
            },
            serde_json::Value::Array(items) => {
                match segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(next) => next,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    match at {
        serde_json::Value::Object(map) => {
            if !missing && !map.contains_key(last) {
                // An error at an enum's variant: the variant is the key.
                return false;
            }
            map.insert(last.clone(), stand_in);
            true
        }
        serde_json::Value::Array(items) => match last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            Some(slot) => {
                *slot = stand_in;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// serde's message, without the names eserde's derive gives its hidden types.
fn clean(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    message.replace("__ImplEDeserializeFor", "")
}

/// Values tried in place of a bad or missing text parameter, so that decoding goes on to the
/// next error: one of them decodes as a number, a boolean or a string.
const STAND_INS: [&str; 3] = ["0", "false", "x"];

/// The most decoding rounds the pairs get (each finds one error).
const MAX_ROUNDS: usize = 64;

/// The bytes of pairs all the rounds read together (4 MiB): a large form gets fewer rounds, so
/// the work on a hostile input stays a few decodings of the largest body.
const PAIR_BUDGET: usize = 4 * 1024 * 1024;

/// After serde's first pass over `key=value` pairs failed with `first`: every error, found one
/// at a time. Text pairs are flat (one level of fields), so each error is one field's: it is
/// recorded, and the field's value is replaced with a stand-in of the right type (or dropped,
/// for an optional one) before the next round. Bounded by [`MAX_ROUNDS`] and [`MAX_ERRORS`].
pub(crate) fn every_pair_error<T: DeserializeOwned>(
    pairs: &[(String, String)],
    first: &impl Display,
) -> Vec<FieldError> {
    let mut pairs: Vec<(String, String)> = pairs.to_vec();
    let mut out: Vec<FieldError> = Vec::new();
    // The stand-in each field got last, by field.
    let mut stood_in: Vec<(String, usize)> = Vec::new();
    // Each round reads all the pairs: the rounds of a large input are fewer.
    let size: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let rounds = (PAIR_BUDGET / size.max(1)).clamp(1, MAX_ROUNDS);
    let mut complete = false;
    for _ in 0..rounds {
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        let Err(error) = serde_path_to_error::deserialize::<_, T>(de) else {
            complete = true;
            break;
        };
        let message = error.inner().to_string();
        let named =
            |prefix: &str| message.strip_prefix(prefix).and_then(|m| m.strip_suffix('`')).map(str::to_owned);
        let (field, message) = match (named("missing field `"), named("duplicate field `")) {
            (Some(missing), _) => (missing, "is required".to_owned()),
            (None, Some(duplicate)) => (duplicate, "is given more than once".to_owned()),
            (None, None) => (error.path().to_string(), message),
        };
        if field.is_empty() || field == "." {
            // About the whole input (an unknown field under `deny_unknown_fields`, a
            // duplicate): nothing to stand in for, and the last error found.
            out.push(FieldError { field: Cow::Borrowed(""), message });
            complete = true;
            break;
        }
        let next = match stood_in.iter_mut().find(|(name, _)| *name == field) {
            // Already recorded: the stand-in did not decode; the next one.
            Some((_, tried)) => {
                *tried += 1;
                *tried
            }
            None => {
                if out.len() == MAX_ERRORS {
                    break;
                }
                out.push(FieldError { field: Cow::Owned(field.clone()), message });
                stood_in.push((field.clone(), 0));
                // First drop the value: an optional field then decodes as absent.
                pairs.retain(|(name, _)| *name != field);
                continue;
            }
        };
        let Some(stand_in) = STAND_INS.get(next - 1) else {
            // No stand-in decodes as this field's type: the errors after it stay unknown.
            break;
        };
        pairs.retain(|(name, _)| *name != field);
        pairs.push((field, (*stand_in).to_owned()));
    }
    if out.is_empty() {
        out.push(FieldError { field: Cow::Borrowed(""), message: first.to_string() });
    } else if !complete {
        out.push(FieldError { field: Cow::Borrowed(""), message: MORE_MAYBE.to_owned() });
    }
    out
}

/// [`field_and_message`] for serde_path_to_error's path (`items[2].name`).
fn field_and_message_of(path: &serde_path_to_error::Path, message: &str) -> (String, String) {
    let mut field = String::new();
    for segment in path {
        let text = match segment {
            serde_path_to_error::Segment::Seq { index } => index.to_string(),
            serde_path_to_error::Segment::Map { key } => key.clone(),
            serde_path_to_error::Segment::Enum { variant } => variant.clone(),
            serde_path_to_error::Segment::Unknown => continue,
        };
        if !field.is_empty() {
            field.push('/');
        }
        field.push_str(&text);
    }
    let (missing_field, message) = field_and_message(None, message);
    if message == "is required" {
        return (if field.is_empty() { missing_field } else { format!("{field}/{missing_field}") }, message);
    }
    (field, message)
}

/// The field an error is about, as a path such as `items/2/name`, and its message. serde says
/// a missing field on the object that lacks it: the field's own path is more useful.
fn field_and_message(path: Option<&Path>, message: &str) -> (String, String) {
    let mut field = String::new();
    let segments: Vec<&Segment> = path.into_iter().flatten().collect();
    // An unknown variant is the field's error: the variant named is not a segment of the input.
    let segments = match segments.split_last() {
        Some((Segment::Enum { .. }, parent)) if message.starts_with("unknown variant") => parent,
        _ => &segments[..],
    };
    for segment in segments {
        if !field.is_empty() {
            field.push('/');
        }
        match segment {
            Segment::Seq { index } => field.push_str(&index.to_string()),
            Segment::Map { key } => field.push_str(key),
            Segment::Enum { variant } => field.push_str(variant),
        }
    }
    if let Some(missing) = message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
        if !field.is_empty() {
            field.push('/');
        }
        field.push_str(missing);
        return (field, "is required".to_owned());
    }
    // serde_json adds where in the text the error was; the path says it better.
    (field, clean(message))
}

/// validator's errors as field errors, sorted by field (validator keeps them in a hash map).
pub(crate) fn validation_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    walk(errors, "", 0, &mut out);
    if out.len() > MAX_ERRORS {
        out.truncate(MAX_ERRORS);
        out.push(FieldError { field: Cow::Borrowed(""), message: MORE_MAYBE.to_owned() });
    }
    out
}

fn walk(errors: &ValidationErrors, prefix: &str, depth: usize, out: &mut Vec<FieldError>) {
    if depth > MAX_DEPTH || out.len() > MAX_ERRORS {
        return;
    }
    // By field name (validator keeps them in a hash map); list items by index.
    let mut fields: Vec<_> = errors.errors().iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (name, kind) in fields {
        // `__all__` holds the errors of a struct-level rule (`#[validate(schema(…))]`).
        let field = match (prefix, name.as_ref()) {
            (prefix, "__all__") => prefix.to_owned(),
            ("", name) => name.to_owned(),
            (prefix, name) => format!("{prefix}/{name}"),
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(
                    list.iter().map(|e| FieldError { field: Cow::Owned(field.clone()), message: message(e) }),
                );
            }
            ValidationErrorsKind::Struct(inner) => walk(inner, &field, depth + 1, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    walk(inner, &format!("{field}/{index}"), depth + 1, out);
                }
            }
        }
    }
}

/// What a broken rule means, for a person: the rule's own message when it has one, else one
/// made from its code and parameters.
fn message(error: &ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    match error.code.as_ref() {
        "length" => match (param("equal"), param("min"), param("max")) {
            (Some(n), _, _) => format!("must have a length of exactly {n}"),
            (None, Some(min), Some(max)) => format!("must have a length from {min} to {max}"),
            (None, Some(min), None) => format!("must have a length of at least {min}"),
            (None, None, Some(max)) => format!("must have a length of at most {max}"),
            (None, None, None) => "has the wrong length".to_owned(),
        },
        "range" => {
            let mut bounds = Vec::new();
            if let Some(min) = param("min") {
                bounds.push(format!("at least {min}"));
            }
            if let Some(min) = param("exclusive_min") {
                bounds.push(format!("greater than {min}"));
            }
            if let Some(max) = param("max") {
                bounds.push(format!("at most {max}"));
            }
            if let Some(max) = param("exclusive_max") {
                bounds.push(format!("less than {max}"));
            }
            if bounds.is_empty() {
                "is out of range".to_owned()
            } else {
                format!("must be {}", bounds.join(" and "))
            }
        }
        "email" => "must be an email address".to_owned(),
        "url" => "must be a URL".to_owned(),
        "regex" => "does not have the expected form".to_owned(),
        "required" => "is required".to_owned(),
        "contains" => format!("must contain {}", param("needle").unwrap_or_default()),
        "does_not_contain" => format!("must not contain {}", param("needle").unwrap_or_default()),
        "must_match" => format!("must match {}", param("other").unwrap_or_default()),
        "credit_card" => "must be a credit card number".to_owned(),
        code => format!("is invalid ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_slash_separated_and_missing_fields_name_themselves() {
        let path = Path::from(vec![
            Segment::Map { key: "items".to_owned() },
            Segment::Seq { index: 2 },
            Segment::Map { key: "name".to_owned() },
        ]);
        assert_eq!(
            field_and_message(Some(&path), "invalid type: null, expected a string at line 1 column 9"),
            ("items/2/name".to_owned(), "invalid type: null, expected a string".to_owned())
        );
        let parent = Path::from(vec![Segment::Map { key: "version".to_owned() }]);
        assert_eq!(
            field_and_message(Some(&parent), "missing field `patch`"),
            ("version/patch".to_owned(), "is required".to_owned())
        );
        assert_eq!(
            field_and_message(None, "missing field `id`"),
            ("id".to_owned(), "is required".to_owned())
        );
    }

    #[derive(Debug, eserde::Deserialize)]
    #[allow(dead_code, reason = "only decoded")]
    struct Required {
        a: u8,
        b: Option<u8>,
        #[serde(default)]
        c: u8,
    }

    fn fields(body: &str) -> Vec<(String, String)> {
        every_json_error::<Required>(body.as_bytes(), &"bad")
            .into_iter()
            .map(|e| (e.field.into_owned(), e.message))
            .collect()
    }

    #[test]
    fn fields_that_may_be_absent_are_not_called_missing() {
        let only_a = fields(r#"{"a": "x"}"#);
        assert_eq!(only_a.len(), 1, "{only_a:?}");
        assert_eq!(only_a[0].0, "a");
        let both = fields(r#"{"b": "x"}"#);
        let named: Vec<&str> = both.iter().map(|(f, _)| f.as_str()).collect();
        assert!(named.contains(&"a") && named.contains(&"b") && !named.contains(&"c"), "{both:?}");
        assert!(both.iter().any(|(f, m)| f == "a" && m == "is required"), "{both:?}");
    }
}
