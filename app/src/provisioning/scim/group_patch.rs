//! PATCH on a Group as a list of changes, not as a new document: a group may have many
//! thousands of members, and adding one must not mean reading and rewriting them all.
//! The store turns each change into one set operation.
//!
//! The forms Okta and Microsoft Entra ID send are all understood: members added and
//! replaced as lists, removed by a filter (`members[value eq "42"]`, Okta) or by a list
//! (`"op": "Remove", "path": "members", "value": [...]`, Entra), renames with or without
//! a path.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::Value;

use super::ScimError;
use super::patch::{Op, PatchOperation, field};
use super::schema::{GROUP_SCHEMAS, Located, Mutability, Target, resolve};

/// One change a Group PATCH makes. Member values are the users' SCIM ids, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    Rename(String),
    SetExternalId(Option<String>),
    AddMembers(Vec<String>),
    RemoveMembers(Vec<String>),
    ReplaceMembers(Vec<String>),
    RemoveAllMembers,
}

/// The changes `operations` make, in order.
pub fn interpret(operations: &[PatchOperation]) -> Result<Vec<GroupChange>, ScimError> {
    let mut changes = Vec::new();
    for operation in operations {
        interpret_operation(operation, &mut changes)?;
    }
    Ok(changes)
}

fn interpret_operation(
    operation: &PatchOperation,
    changes: &mut Vec<GroupChange>,
) -> Result<(), ScimError> {
    let (op, value) = (operation.op, &operation.value);
    match &operation.path {
        None if op == Op::Remove => Err(ScimError::no_target("A remove operation needs a path.")),
        None => {
            let Value::Object(attributes) = value else {
                return Err(ScimError::invalid_value(
                    "Without a path, an operation's value is an object of attributes.",
                ));
            };
            // Okta repeats the group's `id` here: read-only and unknown names are ignored.
            for (name, value) in attributes {
                if let Some(Target::Attribute(Located {
                    attribute,
                    sub: None,
                    ..
                })) = resolve(GROUP_SCHEMAS, name)
                    && attribute.mutability != Mutability::ReadOnly
                {
                    changes.extend(attribute_change(op, attribute.name, value)?);
                }
            }
            Ok(())
        }
        Some(PatchPath::Attr(path)) => match resolve(GROUP_SCHEMAS, &path.to_string()) {
            None => Ok(()),
            Some(Target::Attribute(Located {
                attribute,
                sub: None,
                ..
            })) => {
                if attribute.mutability == Mutability::ReadOnly {
                    return Err(ScimError::mutability(format!("{path} is read-only.")));
                }
                changes.extend(attribute_change(op, attribute.name, value)?);
                Ok(())
            }
            Some(_) => Err(ScimError::invalid_path(format!(
                "{path}: a member is added or removed whole, by members or \
                 members[value eq \"…\"]."
            ))),
        },
        Some(PatchPath::Value(value_path)) => {
            let is_members = matches!(
                resolve(GROUP_SCHEMAS, &value_path.attr.to_string()),
                Some(Target::Attribute(Located { attribute, sub: None, .. }))
                    if attribute.name == "members"
            );
            if !is_members || value_path.sub_attr.is_some() || op != Op::Remove {
                return Err(ScimError::invalid_path(format!(
                    "{value_path}: a filter only selects members to remove, as in \
                     members[value eq \"42\"]."
                )));
            }
            changes.push(GroupChange::RemoveMembers(filtered_ids(
                &value_path.filter,
            )?));
            Ok(())
        }
    }
}

/// The change an operation makes to one attribute, named as the Group schema spells it.
fn attribute_change(op: Op, name: &str, value: &Value) -> Result<Option<GroupChange>, ScimError> {
    let change = match name {
        "displayName" => match (op, value) {
            (Op::Remove, _) | (_, Value::Null) => {
                return Err(ScimError::mutability(
                    "displayName is required: it can be replaced, not removed.",
                ));
            }
            (_, Value::String(name)) => GroupChange::Rename(name.clone()),
            _ => return Err(ScimError::invalid_value("displayName must be a string.")),
        },
        "externalId" => match (op, value) {
            (Op::Remove, _) | (_, Value::Null) => GroupChange::SetExternalId(None),
            (_, Value::String(id)) => GroupChange::SetExternalId(Some(id.clone())),
            _ => return Err(ScimError::invalid_value("externalId must be a string.")),
        },
        "members" => match (op, value) {
            (Op::Remove, Value::Null) => GroupChange::RemoveAllMembers,
            (Op::Remove, _) => GroupChange::RemoveMembers(member_ids(value)?),
            (Op::Add, _) => GroupChange::AddMembers(member_ids(value)?),
            (Op::Replace, _) => GroupChange::ReplaceMembers(member_ids(value)?),
        },
        _ => return Ok(None),
    };
    Ok(Some(change))
}

/// The user ids of a `members` value: a list of `{"value": id}` objects (one object
/// alone, or null for none, are accepted too). `display` and `$ref` are ignored; a
/// `type` other than `User` is refused, since groups don't nest. Also for the `members`
/// of a Group sent by POST or PUT.
pub fn member_ids(value: &Value) -> Result<Vec<String>, ScimError> {
    let members = match value {
        Value::Null => Vec::new(),
        Value::Array(members) => members.iter().collect(),
        Value::Object(_) => vec![value],
        _ => {
            return Err(ScimError::invalid_value(
                "members is a list of objects such as {\"value\": \"42\"}.",
            ));
        }
    };
    members.into_iter().map(member_id).collect()
}

fn member_id(member: &Value) -> Result<String, ScimError> {
    let Value::Object(member) = member else {
        return Err(ScimError::invalid_value(
            "Each member is an object such as {\"value\": \"42\"}.",
        ));
    };
    match field(member, "type") {
        None | Some(Value::Null) => {}
        Some(Value::String(kind)) if kind.eq_ignore_ascii_case("User") => {}
        Some(_) => {
            return Err(ScimError::invalid_value(
                "Only users can be members: nested groups are not supported.",
            ));
        }
    }
    match field(member, "value") {
        Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.trim().to_string()),
        Some(Value::Number(id)) if id.is_u64() => Ok(id.to_string()),
        _ => Err(ScimError::invalid_value(
            "Each member needs a value: the user's id.",
        )),
    }
}

/// The ids a member filter names: `value eq "42"`, or an `or` of those.
fn filtered_ids(filter: &ValFilter) -> Result<Vec<String>, ScimError> {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(path, CompareOp::Eq, value))
            if path.uri.is_none()
                && path.sub_attr.is_none()
                && path.name.eq_ignore_ascii_case("value") =>
        {
            match value {
                CompValue::Str(id) => Ok(vec![id.clone()]),
                CompValue::Number(id) => Ok(vec![id.to_string()]),
                _ => Err(ScimError::invalid_filter(
                    "A member's value is compared with a string: value eq \"42\".",
                )),
            }
        }
        ValFilter::Or(items) => {
            let mut ids = Vec::new();
            for item in items {
                ids.extend(filtered_ids(item)?);
            }
            Ok(ids)
        }
        _ => Err(ScimError::invalid_filter(
            "Members are selected by value: members[value eq \"42\"], or several joined \
             by or.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::GroupChange::*;
    use super::*;
    use crate::provisioning::scim::ScimType;
    use crate::provisioning::scim::patch::{PATCH_OP_SCHEMA, parse_patch_request};

    fn changes(operations: Value) -> Result<Vec<GroupChange>, ScimError> {
        let operations = parse_patch_request(&json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": operations,
        }))?;
        interpret(&operations)
    }

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn okta_forms() {
        assert_eq!(
            changes(json!([{
                "op": "add",
                "path": "members",
                "value": [{ "value": "23", "display": "test.user@okta.local" }],
            }])),
            Ok(vec![AddMembers(ids(&["23"]))])
        );
        assert_eq!(
            changes(json!([{ "op": "remove", "path": "members[value eq \"89\"]" }])),
            Ok(vec![RemoveMembers(ids(&["89"]))])
        );
        assert_eq!(
            changes(json!([{
                "op": "replace",
                "path": "members",
                "value": [{ "value": "1", "display": "a" }, { "value": "2", "display": "b" }],
            }])),
            Ok(vec![ReplaceMembers(ids(&["1", "2"]))])
        );
        assert_eq!(
            changes(json!([{
                "op": "replace",
                "value": { "id": "abf4dd94", "displayName": "Test SCIMv2" },
            }])),
            Ok(vec![Rename("Test SCIMv2".into())])
        );
    }

    #[test]
    fn entra_forms() {
        assert_eq!(
            changes(json!([{
                "op": "Add",
                "path": "members",
                "value": [{ "$ref": null, "value": "7" }],
            }])),
            Ok(vec![AddMembers(ids(&["7"]))])
        );
        assert_eq!(
            changes(json!([{
                "op": "Remove",
                "path": "members",
                "value": [{ "$ref": null, "value": "7" }, { "value": "8" }],
            }])),
            Ok(vec![RemoveMembers(ids(&["7", "8"]))])
        );
        assert_eq!(
            changes(json!([
                { "op": "Replace", "path": "displayName", "value": "Engineering" },
                { "op": "Replace", "path": "externalId", "value": "8aa1a0c0" },
            ])),
            Ok(vec![
                Rename("Engineering".into()),
                SetExternalId(Some("8aa1a0c0".into())),
            ])
        );
    }

    #[test]
    fn other_forms() {
        assert_eq!(
            changes(json!([{ "op": "remove", "path": "members" }])),
            Ok(vec![RemoveAllMembers])
        );
        assert_eq!(
            changes(json!([{
                "op": "remove",
                "path": "members[value eq \"1\" or value eq \"2\" or VALUE eq 3]",
            }])),
            Ok(vec![RemoveMembers(ids(&["1", "2", "3"]))])
        );
        assert_eq!(
            changes(json!([
                { "op": "remove", "path": "externalId" },
                { "op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:Group:displayName", "value": "Ops" },
                { "op": "add", "value": { "members": [{ "value": 4, "type": "User" }], "schemas": [] } },
                { "op": "replace", "value": { "members": [] } },
                { "op": "add", "path": "description", "value": "ignored" },
            ])),
            Ok(vec![
                SetExternalId(None),
                Rename("Ops".into()),
                AddMembers(ids(&["4"])),
                ReplaceMembers(vec![]),
            ])
        );
        assert_eq!(member_ids(&json!({ "value": " 5 " })), Ok(ids(&["5"])));
    }

    #[test]
    fn refusals() {
        let kind = |operations: Value| changes(operations).expect_err("refused").scim_type;
        assert_eq!(
            kind(json!([{ "op": "add", "path": "members", "value": [{ "display": "x" }] }])),
            Some(ScimType::InvalidValue)
        );
        let nested = changes(json!([{
            "op": "add",
            "path": "members",
            "value": [{ "value": "9", "type": "Group" }],
        }]))
        .expect_err("refused");
        assert_eq!(nested.scim_type, Some(ScimType::InvalidValue));
        assert!(nested.detail.contains("nested groups are not supported"));
        assert_eq!(
            kind(json!([{ "op": "add", "path": "members", "value": "9" }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "remove", "path": "members[display eq \"x\"]" }])),
            Some(ScimType::InvalidFilter)
        );
        assert_eq!(
            kind(json!([{ "op": "remove", "path": "members[value eq \"1\" and value eq \"2\"]" }])),
            Some(ScimType::InvalidFilter)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "members[value eq \"1\"]", "value": {} }])),
            Some(ScimType::InvalidPath)
        );
        assert_eq!(
            kind(json!([{ "op": "remove", "path": "members.value" }])),
            Some(ScimType::InvalidPath)
        );
        assert_eq!(
            kind(json!([{ "op": "remove", "path": "displayName" }])),
            Some(ScimType::Mutability)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "displayName", "value": 3 }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "id", "value": "3" }])),
            Some(ScimType::Mutability)
        );
        assert_eq!(kind(json!([{ "op": "remove" }])), Some(ScimType::NoTarget));
        assert_eq!(
            kind(json!([{ "op": "add", "value": "x" }])),
            Some(ScimType::InvalidValue)
        );
    }
}
