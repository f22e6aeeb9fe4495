//! PATCH (RFC 7644 §3.5.2) applied to a user's SCIM document, and the canonical form of
//! a resource sent by POST or PUT.
//!
//! The document is a JSON object of the attributes the identity provider set, named as
//! [`super::schema`] spells them (`userName`, `name.givenName`), an extension's
//! attributes in an object under its URN. Keeping one spelling means a later PATCH, a
//! filter or a metadata mapping finds an attribute however the provider capitalised it.
//!
//! Identity providers each read the RFC their own way, and all of it is accepted:
//! - Entra sends booleans as strings (`"False"`), capitalises `op` (`"Replace"`), adds
//!   through a filter (`emails[type eq "work"].value`) and names attributes in a no-path
//!   value by dotted or URN-prefixed keys (`"name.givenName"`,
//!   `"urn:…:enterprise:2.0:User:department"`).
//! - Attributes Gatehouse doesn't keep (`phoneNumbers`, `addresses`, `manager`, Okta's
//!   `password` and `locale`) are ignored, not refused: the providers' default mappings
//!   send them, and refusing would fail every sync until an admin trimmed the mapping.
//!
//! What is refused: changing a read-only attribute (`mutability`), removing a required
//! one (`mutability`), a value of the wrong type (`invalidValue`), a malformed path
//! (`invalidPath`), a filter that selects nothing to replace (`noTarget`). A PATCH is
//! atomic: when one operation is refused, the document is left as it was.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, PatchValuePath, ValFilter};
use serde_json::{Map, Value};

use super::ScimError;
use super::schema::{self, AttrKind, Attribute, Located, Mutability, Schema, Target};

pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

/// One operation of a PatchOp request.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    pub op: Op,
    pub path: Option<PatchPath>,
    /// `Null` when the operation has no value (a remove usually has none).
    pub value: Value,
}

/// Reads a PatchOp request body (RFC 7644 §3.5.2).
pub fn parse_patch_request(body: &Value) -> Result<Vec<PatchOperation>, ScimError> {
    let names_patch_op = body
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|schemas| {
            schemas
                .iter()
                .filter_map(Value::as_str)
                .any(|schema| schema.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
        });
    if !names_patch_op {
        return Err(ScimError::invalid_syntax(format!(
            "A PATCH request's schemas must list {PATCH_OP_SCHEMA}."
        )));
    }
    let operations = body
        .as_object()
        .and_then(|body| field(body, "Operations"))
        .and_then(Value::as_array)
        .filter(|operations| !operations.is_empty())
        .ok_or_else(|| {
            ScimError::invalid_syntax("A PATCH request needs a non-empty Operations list.")
        })?;
    operations.iter().map(parse_operation).collect()
}

fn parse_operation(operation: &Value) -> Result<PatchOperation, ScimError> {
    let operation = operation
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("Each PATCH operation is an object."))?;
    let op = match field(operation, "op").and_then(Value::as_str) {
        Some(op) if op.eq_ignore_ascii_case("add") => Op::Add,
        Some(op) if op.eq_ignore_ascii_case("replace") => Op::Replace,
        Some(op) if op.eq_ignore_ascii_case("remove") => Op::Remove,
        _ => {
            return Err(ScimError::invalid_syntax(
                "Each PATCH operation's op is add, remove or replace.",
            ));
        }
    };
    let path = match field(operation, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(path.parse::<PatchPath>().map_err(|error| {
            ScimError::invalid_path(format!("The path {path:?} is not valid: {error}"))
        })?),
        Some(_) => return Err(ScimError::invalid_path("A PATCH path is a string.")),
    };
    let value = match (field(operation, "value"), op) {
        (Some(value), _) => value.clone(),
        (None, Op::Remove) => Value::Null,
        (None, _) => {
            return Err(ScimError::invalid_syntax(
                "An add or replace operation needs a value.",
            ));
        }
    };
    Ok(PatchOperation { op, path, value })
}

/// A member of a JSON object by name, without regard to case.
pub(super) fn field<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// Applies `operations` in order to a stored document (an absent one is `{}`), all or
/// nothing. `schemas` are the resource's, core schema first ([`schema::USER_SCHEMAS`]).
pub fn apply(
    document: &mut Value,
    operations: &[PatchOperation],
    schemas: &[&Schema],
) -> Result<(), ScimError> {
    let mut working = match document {
        Value::Object(attributes) => attributes.clone(),
        _ => Map::new(),
    };
    for operation in operations {
        let before = working.clone();
        apply_operation(&mut working, operation, schemas)?;
        settle_primaries(&before, &mut working, schemas);
        tidy(&mut working, schemas);
    }
    *document = Value::Object(working);
    Ok(())
}

fn apply_operation(
    document: &mut Map<String, Value>,
    operation: &PatchOperation,
    schemas: &[&Schema],
) -> Result<(), ScimError> {
    let value = &operation.value;
    match (&operation.path, operation.op) {
        (None, Op::Remove) => Err(ScimError::no_target("A remove operation needs a path.")),
        (None, op) => {
            let Value::Object(attributes) = value else {
                return Err(ScimError::invalid_value(
                    "Without a path, an operation's value is an object of attributes.",
                ));
            };
            // As in a PUT, read-only attributes here (Okta repeats the `id`) are ignored.
            for (name, value) in attributes {
                if let Some(target) = schema::resolve(schemas, name).filter(is_writable) {
                    write(document, op, target, value, schemas)?;
                }
            }
            Ok(())
        }
        (Some(PatchPath::Attr(path)), op) => {
            let path = path.to_string();
            let Some(target) = schema::resolve(schemas, &path) else {
                return Ok(());
            };
            if !is_writable(&target) {
                return Err(ScimError::mutability(format!("{path} is read-only.")));
            }
            match op {
                Op::Remove => remove(document, target),
                Op::Add | Op::Replace => write(document, op, target, value, schemas),
            }
        }
        (Some(PatchPath::Value(value_path)), op) => {
            apply_filtered(document, op, value_path, value, schemas)
        }
    }
}

fn is_writable(target: &Target) -> bool {
    match target {
        Target::Extension(_) => true,
        Target::Attribute(located) => {
            located.attribute.mutability != Mutability::ReadOnly
                && located
                    .sub
                    .is_none_or(|sub| sub.mutability != Mutability::ReadOnly)
        }
    }
}

/// Sets what `target` names. Add and replace differ only on a multi-valued attribute:
/// add appends, replace replaces. A complex attribute's sub-attributes are merged, as
/// RFC 7644 §3.5.2.1 and §3.5.2.3 say. Null, or replacing by `[]`, unassigns
/// (RFC 7643 §2.5).
fn write(
    document: &mut Map<String, Value>,
    op: Op,
    target: Target,
    value: &Value,
    schemas: &[&Schema],
) -> Result<(), ScimError> {
    let empties = op == Op::Replace && value.as_array().is_some_and(Vec::is_empty);
    if value.is_null() || empties {
        return remove(document, target);
    }
    let located = match target {
        Target::Extension(extension) => {
            let Value::Object(attributes) = value else {
                return Err(ScimError::invalid_value(format!(
                    "{} is an object of attributes.",
                    extension.id
                )));
            };
            for (name, value) in attributes {
                let path = format!("{}:{name}", extension.id);
                if let Some(target) = schema::resolve(schemas, &path) {
                    write(document, op, target, value, schemas)?;
                }
            }
            return Ok(());
        }
        Target::Attribute(located) => located,
    };
    let attribute = located.attribute;
    let container = container_mut(document, located.extension);
    let Some(sub) = located.sub else {
        return write_attribute(container, op, attribute, value);
    };
    let Some(value) = canonical_single(sub, value, &format!("{}.{}", attribute.name, sub.name))?
    else {
        return Ok(());
    };
    if attribute.multi_valued {
        // `emails.type` without a filter: every email, or a new one when there is none.
        let items = array_at(container, attribute.name);
        if items.is_empty() {
            items.push(Value::Object(Map::new()));
        }
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            item.insert(sub.name.into(), value.clone());
        }
    } else {
        object_at(container, attribute.name).insert(sub.name.into(), value);
    }
    Ok(())
}

fn write_attribute(
    container: &mut Map<String, Value>,
    op: Op,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    let Some(value) = canonical_value(attribute, value)? else {
        return Ok(());
    };
    match value {
        Value::Array(items) if op == Op::Add => {
            let existing = array_at(container, attribute.name);
            for item in items {
                if !existing.contains(&item) {
                    existing.push(item);
                }
            }
        }
        Value::Object(sub_attributes) if !attribute.multi_valued => {
            object_at(container, attribute.name).extend(sub_attributes);
        }
        value => {
            container.insert(attribute.name.into(), value);
        }
    }
    Ok(())
}

fn remove(document: &mut Map<String, Value>, target: Target) -> Result<(), ScimError> {
    let located = match target {
        Target::Extension(extension) => {
            document.remove(extension.id);
            return Ok(());
        }
        Target::Attribute(located) => located,
    };
    let Located {
        extension,
        attribute,
        sub,
    } = located;
    if sub.is_none() && attribute.required {
        return Err(ScimError::mutability(format!(
            "{} is required: it can be replaced, not removed.",
            attribute.name
        )));
    }
    let Some(container) = existing_container_mut(document, extension) else {
        return Ok(());
    };
    let Some(sub) = sub else {
        container.remove(attribute.name);
        return Ok(());
    };
    match container.get_mut(attribute.name) {
        Some(Value::Object(sub_attributes)) => {
            sub_attributes.remove(sub.name);
        }
        Some(Value::Array(items)) => {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                item.remove(sub.name);
            }
        }
        _ => {}
    }
    Ok(())
}

/// An operation on the values of a multi-valued attribute that a filter selects, e.g.
/// `emails[type eq "work"].value`. The filter is evaluated here, on one document.
fn apply_filtered(
    document: &mut Map<String, Value>,
    op: Op,
    value_path: &PatchValuePath,
    value: &Value,
    schemas: &[&Schema],
) -> Result<(), ScimError> {
    let path = value_path.to_string();
    let Some(target) = schema::resolve(schemas, &value_path.attr.to_string()) else {
        return Ok(());
    };
    let located = match target {
        Target::Attribute(located)
            if located.sub.is_none()
                && located.attribute.multi_valued
                && located.attribute.is_complex() =>
        {
            located
        }
        _ => {
            return Err(ScimError::invalid_path(format!(
                "{path}: only a multi-valued attribute's values can be selected by a filter."
            )));
        }
    };
    let attribute = located.attribute;
    let sub = match &value_path.sub_attr {
        None => None,
        Some(name) => match attribute.sub_attribute(name) {
            Some(sub) => Some(sub),
            None => return Ok(()),
        },
    };
    if !is_writable(&Target::Attribute(Located { sub, ..located })) {
        return Err(ScimError::mutability(format!("{path} is read-only.")));
    }

    let container = container_mut(document, located.extension);
    let mut items = match container.remove(attribute.name) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let selected = items
        .iter()
        .map(|item| matches(item, &value_path.filter, attribute))
        .collect::<Result<Vec<bool>, ScimError>>()?;
    let any_selected = selected.contains(&true);
    if op == Op::Replace && !any_selected {
        return Err(ScimError::no_target(format!("No value matches {path}.")));
    }

    match (op, sub) {
        (Op::Remove, None) => retain_unselected(&mut items, &selected),
        (_, None) if value.is_null() => retain_unselected(&mut items, &selected),
        (_, Some(sub)) if op == Op::Remove || value.is_null() => {
            for item in selected_mut(&mut items, &selected) {
                item.remove(sub.name);
            }
        }
        (_, Some(sub)) => {
            let label = format!("{}.{}", attribute.name, sub.name);
            if let Some(value) = canonical_single(sub, value, &label)? {
                if any_selected {
                    for item in selected_mut(&mut items, &selected) {
                        item.insert(sub.name.into(), value.clone());
                    }
                } else {
                    // Entra adds a user's work email as `emails[type eq "work"].value`.
                    let mut item = equalities(&value_path.filter, attribute);
                    item.insert(sub.name.into(), value);
                    items.push(Value::Object(item));
                }
            }
        }
        (_, None) => {
            let Some(Value::Object(element)) = canonical_single(attribute, value, attribute.name)?
            else {
                return Err(ScimError::invalid_value(format!(
                    "{path} is set to an object."
                )));
            };
            if op == Op::Replace {
                require_sub_attributes(attribute, &element)?;
                for item in selected_mut(&mut items, &selected) {
                    *item = element.clone();
                }
            } else if any_selected {
                for item in selected_mut(&mut items, &selected) {
                    item.extend(element.clone());
                }
            } else {
                let mut item = equalities(&value_path.filter, attribute);
                item.extend(element);
                require_sub_attributes(attribute, &item)?;
                items.push(Value::Object(item));
            }
        }
    }
    container.insert(attribute.name.into(), Value::Array(items));
    Ok(())
}

fn selected_mut<'i>(
    items: &'i mut [Value],
    selected: &'i [bool],
) -> impl Iterator<Item = &'i mut Map<String, Value>> {
    items
        .iter_mut()
        .zip(selected)
        .filter(|(_, selected)| **selected)
        .filter_map(|(item, _)| item.as_object_mut())
}

fn retain_unselected(items: &mut Vec<Value>, selected: &[bool]) {
    let mut selected = selected.iter();
    items.retain(|_| !selected.next().copied().unwrap_or(false));
}

/// Whether one value of a multi-valued attribute matches the filter of a value path.
fn matches(item: &Value, filter: &ValFilter, attribute: &Attribute) -> Result<bool, ScimError> {
    match filter {
        ValFilter::Attr(expression) => expression_matches(item, expression, attribute),
        ValFilter::Not(inner) => Ok(!matches(item, inner, attribute)?),
        ValFilter::And(items) => {
            for filter in items {
                if !matches(item, filter, attribute)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        ValFilter::Or(items) => {
            for filter in items {
                if matches(item, filter, attribute)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

fn expression_matches(
    item: &Value,
    expression: &AttrExp,
    attribute: &Attribute,
) -> Result<bool, ScimError> {
    let path = match expression {
        AttrExp::Present(path) | AttrExp::Comparison(path, _, _) => path,
    };
    let sub = attribute
        .sub_attribute(&path.name)
        .filter(|_| path.uri.is_none() && path.sub_attr.is_none())
        .ok_or_else(|| {
            ScimError::invalid_filter(format!(
                "{path} is not a sub-attribute of {}.",
                attribute.name
            ))
        })?;
    let actual = item.get(sub.name).filter(|value| !is_unassigned(value));
    Ok(match expression {
        AttrExp::Present(_) => actual.is_some(),
        AttrExp::Comparison(_, operator, expected) => {
            compare(actual, operator, expected, sub.case_exact)
        }
    })
}

fn compare(
    actual: Option<&Value>,
    operator: &CompareOp,
    expected: &CompValue,
    case_exact: bool,
) -> bool {
    match (actual, expected) {
        (None, CompValue::Null) => *operator == CompareOp::Eq,
        (Some(_), CompValue::Null) => *operator == CompareOp::Ne,
        (Some(Value::String(actual)), CompValue::Str(expected)) => {
            let fold = |text: &str| {
                if case_exact {
                    text.to_string()
                } else {
                    text.to_lowercase()
                }
            };
            let (actual, expected) = (fold(actual), fold(expected));
            match operator {
                CompareOp::Eq => actual == expected,
                CompareOp::Ne => actual != expected,
                CompareOp::Co => actual.contains(&expected),
                CompareOp::Sw => actual.starts_with(&expected),
                CompareOp::Ew => actual.ends_with(&expected),
                CompareOp::Gt => actual > expected,
                CompareOp::Ge => actual >= expected,
                CompareOp::Lt => actual < expected,
                CompareOp::Le => actual <= expected,
            }
        }
        (Some(Value::Bool(actual)), CompValue::True | CompValue::False) => {
            let expected = *expected == CompValue::True;
            match operator {
                CompareOp::Eq => *actual == expected,
                CompareOp::Ne => *actual != expected,
                _ => false,
            }
        }
        _ => false,
    }
}

/// The sub-attributes a filter's `eq` comparisons pin down: what a value added through
/// `emails[type eq "work"]` must hold to be selected by it afterwards.
fn equalities(filter: &ValFilter, attribute: &Attribute) -> Map<String, Value> {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(path, CompareOp::Eq, expected)) => {
            let value = match expected {
                CompValue::Str(text) => Value::from(text.as_str()),
                CompValue::True => Value::Bool(true),
                CompValue::False => Value::Bool(false),
                CompValue::Null | CompValue::Number(_) => return Map::new(),
            };
            attribute
                .sub_attribute(&path.name)
                .map(|sub| Map::from_iter([(sub.name.to_string(), value)]))
                .unwrap_or_default()
        }
        ValFilter::And(items) => items
            .iter()
            .flat_map(|item| equalities(item, attribute))
            .collect(),
        _ => Map::new(),
    }
}

/// The canonical form of a resource sent by POST or PUT: its known, writable attributes
/// as the schemas spell them, booleans coerced, types checked, URN-prefixed attributes
/// gathered under their extension. `schemas`, `id`, `meta`, `groups` and unknown
/// attributes are dropped: RFC 7644 §3.5.1 has a PUT ignore read-only attributes.
pub fn normalise_resource(input: &Value, schemas: &[&Schema]) -> Result<Value, ScimError> {
    let Value::Object(attributes) = input else {
        return Err(ScimError::invalid_syntax("A resource is a JSON object."));
    };
    let mut document = Map::new();
    for (name, value) in attributes {
        // Unassigned here is absent: there is nothing to remove yet.
        if is_unassigned(value) {
            continue;
        }
        if let Some(target) = schema::resolve(schemas, name).filter(is_writable) {
            write(&mut document, Op::Replace, target, value, schemas)?;
        }
    }
    for (extension, attribute) in with_primary(schemas) {
        let primaries = existing_container(&document, extension)
            .and_then(|container| container.get(attribute.name))
            .and_then(Value::as_array)
            .map_or(0, |items| {
                items.iter().filter(|item| is_primary(item)).count()
            });
        if primaries > 1 {
            return Err(ScimError::invalid_value(format!(
                "At most one of {} can be primary.",
                attribute.name
            )));
        }
    }
    tidy(&mut document, schemas);
    Ok(Value::Object(document))
}

/// `value` as `attribute` holds it; `None` when it is unassigned (null or `[]`).
fn canonical_value(attribute: &Attribute, value: &Value) -> Result<Option<Value>, ScimError> {
    if !attribute.multi_valued {
        return canonical_single(attribute, value, attribute.name);
    }
    let items = match value {
        Value::Null => return Ok(None),
        Value::Array(items) => items.iter().collect(),
        // One value where a list belongs: a list of one.
        Value::Object(_) => vec![value],
        _ => {
            return Err(ScimError::invalid_value(format!(
                "{} is a list.",
                attribute.name
            )));
        }
    };
    let mut canonical = Vec::new();
    for item in items {
        if let Some(item) = canonical_single(attribute, item, attribute.name)? {
            if let Value::Object(sub_attributes) = &item {
                require_sub_attributes(attribute, sub_attributes)?;
            }
            canonical.push(item);
        }
    }
    Ok((!canonical.is_empty()).then_some(Value::Array(canonical)))
}

/// One value of `attribute` (the whole value of a single-valued one); `label` names it in
/// errors. Unknown and read-only sub-attributes are dropped.
fn canonical_single(
    attribute: &Attribute,
    value: &Value,
    label: &str,
) -> Result<Option<Value>, ScimError> {
    let canonical = match (attribute.kind, value) {
        (_, Value::Null) => return Ok(None),
        (AttrKind::String | AttrKind::Reference(_) | AttrKind::DateTime, Value::String(_))
        | (AttrKind::Boolean, Value::Bool(_)) => value.clone(),
        // Entra sends booleans as "True" and "False".
        (AttrKind::Boolean, Value::String(text)) if text.eq_ignore_ascii_case("true") => {
            Value::Bool(true)
        }
        (AttrKind::Boolean, Value::String(text)) if text.eq_ignore_ascii_case("false") => {
            Value::Bool(false)
        }
        (AttrKind::Complex(_), Value::Object(sub_values)) => {
            let mut canonical = Map::new();
            for (name, value) in sub_values {
                let Some(sub) = attribute.sub_attribute(name) else {
                    continue;
                };
                if sub.mutability == Mutability::ReadOnly {
                    continue;
                }
                let label = format!("{label}.{}", sub.name);
                if let Some(value) = canonical_single(sub, value, &label)? {
                    canonical.insert(sub.name.into(), value);
                }
            }
            Value::Object(canonical)
        }
        (kind, _) => {
            let expected = match kind {
                AttrKind::String | AttrKind::DateTime => "a string",
                AttrKind::Reference(_) => "a URI string",
                AttrKind::Boolean => "true or false",
                AttrKind::Complex(_) => "an object",
            };
            return Err(ScimError::invalid_value(format!(
                "{label} must be {expected}."
            )));
        }
    };
    Ok(Some(canonical))
}

fn require_sub_attributes(
    attribute: &Attribute,
    item: &Map<String, Value>,
) -> Result<(), ScimError> {
    match missing_sub_attribute(attribute, item) {
        Some(sub) => Err(ScimError::invalid_value(format!(
            "Each of {} needs a {}.",
            attribute.name, sub.name
        ))),
        None => Ok(()),
    }
}

fn missing_sub_attribute(
    attribute: &Attribute,
    item: &Map<String, Value>,
) -> Option<&'static Attribute> {
    attribute
        .sub_attributes()
        .iter()
        .find(|sub| sub.required && item.get(sub.name).is_none_or(is_unassigned))
}

/// RFC 7643 §2.4: `primary` is true for at most one value. A value made primary by this
/// operation wins over the ones that were.
fn settle_primaries(
    before: &Map<String, Value>,
    after: &mut Map<String, Value>,
    schemas: &[&Schema],
) {
    for (extension, attribute) in with_primary(schemas) {
        let previous = existing_container(before, extension)
            .and_then(|container| container.get(attribute.name))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(Value::Array(items)) = existing_container_mut(after, extension)
            .and_then(|container| container.get_mut(attribute.name))
        else {
            continue;
        };
        let primaries: Vec<usize> = (0..items.len())
            .filter(|&index| is_primary(&items[index]))
            .collect();
        let newest = primaries
            .iter()
            .rev()
            .find(|&&index| !previous.contains(&items[index]))
            .or(primaries.last())
            .copied();
        for index in primaries {
            if Some(index) != newest {
                items[index]["primary"] = Value::Bool(false);
            }
        }
    }
}

fn is_primary(item: &Value) -> bool {
    item.get("primary") == Some(&Value::Bool(true))
}

/// The multi-valued attributes that have a `primary` sub-attribute, with their extension.
fn with_primary<'s>(
    schemas: &'s [&'s Schema],
) -> impl Iterator<Item = (Option<Schema>, &'static Attribute)> + 's {
    schemas.iter().enumerate().flat_map(|(index, schema)| {
        let extension = (index > 0).then_some(**schema);
        schema
            .attributes
            .iter()
            .filter(|attribute| {
                attribute.multi_valued && attribute.sub_attribute("primary").is_some()
            })
            .map(move |attribute| (extension, attribute))
    })
}

/// Drops what is unassigned (RFC 7643 §2.5): nulls, empty lists and objects, an extension
/// left empty, and values of a multi-valued attribute left without a required
/// sub-attribute (an email whose address was removed is no email).
fn tidy(document: &mut Map<String, Value>, schemas: &[&Schema]) {
    let Some((core, extensions)) = schemas.split_first() else {
        return;
    };
    for extension in extensions {
        if let Some(Value::Object(attributes)) = document.get_mut(extension.id) {
            tidy_attributes(attributes, extension.attributes);
        }
    }
    tidy_attributes(document, core.attributes);
}

fn tidy_attributes(container: &mut Map<String, Value>, attributes: &[Attribute]) {
    container.retain(|name, value| {
        let attribute = attributes.iter().find(|attribute| attribute.name == name);
        match value {
            Value::Object(sub_attributes) => sub_attributes.retain(|_, sub| !is_unassigned(sub)),
            Value::Array(items) => items.retain_mut(|item| {
                let Value::Object(sub_attributes) = item else {
                    return !is_unassigned(item);
                };
                sub_attributes.retain(|_, sub| !is_unassigned(sub));
                !sub_attributes.is_empty()
                    && attribute.is_none_or(|attribute| {
                        missing_sub_attribute(attribute, sub_attributes).is_none()
                    })
            }),
            _ => {}
        }
        !is_unassigned(value)
    });
}

fn is_unassigned(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        _ => false,
    }
}

/// Where an attribute lives: the document, or its extension's object (made if needed).
fn container_mut(
    document: &mut Map<String, Value>,
    extension: Option<Schema>,
) -> &mut Map<String, Value> {
    match extension {
        None => document,
        Some(extension) => object_at(document, extension.id),
    }
}

fn existing_container(
    document: &Map<String, Value>,
    extension: Option<Schema>,
) -> Option<&Map<String, Value>> {
    match extension {
        None => Some(document),
        Some(extension) => document.get(extension.id).and_then(Value::as_object),
    }
}

fn existing_container_mut(
    document: &mut Map<String, Value>,
    extension: Option<Schema>,
) -> Option<&mut Map<String, Value>> {
    match extension {
        None => Some(document),
        Some(extension) => document
            .get_mut(extension.id)
            .and_then(Value::as_object_mut),
    }
}

/// The object under `key`, replacing whatever else was there.
fn object_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Map<String, Value> {
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(object) => object,
        _ => unreachable!("the slot was just made an object"),
    }
}

/// The list under `key`, replacing whatever else was there.
fn array_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Vec<Value> {
    let slot = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(items) => items,
        _ => unreachable!("the slot was just made a list"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provisioning::scim::ScimType;
    use crate::provisioning::scim::schema::{ENTERPRISE_USER, USER_SCHEMAS};

    fn operations(operations: Value) -> Vec<PatchOperation> {
        parse_patch_request(&json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": operations,
        }))
        .unwrap_or_else(|error| panic!("{error}"))
    }

    fn patched(document: Value, patch: Value) -> Value {
        let mut document = document;
        apply(&mut document, &operations(patch), USER_SCHEMAS)
            .unwrap_or_else(|error| panic!("{error}"));
        document
    }

    fn refusal(document: Value, patch: Value) -> ScimError {
        let mut patched = document.clone();
        let error = apply(&mut patched, &operations(patch), USER_SCHEMAS)
            .expect_err("the patch is refused");
        assert_eq!(patched, document, "a refused PATCH changes nothing");
        error
    }

    fn ada() -> Value {
        json!({
            "userName": "ada@example.com",
            "name": { "givenName": "Ada", "familyName": "Lovelace" },
            "emails": [
                { "value": "ada@example.com", "type": "work", "primary": true },
                { "value": "ada@home.example", "type": "home" },
            ],
            "title": "Countess",
        })
    }

    #[test]
    fn a_request_names_the_patch_op_schema_and_lists_operations() {
        let parsed = operations(json!([
            { "op": "Add", "path": "title", "value": "x" },
            { "op": "REPLACE", "value": { "title": "y" } },
            { "op": "remove", "path": "emails[type eq \"work\"]" },
        ]));
        assert_eq!(
            parsed
                .iter()
                .map(|operation| operation.op)
                .collect::<Vec<_>>(),
            [Op::Add, Op::Replace, Op::Remove]
        );
        assert_eq!(parsed[2].value, Value::Null);
        assert!(matches!(parsed[2].path, Some(PatchPath::Value(_))));

        let refused = |body: Value| parse_patch_request(&body).expect_err("refused").scim_type;
        let syntax = Some(ScimType::InvalidSyntax);
        assert_eq!(
            refused(json!({ "Operations": [{ "op": "add", "value": {} }] })),
            syntax
        );
        assert_eq!(
            refused(json!({ "schemas": [PATCH_OP_SCHEMA], "Operations": [] })),
            syntax
        );
        assert_eq!(refused(json!({ "schemas": [PATCH_OP_SCHEMA] })), syntax);
        let one = |operation: Value| {
            refused(json!({ "schemas": [PATCH_OP_SCHEMA], "Operations": [operation] }))
        };
        assert_eq!(one(json!({ "op": "move", "path": "title" })), syntax);
        assert_eq!(one(json!({ "op": "add", "path": "title" })), syntax);
        assert_eq!(one(json!("add")), syntax);
        assert_eq!(
            one(json!({ "op": "add", "path": "emails[type eq", "value": "x" })),
            Some(ScimType::InvalidPath)
        );
        assert_eq!(
            one(json!({ "op": "add", "path": 3, "value": "x" })),
            Some(ScimType::InvalidPath)
        );
    }

    #[test]
    fn simple_attributes_are_added_replaced_and_removed_in_canonical_case() {
        let document = patched(
            ada(),
            json!([
                { "op": "add", "path": "DISPLAYNAME", "value": "Ada L." },
                { "op": "replace", "path": "title", "value": "Analyst" },
                { "op": "replace", "path": "name.GivenName", "value": "Augusta" },
                { "op": "add", "path": "externalId", "value": "00u1" },
                { "op": "remove", "path": "name.familyName" },
            ]),
        );
        assert_eq!(document["displayName"], "Ada L.");
        assert_eq!(document["title"], "Analyst");
        assert_eq!(document["name"], json!({ "givenName": "Augusta" }));
        assert_eq!(document["externalId"], "00u1");

        let removed = patched(
            document,
            json!([
                { "op": "remove", "path": "name.givenName" },
                { "op": "replace", "path": "title", "value": null },
            ]),
        );
        assert_eq!(removed.get("name"), None, "an emptied object goes");
        assert_eq!(removed.get("title"), None, "null unassigns");
    }

    #[test]
    fn complex_attributes_merge_their_sub_attributes() {
        let document = patched(
            ada(),
            json!([{ "op": "replace", "path": "name", "value": { "middleName": "King" } }]),
        );
        assert_eq!(
            document["name"],
            json!({ "givenName": "Ada", "familyName": "Lovelace", "middleName": "King" })
        );
    }

    #[test]
    fn entra_paths_reach_the_enterprise_extension() {
        let department = format!("{ENTERPRISE_USER}:department");
        let document = patched(
            ada(),
            json!([
                { "op": "Add", "path": department, "value": "R&D" },
                { "op": "Replace", "path": format!("{ENTERPRISE_USER}:employeeNumber"), "value": "7" },
                { "op": "Add", "path": format!("{ENTERPRISE_USER}:manager"), "value": { "value": "3" } },
            ]),
        );
        assert_eq!(
            document[ENTERPRISE_USER],
            json!({ "department": "R&D", "employeeNumber": "7" })
        );

        let removed = patched(
            document,
            json!([
                { "op": "Remove", "path": department },
                { "op": "Remove", "path": format!("{ENTERPRISE_USER}:employeeNumber") },
            ]),
        );
        assert_eq!(
            removed.get(ENTERPRISE_USER),
            None,
            "an emptied extension goes"
        );
    }

    #[test]
    fn a_whole_extension_is_added_replaced_and_removed_by_its_urn() {
        let document = patched(
            ada(),
            json!([{
                "op": "add",
                "path": ENTERPRISE_USER,
                "value": { "costCenter": "4130", "Division": "Ops", "manager": {} },
            }]),
        );
        assert_eq!(
            document[ENTERPRISE_USER],
            json!({ "costCenter": "4130", "division": "Ops" })
        );
        let removed = patched(
            document,
            json!([{ "op": "remove", "path": ENTERPRISE_USER }]),
        );
        assert_eq!(removed, ada());
    }

    #[test]
    fn a_value_without_path_may_use_plain_dotted_and_urn_keys() {
        let document = patched(
            ada(),
            json!([{
                "op": "Replace",
                "value": {
                    "active": "False",
                    "name.familyName": "King",
                    "DisplayName": "Ada King",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Maths",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                        "organization": "Analytical Engines",
                    },
                    "urn:ietf:params:scim:schemas:core:2.0:User:title": "Countess of Lovelace",
                    "id": "42",
                    "phoneNumbers": [{ "value": "555" }],
                },
            }]),
        );
        assert_eq!(document["active"], false);
        assert_eq!(document["name"]["familyName"], "King");
        assert_eq!(document["displayName"], "Ada King");
        assert_eq!(document["title"], "Countess of Lovelace");
        assert_eq!(
            document[ENTERPRISE_USER],
            json!({ "department": "Maths", "organization": "Analytical Engines" })
        );
        assert_eq!(document.get("id"), None);
        assert_eq!(document.get("phoneNumbers"), None);
    }

    #[test]
    fn multi_valued_attributes_append_on_add_and_are_replaced_whole() {
        let extra = json!({ "value": "a@other.example", "type": "other" });
        let added = patched(
            ada(),
            json!([{ "op": "add", "path": "emails", "value": [extra, ada()["emails"][0]] }]),
        );
        let emails = added["emails"].as_array().expect("emails");
        assert_eq!(emails.len(), 3, "an exact duplicate isn't added twice");
        assert_eq!(emails[2], extra);

        let replaced = patched(
            ada(),
            json!([{ "op": "replace", "path": "emails", "value": [{ "value": "new@example.com" }] }]),
        );
        assert_eq!(replaced["emails"], json!([{ "value": "new@example.com" }]));

        assert_eq!(
            patched(
                ada(),
                json!([{ "op": "add", "path": "emails", "value": [] }])
            ),
            ada()
        );
    }

    #[test]
    fn filters_select_the_values_to_change() {
        let document = patched(
            ada(),
            json!([
                { "op": "replace", "path": "emails[type eq \"WORK\"].value", "value": "ada@work.example" },
                { "op": "remove", "path": "emails[value ew \"home.example\"]" },
            ]),
        );
        assert_eq!(
            document["emails"],
            json!([{ "value": "ada@work.example", "type": "work", "primary": true }])
        );

        let replaced = patched(
            ada(),
            json!([{
                "op": "replace",
                "path": "emails[type eq \"home\" or value sw \"nobody\"]",
                "value": { "value": "ada@new.example", "type": "home" },
            }]),
        );
        assert_eq!(
            replaced["emails"][1],
            json!({ "value": "ada@new.example", "type": "home" })
        );

        let untyped = patched(
            ada(),
            json!([{ "op": "remove", "path": "emails[not (type pr)]" }]),
        );
        assert_eq!(untyped["emails"], ada()["emails"]);
    }

    #[test]
    fn entra_adds_a_work_email_through_a_filter() {
        let document = patched(
            json!({ "userName": "ada" }),
            json!([
                { "op": "Add", "path": "emails[type eq \"work\"].value", "value": "ada@example.com" },
                { "op": "Add", "path": "emails[type eq \"work\"].primary", "value": "True" },
            ]),
        );
        assert_eq!(
            document["emails"],
            json!([{ "type": "work", "value": "ada@example.com", "primary": true }])
        );
    }

    #[test]
    fn removing_an_emails_address_removes_the_email() {
        let document = patched(
            ada(),
            json!([{ "op": "Remove", "path": "emails[type eq \"home\"].value" }]),
        );
        assert_eq!(document["emails"], json!([ada()["emails"][0]]));
    }

    #[test]
    fn a_new_primary_value_demotes_the_old_one() {
        let document = patched(
            ada(),
            json!([{ "op": "replace", "path": "emails[type eq \"home\"].primary", "value": true }]),
        );
        assert_eq!(document["emails"][0]["primary"], false);
        assert_eq!(document["emails"][1]["primary"], true);

        let added = patched(
            ada(),
            json!([{ "op": "add", "path": "emails", "value": [{ "value": "n@example.com", "primary": true }] }]),
        );
        assert_eq!(added["emails"][0]["primary"], false);
        assert_eq!(added["emails"][2]["primary"], true);
    }

    #[test]
    fn unknown_attributes_are_ignored() {
        let document = patched(
            ada(),
            json!([
                { "op": "add", "path": "phoneNumbers[type eq \"work\"].value", "value": "555" },
                { "op": "replace", "path": "preferredLanguage", "value": "en" },
                { "op": "remove", "path": "addresses" },
                { "op": "replace", "path": "emails[type eq \"work\"].display", "value": "x" },
                { "op": "replace", "path": "name.honorificPrefix", "value": "Lady" },
            ]),
        );
        assert_eq!(document, ada());
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let kind = |patch: Value| refusal(ada(), patch).scim_type;
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "id", "value": "7" }])),
            Some(ScimType::Mutability)
        );
        assert_eq!(
            kind(json!([{ "op": "add", "path": "groups", "value": [{ "value": "1" }] }])),
            Some(ScimType::Mutability)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "meta.created", "value": "x" }])),
            Some(ScimType::Mutability)
        );
        for required in ["userName", "emails", "active"] {
            assert_eq!(
                kind(json!([{ "op": "remove", "path": required }])),
                Some(ScimType::Mutability),
                "{required}"
            );
        }
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "userName", "value": null }])),
            Some(ScimType::Mutability)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "emails", "value": [] }])),
            Some(ScimType::Mutability)
        );
        assert_eq!(kind(json!([{ "op": "remove" }])), Some(ScimType::NoTarget));
        assert_eq!(
            kind(
                json!([{ "op": "replace", "path": "emails[type eq \"other\"].value", "value": "x" }])
            ),
            Some(ScimType::NoTarget)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "active", "value": "yes" }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "title", "value": 3 }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "name", "value": "Ada" }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "add", "path": "emails", "value": [{ "type": "work" }] }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "value": "Ada" }])),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!([{ "op": "replace", "path": "title[value eq \"x\"]", "value": "y" }])),
            Some(ScimType::InvalidPath)
        );
        assert_eq!(
            kind(json!([{ "op": "remove", "path": "emails[display eq \"x\"]" }])),
            Some(ScimType::InvalidFilter)
        );
        // The first operation would apply; the second is refused; neither is kept.
        assert_eq!(
            kind(json!([
                { "op": "replace", "path": "title", "value": "Analyst" },
                { "op": "remove", "path": "userName" },
            ])),
            Some(ScimType::Mutability)
        );
    }

    #[test]
    fn a_put_body_becomes_a_canonical_document() {
        let input = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_USER],
            "id": "42",
            "meta": { "resourceType": "User" },
            "USERNAME": "ada@example.com",
            "name": { "GivenName": "Ada", "familyName": null, "honorificPrefix": "Lady" },
            "active": "True",
            "emails": [{ "Value": "ada@example.com", "Primary": "false", "display": "x" }],
            "groups": [{ "value": "7" }],
            "password": "secret",
            "locale": "en-GB",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Maths",
            ENTERPRISE_USER: { "employeeNumber": "7", "manager": { "value": "3" } },
            "externalId": "00u1",
            "title": null,
            "x509Certificates": [],
            "addresses": [],
        });
        assert_eq!(
            normalise_resource(&input, USER_SCHEMAS),
            Ok(json!({
                "userName": "ada@example.com",
                "name": { "givenName": "Ada" },
                "active": true,
                "emails": [{ "value": "ada@example.com", "primary": false }],
                "externalId": "00u1",
                ENTERPRISE_USER: { "department": "Maths", "employeeNumber": "7" },
            }))
        );
    }

    #[test]
    fn a_put_body_is_checked() {
        let kind = |input: Value| {
            normalise_resource(&input, USER_SCHEMAS)
                .expect_err("refused")
                .scim_type
        };
        assert_eq!(kind(json!([])), Some(ScimType::InvalidSyntax));
        assert_eq!(kind(json!({ "userName": 7 })), Some(ScimType::InvalidValue));
        assert_eq!(
            kind(json!({ "emails": "a@b.co" })),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!({ "emails": [{ "type": "work" }] })),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!({ "emails": [
                { "value": "a@b.co", "primary": true },
                { "value": "c@d.co", "primary": true },
            ] })),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            kind(json!({ ENTERPRISE_USER: "Maths" })),
            Some(ScimType::InvalidValue)
        );
    }
}
