//! Seed 000, "Template responses": `info.html` rendered with a user.

use axum::extract::{Query, rejection::QueryRejection};
use axum_strata::{
    Strata,
    openapi::{
        StrataApiRouterExt,
        aide::axum::{ApiRouter, routing as api},
        schemars::JsonSchema,
    },
    problem::Problem,
    template::{MiniJinja, Template},
};
use serde::Deserialize;
use serde_json::json;

/// The query of `GET /info`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
struct Info {
    /// The user's name (`guest` when not given).
    name: Option<String>,
}

/// The directory of the showcase's templates.
pub const TEMPLATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");

/// `/seeds/template`: `GET /info` renders `info.html` with a user (`?name=` picks the name;
/// the seed's `request.user` comes from an auth layer the showcase does not have).
pub fn template() -> ApiRouter {
    let info = |query: Result<Query<Info>, QueryRejection>| async move {
        let Query(query) = query.map_err(|r| Problem::new(r.status()).with_detail(r.body_text()))?;
        let name = query.name.unwrap_or_else(|| "guest".to_owned());
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        Ok::<_, Problem>(Template::new("info.html", json!({ "user": { "name": name, "email": email } })))
    };
    let router = ApiRouter::new().api_route("/info", api::get(info));
    match MiniJinja::from_dir(TEMPLATES) {
        Ok(engine) => router.strata(Strata::app().templates(engine)),
        Err(e) => {
            // The page then answers 500 and names the missing engine in the log.
            tracing::error!("the showcase's templates are missing: {e}");
            router
        }
    }
}
