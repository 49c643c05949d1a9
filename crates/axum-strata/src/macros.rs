//! The one macro every extractor rejection of this crate is generated from.
//!
//! Our own, in the shape of axum-core's rejections (whose `__`-prefixed macros are axum's
//! private API): each rejection is a `#[non_exhaustive]` enum whose variants name their status
//! and body text, and the macro writes the rest the same way for all of them.

/// Defines a rejection enum, `#[non_exhaustive]`, and generates for it:
///
/// - `status()` and `body_text()`, from each variant's `#[status = …]` and `#[body = …]`
///   (expressions that may use the variant's fields, by reference);
/// - `Display` (`412 Precondition Failed: <body text>`, the status alone when the body text is
///   empty) and `std::error::Error`;
/// - a private `problem()`: the RFC 9457 [`Problem`](crate::problem::Problem) with the status
///   and the body text as its `detail`;
/// - `IntoResponse`: a trace event (target `axum_strata::rejection`), then `problem()` as the
///   response, or what `respond = path;` makes of the rejection (`fn(Self) -> Response`: extra
///   headers, field errors, or another response altogether).
///
/// Variants are unit (`Required`), tuple with each field named for the expressions
/// (`InvalidBody(error: String)` defines `InvalidBody(String)`), or struct variants.
///
/// ```text
/// rejection! {
///     /// Why …
///     #[derive(Clone, Debug)]
///     pub enum ThingRejection {
///         /// The thing is missing.
///         #[status = StatusCode::BAD_REQUEST]
///         #[body = "the thing is missing"]
///         Missing,
///         /// The thing is not a thing.
///         #[status = StatusCode::BAD_REQUEST]
///         #[body = format!("not a thing: {error}")]
///         Invalid(error: String),
///     }
///     respond = respond; // optional
/// }
/// ```
macro_rules! rejection {
    (@respond) => {
        |rejection: Self| ::axum::response::IntoResponse::into_response(rejection.problem())
    };
    (@respond $respond:path) => {
        $respond
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                #[status = $status:expr]
                #[body = $body:expr]
                $variant:ident
                $( ( $( $tfield:ident : $tty:ty ),+ $(,)? ) )?
                $( { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),+ $(,)? } )?
            ),+ $(,)?
        }
        $( respond = $respond:path; )?
    ) => {
        $(#[$meta])*
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[doc = $doc])*
                $variant
                $( ( $( $tty ),+ ) )?
                $( { $( $(#[$fmeta])* $field: $fty ),+ } )?,
            )+
        }

        impl $name {
            /// The status of the response.
            #[must_use]
            #[allow(unused_variables, reason = "not every variant's status uses its fields")]
            pub fn status(&self) -> ::http::StatusCode {
                match self {
                    $(
                        Self::$variant $( ( $( $tfield ),+ ) )? $( { $( $field ),+ } )? => $status,
                    )+
                }
            }

            /// The text of the response: its problem's `detail`.
            #[must_use]
            #[allow(unused_variables, reason = "not every variant's body text uses its fields")]
            pub fn body_text(&self) -> String {
                match self {
                    $(
                        Self::$variant $( ( $( $tfield ),+ ) )? $( { $( $field ),+ } )? => ($body).into(),
                    )+
                }
            }

            /// The problem response: the status, and the body text as its detail.
            fn problem(&self) -> $crate::problem::Problem {
                $crate::problem::Problem::new(self.status()).with_detail(self.body_text())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let body_text = self.body_text();
                if body_text.is_empty() {
                    write!(f, "{}", self.status())
                } else {
                    write!(f, "{}: {body_text}", self.status())
                }
            }
        }

        impl ::std::error::Error for $name {}

        impl ::axum::response::IntoResponse for $name {
            fn into_response(self) -> ::axum::response::Response {
                ::tracing::trace!(
                    target: "axum_strata::rejection",
                    status = self.status().as_u16(),
                    body = %self.body_text(),
                    rejection_type = ::std::any::type_name::<Self>(),
                    "rejecting request",
                );
                let respond: fn(Self) -> ::axum::response::Response =
                    $crate::macros::rejection!(@respond $( $respond )?);
                respond(self)
            }
        }
    };
}

pub(crate) use rejection;

#[cfg(test)]
#[allow(unreachable_pub, reason = "the macro makes public enums")]
mod tests {
    use axum::{
        body::to_bytes,
        response::{IntoResponse, Response},
    };
    use http::{HeaderValue, StatusCode};

    rejection! {
        /// A rejection of every variant shape.
        #[derive(Debug)]
        pub enum Every {
            /// A unit variant.
            #[status = StatusCode::BAD_REQUEST]
            #[body = "missing"]
            Missing,
            /// A tuple variant.
            #[status = StatusCode::UNPROCESSABLE_ENTITY]
            #[body = format!("not a number: {error}")]
            Invalid(error: String),
            /// A struct variant whose status comes from a field.
            #[status = *status]
            #[body = ""]
            Quiet {
                /// The status.
                status: StatusCode,
            },
        }
    }

    rejection! {
        /// A rejection whose response is its own.
        #[derive(Debug)]
        pub enum Custom {
            /// With a header.
            #[status = StatusCode::CONFLICT]
            #[body = "taken"]
            Taken,
        }
        respond = with_header;
    }

    fn with_header(rejection: Custom) -> Response {
        let mut response = rejection.problem().into_response();
        response.headers_mut().insert("x-taken", HeaderValue::from_static("1"));
        response
    }

    async fn body(response: Response) -> String {
        String::from_utf8(to_bytes(response.into_body(), 1024).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn status_body_text_display_and_problem_agree() {
        let invalid = Every::Invalid("x".to_owned());
        assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.body_text(), "not a number: x");
        assert_eq!(invalid.to_string(), "422 Unprocessable Entity: not a number: x");
        let response = invalid.into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        assert_eq!(
            body(response).await,
            r#"{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"not a number: x"}"#
        );
        assert_eq!(Every::Missing.to_string(), "400 Bad Request: missing");
        let quiet = Every::Quiet { status: StatusCode::GONE };
        assert_eq!(quiet.to_string(), "410 Gone");
        let error: &dyn std::error::Error = &quiet;
        assert!(error.source().is_none());
    }

    #[tokio::test]
    async fn respond_makes_the_response() {
        let response = Custom::Taken.into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(response.headers()["x-taken"], "1");
        assert_eq!(
            body(response).await,
            r#"{"type":"about:blank","title":"Conflict","status":409,"detail":"taken"}"#
        );
    }
}
