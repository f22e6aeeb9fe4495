//! Changes that may make end-users builders. Each is first sent without consent; when
//! the server answers with the users it would promote, the admin sees them listed and
//! **Continue** sends the same change again with consent.

use leptos::prelude::*;

use super::{
    RuleForm, add_group_members, duplicate_group, save_group_rule, set_group_flag,
    set_resource_access,
};
use crate::error::AppError;
use crate::permissions::Flag;
use crate::ui::Modal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    AddMembers {
        group_id: i64,
        user_ids: Vec<i64>,
    },
    SetFlag {
        group_id: i64,
        flag: Flag,
        on: bool,
    },
    SaveRule {
        group_id: i64,
        rule_id: Option<i64>,
        rule: RuleForm,
    },
    Duplicate {
        group_id: i64,
        users: bool,
        permissions: bool,
        granular: bool,
    },
    SetResourceAccess {
        resource_id: i64,
        group_id: i64,
        access: String,
    },
}

impl Change {
    /// Sends the change; on success, what to tell the admin.
    async fn apply(self, slug: String, allow_role_change: bool) -> Result<String, AppError> {
        let allow = allow_role_change;
        match self {
            Change::AddMembers { group_id, user_ids } => {
                add_group_members(slug, group_id, user_ids, allow).await?;
                Ok("Users added to the group.".to_string())
            }
            Change::SetFlag { group_id, flag, on } => {
                set_group_flag(slug, group_id, flag.key().to_string(), on, allow).await?;
                Ok("Group permissions updated.".to_string())
            }
            Change::SaveRule {
                group_id,
                rule_id,
                rule,
            } => {
                save_group_rule(slug, group_id, rule_id, rule, allow).await?;
                Ok(if rule_id.is_some() {
                    "Permission updated.".to_string()
                } else {
                    "Permission created.".to_string()
                })
            }
            Change::Duplicate {
                group_id,
                users,
                permissions,
                granular,
            } => {
                let copy =
                    duplicate_group(slug, group_id, users, permissions, granular, allow).await?;
                Ok(format!("Group duplicated as {}.", copy.name))
            }
            Change::SetResourceAccess {
                resource_id,
                group_id,
                access,
            } => {
                set_resource_access(slug, resource_id, group_id, access, allow).await?;
                Ok("Access updated.".to_string())
            }
        }
    }
}

/// Sends changes and, when one needs consent, holds it until the admin decides.
#[derive(Clone, Copy)]
pub struct ChangeRunner {
    slug: StoredValue<String>,
    waiting: RwSignal<Option<(Change, Vec<String>)>>,
    on_done: Callback<String>,
    on_failed: Callback<String>,
}

impl ChangeRunner {
    pub fn new(
        slug: StoredValue<String>,
        on_done: impl Fn(String) + Send + Sync + 'static,
        on_failed: impl Fn(String) + Send + Sync + 'static,
    ) -> ChangeRunner {
        ChangeRunner {
            slug,
            waiting: RwSignal::new(None),
            on_done: Callback::new(on_done),
            on_failed: Callback::new(on_failed),
        }
    }

    pub fn send(self, change: Change) {
        self.send_with(change, false);
    }

    fn send_with(self, change: Change, allow_role_change: bool) {
        let slug = self.slug.get_value();
        // The page that sent the change may be gone by the time the answer comes.
        leptos::task::spawn_local(async move {
            match change.clone().apply(slug, allow_role_change).await {
                Ok(message) => {
                    self.on_done.try_run(message);
                }
                Err(AppError::RoleChangeNeeded { users }) => {
                    self.waiting.try_set(Some((change, users)));
                }
                Err(error) => {
                    self.on_failed.try_run(error.to_string());
                }
            }
        });
    }
}

/// The confirmation listing the end-users a change would make Builders.
#[component]
pub fn ConsentDialog(runner: ChangeRunner) -> impl IntoView {
    view! {
        {move || {
            runner
                .waiting
                .get()
                .map(|(change, users)| {
                    let change = StoredValue::new(change);
                    view! {
                        <PromotionConsent
                            users
                            on_cancel=move |()| {
                                runner.waiting.set(None);
                                runner.on_done.run("Nothing was changed.".to_string());
                            }
                            on_continue=move |()| {
                                runner.waiting.set(None);
                                runner.send_with(change.get_value(), true);
                            }
                        />
                    }
                })
        }}
    }
    .into_any()
}

/// "Make these users Builders?": the end-users (by email) a change would promote, with
/// **Cancel** and **Continue**. Every change that can promote asks with this.
#[component]
pub fn PromotionConsent(
    users: Vec<String>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_continue: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal labelled_by="consent-title" on_close=on_cancel>
            <h2 id="consent-title">"Make these users Builders?"</h2>
            <p>
                "End-users can only view apps, folders and workspace constants. "
                "To go ahead with this change, these users become Builders:"
            </p>
            <ul aria-label="Users who become Builders">
                {users.into_iter().map(|email| view! { <li>{email}</li> }).collect_view()}
            </ul>
            <div class="actions">
                <button type="button" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
                <button type="button" class="primary" on:click=move |_| on_continue.run(())>
                    "Continue"
                </button>
            </div>
        </Modal>
    }
    .into_any()
}

/// [`PromotionConsent`] while `waiting` holds the end-users a change would promote:
/// **Continue** runs `on_continue` (the change again, with consent), **Cancel** drops it.
#[component]
pub fn PendingPromotion(
    waiting: RwSignal<Option<Vec<String>>>,
    #[prop(into)] on_continue: Callback<()>,
) -> impl IntoView {
    move || {
        waiting.get().map(|users| {
            view! {
                <PromotionConsent
                    users
                    on_cancel=move |()| waiting.set(None)
                    on_continue=move |()| {
                        waiting.set(None);
                        on_continue.run(());
                    }
                />
            }
        })
    }
}
