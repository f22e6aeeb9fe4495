//! Icons drawn inline as SVG, so nothing is fetched from elsewhere. An icon is decoration:
//! hidden from assistive technology, beside a word or inside a control that has a name.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    Gate,
    More,
    Plus,
    Menu,
    Close,
    Send,
    Copy,
    People,
}

impl IconName {
    /// The strokes on a 24 × 24 grid.
    fn strokes(self) -> &'static [&'static str] {
        match self {
            IconName::Gate => &["M4 21V9l8-6 8 6v12", "M9 21v-6h6v6", "M4 21h16"],
            IconName::More => &[
                "M4 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0",
                "M11 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0",
                "M18 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0",
            ],
            IconName::Plus => &["M12 5v14", "M5 12h14"],
            IconName::Menu => &["M4 6h16", "M4 12h16", "M4 18h16"],
            IconName::Close => &["M6 6l12 12", "M18 6L6 18"],
            IconName::Send => &["M22 2L11 13", "M22 2l-7 20-4-9-9-4z"],
            IconName::Copy => &[
                "M9 9h11a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H11a2 2 0 0 1-2-2z",
                "M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1",
            ],
            IconName::People => &[
                "M5 7a4 4 0 1 0 8 0a4 4 0 1 0-8 0",
                "M3 21v-2a4 4 0 0 1 4-4h4a4 4 0 0 1 4 4v2",
                "M16 3.1a4 4 0 0 1 0 7.8",
                "M21 21v-2a4 4 0 0 0-3-3.9",
            ],
        }
    }
}

#[component]
pub fn Icon(name: IconName) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {name.strokes().iter().map(|stroke| view! { <path d=*stroke /> }).collect_view()}
        </svg>
    }
}
