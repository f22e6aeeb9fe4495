//! The end-user rule as a property, over HTTP on SQLite and PostgreSQL: whatever an admin
//! does, in whatever order (invite, import a file, add to groups, grant flags and rules,
//! duplicate groups, archive, unarchive, accept, remove and re-invite, change roles), no
//! End-user membership, in any status, is ever in a group with a builder-level
//! permission.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::{PASSWORD, Session, TestApp, token_of};
use app::db::Backend;
use app::db::testing::TestDatabase;
use app::memberships::Role;
use axum::http::StatusCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

const PEOPLE: usize = 2;
const GROUPS: usize = 2;

#[derive(Debug, Clone)]
enum Step {
    Invite {
        person: usize,
        role: &'static str,
    },
    ImportCsv {
        person: usize,
        role: &'static str,
        group: Option<usize>,
    },
    AddToGroup {
        person: usize,
        group: usize,
        consent: bool,
    },
    SetFlag {
        group: usize,
        on: bool,
        consent: bool,
    },
    SaveRule {
        group: usize,
        edit: bool,
        consent: bool,
    },
    Duplicate {
        group: usize,
        consent: bool,
    },
    Archive {
        person: usize,
    },
    Unarchive {
        person: usize,
    },
    Accept {
        person: usize,
    },
    Remove {
        person: usize,
    },
    SetRole {
        person: usize,
        role: &'static str,
    },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let person = 0..PEOPLE;
    let group = 0..GROUPS;
    let role = prop_oneof![Just("end-user"), Just("builder")];
    let step = prop_oneof![
        (person.clone(), role.clone()).prop_map(|(person, role)| Step::Invite { person, role }),
        (
            person.clone(),
            role.clone(),
            proptest::option::of(group.clone())
        )
            .prop_map(|(person, role, group)| Step::ImportCsv {
                person,
                role,
                group
            }),
        (person.clone(), group.clone(), any::<bool>()).prop_map(|(person, group, consent)| {
            Step::AddToGroup {
                person,
                group,
                consent,
            }
        }),
        (group.clone(), any::<bool>(), any::<bool>())
            .prop_map(|(group, on, consent)| Step::SetFlag { group, on, consent }),
        (group.clone(), any::<bool>(), any::<bool>()).prop_map(|(group, edit, consent)| {
            Step::SaveRule {
                group,
                edit,
                consent,
            }
        }),
        (group, any::<bool>()).prop_map(|(group, consent)| Step::Duplicate { group, consent }),
        person.clone().prop_map(|person| Step::Archive { person }),
        person.clone().prop_map(|person| Step::Unarchive { person }),
        person.clone().prop_map(|person| Step::Accept { person }),
        person.clone().prop_map(|person| Step::Remove { person }),
        (person, role).prop_map(|(person, role)| Step::SetRole { person, role }),
    ];
    proptest::collection::vec(step, 1..16)
}

/// One run of steps in a workspace of its own, with people of its own.
struct Case<'a> {
    app: &'a TestApp,
    admin: Session<'a>,
    number: usize,
    groups: Vec<i64>,
}

impl Case<'_> {
    fn email(&self, person: usize) -> String {
        format!("p{person}-case{}@example.com", self.number)
    }

    async fn user_id(&self, person: usize) -> Option<i64> {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(self.email(person))
            .fetch_optional(&self.app.db)
            .await
            .unwrap()
    }

    /// Runs a step as an admin would: refusals are part of the game, server errors not.
    async fn run(&self, step: &Step) -> Result<(), TestCaseError> {
        let admin = &self.admin;
        let status = match *step {
            Step::Invite { person, role } => {
                let arguments = json!({ "full_name": format!("Person {person}"),
                    "email": self.email(person), "role": role, "metadata": [] });
                admin.call_json("users/invite", arguments).await.status
            }
            Step::ImportCsv {
                person,
                role,
                group,
            } => {
                let group = group.map(|group| format!("G{group}")).unwrap_or_default();
                let csv = format!(
                    "Full Name,Email,Role,Groups\nPerson {person},{},{role},{group}\n",
                    self.email(person)
                );
                admin.import_csv(&csv, false).await.status
            }
            Step::AddToGroup {
                person,
                group,
                consent,
            } => {
                let Some(user_id) = self.user_id(person).await else {
                    return Ok(());
                };
                let arguments = json!({ "group_id": self.groups[group], "user_ids": [user_id],
                    "allow_role_change": consent });
                admin
                    .call_json("groups/add-members", arguments)
                    .await
                    .status
            }
            Step::SetFlag { group, on, consent } => {
                let form = [
                    ("flag", "app_create".to_string()),
                    ("on", on.to_string()),
                    ("allow_role_change", consent.to_string()),
                ];
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                admin
                    .call_on("groups/set-flag", ("group_id", self.groups[group]), &form)
                    .await
                    .status
            }
            Step::SaveRule {
                group,
                edit,
                consent,
            } => {
                let (name, access) = if edit {
                    ("Apps edit", "edit")
                } else {
                    ("Apps view", "view")
                };
                let rule = json!({ "name": name, "kind": "app", "access": access,
                    "hide_from_dashboard": false, "all": true, "resource_ids": [] });
                let arguments = json!({ "group_id": self.groups[group], "rule_id": null,
                    "rule": rule, "allow_role_change": consent });
                admin.call_json("groups/save-rule", arguments).await.status
            }
            Step::Duplicate { group, consent } => {
                let consent = consent.to_string();
                let form = [
                    ("users", "true"),
                    ("permissions", "true"),
                    ("granular", "true"),
                    ("allow_role_change", consent.as_str()),
                ];
                admin
                    .call_on("groups/duplicate", ("group_id", self.groups[group]), &form)
                    .await
                    .status
            }
            Step::Archive { person } | Step::Unarchive { person } | Step::Remove { person } => {
                let Some(user_id) = self.user_id(person).await else {
                    return Ok(());
                };
                let endpoint = match step {
                    Step::Archive { .. } => "users/archive",
                    Step::Unarchive { .. } => "users/unarchive",
                    _ => "users/remove",
                };
                admin
                    .call(endpoint, &[("user_id", &user_id.to_string())])
                    .await
                    .status
            }
            Step::Accept { person } => return self.accept(person).await,
            Step::SetRole { person, role } => {
                let Some(user_id) = self.user_id(person).await else {
                    return Ok(());
                };
                let arguments = json!({ "user_id": user_id, "role": role, "metadata": [] });
                admin.call_json("users/update", arguments).await.status
            }
        };
        prop_assert!(!status.is_server_error(), "{step:?} answered {status}");
        Ok(())
    }

    /// The person accepts a link the admin copied: joining if they have no password yet,
    /// else signing in to accept.
    async fn accept(&self, person: usize) -> Result<(), TestCaseError> {
        let Some(user_id) = self.user_id(person).await else {
            return Ok(());
        };
        let copied = self
            .admin
            .call(
                "users/invitation-link",
                &[("user_id", &user_id.to_string())],
            )
            .await;
        if copied.status != StatusCode::OK {
            return Ok(());
        }
        let token = token_of(copied.json().as_str().unwrap_or_default());
        let form = [
            ("token", token.as_str()),
            ("full_name", "Person"),
            ("password", PASSWORD),
        ];
        let joined = self.app.call("invitations/join", &form, None).await;
        prop_assert!(!joined.status.is_server_error(), "join: {}", joined.body);
        if joined.status == StatusCode::CONFLICT {
            let cookie = self
                .app
                .sign_in(&self.email(person), PASSWORD, None)
                .await
                .session_cookie();
            let accepted = self
                .app
                .call("invitations/accept", &[("token", &token)], Some(&cookie))
                .await;
            prop_assert!(
                !accepted.status.is_server_error(),
                "accept: {}",
                accepted.body
            );
        }
        Ok(())
    }

    /// No End-user, whatever their membership's status, is in a builder-level group.
    async fn check_the_rule(&self, after: &Step) -> Result<(), TestCaseError> {
        let workspace_id = self.app.workspace_id(self.admin.slug).await;
        let members: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM memberships WHERE workspace_id = $1")
                .bind(workspace_id)
                .fetch_all(&self.app.db)
                .await
                .unwrap();
        let mut conn = self.app.db.acquire().await.unwrap();
        for user_id in members {
            let (role, groups) =
                app::groups::store::subject_groups(&mut conn, workspace_id, user_id)
                    .await
                    .unwrap()
                    .expect("a member's groups");
            if role == Role::EndUser {
                let builder_level: Vec<&str> = groups
                    .iter()
                    .filter(|group| group.is_builder_level())
                    .map(|group| group.name.as_str())
                    .collect();
                prop_assert!(
                    builder_level.is_empty(),
                    "after {after:?}, End-user {user_id} is in {builder_level:?}"
                );
            }
        }
        Ok(())
    }
}

/// Sets up a workspace for case `number` with the groups G0 and G1, as Ada.
async fn new_case<'a>(app: &'a TestApp, ada: &str, number: usize, slug: &'a str) -> Case<'a> {
    app.create_workspace(&format!("Case {number}"), ada)
        .await
        .ok();
    let admin = app.session(slug, ada.to_string());
    let mut groups = Vec::new();
    for group in 0..GROUPS {
        let created = admin
            .ok("groups/create", &[("name", &format!("G{group}"))])
            .await;
        groups.push(created["id"].as_i64().unwrap());
    }
    Case {
        app,
        admin,
        number,
        groups,
    }
}

#[test]
fn no_sequence_of_changes_gives_an_end_user_a_builder_level_permission() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = runtime.block_on(TestDatabase::of(backend));
        let app = runtime.block_on(async { TestApp::new(database.db.clone()) });
        let ada = runtime.block_on(app.set_up());
        let cases = AtomicUsize::new(0);
        let mut runner = TestRunner::new(Config {
            cases: 128,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&steps(), |steps| {
            let number = cases.fetch_add(1, Ordering::Relaxed);
            let slug = format!("case-{number}");
            runtime.block_on(async {
                let case = new_case(&app, &ada, number, &slug).await;
                for step in &steps {
                    case.run(step).await?;
                    case.check_the_rule(step).await?;
                }
                Ok(())
            })
        });
        runtime.block_on(database.remove());
        if let Err(failure) = outcome {
            panic!("on {backend:?}: {failure}");
        }
    }
}
