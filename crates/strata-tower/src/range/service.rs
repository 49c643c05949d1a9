// The layer's step: the request's range noted, the response's ranges served.

use bytes::Bytes;
use http::{Request, Response};

use super::{RangeLayer, RangeWanted};
use crate::step::{Finish, Step, StepFuture, StepService};

/// The service of [`RangeLayer`].
pub type Ranges<S> = StepService<S, RangeLayer>;

/// The response future of [`Ranges`].
pub type ResponseFuture<F> = StepFuture<F, RangeLayer>;

impl Step for RangeLayer {
    type Noted = RangeWanted;

    #[inline]
    fn note<ReqBody>(&self, request: &Request<ReqBody>) -> RangeWanted {
        RangeWanted::of(request)
    }
}

impl<B: From<Bytes> + 'static> Finish<B> for RangeLayer {
    fn finish(&self, wanted: &RangeWanted, response: Response<B>) -> Response<B> {
        wanted.resolve(response)
    }
}
