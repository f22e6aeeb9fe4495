//! The built browser files under `/pkg`: sent as the build compressed them (brotli or
//! gzip, whichever the browser accepts) and cached by what their names promise.

use axum::Router;
use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use tower_http::services::ServeDir;

/// A file whose name carries its content's hash never changes: browsers keep it a year
/// without asking again.
const KEEP: &str = "public, max-age=31536000, immutable";
/// Any other file (such as the unhashed names `cargo leptos watch` builds) may change with
/// a new build under the same name: browsers ask each time whether theirs is current,
/// which costs a `304 Not Modified` when it is.
const ASK_EACH_TIME: &str = "no-cache";

/// Serves `{site_root}/pkg` at `/pkg`.
pub fn router<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let files = ServeDir::new(format!("{site_root}/pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(from_fn(cache_by_name))
}

async fn cache_by_name(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// `<name>.<hash>.<extension>`, as the build names every file it writes: the main bundle
/// (`gatehouse`), the modules split off it and the loader that fetches them.
fn cache_policy(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = file.split('.').collect();
    let hashed = matches!(
        parts.as_slice(),
        [name, hash, _extension]
            if !name.is_empty()
                && hash.len() == 16
                && hash.bytes().all(|byte| byte.is_ascii_hexdigit())
    );
    if hashed { KEEP } else { ASK_EACH_TIME }
}

#[cfg(test)]
mod tests {
    use super::{ASK_EACH_TIME, KEEP, cache_policy};

    #[test]
    fn only_files_named_by_their_hash_are_kept_for_good() {
        assert_eq!(cache_policy("/pkg/gatehouse.0123456789abcdef.wasm"), KEEP);
        assert_eq!(cache_policy("/pkg/gatehouse.0123456789abcdef.css"), KEEP);
        assert_eq!(cache_policy("/pkg/gatehouse.wasm"), ASK_EACH_TIME);
        assert_eq!(cache_policy("/pkg/gatehouse.0123.js"), ASK_EACH_TIME);
        assert_eq!(cache_policy("/pkg/split_users_page.wasm"), ASK_EACH_TIME);
        assert_eq!(cache_policy("/pkg/__wasm_split.js"), ASK_EACH_TIME);
        assert_eq!(cache_policy("/pkg/.0123456789abcdef.js"), ASK_EACH_TIME);
        assert_eq!(
            cache_policy("/pkg/split_users_page.0123456789abcdef.wasm"),
            KEEP
        );
        assert_eq!(cache_policy("/pkg/chunk_3.0123456789abcdef.wasm"), KEEP);
        assert_eq!(cache_policy("/pkg/__wasm_split.0123456789abcdef.js"), KEEP);
    }
}
