//! An app's body: text with `{{ expression }}` placeholders, rendered as HTML for one
//! viewer. Pure, so that the viewer, the editor's preview and the tests share it.
//!
//! An expression is a path: `globals.currentUser.email`, `constants.API_URL`, with a
//! segment in brackets and quotes where a key has dots or spaces
//! (`globals.currentUser.metadata["cost centre"]`). A path that leads nowhere renders
//! empty; objects and lists render as JSON. Everything, the text around the placeholders
//! included, is HTML-escaped, so a value holding markup shows as text.

use std::collections::BTreeMap;

use serde_json::Value;

/// What placeholders can reach.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    /// The `globals` tree: `currentUser` and its fields.
    pub globals: Value,
    /// The workspace constants this viewer may view, by name.
    pub constants: BTreeMap<String, String>,
}

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// Renders `body` for `scope` as HTML. A `{{` followed by another `{{` before any `}}`
/// is text, as is one never closed. One pass over the body, whatever its shape.
pub fn render_html(body: &str, scope: &Scope) -> String {
    let mut html = String::with_capacity(body.len() + body.len() / 8);
    let mut text_from = 0;
    let mut open = None;
    let mut at = 0;
    while let Some(offset) = body[at..].find(['{', '}']) {
        let here = at + offset;
        if body[here..].starts_with(OPEN) {
            open = Some(here);
            at = here + OPEN.len();
        } else if body[here..].starts_with(CLOSE) {
            if let Some(start) = open.take() {
                html_escape::encode_text_to_string(&body[text_from..start], &mut html);
                if let Some(value) = evaluate(&body[start + OPEN.len()..here], scope) {
                    write_value(value, &mut html);
                }
                text_from = here + CLOSE.len();
            }
            at = here + CLOSE.len();
        } else {
            at = here + 1;
        }
    }
    html_escape::encode_text_to_string(&body[text_from..], &mut html);
    html
}

/// A value as a placeholder shows it: text as it is, nothing for null, JSON otherwise.
fn write_value(value: Resolved<'_>, html: &mut String) {
    match value {
        Resolved::Json(Value::String(text)) => html_escape::encode_text_to_string(text, html),
        Resolved::Text(text) => html_escape::encode_text_to_string(text, html),
        Resolved::Json(Value::Null) => html,
        Resolved::Json(other) => html_escape::encode_text_to_string(other.to_string(), html),
    };
}

enum Resolved<'s> {
    Json(&'s Value),
    Text(&'s str),
}

/// The value an expression leads to, if any.
fn evaluate<'s>(expression: &str, scope: &'s Scope) -> Option<Resolved<'s>> {
    let segments = path(expression.trim())?;
    let (root, keys) = segments.split_first()?;
    match *root {
        "globals" => keys
            .iter()
            .try_fold(&scope.globals, |value, key| match value {
                Value::Object(object) => object.get(*key),
                Value::Array(items) => key.parse::<usize>().ok().and_then(|index| items.get(index)),
                _ => None,
            })
            .map(Resolved::Json),
        "constants" => match keys {
            [name] => scope
                .constants
                .get(*name)
                .map(|value| Resolved::Text(value)),
            _ => None,
        },
        _ => None,
    }
}

/// Splits `a.b["c d"]['e.f'].g` into its keys; `None` when it isn't a path.
fn path(expression: &str) -> Option<Vec<&str>> {
    let mut segments = Vec::new();
    let mut rest = expression;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(bracketed) = rest.strip_prefix('[') {
            let quote = bracketed
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')?;
            let inner = &bracketed[1..];
            let end = inner.find(quote)?;
            segments.push(&inner[..end]);
            rest = inner[end + 1..].strip_prefix(']')?;
        } else {
            let name = if first { rest } else { rest.strip_prefix('.')? };
            let end = name.find(['.', '[']).unwrap_or(name.len());
            let key = name[..end].trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                return None;
            }
            segments.push(key);
            rest = &name[end..];
        }
        first = false;
    }
    Some(segments)
}
