// The layer.

use tower::Layer;

use super::Ranges;

/// Serves the ranges of responses that carry a [`Seekable`](super::Seekable), and advertises
/// `Accept-Ranges: bytes` on them; see the [module docs](super). Put it outside the
/// conditional-request layer, which answers first (RFC 9110 §13.2.2).
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct RangeLayer(());

impl RangeLayer {
    /// The layer.
    pub const fn new() -> Self {
        Self(())
    }
}

impl<S> Layer<S> for RangeLayer {
    type Service = Ranges<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Ranges::new(inner, *self)
    }
}
