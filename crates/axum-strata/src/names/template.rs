// Route templates: parsed once, filled with parameters.

use std::fmt::Write as _;

use strata_headers::uri::escape_segment;

/// One piece of a route template such as `/def/{param}` or `/files/{*rest}`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// `{name}`: one segment, encoded.
    Param(String),
    /// `{*name}`: the rest of the path, each segment encoded.
    Wildcard(String),
}

/// A route template, parsed once when the route is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    text: String,
    parts: Vec<Part>,
}

impl Template {
    /// Parses axum's template syntax: `{name}`, `{*name}`, `{{` and `}}` for braces.
    pub(crate) fn parse(text: &str) -> Self {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(match name.strip_prefix('*') {
                        Some(rest) => Part::Wildcard(rest.to_owned()),
                        None => Part::Param(name),
                    });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Self { text: text.to_owned(), parts }
    }

    /// The template as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The names of its parameters, in order.
    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Param(name) | Part::Wildcard(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The template's parameters that `given` lacks (an empty value counts as not given: no
    /// route would match it).
    pub(crate) fn missing<'a>(&'a self, given: &[(&str, String)]) -> Vec<&'a str> {
        self.params().filter(|p| !given.iter().any(|(name, value)| name == p && !value.is_empty())).collect()
    }

    /// The path, each parameter percent-encoded (a wildcard segment by segment); `Err` names
    /// a parameter whose value is empty, which no route would match.
    pub(crate) fn fill(&self, given: &[(&str, String)]) -> Result<String, String> {
        let mut path = String::with_capacity(self.text.len() + 16);
        for part in &self.parts {
            let (Part::Param(name) | Part::Wildcard(name)) = part else {
                if let Part::Literal(text) = part {
                    path.push_str(text);
                }
                continue;
            };
            let value = given.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str());
            // Empty, `.` and `..` segments would not name the route: clients drop or resolve
            // them (encoding does not help, URL parsers decode `%2E%2E` as `..`).
            if value.is_empty() || value.split('/').any(|segment| matches!(segment, "" | "." | "..")) {
                return Err(name.clone());
            }
            match part {
                Part::Wildcard(_) => {
                    for (i, segment) in value.split('/').enumerate() {
                        if i > 0 {
                            path.push('/');
                        }
                        let _ = write!(path, "{}", escape_segment(segment));
                    }
                }
                _ => path.push_str(&escape_segment(value)),
            }
        }
        Ok(path)
    }
}

/// `child` nested under `prefix`, as axum nests it (`path_for_nested_route`): the child's `/`
/// is the prefix itself; a prefix ending in `/` takes the child without its leading `/`.
pub(crate) fn join(prefix: &str, child: &str) -> String {
    if prefix.is_empty() {
        return if child.is_empty() { "/".to_owned() } else { child.to_owned() };
    }
    if prefix.ends_with('/') {
        format!("{prefix}{}", child.trim_start_matches('/'))
    } else if child == "/" || child.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{child}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn templates_fill_with_encoded_segments() {
        let t = Template::parse("/def/{param}/x{{y}}");
        assert_eq!(t.params().collect::<Vec<_>>(), ["param"]);
        assert_eq!(t.fill(&given(&[("param", "a/b c")])).unwrap(), "/def/a%2Fb%20c/x{y}");
        assert_eq!(t.fill(&given(&[])), Err("param".to_owned()));
        assert_eq!(t.fill(&given(&[("param", "..")])), Err("param".to_owned()));
        assert_eq!(t.missing(&given(&[("param", "")])), ["param"], "empty is not given");
        let w = Template::parse("/files/{*rest}");
        assert_eq!(w.fill(&given(&[("rest", "dir/é.txt")])).unwrap(), "/files/dir/%C3%A9.txt");
        assert_eq!(w.missing(&given(&[("other", "1")])), ["rest"]);
        assert_eq!(w.fill(&given(&[("rest", "a/../b")])), Err("rest".to_owned()));
    }

    #[test]
    fn nesting_joins_as_axum_does() {
        assert_eq!(join("/api", "/items"), "/api/items");
        assert_eq!(join("/api", "/"), "/api");
        assert_eq!(join("", "/"), "/");
        assert_eq!(join("/a/", "/b"), "/a/b");
        assert_eq!(join("/a/", "/"), "/a/");
    }
}
