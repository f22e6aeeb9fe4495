//! SCIM 2.0 (RFC 7643, RFC 7644) as pure rules: what the protocol says, over plain
//! values and JSON, with no database and no HTTP. The filter becomes SQL here, PATCH
//! operations apply to a user's document here, and discovery describes exactly what
//! Gatehouse supports.

pub mod discovery;
pub mod error;
pub mod filter;
pub mod group_patch;
pub mod patch;
pub mod projection;
pub mod schema;
pub mod user;

pub use error::{ScimError, ScimType};
