//! The discovery endpoints (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes` and
//! `/Schemas`, describing exactly what Gatehouse's SCIM service does. Clients configure
//! themselves from these (scim2-tester builds its models from them), so each claim here
//! must be true: no bulk, no ETags, no password changes.
//!
//! The schemas are generated from [`super::schema`], the same definitions that PATCH and
//! PUT obey.

use serde_json::{Map, Value, json};

use super::schema::{self, AttrKind, Attribute, Schema};

/// The most resources one list or search response holds (`filter.maxResults`).
pub const MAX_RESULTS: usize = 200;

const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A resource type Gatehouse serves (RFC 7643 §6).
struct ResourceType {
    name: &'static str,
    endpoint: &'static str,
    description: &'static str,
    schemas: &'static [&'static Schema],
}

const RESOURCE_TYPES: [ResourceType; 2] = [
    ResourceType {
        name: "User",
        endpoint: "/Users",
        description: "A member of the workspace",
        schemas: schema::USER_SCHEMAS,
    },
    ResourceType {
        name: "Group",
        endpoint: "/Groups",
        description: "A custom group of the workspace's members",
        schemas: schema::GROUP_SCHEMAS,
    },
];

/// The URL of something below the SCIM base URL, e.g. `location(base, "Users/42")`.
pub fn location(base_url: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base_url.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn meta(resource_type: &str, location: String) -> Value {
    json!({ "resourceType": resource_type, "location": location })
}

/// `GET /ServiceProviderConfig` (RFC 7643 §5).
///
/// Sorting: users sort by `userName`, `displayName`, `meta.created` and
/// `meta.lastModified`; groups by `displayName`. Filtering covers the attributes the
/// stores keep in columns; others are refused with `invalidFilter` rather than ignored.
pub fn service_provider_config(base_url: &str) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": true },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A SCIM token created on the workspace's Provisioning page",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "meta": meta("ServiceProviderConfig", location(base_url, "ServiceProviderConfig")),
    })
}

/// `GET /ResourceTypes`: the whole response body, a ListResponse (RFC 7644 §4).
pub fn resource_types(base_url: &str) -> Value {
    list_response(
        RESOURCE_TYPES
            .iter()
            .map(|resource_type| resource_type_json(base_url, resource_type))
            .collect(),
    )
}

/// `GET /ResourceTypes/{name}`; `None` answers 404.
pub fn resource_type(base_url: &str, name: &str) -> Option<Value> {
    RESOURCE_TYPES
        .iter()
        .find(|resource_type| resource_type.name.eq_ignore_ascii_case(name))
        .map(|resource_type| resource_type_json(base_url, resource_type))
}

fn resource_type_json(base_url: &str, resource_type: &ResourceType) -> Value {
    let (core, extensions) = resource_type
        .schemas
        .split_first()
        .expect("a resource type has a core schema");
    let mut json = json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": resource_type.name,
        "name": resource_type.name,
        "endpoint": resource_type.endpoint,
        "description": resource_type.description,
        "schema": core.id,
        "meta": meta(
            "ResourceType",
            location(base_url, &format!("ResourceTypes/{}", resource_type.name)),
        ),
    });
    if !extensions.is_empty() {
        json["schemaExtensions"] = extensions
            .iter()
            .map(|extension| json!({ "schema": extension.id, "required": false }))
            .collect();
    }
    json
}

/// Every schema Gatehouse serves, core schemas first, each once.
fn all_schemas() -> Vec<&'static Schema> {
    let mut all: Vec<&'static Schema> = Vec::new();
    for schema in RESOURCE_TYPES.iter().flat_map(|t| t.schemas.iter()) {
        if !all.iter().any(|known| known.id == schema.id) {
            all.push(schema);
        }
    }
    all
}

/// `GET /Schemas`: the whole response body, a ListResponse (RFC 7644 §4).
pub fn schemas(base_url: &str) -> Value {
    list_response(
        all_schemas()
            .into_iter()
            .map(|schema| schema_json(base_url, schema))
            .collect(),
    )
}

/// `GET /Schemas/{id}`; `None` answers 404. Schema URNs match without regard to case.
pub fn schema(base_url: &str, id: &str) -> Option<Value> {
    all_schemas()
        .into_iter()
        .find(|schema| schema.id.eq_ignore_ascii_case(id))
        .map(|schema| schema_json(base_url, schema))
}

fn schema_json(base_url: &str, schema: &Schema) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": schema.attributes.iter().map(attribute_json).collect::<Vec<_>>(),
        "meta": meta("Schema", location(base_url, &format!("Schemas/{}", schema.id))),
    })
}

/// One attribute definition (RFC 7643 §7).
fn attribute_json(attribute: &Attribute) -> Value {
    let mut json = Map::new();
    json.insert("name".into(), attribute.name.into());
    json.insert("type".into(), attribute.kind.key().into());
    json.insert("multiValued".into(), attribute.multi_valued.into());
    json.insert("description".into(), attribute.description.into());
    json.insert("required".into(), attribute.required.into());
    json.insert("caseExact".into(), attribute.case_exact.into());
    json.insert("mutability".into(), attribute.mutability.key().into());
    json.insert("returned".into(), attribute.returned.key().into());
    json.insert("uniqueness".into(), attribute.uniqueness.key().into());
    if !attribute.canonical_values.is_empty() {
        json.insert("canonicalValues".into(), attribute.canonical_values.into());
    }
    match attribute.kind {
        AttrKind::Reference(types) => {
            json.insert("referenceTypes".into(), types.into());
        }
        AttrKind::Complex(subs) => {
            json.insert(
                "subAttributes".into(),
                subs.iter().map(attribute_json).collect(),
            );
        }
        AttrKind::String | AttrKind::Boolean | AttrKind::DateTime => {}
    }
    Value::Object(json)
}

/// Discovery lists are whole: no filter, sort or paging applies to them (RFC 7644 §4).
fn list_response(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://gatehouse.example/scim/v2/acme/";

    #[test]
    fn locations_join_the_base_url_once() {
        assert_eq!(
            location(BASE, "/Users/42"),
            "https://gatehouse.example/scim/v2/acme/Users/42"
        );
        assert_eq!(
            location("https://h/scim/v2/acme", "Groups/7"),
            "https://h/scim/v2/acme/Groups/7"
        );
    }

    #[test]
    fn the_service_provider_config_claims_only_what_gatehouse_does() {
        let config = service_provider_config(BASE);
        assert_eq!(config["patch"], json!({ "supported": true }));
        assert_eq!(
            config["bulk"],
            json!({ "supported": false, "maxOperations": 0, "maxPayloadSize": 0 })
        );
        assert_eq!(
            config["filter"],
            json!({ "supported": true, "maxResults": 200 })
        );
        assert_eq!(config["changePassword"]["supported"], false);
        assert_eq!(config["sort"]["supported"], true);
        assert_eq!(config["etag"]["supported"], false);
        let schemes = config["authenticationSchemes"].as_array().expect("schemes");
        assert_eq!(schemes.len(), 1);
        assert_eq!(schemes[0]["type"], "oauthbearertoken");
        assert_eq!(schemes[0]["name"], "OAuth Bearer Token");
        assert_eq!(schemes[0]["primary"], true);
        assert_eq!(
            config["meta"],
            json!({
                "resourceType": "ServiceProviderConfig",
                "location": "https://gatehouse.example/scim/v2/acme/ServiceProviderConfig",
            })
        );
    }

    #[test]
    fn resource_types_name_their_schemas_and_extensions() {
        let list = resource_types(BASE);
        assert_eq!(list["totalResults"], 2);
        assert_eq!(
            list["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
        );
        let user = resource_type(BASE, "user").expect("User");
        assert_eq!(list["Resources"][0], user);
        assert_eq!(
            user,
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": "User",
                "name": "User",
                "endpoint": "/Users",
                "description": "A member of the workspace",
                "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
                "schemaExtensions": [{
                    "schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    "required": false,
                }],
                "meta": {
                    "resourceType": "ResourceType",
                    "location": "https://gatehouse.example/scim/v2/acme/ResourceTypes/User",
                },
            })
        );
        let group = resource_type(BASE, "Group").expect("Group");
        assert_eq!(group["endpoint"], "/Groups");
        assert_eq!(group.get("schemaExtensions"), None);
        assert_eq!(resource_type(BASE, "Device"), None);
    }

    #[test]
    fn schemas_are_generated_from_the_definitions() {
        let list = schemas(BASE);
        let ids: Vec<&str> = list["Resources"]
            .as_array()
            .expect("resources")
            .iter()
            .filter_map(|schema| schema["id"].as_str())
            .collect();
        assert_eq!(
            ids,
            [
                schema::CORE_USER,
                schema::ENTERPRISE_USER,
                schema::CORE_GROUP
            ]
        );
        assert_eq!(list["totalResults"], 3);

        let user = schema(BASE, "URN:ietf:params:scim:schemas:core:2.0:User").expect("User");
        assert_eq!(
            user["meta"]["location"],
            "https://gatehouse.example/scim/v2/acme/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
        );
        let attributes = user["attributes"].as_array().expect("attributes");
        assert_eq!(
            attributes[0],
            json!({
                "name": "userName",
                "type": "string",
                "multiValued": false,
                "description": schema::USER.attributes[0].description,
                "required": true,
                "caseExact": false,
                "mutability": "readWrite",
                "returned": "default",
                "uniqueness": "server",
            })
        );
        let emails = attributes
            .iter()
            .find(|attribute| attribute["name"] == "emails")
            .expect("emails");
        assert_eq!(emails["type"], "complex");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(
            emails["subAttributes"][1]["canonicalValues"],
            json!(["work", "home", "other"])
        );
        let group = schema(BASE, schema::CORE_GROUP).expect("Group");
        assert_eq!(
            group["attributes"][1]["subAttributes"][1]["referenceTypes"],
            json!(["User"])
        );
        assert_eq!(schema(BASE, "urn:example:unknown"), None);
    }
}
