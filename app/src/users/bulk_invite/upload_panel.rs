//! The Add users drawer's Upload CSV file tab: the sample, the file input, and the table
//! of every problem when a file is refused.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{CsvProblem, MAX_FILE_BYTES, SAMPLE_CSV_PATH};
use crate::error::AppError;
use crate::ui::FormError;
use crate::users::users_page::UsersContext;

/// Why an upload didn't happen: a message, and the file's problems when it was checked.
#[derive(Debug, Clone, Default)]
struct Refusal {
    message: Option<String>,
    problems: Vec<CsvProblem>,
}

impl From<AppError> for Refusal {
    fn from(error: AppError) -> Refusal {
        let message = Some(error.to_string());
        match error {
            AppError::CsvRejected { problems, .. } => Refusal { message, problems },
            _ => Refusal {
                message,
                problems: Vec::new(),
            },
        }
    }
}

#[component]
pub(in crate::users) fn UploadPanel(
    context: UsersContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let refusal = RwSignal::new(Refusal::default());
    let uploading = RwSignal::new(false);
    let upload = move |_| {
        let Some(file) = input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            refusal.set(Refusal {
                message: Some("Choose a CSV file first.".into()),
                problems: Vec::new(),
            });
            return;
        };
        // Refused in the browser before it is read: the server refuses it too.
        if file.size() > MAX_FILE_BYTES as f64 {
            refusal.set(Refusal {
                message: Some(super::CsvIssue::FileTooLarge.to_string()),
                problems: Vec::new(),
            });
            return;
        }
        uploading.set(true);
        refusal.set(Refusal::default());
        let slug = context.slug.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = match read_text(&file).await {
                // The browser reads every file as UTF-8, replacing what isn't.
                Some(csv) if csv.contains('\u{fffd}') => Err(Refusal {
                    message: Some(super::CsvIssue::NotUtf8.to_string()),
                    problems: Vec::new(),
                }),
                Some(csv) => super::import_csv(slug, csv, false)
                    .await
                    .map_err(Refusal::from),
                None => Err(Refusal {
                    message: Some("The file could not be read. Choose it again.".into()),
                    problems: Vec::new(),
                }),
            };
            let _ = uploading.try_set(false);
            match outcome {
                Ok(import) => {
                    let mut message = match import.invited {
                        1 => "1 user invited".to_string(),
                        count => format!("{count} users invited"),
                    };
                    if !import.mails_queued {
                        message.push_str(
                            ". The mails could not be queued; copy their links from the list instead",
                        );
                    }
                    context.listing.done(message);
                    on_close.run(());
                }
                Err(failure) => {
                    let _ = refusal.try_set(failure);
                }
            }
        });
    };
    let message = Signal::derive(move || refusal.with(|refusal| refusal.message.clone()));

    view! {
        <div id="upload-panel" role="tabpanel" aria-labelledby="upload-tab">
            <p>
                "One person per row: Full Name, Email, Role (Admin, Builder or End-user), "
                "Groups (custom group names separated by |) and Metadata (a JSON object). "
                "At most 1 MiB per file, and 500 people unless your instance allows more."
            </p>
            <p>
                <a href=SAMPLE_CSV_PATH download="gatehouse-users.csv">"Download sample CSV"</a>
            </p>
            <div class="field">
                <label for="csv-file">"CSV file"</label>
                <input type="file" id="csv-file" accept=".csv,text/csv" node_ref=input />
            </div>
            <FormError message />
            <Show when=move || refusal.with(|refusal| !refusal.problems.is_empty())>
                <ProblemTable problems=Signal::derive(move || refusal.with(|refusal| refusal.problems.clone())) />
            </Show>
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
                <button type="button" class="primary" on:click=upload disabled=move || uploading.get()>
                    "Upload users"
                </button>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn ProblemTable(problems: Signal<Vec<CsvProblem>>) -> impl IntoView {
    view! {
        <table>
            <caption>"Problems in the file"</caption>
            <thead>
                <tr>
                    <th scope="col">"Row"</th>
                    <th scope="col">"Column"</th>
                    <th scope="col">"Problem"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    problems
                        .get()
                        .into_iter()
                        .map(|problem| {
                            view! {
                                <tr>
                                    <td>{problem.row.map(|row| row.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{problem.column.map(|column| column.label()).unwrap_or("—")}</td>
                                    <td>{problem.issue.to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
    .into_any()
}

/// The file's text, as the browser reads it (UTF-8).
async fn read_text(file: &web_sys::File) -> Option<String> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.dyn_into::<js_sys::JsString>().ok().map(String::from)
}
