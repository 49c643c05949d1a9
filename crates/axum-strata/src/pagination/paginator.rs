//! Paginator traits: async sources (a database) implement the async ones, in-memory sources the
//! sync ones, which provide the async ones too.

use std::{convert::Infallible, future::Future};

use serde::Serialize;

use super::{
    ClassicPagination, CursorPagination, OffsetPagination,
    params::{ClassicParams, CursorParams, OffsetParams},
};

/// A source of classic pages: the total number of items, and the items of one page.
///
/// Implement the two required methods; [`paginate`](Self::paginate) turns the request's
/// [`ClassicParams`] into a [`ClassicPagination`]. It does not ask for the items of a page past
/// the end: that page is empty, with the real totals.
pub trait ClassicPaginator: Sync {
    /// What a page holds.
    type Item;
    /// Why the source could not answer.
    type Error;

    /// How many items there are in all.
    fn total_items(&self) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// The items of page `current_page` (from 1) of pages of `page_size`.
    fn items(
        &self,
        page_size: u64,
        current_page: u64,
    ) -> impl Future<Output = Result<Vec<Self::Item>, Self::Error>> + Send;

    /// The page the parameters ask for.
    fn paginate(
        &self,
        params: &ClassicParams,
    ) -> impl Future<Output = Result<ClassicPagination<Self::Item>, Self::Error>> + Send {
        async move {
            let total = self.total_items().await?;
            let items = if params.offset() < total {
                self.items(params.page_size, params.current_page).await?
            } else {
                Vec::new()
            };
            Ok(params.page(items, total))
        }
    }
}

/// A source of limit/offset pages: the total number of items, and `limit` items from `offset`.
///
/// Implement the two required methods; [`paginate`](Self::paginate) turns the request's
/// [`OffsetParams`] into an [`OffsetPagination`]. It does not ask for the items of a page past
/// the end.
pub trait OffsetPaginator: Sync {
    /// What a page holds.
    type Item;
    /// Why the source could not answer.
    type Error;

    /// How many items there are in all.
    fn total(&self) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// At most `limit` items, skipping the first `offset`.
    fn items(
        &self,
        limit: u64,
        offset: u64,
    ) -> impl Future<Output = Result<Vec<Self::Item>, Self::Error>> + Send;

    /// The page the parameters ask for.
    fn paginate(
        &self,
        params: &OffsetParams,
    ) -> impl Future<Output = Result<OffsetPagination<Self::Item>, Self::Error>> + Send {
        async move {
            let total = self.total().await?;
            let items = if params.offset < total {
                self.items(params.limit, params.offset).await?
            } else {
                Vec::new()
            };
            Ok(params.page(items, total))
        }
    }
}

/// The items of a cursor page and the cursor of the next page (`None`: there is none).
pub type CursorPage<T, C> = (Vec<T>, Option<C>);

/// A source of cursor pages: the items after a cursor, and the cursor of the page after them.
///
/// [`paginate`](Self::paginate) turns the request's [`CursorParams`] into a
/// [`CursorPagination`], encoding (and signing, when the level has a key) the next cursor.
pub trait CursorPaginator: Sync {
    /// The position in the data, such as the last key of a page. Clients only see it encoded.
    type Cursor: Serialize + Sync;
    /// What a page holds.
    type Item;
    /// Why the source could not answer.
    type Error;

    /// At most `results_per_page` items from `cursor` (`None`: from the start), and the cursor
    /// of the next page (`None`: there is none).
    fn items(
        &self,
        cursor: Option<&Self::Cursor>,
        results_per_page: u64,
    ) -> impl Future<Output = Result<CursorPage<Self::Item, Self::Cursor>, Self::Error>> + Send;

    /// The page the parameters ask for.
    fn paginate(
        &self,
        params: &CursorParams<Self::Cursor>,
    ) -> impl Future<Output = Result<CursorPagination<Self::Item>, Self::Error>> + Send {
        async move {
            let (items, next) = self.items(params.cursor.as_ref(), params.results_per_page).await?;
            Ok(params.page(items, next.as_ref()))
        }
    }
}

/// The synchronous [`ClassicPaginator`], for in-memory sources. Every implementation is also a
/// `ClassicPaginator` that cannot fail.
pub trait SyncClassicPaginator: Sync {
    /// What a page holds.
    type Item: Send;

    /// How many items there are in all.
    fn total_items(&self) -> u64;

    /// The items of page `current_page` (from 1) of pages of `page_size`.
    fn items(&self, page_size: u64, current_page: u64) -> Vec<Self::Item>;

    /// The page the parameters ask for.
    fn page(&self, params: &ClassicParams) -> ClassicPagination<Self::Item> {
        let total = SyncClassicPaginator::total_items(self);
        let items = if params.offset() < total {
            SyncClassicPaginator::items(self, params.page_size, params.current_page)
        } else {
            Vec::new()
        };
        params.page(items, total)
    }
}

impl<P: SyncClassicPaginator + ?Sized> ClassicPaginator for P {
    type Item = P::Item;
    type Error = Infallible;

    fn total_items(&self) -> impl Future<Output = Result<u64, Infallible>> + Send {
        std::future::ready(Ok(SyncClassicPaginator::total_items(self)))
    }

    fn items(
        &self,
        page_size: u64,
        current_page: u64,
    ) -> impl Future<Output = Result<Vec<P::Item>, Infallible>> + Send {
        std::future::ready(Ok(SyncClassicPaginator::items(self, page_size, current_page)))
    }
}

/// The synchronous [`OffsetPaginator`], for in-memory sources. Every implementation is also an
/// `OffsetPaginator` that cannot fail.
pub trait SyncOffsetPaginator: Sync {
    /// What a page holds.
    type Item: Send;

    /// How many items there are in all.
    fn total(&self) -> u64;

    /// At most `limit` items, skipping the first `offset`.
    fn items(&self, limit: u64, offset: u64) -> Vec<Self::Item>;

    /// The page the parameters ask for.
    fn page(&self, params: &OffsetParams) -> OffsetPagination<Self::Item> {
        let total = SyncOffsetPaginator::total(self);
        let items = if params.offset < total {
            SyncOffsetPaginator::items(self, params.limit, params.offset)
        } else {
            Vec::new()
        };
        params.page(items, total)
    }
}

impl<P: SyncOffsetPaginator + ?Sized> OffsetPaginator for P {
    type Item = P::Item;
    type Error = Infallible;

    fn total(&self) -> impl Future<Output = Result<u64, Infallible>> + Send {
        std::future::ready(Ok(SyncOffsetPaginator::total(self)))
    }

    fn items(
        &self,
        limit: u64,
        offset: u64,
    ) -> impl Future<Output = Result<Vec<P::Item>, Infallible>> + Send {
        std::future::ready(Ok(SyncOffsetPaginator::items(self, limit, offset)))
    }
}

/// The synchronous [`CursorPaginator`], for in-memory sources. Every implementation is also a
/// `CursorPaginator` that cannot fail.
pub trait SyncCursorPaginator: Sync {
    /// The position in the data. Clients only see it encoded.
    type Cursor: Serialize + Sync + Send;
    /// What a page holds.
    type Item: Send;

    /// At most `results_per_page` items from `cursor` (`None`: from the start), and the cursor
    /// of the next page (`None`: there is none).
    fn items(
        &self,
        cursor: Option<&Self::Cursor>,
        results_per_page: u64,
    ) -> CursorPage<Self::Item, Self::Cursor>;

    /// The page the parameters ask for.
    fn page(&self, params: &CursorParams<Self::Cursor>) -> CursorPagination<Self::Item> {
        let (items, next) = SyncCursorPaginator::items(self, params.cursor.as_ref(), params.results_per_page);
        params.page(items, next.as_ref())
    }
}

impl<P: SyncCursorPaginator + ?Sized> CursorPaginator for P {
    type Cursor = P::Cursor;
    type Item = P::Item;
    type Error = Infallible;

    fn items(
        &self,
        cursor: Option<&P::Cursor>,
        results_per_page: u64,
    ) -> impl Future<Output = Result<CursorPage<P::Item, P::Cursor>, Infallible>> + Send {
        std::future::ready(Ok(SyncCursorPaginator::items(self, cursor, results_per_page)))
    }
}

/// Fits a `u64` position into a `usize` index, saturating (a position past memory is past the
/// end).
fn index(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl<T: Clone + Send + Sync> SyncOffsetPaginator for [T] {
    type Item = T;

    fn total(&self) -> u64 {
        self.len() as u64
    }

    fn items(&self, limit: u64, offset: u64) -> Vec<T> {
        self.iter().skip(index(offset)).take(index(limit)).cloned().collect()
    }
}

impl<T: Clone + Send + Sync> SyncClassicPaginator for [T] {
    type Item = T;

    fn total_items(&self) -> u64 {
        self.len() as u64
    }

    fn items(&self, page_size: u64, current_page: u64) -> Vec<T> {
        let params = ClassicParams::new(page_size, current_page);
        SyncOffsetPaginator::items(self, params.page_size, params.offset())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[tokio::test]
    async fn slices_page_alike_sync_and_async() {
        let data: Vec<u32> = (1..=50).collect();
        let sync = SyncOffsetPaginator::page(data.as_slice(), &OffsetParams::new(10, 39));
        assert_eq!(sync.items, (40..=49).collect::<Vec<_>>());
        let async_ = OffsetPaginator::paginate(data.as_slice(), &OffsetParams::new(10, 39)).await.unwrap();
        assert_eq!(sync, async_);

        let classic = SyncClassicPaginator::page(data.as_slice(), &ClassicParams::new(20, 3));
        assert_eq!((classic.items.len(), classic.total_pages), (10, 3));
        let past =
            ClassicPaginator::paginate(data.as_slice(), &ClassicParams::new(20, u64::MAX)).await.unwrap();
        assert!(past.items.is_empty());
        assert_eq!(past.total_pages, 3);
        let far = SyncOffsetPaginator::page(data.as_slice(), &OffsetParams::new(100, u64::MAX));
        assert_eq!((far.items.len(), far.total), (0, 50));
    }

    struct Evens;

    impl SyncCursorPaginator for Evens {
        type Cursor = u32;
        type Item = u32;

        fn items(&self, cursor: Option<&u32>, results_per_page: u64) -> (Vec<u32>, Option<u32>) {
            let start = cursor.copied().unwrap_or(0);
            let items: Vec<u32> =
                (start..20).filter(|n| n % 2 == 0).take(usize::try_from(results_per_page).unwrap()).collect();
            let next = items.last().map(|n| n + 1).filter(|n| *n < 20);
            (items, next)
        }
    }

    #[tokio::test]
    async fn cursors_advance_to_the_end() {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = Evens.paginate(&CursorParams::new(3, cursor)).await.unwrap();
            seen.extend(page.items);
            match page.cursor {
                Some(token) => cursor = Some(serde_json::from_slice(&base64_decode(&token)).unwrap()),
                None => break,
            }
        }
        assert_eq!(seen, (0..20).filter(|n| n % 2 == 0).collect::<Vec<u32>>());
    }

    fn base64_decode(token: &str) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).unwrap()
    }
}
