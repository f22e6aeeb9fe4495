//! The browser entry point: hydrates the page the server rendered, once the code of the
//! lazy routes it shows has been fetched, and then says the page is interactive.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::tachys::dom::body();
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        app::ui::hydration_completed();
    });
}
