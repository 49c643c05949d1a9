//! Seed 000, "Template responses": `info.html` rendered with a user.

use std::collections::HashMap;

use axum::{
    Router,
    extract::{Query, rejection::QueryRejection},
    routing::get,
};
use axum_strata::{
    Strata,
    problem::Problem,
    template::{MiniJinja, Template},
};
use serde_json::json;

/// The directory of the showcase's templates.
pub const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");

/// `/seeds/template`: `GET /info` renders `info.html` with a user (`?name=` picks the name;
/// the seed's `request.user` comes from an auth layer the showcase does not have).
pub fn template() -> Router {
    let info = |query: Result<Query<HashMap<String, String>>, QueryRejection>| async move {
        let Query(query) = query.map_err(|r| Problem::new(r.status()).with_detail(r.body_text()))?;
        let name = query.get("name").cloned().unwrap_or_else(|| "guest".to_owned());
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        Ok::<_, Problem>(Template::new("info.html", json!({ "user": { "name": name, "email": email } })))
    };
    let router = Router::new().route("/info", get(info));
    match MiniJinja::from_dir(TEMPLATES) {
        Ok(engine) => router.layer(Strata::app().templates(engine)),
        Err(e) => {
            // The page then answers 500 and names the missing engine in the log.
            tracing::error!("the showcase's templates are missing: {e}");
            router
        }
    }
}
