//! The seed examples, one module per part of the seed documents.

pub mod api;
pub mod background;
pub mod files;
pub mod handlers;
pub mod headers;
pub mod pagination;
pub mod responses;
pub mod streams;
pub mod template;

use std::{
    collections::hash_map::RandomState,
    hash::BuildHasher,
    ops::RangeInclusive,
    sync::atomic::{AtomicU64, Ordering},
};

use serde::{Deserialize, Serialize};

/// The `Resource` model of the seeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// A number drawn from `range`, for the seeds whose header values are random. Randomness comes
/// from the standard library's per-process hash keys and a counter: enough for a showcase,
/// and no extra dependency.
#[must_use]
pub fn random_in(range: RangeInclusive<u64>) -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = RandomState::new().hash_one(n);
    let span = range.end() - range.start() + 1;
    range.start() + hash % span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_numbers_stay_in_range_and_vary() {
        let drawn: Vec<u64> = (0..200).map(|_| random_in(1..=100)).collect();
        assert!(drawn.iter().all(|n| (1..=100).contains(n)));
        assert!(drawn.iter().any(|n| *n != drawn[0]));
    }
}
