//! Settings › Email outbox: every mail Gatehouse sent or holds, for super admins.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{OutboxEntry, email_outbox};
use crate::instance::SettingsFrame;
use crate::loading::load_blocking;
use crate::shell::when_loaded;

#[component]
pub fn EmailOutboxPage() -> impl IntoView {
    let entries = load_blocking(|| (), |_| email_outbox());
    view! {
        <Title text="Email outbox" />
        <SettingsFrame>
            {when_loaded(entries, |entries| view! { <OutboxTable entries /> })}
        </SettingsFrame>
    }
}

#[component]
fn OutboxTable(entries: Vec<OutboxEntry>) -> impl IntoView {
    let empty = entries.is_empty();
    view! {
        <section class="panel" aria-labelledby="page-title">
            <h1 id="page-title">"Email outbox"</h1>
            <p>
                "Mail Gatehouse has sent or is holding, newest first. Without an SMTP server (GATEHOUSE_SMTP_URL), mail is held here to be passed on by hand."
            </p>
            {empty.then(|| view! { <p>"No mail yet."</p> })}
            <table>
                <caption class="visually-hidden">"Mail"</caption>
                <thead>
                    <tr>
                        <th scope="col">"To"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Attempts"</th>
                        <th scope="col">"Error"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries
                        .into_iter()
                        .map(|entry| {
                            view! {
                                <tr>
                                    <td>{entry.recipient}</td>
                                    <td>
                                        {entry
                                            .body
                                            .map(|body| {
                                                view! {
                                                    <details>
                                                        <summary>{entry.subject.clone()}</summary>
                                                        <pre>{body}</pre>
                                                    </details>
                                                }
                                                    .into_any()
                                            })
                                            .unwrap_or_else(|| view! { <span>{entry.subject.clone()}</span> }.into_any())}
                                    </td>
                                    <td>{entry.status.label()}</td>
                                    <td>{entry.attempts}</td>
                                    <td>{entry.last_error.unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
