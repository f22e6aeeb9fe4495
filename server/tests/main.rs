//! The server's HTTP tests, one module per area, linked into one test binary: each
//! binary links the whole application, and one link is far cheaper in time and disk.

mod support;

mod access_matrix;
mod api;
mod audit_log;
mod bulk_invite;
mod end_user_rule;
mod groups;
mod hardening;
mod http;
mod instance;
mod instances;
mod members;
mod plain_forms;
mod races;
mod releases;
mod resources;
mod scim;
mod sso;
