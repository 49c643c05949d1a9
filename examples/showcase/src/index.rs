//! The index page: every seed example, linked where it is served.

use std::fmt::Write as _;

use axum::response::Html;

use crate::seeds::{SEEDS, Seed};

/// Escapes text for HTML element content and attribute values (minijinja's escaping).
fn escape(s: &str) -> String {
    axum_strata::template::minijinja::HtmlEscape(s).to_string()
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

/// The live panel's script: one `EventSource` per seed stream.
const LIVE_SSE_SCRIPT: &str = r#"<script>
function listen(url, list, names) {
  const source = new EventSource(url);
  const show = (e) => {
    const item = document.createElement("li");
    item.textContent = (e.type === "message" ? "" : e.type + ": ") + e.data + (e.lastEventId ? " (id " + e.lastEventId + ")" : "");
    const target = document.getElementById(list);
    target.prepend(item);
    while (target.children.length > 20) target.lastChild.remove();
  };
  for (const name of names) source.addEventListener(name, show);
  return source;
}
// Opened after the page has loaded, so that the endless streams do not keep it "loading".
window.addEventListener("load", () => setTimeout(() => {
  listen("/seeds/sse/count", "count", ["message", "event2", "something-with-comment"]);
  listen("/seeds/api/events", "events", ["update"]);
}, 0));
</script>"#;

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
.panels {{ display: flex; gap: 2rem; }}
.panels section {{ flex: 1; }}
ol {{ font-family: ui-monospace, monospace; font-size: .85rem; }}
</style>
</head>
<body>
<h1>Strata showcase</h1>
<p>The examples of Litestar's response documentation, served by axum with Strata
(version {version}). {served} of {total} examples are served so far.</p>
<p>The OpenAPI document: <a href="/schema">/schema</a> (interactive),
<a href="/schema/openapi.json">openapi.json</a>, <a href="/schema/openapi.yaml">openapi.yaml</a>.</p>
<table>
<thead><tr><th>prefix</th><th>seed</th><th>example</th><th>paths after the prefix</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<h2>Live server-sent events</h2>
<p>Two <code>EventSource</code>s: the seed's ten-round counter (<code>/seeds/sse/count</code>,
which the browser reconnects to when it ends) and the API's updates
(<code>/seeds/api/events</code>, which resume after the last id seen).</p>
<div class="panels">
<section><h3><code>/seeds/sse/count</code></h3><ol id="count"></ol></section>
<section><h3><code>/seeds/api/events</code></h3><ol id="events"></ol></section>
</div>
{script}</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        script = LIVE_SSE_SCRIPT,
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
            assert!(
                page.contains(&format!("<code>{}</code>", escape(seed.prefix))),
                "{} missing",
                seed.prefix
            );
        }
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;");
    }
}
