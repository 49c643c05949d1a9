//! Seed 000, "Pagination": 50 generated people, paged the classic way, by limit and offset, and
//! by cursor. Unlike the seed's cursor example, which answers the first page forever, the next
//! page really starts after the cursor.

use std::{fs::File, io::Read, sync::LazyLock};

use axum_strata::openapi::{
    StrataApiRouterExt,
    aide::axum::{ApiRouter, routing as api},
    schemars::JsonSchema,
};
use axum_strata::{
    Strata,
    negotiation::Format,
    pagination::{
        ClassicPagination, ClassicParams, CursorPagination, CursorParams, OffsetPagination, OffsetParams,
        Pagination, SyncCursorPaginator,
    },
};
use serde::{Deserialize, Serialize};

use super::random_in;

/// A person of the seed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "axum_strata::openapi::schemars")]
pub struct Person {
    /// `person-01` … `person-50`, in order.
    pub id: String,
    /// A generated name.
    pub name: String,
}

const FIRST: [&str; 10] =
    ["Ada", "Alan", "Barbara", "Dennis", "Edsger", "Frances", "Grace", "John", "Ken", "Margaret"];
const LAST: [&str; 5] = ["Hopper", "Lovelace", "Liskov", "Ritchie", "Turing"];

/// The 50 people, made once.
pub static PEOPLE: LazyLock<Vec<Person>> = LazyLock::new(|| {
    (0..50)
        .map(|i| Person {
            id: format!("person-{:02}", i + 1),
            name: format!("{} {}", FIRST[i % 10], LAST[i / 10]),
        })
        .collect()
});

/// The people by id: the cursor is the last id of a page.
struct PeopleById;

impl SyncCursorPaginator for PeopleById {
    type Cursor = String;
    type Item = Person;

    fn items(&self, cursor: Option<&String>, results_per_page: u64) -> (Vec<Person>, Option<String>) {
        // The ids are sorted: a page starts after the cursor's id, wherever it is.
        let start = cursor.map_or(0, |after| PEOPLE.partition_point(|p| p.id <= *after));
        let rest = &PEOPLE[start..];
        let n = usize::try_from(results_per_page).unwrap_or(usize::MAX).min(rest.len());
        let page = rest[..n].to_vec();
        let next = if n < rest.len() { page.last().map(|p| p.id.clone()) } else { None };
        (page, next)
    }
}

/// Pages of 10 unless asked, at most 50, in JSON or MessagePack.
fn layers(router: ApiRouter) -> ApiRouter {
    router
        .pagination(Pagination::new().default_size(10).max_size(50))
        .strata(Strata::app().negotiate([Format::json(), Format::msgpack()]))
}

/// `/seeds/pagination/classic`: `GET /people?page_size=…&current_page=…`.
pub fn classic() -> ApiRouter {
    async fn people(params: ClassicParams) -> ClassicPagination<Person> {
        // Slices are classic and offset paginators: import the one in use.
        use axum_strata::pagination::SyncClassicPaginator;
        PEOPLE.as_slice().page(&params)
    }
    layers(ApiRouter::new().api_route("/people", api::get(people)))
}

/// `/seeds/pagination/offset`: `GET /people?limit=…&offset=…`.
pub fn offset() -> ApiRouter {
    async fn people(params: OffsetParams) -> OffsetPagination<Person> {
        use axum_strata::pagination::SyncOffsetPaginator;
        PEOPLE.as_slice().page(&params)
    }
    layers(ApiRouter::new().api_route("/people", api::get(people)))
}

/// `/seeds/pagination/cursor`: `GET /people?results_per_page=…&cursor=…`, cursors signed with a
/// key made at start (so they stop working when the showcase restarts, as they should).
pub fn cursor() -> ApiRouter {
    async fn people(params: CursorParams<String>) -> CursorPagination<Person> {
        PeopleById.page(&params)
    }
    layers(ApiRouter::new().api_route("/people", api::get(people))).layer(Pagination::new().cursor_key(*KEY))
}

/// 32 random bytes from the OS, or from the standard library's hash keys where there is no
/// `/dev/urandom`.
static KEY: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let mut key = [0; 32];
    if File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).is_err() {
        for chunk in key.chunks_mut(8) {
            chunk.copy_from_slice(&random_in(0..=u64::MAX - 1).to_le_bytes());
        }
    }
    key
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_walks_every_person_once() {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let (page, next) = PeopleById.items(cursor.as_ref(), 7);
            seen.extend(page.into_iter().map(|p| p.id));
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, PEOPLE.iter().map(|p| p.id.clone()).collect::<Vec<_>>());
        assert_eq!(PEOPLE[49].name, "Margaret Turing");
    }
}
