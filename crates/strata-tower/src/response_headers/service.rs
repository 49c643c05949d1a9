// The layer's step: nothing noted of the request, the headers applied to the response.

use http::{Request, Response};

use super::ResponseHeadersLayer;
use crate::step::{Finish, Step, StepFuture, StepService};

/// The service of [`ResponseHeadersLayer`]; [`layer`](StepService::layer) gives its
/// configuration.
pub type ResponseHeaders<S> = StepService<S, ResponseHeadersLayer>;

/// The response future of [`ResponseHeaders`].
pub type ResponseFuture<F> = StepFuture<F, ResponseHeadersLayer>;

impl Step for ResponseHeadersLayer {
    type Noted = ();

    #[inline]
    fn note<ReqBody>(&self, _: &Request<ReqBody>) {}
}

impl<B> Finish<B> for ResponseHeadersLayer {
    fn finish(&self, (): &(), mut response: Response<B>) -> Response<B> {
        self.apply(&mut response);
        response
    }
}
