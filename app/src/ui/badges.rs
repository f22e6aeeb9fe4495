//! Statuses and roles as badges: a colour to scan by, always with the word itself.

use leptos::prelude::*;

use crate::instance::AccountStatus;
use crate::memberships::{MembershipStatus, Role};

/// A status a badge shows: a membership's in a workspace, or an account's in the instance.
pub trait Status: Copy + Send + Sync + 'static {
    fn key(self) -> &'static str;
    fn label(self) -> &'static str;
}

impl Status for MembershipStatus {
    fn key(self) -> &'static str {
        MembershipStatus::key(self)
    }

    fn label(self) -> &'static str {
        MembershipStatus::label(self)
    }
}

impl Status for AccountStatus {
    fn key(self) -> &'static str {
        AccountStatus::key(self)
    }

    fn label(self) -> &'static str {
        AccountStatus::label(self)
    }
}

#[component]
pub fn StatusBadge<S: Status>(status: S) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.key())>{status.label()}</span> }
}

#[component]
pub fn RoleBadge(role: Role) -> impl IntoView {
    view! { <span class=format!("badge role-{}", role.key())>{role.label()}</span> }
}

/// An invitation whose link has run out: the invitee can no longer accept it.
#[component]
pub fn ExpiredBadge() -> impl IntoView {
    view! {
        <span class="badge status-expired" title="The invitation link has expired">
            "Expired"
        </span>
    }
}

#[component]
pub fn ProvisionedBadge() -> impl IntoView {
    view! {
        <span class="badge provisioned" title="Managed by the identity provider over SCIM">
            "Provisioned"
        </span>
    }
}

#[component]
pub fn SuperAdminBadge() -> impl IntoView {
    view! { <span class="badge super-admin">"Super admin"</span> }
}
