//! How a page loads its data: a resource the server loads for the HTML it sends and
//! hands to the browser with the page, which the browser loads again when what it
//! depends on changes.
//!
//! Every resource reads its value back from JSON as server functions read their answers,
//! from bytes. Leptos' default reads resources from a string instead, and the browser's
//! bundle then carried two copies of the JSON reader of every type a page loads, one for
//! each way of reading (265 KB of its 3.8 MB of code before `wasm-opt`).

use std::future::Future;

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// What a page loads, or why it could not.
pub type Loaded<T> = Resource<Result<T, AppError>, JsonAsBytes>;

/// Loads what `fetch` answers for the value of `source`, on the server for the page it
/// renders, and again whenever `source` changes. Called where a page starts, never inside
/// a loading boundary.
pub fn load<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}

/// As `load`, and the server sends none of the page before it has loaded: for what
/// decides the response's status, such as the signed-in viewer or the workspace.
pub fn load_blocking<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    Resource::new_with_options(source, fetch, true)
}

/// JSON written as a string into the page and read back as bytes, as `serde_json` reads
/// server functions' answers.
pub struct JsonAsBytes;

impl<T: Serialize> Encoder<T> for JsonAsBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonAsBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(encoded.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_value_reads_back_as_it_was_written() {
        let answer: Result<Vec<String>, AppError> = Ok(vec!["Ada".into(), "Grace \"G\"".into()]);
        let written = <JsonAsBytes as Encoder<_>>::encode(&answer).expect("encodes");
        let read: Result<Vec<String>, AppError> =
            <JsonAsBytes as Decoder<_>>::decode(&written).expect("decodes");
        assert_eq!(read, answer);
        let failed: Result<Vec<String>, AppError> = Err(AppError::ResourceNotFound);
        let written = <JsonAsBytes as Encoder<_>>::encode(&failed).expect("encodes");
        let read: Result<Vec<String>, AppError> =
            <JsonAsBytes as Decoder<_>>::decode(&written).expect("decodes");
        assert_eq!(read, failed);
    }
}
