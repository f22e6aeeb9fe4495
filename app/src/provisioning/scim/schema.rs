//! The SCIM attributes Gatehouse keeps, as data: one source for what `/Schemas` publishes,
//! what a PATCH or PUT may change, and which names a request may use.
//!
//! Only what Gatehouse stores is declared. An identity provider reads `/Schemas` to learn
//! what it may send, and a published attribute that was silently dropped would make every
//! sync look like a change.
//!
//! Some choices differ from RFC 7643's core schemas, on purpose:
//! - `emails` and `emails.value` are required. Gatehouse signs people in by email: a user
//!   needs one, in `userName` or in `emails` (see [`super::user::derive`]). SCIM can't say
//!   "one of the two", and a client that reads the schema (scim2-tester does) must send an
//!   email to make a user. A `userName` that is an email still needs no `emails`.
//! - `active` is required: every member is active or not, so a User always carries it,
//!   and removing it would mean nothing. A user created without it is active.
//! - Group `displayName` is unique in the workspace, without regard to case, as
//!   Gatehouse's groups are.

/// The core User schema (RFC 7643 §4.1).
pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The core Group schema (RFC 7643 §4.2).
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// An attribute's data type (RFC 7643 §2.3), as far as Gatehouse uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    String,
    Boolean,
    DateTime,
    /// A URI; the slice is its `referenceTypes`.
    Reference(&'static [&'static str]),
    /// An object of these sub-attributes.
    Complex(&'static [Attribute]),
}

impl AttrKind {
    pub fn key(self) -> &'static str {
        match self {
            AttrKind::String => "string",
            AttrKind::Boolean => "boolean",
            AttrKind::DateTime => "dateTime",
            AttrKind::Reference(_) => "reference",
            AttrKind::Complex(_) => "complex",
        }
    }
}

/// Who may change an attribute (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    /// Set when the value is added, never changed afterwards (a group member's id).
    Immutable,
}

impl Mutability {
    pub fn key(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
        }
    }
}

/// When a response carries an attribute (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Even when `attributes` or `excludedAttributes` say otherwise.
    Always,
    Default,
}

impl Returned {
    pub fn key(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Default => "default",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    /// Unique within Gatehouse's SCIM service for one workspace.
    Server,
}

impl Uniqueness {
    pub fn key(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
        }
    }
}

/// One attribute definition (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: AttrKind,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    /// Suggested values, published for clients; other values are accepted (RFC 7643 §2.3.1).
    pub canonical_values: &'static [&'static str],
}

impl Attribute {
    pub fn sub_attributes(&self) -> &'static [Attribute] {
        match self.kind {
            AttrKind::Complex(subs) => subs,
            _ => &[],
        }
    }

    /// A sub-attribute by name, without regard to case (RFC 7643 §2.1).
    pub fn sub_attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.sub_attributes(), name)
    }

    pub fn is_complex(&self) -> bool {
        matches!(self.kind, AttrKind::Complex(_))
    }
}

/// A schema: a resource's core schema or an extension of it. Its contents are static, so
/// a copy is as good as the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

impl Schema {
    /// An attribute by name, without regard to case (RFC 7643 §2.1).
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.attributes, name)
    }
}

fn find(attributes: &'static [Attribute], name: &str) -> Option<&'static Attribute> {
    attributes
        .iter()
        .find(|attribute| attribute.name.eq_ignore_ascii_case(name))
}

/// RFC 7643 §7's defaults: a single-valued, optional, case-insensitive, read-write string,
/// returned by default and not unique. Each definition below says only how it differs.
const BASE: Attribute = Attribute {
    name: "",
    description: "",
    kind: AttrKind::String,
    multi_valued: false,
    required: false,
    case_exact: false,
    mutability: Mutability::ReadWrite,
    returned: Returned::Default,
    uniqueness: Uniqueness::None,
    canonical_values: &[],
};

/// The attributes every resource has (RFC 7643 §3.1). RFC 7643's schemas don't list
/// them, so `/Schemas` doesn't either; they are found by name all the same.
pub const COMMON: &[Attribute] = &[
    Attribute {
        name: "id",
        description: "A unique identifier for the resource, defined by the service provider.",
        case_exact: true,
        mutability: Mutability::ReadOnly,
        returned: Returned::Always,
        uniqueness: Uniqueness::Server,
        ..BASE
    },
    Attribute {
        name: "externalId",
        description: "An identifier for the resource as defined by the provisioning client.",
        case_exact: true,
        ..BASE
    },
    Attribute {
        name: "meta",
        description: "A complex attribute containing resource metadata.",
        kind: AttrKind::Complex(META),
        mutability: Mutability::ReadOnly,
        ..BASE
    },
];

const META: &[Attribute] = &[
    Attribute {
        name: "resourceType",
        description: "The name of the resource type of the resource.",
        case_exact: true,
        mutability: Mutability::ReadOnly,
        ..BASE
    },
    Attribute {
        name: "created",
        description: "The date and time the resource was added to the service provider.",
        kind: AttrKind::DateTime,
        mutability: Mutability::ReadOnly,
        ..BASE
    },
    Attribute {
        name: "lastModified",
        description: "The most recent date and time the resource was modified.",
        kind: AttrKind::DateTime,
        mutability: Mutability::ReadOnly,
        ..BASE
    },
    Attribute {
        name: "location",
        description: "The URI of the resource being returned.",
        kind: AttrKind::Reference(&["uri"]),
        case_exact: true,
        mutability: Mutability::ReadOnly,
        ..BASE
    },
];

const NAME: &[Attribute] = &[
    Attribute {
        name: "formatted",
        description: "The full name, including all middle names, titles, and suffixes as \
                      appropriate, formatted for display.",
        ..BASE
    },
    Attribute {
        name: "familyName",
        description: "The family name of the User, or last name in most Western languages.",
        ..BASE
    },
    Attribute {
        name: "givenName",
        description: "The given name of the User, or first name in most Western languages.",
        ..BASE
    },
    Attribute {
        name: "middleName",
        description: "The middle name(s) of the User.",
        ..BASE
    },
];

const EMAIL: &[Attribute] = &[
    Attribute {
        name: "value",
        description: "Email address for the User.",
        required: true,
        ..BASE
    },
    Attribute {
        name: "type",
        description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
        canonical_values: &["work", "home", "other"],
        ..BASE
    },
    Attribute {
        name: "primary",
        description: "Whether this is the User's primary email address. The value true \
                      appears at most once.",
        kind: AttrKind::Boolean,
        ..BASE
    },
];

const USER_GROUP: &[Attribute] = &[
    Attribute {
        name: "value",
        description: "The identifier of the User's group.",
        mutability: Mutability::ReadOnly,
        ..BASE
    },
    Attribute {
        name: "$ref",
        description: "The URI of the corresponding 'Group' resource to which the user \
                      belongs.",
        kind: AttrKind::Reference(&["Group"]),
        mutability: Mutability::ReadOnly,
        ..BASE
    },
    Attribute {
        name: "display",
        description: "A human-readable name, primarily used for display purposes.",
        mutability: Mutability::ReadOnly,
        ..BASE
    },
];

pub static USER: Schema = Schema {
    id: CORE_USER,
    name: "User",
    description: "User Account",
    attributes: &[
        Attribute {
            name: "userName",
            description: "Unique identifier for the User, typically used by the user to \
                          directly authenticate to the service provider. Gatehouse signs the \
                          user in with it when it is an email address.",
            required: true,
            uniqueness: Uniqueness::Server,
            ..BASE
        },
        Attribute {
            name: "name",
            description: "The components of the user's real name.",
            kind: AttrKind::Complex(NAME),
            ..BASE
        },
        Attribute {
            name: "displayName",
            description: "The name of the User, suitable for display to end-users.",
            ..BASE
        },
        Attribute {
            name: "title",
            description: "The user's title, such as \"Vice President\".",
            ..BASE
        },
        Attribute {
            name: "emails",
            description: "Email addresses for the user. Gatehouse signs the user in with the \
                          primary one when userName is not an email address.",
            kind: AttrKind::Complex(EMAIL),
            multi_valued: true,
            required: true,
            ..BASE
        },
        Attribute {
            name: "active",
            description: "Whether the user may sign in to the workspace. Deactivate a user \
                          by replacing it with false; it can't be removed.",
            kind: AttrKind::Boolean,
            required: true,
            ..BASE
        },
        Attribute {
            name: "groups",
            description: "The groups the user belongs to. Change them through the Group \
                          resource.",
            kind: AttrKind::Complex(USER_GROUP),
            multi_valued: true,
            mutability: Mutability::ReadOnly,
            ..BASE
        },
    ],
};

pub static ENTERPRISE: Schema = Schema {
    id: ENTERPRISE_USER,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: &[
        Attribute {
            name: "employeeNumber",
            description: "Numeric or alphanumeric identifier assigned to a person, typically \
                          based on order of hire or association with an organization.",
            ..BASE
        },
        Attribute {
            name: "costCenter",
            description: "Identifies the name of a cost center.",
            ..BASE
        },
        Attribute {
            name: "organization",
            description: "Identifies the name of an organization.",
            ..BASE
        },
        Attribute {
            name: "division",
            description: "Identifies the name of a division.",
            ..BASE
        },
        Attribute {
            name: "department",
            description: "Identifies the name of a department.",
            ..BASE
        },
    ],
};

const MEMBER: &[Attribute] = &[
    Attribute {
        name: "value",
        description: "Identifier of the member of this Group.",
        required: true,
        mutability: Mutability::Immutable,
        ..BASE
    },
    Attribute {
        name: "$ref",
        description: "The URI corresponding to a SCIM resource that is a member of this \
                      Group.",
        kind: AttrKind::Reference(&["User"]),
        mutability: Mutability::Immutable,
        ..BASE
    },
    Attribute {
        name: "type",
        description: "A label indicating the type of resource. Groups can't be members: \
                      Gatehouse doesn't nest groups.",
        mutability: Mutability::Immutable,
        canonical_values: &["User"],
        ..BASE
    },
];

pub static GROUP: Schema = Schema {
    id: CORE_GROUP,
    name: "Group",
    description: "Group",
    attributes: &[
        Attribute {
            name: "displayName",
            description: "A human-readable name for the Group, unique in the workspace \
                          without regard to case.",
            required: true,
            uniqueness: Uniqueness::Server,
            ..BASE
        },
        Attribute {
            name: "members",
            description: "The users in the Group.",
            kind: AttrKind::Complex(MEMBER),
            multi_valued: true,
            ..BASE
        },
    ],
};

/// A User resource's schemas: the core one first, then its extension.
pub static USER_SCHEMAS: &[&Schema] = &[&USER, &ENTERPRISE];
/// A Group resource's schemas.
pub static GROUP_SCHEMAS: &[&Schema] = &[&GROUP];

/// An attribute found in a resource's schemas, where a document keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The extension that holds the attribute; `None` for the core schema's attributes
    /// and the common ones. A document keeps an extension's attributes in an object under
    /// the extension's URN.
    pub extension: Option<Schema>,
    pub attribute: &'static Attribute,
    pub sub: Option<&'static Attribute>,
}

/// What an attribute path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A whole extension, named by its URN alone.
    Extension(Schema),
    Attribute(Located),
}

/// Finds what a path names (RFC 7644 §3.10): `attr`, `attr.sub`, either prefixed with a
/// schema URN and a colon, or an extension's URN alone. Names match without regard to
/// case; a name without a URN belongs to the core schema (the first of `schemas`).
/// `None` when the resource has no such attribute.
pub fn resolve(schemas: &[&Schema], path: &str) -> Option<Target> {
    let (core, extensions) = schemas.split_first()?;
    if let Some(rest) = strip_urn(path, core.id) {
        return locate(core, None, rest?);
    }
    for extension in extensions {
        if let Some(rest) = strip_urn(path, extension.id) {
            return match rest {
                None => Some(Target::Extension(**extension)),
                Some(rest) => locate(extension, Some(**extension), rest),
            };
        }
    }
    locate(core, None, path)
}

/// Whether `path` starts with the URN `urn`: `Some(None)` for the URN alone,
/// `Some(Some(rest))` for `urn:rest`.
fn strip_urn<'p>(path: &'p str, urn: &str) -> Option<Option<&'p str>> {
    let head = path.get(..urn.len())?;
    if !head.eq_ignore_ascii_case(urn) {
        return None;
    }
    match &path[urn.len()..] {
        "" => Some(None),
        rest => rest.strip_prefix(':').map(Some),
    }
}

fn locate(schema: &Schema, extension: Option<Schema>, path: &str) -> Option<Target> {
    let (name, sub) = match path.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (path, None),
    };
    let attribute = schema.attribute(name).or_else(|| {
        // The common attributes belong to the resource, not to an extension.
        extension.is_none().then(|| find(COMMON, name)).flatten()
    })?;
    let sub = match sub {
        Some(sub) => Some(attribute.sub_attribute(sub)?),
        None => None,
    };
    Some(Target::Attribute(Located {
        extension,
        attribute,
        sub,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(path: &str) -> Located {
        match resolve(USER_SCHEMAS, path) {
            Some(Target::Attribute(located)) => located,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_resolve_without_regard_to_case() {
        let user_name = located("USERNAME");
        assert_eq!(user_name.attribute.name, "userName");
        assert_eq!(user_name.extension, None);
        assert_eq!(user_name.sub, None);

        let given = located("name.GIVENNAME");
        assert_eq!(given.attribute.name, "name");
        assert_eq!(given.sub.map(|sub| sub.name), Some("givenName"));

        assert_eq!(
            located("emails.value").sub.map(|sub| sub.name),
            Some("value")
        );
        assert_eq!(located("externalId").attribute.name, "externalId");
        assert_eq!(
            located("meta.lastModified").sub.map(|s| s.name),
            Some("lastModified")
        );
    }

    #[test]
    fn urn_prefixed_paths_name_their_schema() {
        let core = located("urn:ietf:params:scim:schemas:core:2.0:User:userName");
        assert_eq!((core.attribute.name, core.extension), ("userName", None));

        let department =
            located("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:Department");
        assert_eq!(department.attribute.name, "department");
        assert_eq!(department.extension, Some(ENTERPRISE));

        assert_eq!(
            resolve(USER_SCHEMAS, ENTERPRISE_USER),
            Some(Target::Extension(ENTERPRISE))
        );
        assert_eq!(
            located("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName")
                .sub
                .map(|sub| sub.name),
            Some("familyName")
        );
    }

    #[test]
    fn unknown_paths_resolve_to_nothing() {
        for path in [
            "password",
            "name.honorificPrefix",
            "userName.value",
            "department",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            // An extension holds no common attributes.
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:id",
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:UserName",
            "a.b.c",
            "",
        ] {
            assert_eq!(resolve(USER_SCHEMAS, path), None, "{path}");
        }
        assert_eq!(resolve(GROUP_SCHEMAS, "userName"), None);
        assert!(resolve(GROUP_SCHEMAS, "members.TYPE").is_some());
    }

    #[test]
    fn every_mappable_attribute_is_a_writable_string() {
        for (path, _) in crate::provisioning::MAPPABLE_ATTRIBUTES {
            let located = located(path);
            let attribute = located.sub.unwrap_or(located.attribute);
            assert_eq!(attribute.kind, AttrKind::String, "{path}");
            assert_eq!(attribute.mutability, Mutability::ReadWrite, "{path}");
        }
    }

    #[test]
    fn definitions_say_what_they_are() {
        let groups = USER.attribute("groups").expect("groups");
        assert_eq!(groups.mutability.key(), "readOnly");
        assert!(groups.is_complex() && groups.multi_valued);
        assert_eq!(
            groups.sub_attribute("$ref").map(|sub| sub.kind.key()),
            Some("reference")
        );
        let id = find(COMMON, "id").expect("id");
        assert_eq!(id.returned.key(), "always");
        assert_eq!(id.uniqueness.key(), "server");
        assert_eq!(
            GROUP
                .attribute("members")
                .and_then(|members| members.sub_attribute("value"))
                .map(|value| value.mutability.key()),
            Some("immutable")
        );
        assert_eq!(
            USER.attribute("title").map(|t| t.mutability.key()),
            Some("readWrite")
        );
        assert_eq!(
            USER.attribute("active").map(|a| a.kind.key()),
            Some("boolean")
        );
        assert_eq!(
            find(COMMON, "meta").map(|m| m.sub_attributes().len()),
            Some(4)
        );
        assert_eq!(
            find(META, "created").map(|created| created.kind.key()),
            Some("dateTime")
        );
        assert_eq!(Returned::Default.key(), "default");
        assert_eq!(Uniqueness::None.key(), "none");
    }
}
