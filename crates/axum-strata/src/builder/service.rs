//! The service of a level: what it keeps of the request before calling the inner service.

use std::{
    fmt,
    sync::Arc,
    task::{Context, Poll},
};

use axum::{extract::Request, response::Response};
use strata_tower::{
    conditional::Preconditions,
    default_status::{DefaultStatusLayer, status_for},
};
use tower::Service;

#[cfg(feature = "negotiation")]
use crate::negotiation::NegotiationLayer;

use super::{description::LevelDescription, future::ResponseFuture, hook::Hook};

/// The inner service of a level: wrapped in the level's template layer where it has one.
#[cfg(feature = "template")]
pub(super) type Inner<S> = tower::util::Either<crate::template::Templates<S>, S>;
#[cfg(not(feature = "template"))]
pub(super) type Inner<S> = S;

/// One level's settings as its services use them, shared through one `Arc`.
/// Everything but the hook and the background tasks is, or is derived from, the level's
/// [`LevelDescription`], the value the OpenAPI document reads too.
pub(super) struct Level {
    pub(super) description: LevelDescription,
    /// The description's negotiation step, derived once.
    #[cfg(feature = "negotiation")]
    pub(super) negotiation: Option<NegotiationLayer>,
    /// The description's default-status step, derived once.
    pub(super) default_status: Option<DefaultStatusLayer>,
    /// The description's computed-ETag step, derived once.
    pub(super) computed_etag: Option<strata_tower::etag::ComputedETagLayer>,
    pub(super) hook: Option<Hook>,
    pub(super) chain_hook: bool,
    #[cfg(feature = "background")]
    pub(super) background: Option<strata_tower::background::BackgroundLayer<axum::body::Body>>,
    /// The file stores registered on this level, by name.
    #[cfg(feature = "object-store")]
    pub(super) file_stores: crate::file::store::FileStores,
}

/// The service of a [`StrataLayer`](super::StrataLayer): one service and one future per level,
/// running the steps listed in the [module docs](super).
pub struct StrataService<S> {
    inner: Inner<S>,
    level: Arc<Level>,
}

impl<S> StrataService<S> {
    pub(super) fn new(inner: Inner<S>, level: Level) -> Self {
        Self { inner, level: Arc::new(level) }
    }
}

impl<S: Clone> Clone for StrataService<S> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), level: Arc::clone(&self.level) }
    }
}

impl<S> fmt::Debug for StrataService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrataService").field("app", &self.level.description.app).finish_non_exhaustive()
    }
}

impl<S> Service<Request> for StrataService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<<Inner<S> as Service<Request>>::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let level = &*self.level;
        if let Some(opts) = &level.description.opts {
            req.extensions_mut().extend(opts.clone());
        }
        let kept = super::future::Kept {
            #[cfg(feature = "negotiation")]
            accepted: level.negotiation.as_ref().map(|n| n.accepted(req.headers())).unwrap_or_default(),
            status: level.default_status.map(|_| status_for(req.method())),
            preconditions: if level.description.app {
                Preconditions::of(&req)
            } else {
                Preconditions::default()
            },
            #[cfg(feature = "file")]
            ranges: if level.description.app {
                strata_tower::range::RangeWanted::of(&req)
            } else {
                Default::default()
            },
            #[cfg(feature = "background")]
            entry: level.background.as_ref().map(|b| b.enter(&mut req)),
        };
        ResponseFuture::new(self.inner.call(req), Arc::clone(&self.level), kept)
    }
}
