//! `MultiValueMap`: several values per key, serialized as `{"key":["a","b"]}` (Litestar's
//! `MultiDict` through its custom-response example).
//!
//! ```
//! use axum_strata::multi_value::MultiValueMap;
//!
//! let map: MultiValueMap<&str, &str> = [("foo", "bar"), ("foo", "baz"), ("x", "1")].into_iter().collect();
//! assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"foo":["bar","baz"],"x":["1"]}"#);
//! assert_eq!(map.get_all(&"foo").collect::<Vec<_>>(), [&"bar", &"baz"]);
//! ```

use std::{collections::HashMap, hash::Hash};

use serde::{Serialize, Serializer, ser::SerializeMap};

/// Keys with one or more values, in the order they were added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiValueMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for MultiValueMap<K, V> {
    fn default() -> Self {
        Self { entries: Vec::new() }
    }
}

impl<K: PartialEq, V> MultiValueMap<K, V> {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value for `key`, after the values it has.
    pub fn insert(&mut self, key: K, value: V) {
        self.entries.push((key, value));
    }

    /// The values of `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a K) -> impl Iterator<Item = &'a V> + 'a {
        self.entries.iter().filter(move |(k, _)| k == key).map(|(_, v)| v)
    }

    /// The number of key-value pairs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: PartialEq, V> FromIterator<(K, V)> for MultiValueMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self { entries: iter.into_iter().collect() }
    }
}

/// The values of one key, serialized as a sequence.
struct Values<'a, V>(Vec<&'a V>);

impl<V: Serialize> Serialize for Values<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.0)
    }
}

impl<K: Serialize + Hash + Eq, V: Serialize> Serialize for MultiValueMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Group once: each key where it first appeared, with its values in order.
        let mut order: Vec<&K> = Vec::new();
        let mut groups: HashMap<&K, Vec<&V>> = HashMap::new();
        for (k, v) in &self.entries {
            groups
                .entry(k)
                .or_insert_with(|| {
                    order.push(k);
                    Vec::new()
                })
                .push(v);
        }
        let mut map = serializer.serialize_map(Some(order.len()))?;
        for key in order {
            let values = groups.remove(key).unwrap_or_default();
            map.serialize_entry(key, &Values(values))?;
        }
        map.end()
    }
}
#[cfg(feature = "openapi")]
mod openapi {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::MultiValueMap;

    /// An object whose every value is the array of the key's values, in order, as it is
    /// serialized.
    impl<K, V: JsonSchema> JsonSchema for MultiValueMap<K, V> {
        fn schema_name() -> Cow<'static, str> {
            format!("MultiValueMap_{}", V::schema_name()).into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "object",
                "additionalProperties": { "type": "array", "items": generator.subschema_for::<V>() },
            })
        }

        fn inline_schema() -> bool {
            true
        }
    }
}
