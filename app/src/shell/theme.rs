//! Light, dark, or whatever the system says: the account menu's Theme switch. The choice
//! is remembered by the browser in a cookie, so the server renders the next page in it and
//! nothing flashes in the other theme first.

use leptos::prelude::*;

/// The cookie that remembers the choice; without it the page follows the system.
const THEME_COOKIE: &str = "gatehouse_theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The `data-theme` on `<html>` that the style sheet reads; none follows the system.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Match system",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    fn from_attribute(value: Option<&str>) -> Theme {
        match value {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The cookie that remembers this choice, or that forgets the one remembered.
    fn cookie(self) -> String {
        match self.attribute() {
            Some(value) => {
                format!("{THEME_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax")
            }
            None => format!("{THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
        }
    }
}

/// The theme the page is shown in. On the server, what this browser's cookie chose.
#[cfg(feature = "ssr")]
pub fn current_theme() -> Theme {
    // Every Cookie header: over HTTP/2 a browser may send its cookies in several.
    let chosen = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == THEME_COOKIE)
            .map(|cookie| cookie.value().to_owned())
    });
    Theme::from_attribute(chosen.as_deref())
}

/// The theme the page is shown in. In the browser, what the server put on `<html>`.
#[cfg(not(feature = "ssr"))]
pub fn current_theme() -> Theme {
    let attribute = document()
        .document_element()
        .and_then(|html| html.get_attribute("data-theme"));
    Theme::from_attribute(attribute.as_deref())
}

/// Shows the page in `theme` at once, and remembers it for the next pages. Only ever
/// run by a person's click, in the browser.
fn apply(theme: Theme) {
    show(theme.attribute());
    remember(&theme.cookie());
}

#[cfg(not(feature = "ssr"))]
fn show(attribute: Option<&str>) {
    if let Some(html) = document().document_element() {
        let shown = match attribute {
            Some(value) => html.set_attribute("data-theme", value),
            None => html.remove_attribute("data-theme"),
        };
        if let Err(error) = shown {
            leptos::logging::error!("could not change the theme: {error:?}");
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn remember(cookie: &str) {
    use wasm_bindgen::JsCast;

    if let Ok(page) = document().dyn_into::<web_sys::HtmlDocument>()
        && let Err(error) = page.set_cookie(cookie)
    {
        leptos::logging::error!("could not remember the theme: {error:?}");
    }
}

/// On the server there is no page to change: nobody clicks there.
#[cfg(feature = "ssr")]
fn show(_attribute: Option<&str>) {}

#[cfg(feature = "ssr")]
fn remember(_cookie: &str) {}

/// Three choices in a group: a radio button each, which needs no arrow-key handling of
/// our own to be accessible.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let chosen = RwSignal::new(current_theme());
    view! {
        <fieldset class="theme-switch">
            <legend>"Theme"</legend>
            {Theme::ALL
                .into_iter()
                .map(|theme| {
                    let id = format!("theme-{}", theme.attribute().unwrap_or("system"));
                    view! {
                        <div class="check">
                            <input
                                type="radio"
                                name="theme"
                                id=id.clone()
                                checked=move || chosen.get() == theme
                                on:change=move |_| {
                                    chosen.set(theme);
                                    apply(theme);
                                }
                            />
                            <label for=id>{theme.label()}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn a_choice_is_remembered_for_a_year_and_forgetting_it_follows_the_system() {
        assert_eq!(
            Theme::Dark.cookie(),
            "gatehouse_theme=dark; Path=/; Max-Age=31536000; SameSite=Lax"
        );
        assert_eq!(
            Theme::System.cookie(),
            "gatehouse_theme=; Path=/; Max-Age=0; SameSite=Lax"
        );
    }

    #[test]
    fn the_page_attribute_reads_back_as_the_choice() {
        for theme in Theme::ALL {
            assert_eq!(Theme::from_attribute(theme.attribute()), theme);
        }
        assert_eq!(Theme::from_attribute(Some("purple")), Theme::System);
    }
}
