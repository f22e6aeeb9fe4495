//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes of
//! a resource a response carries. Applied to the rendered resource, the last step before
//! it is sent, so every endpoint projects the same way.
//!
//! Names are matched as everywhere else ([`super::schema::resolve`]): without regard to
//! case, URN-prefixed or not, `name.givenName` for one sub-attribute. A name the resource
//! doesn't have selects nothing rather than failing the request, as a filter on an
//! attribute that isn't there matches nothing. `id` and `schemas` are always returned;
//! `meta` only when asked for or not excluded, like any attribute returned by default.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::ScimError;
use super::schema::{self, COMMON, Located, Returned, Schema, Target};

/// The resource with only the attributes `attributes` names (and those always returned),
/// or without those `excluded` names. Both are comma-separated lists; an empty list is
/// no list.
pub fn project(
    resource: Value,
    attributes: Option<&str>,
    excluded: Option<&str>,
    schemas: &[&Schema],
) -> Result<Value, ScimError> {
    let Value::Object(resource) = resource else {
        return Ok(resource);
    };
    let projected = match (listed(attributes), listed(excluded)) {
        (Some(_), Some(_)) => {
            return Err(ScimError::bad_request(
                "attributes and excludedAttributes can't be used together.",
            ));
        }
        (Some(list), None) => keep_only(&resource, &targets(list, schemas), schemas),
        (None, Some(list)) => exclude(resource, &targets(list, schemas)),
        (None, None) => return Ok(Value::Object(resource)),
    };
    Ok(Value::Object(with_present_schemas(projected, schemas)))
}

fn listed(list: Option<&str>) -> Option<&str> {
    list.filter(|list| !list.trim().is_empty())
}

fn targets(list: &str, schemas: &[&Schema]) -> Vec<Target> {
    list.split(',')
        .map(str::trim)
        .filter_map(|path| schema::resolve(schemas, path))
        .collect()
}

/// What is kept of one attribute: all of it, or some of its sub-attributes.
enum Selection {
    Whole,
    Subs(Vec<&'static str>),
}

fn keep_only(
    resource: &Map<String, Value>,
    targets: &[Target],
    schemas: &[&Schema],
) -> Map<String, Value> {
    let mut kept = Map::new();
    if let Some(listed) = resource.get("schemas") {
        kept.insert("schemas".into(), listed.clone());
    }
    let always = COMMON
        .iter()
        .chain(schemas.first().map_or(&[][..], |core| core.attributes))
        .filter(|attribute| attribute.returned == Returned::Always);
    for attribute in always {
        if let Some(value) = resource.get(attribute.name) {
            kept.insert(attribute.name.into(), value.clone());
        }
    }

    // (extension URN, attribute name) → what of it is kept.
    let mut selections: BTreeMap<(Option<&'static str>, &'static str), Selection> = BTreeMap::new();
    for target in targets {
        match *target {
            Target::Extension(extension) => {
                if let Some(value) = resource.get(extension.id) {
                    kept.insert(extension.id.into(), value.clone());
                }
            }
            Target::Attribute(Located {
                extension,
                attribute,
                sub,
            }) => {
                let selection = selections
                    .entry((extension.map(|extension| extension.id), attribute.name))
                    .or_insert(Selection::Subs(Vec::new()));
                match (selection, sub) {
                    (Selection::Subs(subs), Some(sub)) => subs.push(sub.name),
                    (selection, _) => *selection = Selection::Whole,
                }
            }
        }
    }

    for ((extension, name), selection) in selections {
        let source = match extension {
            None => Some(resource),
            Some(urn) => resource.get(urn).and_then(Value::as_object),
        };
        let Some(value) = source.and_then(|source| source.get(name)) else {
            continue;
        };
        let value = match selection {
            Selection::Whole => value.clone(),
            Selection::Subs(subs) => only_subs(value, &subs),
        };
        if is_unassigned(&value) {
            continue;
        }
        let destination = match extension {
            None => &mut kept,
            Some(urn) => {
                let slot = kept.entry(urn).or_insert_with(|| Value::Object(Map::new()));
                match slot.as_object_mut() {
                    Some(destination) => destination,
                    None => continue,
                }
            }
        };
        // A whole extension asked for as well already holds the attribute.
        destination.entry(name).or_insert(value);
    }
    kept
}

/// A complex value (or each value of a multi-valued one) with only `subs`.
fn only_subs(value: &Value, subs: &[&str]) -> Value {
    let keep = |item: &Value| match item {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(name, _)| subs.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        ),
        _ => Value::Null,
    };
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(keep)
                .filter(|item| !is_unassigned(item))
                .collect(),
        ),
        _ => keep(value),
    }
}

fn exclude(mut resource: Map<String, Value>, targets: &[Target]) -> Map<String, Value> {
    for target in targets {
        match *target {
            Target::Extension(extension) => {
                resource.remove(extension.id);
            }
            Target::Attribute(Located {
                extension,
                attribute,
                sub,
            }) => {
                if attribute.returned == Returned::Always {
                    continue;
                }
                let container = match extension {
                    None => Some(&mut resource),
                    Some(extension) => resource
                        .get_mut(extension.id)
                        .and_then(Value::as_object_mut),
                };
                let Some(container) = container else {
                    continue;
                };
                let Some(sub) = sub else {
                    container.remove(attribute.name);
                    continue;
                };
                if let Some(value) = container.get_mut(attribute.name) {
                    remove_sub(value, sub.name);
                    if is_unassigned(value) {
                        container.remove(attribute.name);
                    }
                }
            }
        }
    }
    // An extension whose attributes were all excluded goes too.
    resource.retain(|_, value| !is_unassigned(value));
    resource
}

fn remove_sub(value: &mut Value, sub: &str) {
    match value {
        Value::Object(members) => {
            members.remove(sub);
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                remove_sub(item, sub);
            }
            items.retain(|item| !is_unassigned(item));
        }
        _ => {}
    }
}

/// `schemas` lists an extension only while the resource holds some of its attributes.
fn with_present_schemas(
    mut resource: Map<String, Value>,
    schemas: &[&Schema],
) -> Map<String, Value> {
    let absent: Vec<&str> = schemas
        .iter()
        .skip(1)
        .map(|extension| extension.id)
        .filter(|urn| !resource.contains_key(*urn))
        .collect();
    if let Some(Value::Array(listed)) = resource.get_mut("schemas") {
        listed.retain(|urn| {
            !absent.iter().any(|absent| {
                urn.as_str()
                    .is_some_and(|urn| urn.eq_ignore_ascii_case(absent))
            })
        });
    }
    resource
}

fn is_unassigned(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provisioning::scim::ScimType;
    use crate::provisioning::scim::schema::{CORE_USER, ENTERPRISE_USER, USER_SCHEMAS};

    fn ada() -> Value {
        json!({
            "schemas": [CORE_USER, ENTERPRISE_USER],
            "id": "42",
            "externalId": "00u1",
            "userName": "ada@example.com",
            "name": { "givenName": "Ada", "familyName": "Lovelace" },
            "emails": [
                { "value": "ada@example.com", "type": "work", "primary": true },
                { "value": "ada@home.example" },
            ],
            "active": true,
            ENTERPRISE_USER: { "department": "Maths", "division": "Engines" },
            "meta": { "resourceType": "User", "location": "https://h/scim/v2/acme/Users/42" },
        })
    }

    fn project_ada(attributes: Option<&str>, excluded: Option<&str>) -> Value {
        project(ada(), attributes, excluded, USER_SCHEMAS).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn attributes_keep_the_named_ones_and_id_and_schemas() {
        assert_eq!(
            project_ada(Some("externalId"), None),
            json!({ "schemas": [CORE_USER], "id": "42", "externalId": "00u1" })
        );
        assert_eq!(
            project_ada(Some(" USERNAME , name.givenName,emails.value,meta"), None),
            json!({
                "schemas": [CORE_USER],
                "id": "42",
                "userName": "ada@example.com",
                "name": { "givenName": "Ada" },
                "emails": [{ "value": "ada@example.com" }, { "value": "ada@home.example" }],
                "meta": ada()["meta"],
            })
        );
        assert_eq!(
            project_ada(Some("emails.type,emails.value,name.familyName,name"), None)["name"],
            ada()["name"]
        );
        assert_eq!(
            project_ada(Some("emails.type"), None)["emails"],
            json!([{ "type": "work" }])
        );
    }

    #[test]
    fn attributes_reach_into_the_extension() {
        assert_eq!(
            project_ada(Some(&format!("{ENTERPRISE_USER}:department")), None),
            json!({
                "schemas": [CORE_USER, ENTERPRISE_USER],
                "id": "42",
                ENTERPRISE_USER: { "department": "Maths" },
            })
        );
        assert_eq!(
            project_ada(
                Some(&format!("{ENTERPRISE_USER},{ENTERPRISE_USER}:division")),
                None
            )[ENTERPRISE_USER],
            ada()[ENTERPRISE_USER]
        );
        assert_eq!(
            project_ada(Some("title,phoneNumbers"), None),
            json!({ "schemas": [CORE_USER], "id": "42" })
        );
    }

    #[test]
    fn excluded_attributes_go_but_id_and_schemas_stay() {
        let projected = project_ada(None, Some("name,id,emails.type,meta"));
        assert_eq!(projected.get("name"), None);
        assert_eq!(projected.get("meta"), None);
        assert_eq!(projected["id"], "42");
        assert_eq!(
            projected["emails"],
            json!([{ "value": "ada@example.com", "primary": true }, { "value": "ada@home.example" }])
        );

        let without_extension = project_ada(
            None,
            Some(&format!(
                "{ENTERPRISE_USER}:department,urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DIVISION"
            )),
        );
        assert_eq!(without_extension.get(ENTERPRISE_USER), None);
        assert_eq!(without_extension["schemas"], json!([CORE_USER]));
        assert_eq!(
            project_ada(None, Some(ENTERPRISE_USER)).get(ENTERPRISE_USER),
            None
        );
    }

    #[test]
    fn no_list_keeps_everything() {
        assert_eq!(project_ada(None, None), ada());
        assert_eq!(project_ada(Some(" "), Some("")), ada());
    }

    #[test]
    fn both_lists_at_once_are_refused() {
        let error =
            project(ada(), Some("userName"), Some("name"), USER_SCHEMAS).expect_err("refused");
        assert_eq!((error.status, error.scim_type), (400, None::<ScimType>));
    }
}
