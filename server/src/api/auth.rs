//! Who is calling: the bearer access token of each request. Session cookies are never
//! read here, so the token API has no cross-site request surface; and the server
//! functions never read bearer tokens.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use app::access::{Caller, WorkspaceActor};
use app::access_tokens::operations::{TokenCaller, authenticate};
use app::auth::throttle::client_address;
use app::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::ApiState;
use super::error::ApiError;

/// Requests per token and minute, counted by each server instance.
pub type TokenLimiter = DefaultKeyedRateLimiter<i64>;

pub fn limiter(per_minute: u32) -> Arc<TokenLimiter> {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)))
}

/// Where the token check leaves who the caller turned out to be, for the refusal record
/// once the response is known.
#[derive(Clone, Default)]
pub struct CallerSlot(Arc<Mutex<Option<i64>>>);

impl CallerSlot {
    pub fn user_id(&self) -> Option<i64> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn set(&self, user_id: i64) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(user_id);
    }
}

/// The secret of an `Authorization: Bearer …` header, not yet checked.
pub fn bearer_secret(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            // The scheme's name is case-insensitive (RFC 7235).
            let (scheme, secret) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| secret.trim().to_string())
        })
}

/// A request's bearer secret and the address it came from, not yet checked.
pub struct Bearer {
    secret: Option<String>,
    address: String,
    slot: Option<CallerSlot>,
}

impl FromRequestParts<ApiState> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        Ok(Bearer {
            secret: bearer_secret(&parts.headers),
            address: client_address(parts, state.app.config.trust_proxy),
            slot: parts.extensions.get::<CallerSlot>().cloned(),
        })
    }
}

impl Bearer {
    async fn check(&self, state: &ApiState, slug: Option<&str>) -> Result<TokenCaller, ApiError> {
        let secret = self.secret.as_deref().ok_or(AppError::AccessTokenInvalid)?;
        let admit = |token_id: i64| state.limiter.check_key(&token_id).is_ok();
        let caller = authenticate(&state.app, secret, slug, &self.address, admit).await?;
        if let Some(slot) = &self.slot {
            slot.set(caller.caller.user.id);
        }
        Ok(caller)
    }

    /// The token's owner acting in the workspace at `slug`.
    pub async fn in_workspace(
        &self,
        state: &ApiState,
        slug: &str,
    ) -> Result<WorkspaceActor, ApiError> {
        Ok(self.check(state, Some(slug)).await?.in_workspace()?)
    }

    /// The token's owner, in no workspace.
    pub async fn caller(&self, state: &ApiState) -> Result<Caller, ApiError> {
        Ok(self.check(state, None).await?.caller)
    }
}
