//! What every resource page shares: the workspace it belongs to, loading what it shows
//! (on the server for the first HTML, then again after each change), and saying what
//! happened.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::loading::{Loaded, load};
use crate::shell::when_loaded;
use crate::ui::Listing;
use crate::workspaces::{in_workspace, workspace_slug};

/// A page of a workspace: where it is, and its listing, shared by its rows, forms and
/// dialogs.
#[derive(Clone, Copy)]
pub struct Page {
    /// The slug of the workspace the page belongs to, as the address gives it.
    pub slug: Memo<String>,
    pub listing: Listing,
}

impl Page {
    /// A page of the workspace in the address, with nothing to report yet. Made where
    /// the page starts, with what it loads, never inside a loading boundary.
    pub fn open() -> Page {
        Page {
            slug: workspace_slug(),
            listing: Listing::new(),
        }
    }

    /// Loads a list (or the dashboard) for the page the server renders, and again after
    /// each change.
    pub fn load<T, Fut>(&self, fetch: impl Fn(String) -> Fut + Send + Sync + 'static) -> Loaded<T>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        self.listing.load_in(self.slug, fetch)
    }

    /// Loads what a page shows about the resource whose id is in the address parameter
    /// `param`, and again after each change.
    fn load_by_id<T, F, Fut>(&self, param: &'static str, fetch: F) -> Loaded<T>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    {
        let slug = self.slug;
        let version = self.listing.version;
        let id = id_in_address(param);
        load(
            move || (slug.get(), id(), version.get()),
            move |(slug, id, _)| async move {
                match id {
                    Some(id) => fetch(slug, id).await,
                    None => Err(AppError::ResourceNotFound),
                }
            },
        )
    }
}

/// Reads the id in the address parameter `param`; none if it is not a number.
pub fn id_in_address(param: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync {
    let params = use_params_map();
    move || {
        params
            .read()
            .get(param)
            .and_then(|id| id.parse::<i64>().ok())
    }
}

/// The page about the resource whose id is in the address parameter `param`:
/// "Loading…" until `fetch` answers, then `ready` with what it found and the page, or
/// the failure in a page of its own.
pub fn resource_page<T, F, Fut, V>(
    param: &'static str,
    fetch: F,
    ready: impl Fn(T, Page) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(String, i64) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let page = Page::open();
    let loaded = page.load_by_id(param, fetch);
    in_workspace(move |_| {
        let ready = ready.clone();
        when_loaded(loaded, move |value| ready(value, page))
    })
}
