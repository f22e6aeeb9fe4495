//! The closed sets of words the API reads and writes, described in the document from the
//! domain's own lists, so the two can't drift apart. Requests carry them as strings,
//! which the domain parses and refuses with a specific error.

use app::memberships::{MembershipStatus, Role};
use app::permissions::{Access, Flag, ResourceKind};
use app::resources::SourceKind;
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, SchemaType, Type};

fn one_of(words: impl IntoIterator<Item = &'static str>, nullable: bool) -> Object {
    let schema_type = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    let mut values: Vec<Option<&'static str>> = words.into_iter().map(Some).collect();
    if nullable {
        values.push(None);
    }
    ObjectBuilder::new()
        .schema_type(schema_type)
        .enum_values(Some(values))
        .build()
}

pub fn role() -> Object {
    one_of(Role::ALL.map(Role::key), false)
}

pub fn optional_role() -> Object {
    one_of(Role::ALL.map(Role::key), true)
}

pub fn status() -> Object {
    one_of(MembershipStatus::ALL.map(MembershipStatus::key), false)
}

/// A status, or `all`.
pub fn status_filter() -> Object {
    let statuses = MembershipStatus::ALL.map(MembershipStatus::key);
    one_of(std::iter::once("all").chain(statuses), false)
}

pub fn flag() -> Object {
    one_of(Flag::ALL.map(Flag::key), false)
}

pub fn flags() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new().items(flag()).build()
}

pub fn kind() -> Object {
    one_of(ResourceKind::ALL.map(ResourceKind::key), false)
}

pub fn access() -> Object {
    one_of(Access::ALL.map(Access::key), false)
}

pub fn source_kind() -> Object {
    one_of(SourceKind::ALL.map(SourceKind::key), false)
}

pub fn optional_source_kind() -> Object {
    one_of(SourceKind::ALL.map(SourceKind::key), true)
}
