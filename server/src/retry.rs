//! Runs a request again when its transaction lost a race in the database.
//!
//! Two transactions that lock the same rows in different orders deadlock on PostgreSQL,
//! and SQLite gives up on its write lock after a while; the database then rolls one of
//! them back. Every change is one transaction, so the loser changed nothing and can
//! simply run again. Handlers mark such an answer with [`BUSY_HEADER`] (in one place
//! each: `AppError::ser` for server functions, `ApiError` for the REST API,
//! `scim::error_response` for SCIM); this layer keeps the request's body so that it can
//! replay it, and people only see the error when every attempt lost.

use std::time::Duration;

use app::error::BUSY_HEADER;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Attempts after the first. With the waits below, a request gives up after at most
/// 1.3 seconds of waiting.
const RETRIES: u32 = 6;

pub async fn retry_when_busy(request: Request, next: Next) -> Response {
    // Reads take no locks that others wait for, so only requests that may write can lose.
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        let mut response = next.run(request).await;
        response.headers_mut().remove(BUSY_HEADER);
        return response;
    }
    let (parts, body) = request.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, crate::MAX_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let mut attempt = 0;
    loop {
        let request = Request::from_parts(parts.clone(), Body::from(body.clone()));
        let mut response = next.clone().run(request).await;
        let lost_a_race = response.headers_mut().remove(BUSY_HEADER).is_some();
        if !lost_a_race || attempt == RETRIES {
            return response;
        }
        tokio::time::sleep(wait_before(attempt)).await;
        attempt += 1;
    }
}

/// Doubling waits from 10 ms, each with a random part, so that the requests that
/// deadlocked don't meet again at the same moment.
fn wait_before(attempt: u32) -> Duration {
    let base = 10u64 << attempt.min(6);
    let mut random = [0u8; 8];
    let jitter = match getrandom::fill(&mut random) {
        Ok(()) => u64::from_le_bytes(random) % base,
        Err(_) => base / 2,
    };
    Duration::from_millis(base + jitter)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use axum::Router;
    use axum::http::HeaderValue;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    /// A handler that loses `losses` races, then echoes the body it was sent.
    fn losing(losses: u32) -> (Router, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let counted = calls.clone();
        let router = Router::new()
            .route(
                "/change",
                post(move |body: Bytes| {
                    let calls = counted.clone();
                    async move {
                        if calls.fetch_add(1, Ordering::SeqCst) < losses {
                            let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
                            response
                                .headers_mut()
                                .insert(BUSY_HEADER, HeaderValue::from_static("1"));
                            response
                        } else {
                            body.into_response()
                        }
                    }
                }),
            )
            .layer(axum::middleware::from_fn(retry_when_busy));
        (router, calls)
    }

    async fn send(router: Router) -> Response {
        let request = Request::post("/change")
            .body(Body::from("the same body every time"))
            .unwrap();
        router.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn a_request_that_lost_a_race_runs_again_with_its_body() {
        let (router, calls) = losing(3);
        let response = send(router).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(BUSY_HEADER).is_none());
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&body[..], b"the same body every time");
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_request_that_keeps_losing_is_answered_without_the_mark() {
        let (router, calls) = losing(u32::MAX);
        let response = send(router).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().get(BUSY_HEADER).is_none());
        assert_eq!(calls.load(Ordering::SeqCst), RETRIES + 1);
    }

    #[tokio::test]
    async fn reads_and_answers_without_the_mark_run_once() {
        let (router, calls) = losing(0);
        assert_eq!(send(router).await.status(), StatusCode::OK);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waits_double_with_a_random_part() {
        for attempt in 0..RETRIES {
            let wait = wait_before(attempt);
            let base = Duration::from_millis(10 << attempt);
            assert!(wait >= base && wait < base * 2, "{attempt}: {wait:?}");
        }
    }
}
