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

/// Where an upload has got to. The invitations are made in one transaction, which either
/// completes or leaves nothing behind, so the server's part is one step: the bar shows it
/// as under way rather than guessing a share.
#[derive(Debug, Clone, PartialEq)]
enum Progress {
    Reading { file: String, size: f64 },
    Inviting { rows: usize },
}

impl Progress {
    fn describe(&self) -> String {
        match self {
            Progress::Reading { file, size } => {
                format!("Reading {file} ({})…", kibibytes(*size))
            }
            Progress::Inviting { rows: 1 } => "Checking and inviting 1 row…".to_string(),
            Progress::Inviting { rows } => {
                format!("Checking and inviting {} rows…", thousands(*rows))
            }
        }
    }
}

fn kibibytes(bytes: f64) -> String {
    format!("{:.0} KiB", (bytes / 1024.0).ceil())
}

/// 12345 as "12,345".
fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// The rows under the header that hold something: what the server is about to check.
fn data_rows(csv: &str) -> usize {
    csv.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .count()
}

#[component]
pub(in crate::users) fn UploadPanel(
    context: UsersContext,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let refusal = RwSignal::new(Refusal::default());
    let uploading = RwSignal::new(false);
    let progress = RwSignal::new(None::<Progress>);
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
        progress.set(Some(Progress::Reading {
            file: file.name(),
            size: file.size(),
        }));
        let slug = context.slug.get_untracked();
        leptos::task::spawn_local(async move {
            let text = read_text(&file).await;
            if let Some(csv) = &text {
                progress.try_set(Some(Progress::Inviting {
                    rows: data_rows(csv),
                }));
            }
            let outcome = match text {
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
            let _ = progress.try_set(None);
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
            <div class="progress">
                <Show when=move || progress.with(Option::is_some)>
                    <progress aria-label="Upload progress"></progress>
                </Show>
                // Always in the page, so that screen readers announce its first message.
                <p class="hint" aria-live="polite">
                    {move || progress.get().map(|progress| progress.describe())}
                </p>
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

#[cfg(test)]
mod tests {
    use super::{Progress, data_rows};

    #[test]
    fn progress_says_what_is_being_done_to_how_much() {
        let reading = Progress::Reading {
            file: "people.csv".into(),
            size: 800_000.0,
        };
        assert_eq!(reading.describe(), "Reading people.csv (782 KiB)…");
        assert_eq!(
            Progress::Inviting { rows: 12_345 }.describe(),
            "Checking and inviting 12,345 rows…"
        );
        assert_eq!(
            Progress::Inviting { rows: 1 }.describe(),
            "Checking and inviting 1 row…"
        );
        assert_eq!(
            Progress::Inviting { rows: 999 }.describe(),
            "Checking and inviting 999 rows…"
        );
    }

    #[test]
    fn the_header_and_blank_lines_are_not_rows() {
        let csv = "Full Name,Email\nAda,ada@example.com\n\n  \nAlan,alan@example.com\n";
        assert_eq!(data_rows(csv), 2);
        assert_eq!(data_rows(""), 0);
    }
}
