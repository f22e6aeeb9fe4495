//! The metadata rows of the invite and edit forms.

use leptos::prelude::*;

use super::MetadataEdit;

/// One row being edited. A stored row's value is never known to the browser: its input
/// starts empty and masked, and the stored value stays unless the admin types a new one.
#[derive(Debug, Clone, Copy)]
pub struct MetadataRow {
    id: usize,
    pub key: RwSignal<String>,
    pub value: RwSignal<String>,
    /// The saved key this row shows, which it may rename; `None` for a new row.
    saved_key: StoredValue<Option<String>>,
}

impl MetadataRow {
    pub fn stored(id: usize, key: String) -> MetadataRow {
        MetadataRow {
            id,
            key: RwSignal::new(key.clone()),
            value: RwSignal::new(String::new()),
            saved_key: StoredValue::new(Some(key)),
        }
    }

    fn blank(id: usize) -> MetadataRow {
        MetadataRow {
            id,
            key: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            saved_key: StoredValue::new(None),
        }
    }

    /// What the server receives for this row; an untouched blank row sends nothing.
    pub fn edit(&self) -> Option<MetadataEdit> {
        let key = self.key.get_untracked();
        let value = self.value.get_untracked();
        if let Some(saved_key) = self.saved_key.get_value() {
            Some(MetadataEdit {
                renamed_from: (key.trim() != saved_key).then_some(saved_key),
                key,
                value: (!value.is_empty()).then_some(value),
            })
        } else if key.trim().is_empty() && value.is_empty() {
            None
        } else {
            Some(MetadataEdit {
                key,
                value: Some(value),
                renamed_from: None,
            })
        }
    }
}

/// The edits `rows` describe, in order.
pub fn edits_of(rows: &[MetadataRow]) -> Vec<MetadataEdit> {
    rows.iter().filter_map(MetadataRow::edit).collect()
}

/// Key/value rows with **Add metadata** and a remove button per row.
#[component]
pub fn MetadataEditor(rows: RwSignal<Vec<MetadataRow>>) -> impl IntoView {
    let next_id = StoredValue::new(rows.with_untracked(|rows| rows.len()) + 1);
    let add = move |_| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        rows.update(|rows| rows.push(MetadataRow::blank(id)));
    };
    view! {
        <fieldset class="metadata">
            <legend>"Metadata"</legend>
            <p class="hint">
                "Values are encrypted and never shown again. Leave a saved value empty to keep it; a renamed key keeps its value."
            </p>
            <For each=move || rows.get() key=|row| row.id let:row>
                <div class="metadata-row">
                    <input
                        aria-label="Key"
                        placeholder="Key"
                        bind:value=row.key
                    />
                    <input
                        aria-label="Value"
                        type="password"
                        autocomplete="off"
                        placeholder=if row.saved_key.with_value(Option::is_some) { "•••••• (unchanged)" } else { "Value" }
                        bind:value=row.value
                    />
                    <button
                        type="button"
                        aria-label=move || {
                            let key = row.key.get();
                            if key.is_empty() {
                                "Remove metadata row".to_string()
                            } else {
                                format!("Remove metadata {key}")
                            }
                        }
                        on:click=move |_| rows.update(|rows| rows.retain(|other| other.id != row.id))
                    >
                        "Remove"
                    </button>
                </div>
            </For>
            <button type="button" on:click=add>
                "Add metadata"
            </button>
        </fieldset>
    }
    .into_any()
}
