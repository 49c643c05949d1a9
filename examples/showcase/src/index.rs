//! The index page: every seed example, linked where it is served.

use std::fmt::Write as _;

use axum::response::Html;

use crate::seeds::{SEEDS, Seed};

/// Escapes text for HTML element content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn row(out: &mut String, seed: &Seed) {
    let prefix = escape(seed.prefix);
    let cell = match seed.link {
        Some(path) => format!("<a href=\"{prefix}{}\"><code>{prefix}</code></a>", escape(path)),
        None => format!("<code>{prefix}</code> <small>(not served yet)</small>"),
    };
    let paths: Vec<String> = seed.paths.iter().map(|p| format!("<code>{}</code>", escape(p))).collect();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "<tr><td>{cell}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(seed.seed),
        escape(seed.example),
        paths.join("<br>")
    );
}

/// Renders the index page.
#[must_use]
pub fn render() -> String {
    let mut rows = String::new();
    for seed in SEEDS {
        row(&mut rows, seed);
    }
    let served = SEEDS.iter().filter(|s| s.link.is_some()).count();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Strata showcase</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
small {{ color: #777; }}
</style>
</head>
<body>
<h1>Strata showcase</h1>
<p>The examples of Litestar's response documentation, served by axum with Strata
(version {version}). {served} of {total} examples are served so far.</p>
<table>
<thead><tr><th>prefix</th><th>seed</th><th>example</th><th>paths after the prefix</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        total = SEEDS.len(),
    )
}

/// `GET /`.
pub async fn index() -> Html<String> {
    Html(render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_prefix_is_listed() {
        let page = render();
        for seed in SEEDS {
            assert!(page.contains(&format!("<code>{}</code>", seed.prefix)), "{} missing", seed.prefix);
        }
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
