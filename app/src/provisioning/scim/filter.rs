//! SCIM filters (RFC 7644 §3.4.2.2) as SQL conditions. Identity providers look users up
//! by filter before every change (`userName eq "…"`, `externalId eq "…"`), in workspaces
//! of any size, so a filter is always answered by the database, never by reading every
//! member into memory.
//!
//! Which attributes can be filtered, and by which column, is the store's business: it
//! passes a [`Vocabulary`]. An attribute it doesn't know is refused with `invalidFilter`
//! rather than ignored, since ignoring a condition would match people it shouldn't.
//!
//! Conditions are never NULL where it matters: `not` treats an unknown comparison as a
//! non-match (`NOT COALESCE(…, FALSE)`), so `not (title eq "x")` matches members without
//! a title, as RFC 7644's "does not match" says.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};

use super::ScimError;
use super::schema::{CORE_GROUP, CORE_USER};
use crate::db::{Backend, SqlBuilder, SqlValue};

/// How a filterable attribute is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A text column. One that isn't `case_exact` holds lower-cased text, so comparisons
    /// lower-case the filter's value and need no function on the column (indexes apply).
    Text { case_exact: bool },
    /// An integer column, compared with a JSON number or a numeric string: SCIM ids are
    /// strings (`id eq "42"`).
    Integer,
    /// Unix seconds, compared with RFC 3339 date-times (`meta.created gt "2024-…Z"`).
    Timestamp,
    /// A SCIM boolean stored otherwise: `when_true` is the SQL condition that holds when
    /// it is true (`m.status = 'active'`).
    Boolean { when_true: &'static str },
    /// Membership, as a condition with `{}` where the other side's id is bound
    /// (`EXISTS (SELECT 1 FROM group_members gm WHERE … AND gm.user_id = {})`).
    /// Only `eq` applies.
    MemberOf,
}

/// A filterable attribute: its SQL expression (or template, for
/// [`ColumnKind::MemberOf`]) and how to compare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub sql: &'static str,
    pub kind: ColumnKind,
}

/// The attributes one resource type can be filtered by.
pub trait Vocabulary {
    /// The column of an attribute path, `None` when it can't be filtered. The path comes
    /// normalised: `name` and `sub_attr` lower-cased (`"name"`, `Some("givenname")`),
    /// `uri` absent when the path named a core schema (`urn:…:core:2.0:User:userName`
    /// is `username`) and lower-cased otherwise, so a path with a `uri` names an
    /// extension's attribute. A value path's inner attributes come as sub-attributes:
    /// `emails[type eq "work"]` asks for `emails.type`.
    fn column(&self, path: &AttrPath) -> Option<Column>;
}

/// Parses a `filter` parameter; a syntax error is `invalidFilter` with the parser's words.
pub fn parse(text: &str) -> Result<Filter, ScimError> {
    text.parse::<Filter>()
        .map_err(|error| ScimError::invalid_filter(format!("The filter is not valid: {error}")))
}

/// Appends `filter` as one SQL condition, its values bound as parameters.
pub fn push_sql(
    builder: &mut SqlBuilder,
    filter: &Filter,
    vocabulary: &dyn Vocabulary,
    backend: Backend,
) -> Result<(), ScimError> {
    Translator {
        builder,
        vocabulary,
        backend,
    }
    .filter(filter)
}

struct Translator<'a> {
    builder: &'a mut SqlBuilder,
    vocabulary: &'a dyn Vocabulary,
    backend: Backend,
}

impl Translator<'_> {
    fn filter(&mut self, filter: &Filter) -> Result<(), ScimError> {
        match filter {
            Filter::Attr(expression) => self.expression(expression, None),
            Filter::ValuePath(value_path) => {
                self.value_filter(&value_path.filter, &value_path.attr)
            }
            Filter::Not(inner) => self.negated(|translator| translator.filter(inner)),
            Filter::And(items) => self.joined(items, " AND ", Self::filter),
            Filter::Or(items) => self.joined(items, " OR ", Self::filter),
        }
    }

    /// The filter inside `parent[…]`: its attributes are `parent`'s sub-attributes.
    fn value_filter(&mut self, filter: &ValFilter, parent: &AttrPath) -> Result<(), ScimError> {
        match filter {
            ValFilter::Attr(expression) => self.expression(expression, Some(parent)),
            ValFilter::Not(inner) => {
                self.negated(|translator| translator.value_filter(inner, parent))
            }
            ValFilter::And(items) => {
                self.joined(items, " AND ", |t, item| t.value_filter(item, parent))
            }
            ValFilter::Or(items) => {
                self.joined(items, " OR ", |t, item| t.value_filter(item, parent))
            }
        }
    }

    fn negated(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<(), ScimError>,
    ) -> Result<(), ScimError> {
        self.builder.push("NOT COALESCE((");
        inner(self)?;
        self.builder.push("), FALSE)");
        Ok(())
    }

    fn joined<T>(
        &mut self,
        items: &[T],
        operator: &str,
        mut each: impl FnMut(&mut Self, &T) -> Result<(), ScimError>,
    ) -> Result<(), ScimError> {
        self.builder.push("(");
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.builder.push(operator);
            }
            each(self, item)?;
        }
        self.builder.push(")");
        Ok(())
    }

    fn expression(
        &mut self,
        expression: &AttrExp,
        parent: Option<&AttrPath>,
    ) -> Result<(), ScimError> {
        let (path, comparison) = match expression {
            AttrExp::Present(path) => (path, None),
            AttrExp::Comparison(path, operator, value) => (path, Some((operator, value))),
        };
        let path = full_path(path, parent)?;
        let column = self.vocabulary.column(&normalise(&path)).ok_or_else(|| {
            ScimError::invalid_filter(format!("Filtering by {path} is not supported."))
        })?;
        let name = path.to_string();
        match comparison {
            None => self.present(&column, &name),
            Some((CompareOp::Eq, CompValue::Null)) => {
                // RFC 7643 §2.5: null and unassigned are the same.
                self.negated(|translator| translator.present(&column, &name))
            }
            Some((CompareOp::Ne, CompValue::Null)) => self.present(&column, &name),
            Some((_, CompValue::Null)) => Err(ScimError::invalid_filter(format!(
                "{name} can be compared with null only by eq or ne."
            ))),
            Some((operator, value)) => self.compare(&column, &name, operator, value),
        }
    }

    fn present(&mut self, column: &Column, name: &str) -> Result<(), ScimError> {
        let sql = column.sql;
        match column.kind {
            ColumnKind::Text { .. } => {
                self.push(&format!("({sql} IS NOT NULL AND {sql} <> '')"));
            }
            ColumnKind::Integer | ColumnKind::Timestamp => {
                self.push(&format!("{sql} IS NOT NULL"));
            }
            // A boolean stored as a condition is always true or false.
            ColumnKind::Boolean { .. } => self.push("1 = 1"),
            ColumnKind::MemberOf => {
                return Err(ScimError::invalid_filter(format!(
                    "{name} can only be compared with eq."
                )));
            }
        }
        Ok(())
    }

    fn compare(
        &mut self,
        column: &Column,
        name: &str,
        operator: &CompareOp,
        value: &CompValue,
    ) -> Result<(), ScimError> {
        match column.kind {
            ColumnKind::Text { case_exact } => {
                let CompValue::Str(text) = value else {
                    return Err(ScimError::invalid_filter(format!(
                        "{name} is text: compare it with a string."
                    )));
                };
                let text = if case_exact {
                    text.clone()
                } else {
                    text.to_lowercase()
                };
                self.compare_text(column.sql, case_exact, operator, text);
                Ok(())
            }
            ColumnKind::Integer => self.compare_integer(column.sql, name, operator, value),
            ColumnKind::Timestamp => self.compare_timestamp(column.sql, name, operator, value),
            ColumnKind::Boolean { when_true } => {
                let wanted = match (operator, value) {
                    (CompareOp::Eq, CompValue::True) | (CompareOp::Ne, CompValue::False) => true,
                    (CompareOp::Eq, CompValue::False) | (CompareOp::Ne, CompValue::True) => false,
                    _ => {
                        return Err(ScimError::invalid_filter(format!(
                            "{name} is true or false: compare it by eq or ne with true or false."
                        )));
                    }
                };
                if wanted {
                    self.push(&format!("({when_true})"));
                } else {
                    self.negated(|translator| {
                        translator.push(when_true);
                        Ok(())
                    })?;
                }
                Ok(())
            }
            ColumnKind::MemberOf => self.compare_membership(column.sql, name, operator, value),
        }
    }

    fn compare_text(&mut self, sql: &str, case_exact: bool, operator: &CompareOp, text: String) {
        if let Some(symbol) = ordering_symbol(operator) {
            self.push(&format!("{sql} {symbol} "));
            self.bind_text(text);
        } else if !case_exact {
            // The column is lower-cased, so LIKE means the same on both databases (it
            // ignores case on SQLite, not on PostgreSQL).
            self.push(&format!("{sql} LIKE "));
            self.bind_text(like_pattern(operator, &text));
            self.push(" ESCAPE '\\'");
        } else {
            self.compare_text_exactly(sql, operator, text);
        }
    }

    /// Case-exact `co`, `sw` and `ew`, without LIKE, which ignores case on SQLite.
    fn compare_text_exactly(&mut self, sql: &str, operator: &CompareOp, text: String) {
        match operator {
            CompareOp::Co => {
                let position = match self.backend {
                    Backend::Sqlite => "instr",
                    Backend::Postgres => "strpos",
                };
                self.push(&format!("{position}({sql}, "));
                self.bind_text(text);
                self.push(") > 0");
            }
            CompareOp::Sw => {
                self.push(&format!("substr({sql}, 1, length("));
                self.bind_text(text.clone());
                self.push(")) = ");
                self.bind_text(text);
            }
            _ => {
                // A start below 1 means something else to each database: guard it.
                self.push(&format!("(length({sql}) >= length("));
                self.bind_text(text.clone());
                self.push(&format!(") AND substr({sql}, length({sql}) - length("));
                self.bind_text(text.clone());
                self.push(") + 1) = ");
                self.bind_text(text);
                self.push(")");
            }
        }
    }

    fn compare_integer(
        &mut self,
        sql: &str,
        name: &str,
        operator: &CompareOp,
        value: &CompValue,
    ) -> Result<(), ScimError> {
        let number = match value {
            CompValue::Number(number) => number.as_i64(),
            CompValue::Str(text) => text.parse::<i64>().ok(),
            _ => {
                return Err(ScimError::invalid_filter(format!(
                    "{name} is an id: compare it with a string or a number."
                )));
            }
        };
        let symbol = ordering_symbol(operator).ok_or_else(|| {
            ScimError::invalid_filter(format!("{name} can't be compared by {operator}."))
        })?;
        match (number, operator) {
            (Some(number), _) => {
                self.push(&format!("{sql} {symbol} "));
                self.builder.push_bind(SqlValue::Integer(number));
            }
            // No id is spelled that way: nothing is equal to it, everything differs.
            (None, CompareOp::Eq) => self.push("1 = 0"),
            (None, CompareOp::Ne) => self.push(&format!("{sql} IS NOT NULL")),
            (None, _) => {
                return Err(ScimError::invalid_filter(format!(
                    "{name} is ordered only by numeric ids."
                )));
            }
        }
        Ok(())
    }

    fn compare_timestamp(
        &mut self,
        sql: &str,
        name: &str,
        operator: &CompareOp,
        value: &CompValue,
    ) -> Result<(), ScimError> {
        let instant = match value {
            CompValue::Str(text) => parse_date_time(text),
            _ => None,
        }
        .ok_or_else(|| {
            ScimError::invalid_filter(format!(
                "{name} is a date and time: compare it with an RFC 3339 string such as \
                 \"2024-05-01T12:00:00Z\"."
            ))
        })?;
        let symbol = ordering_symbol(operator).ok_or_else(|| {
            ScimError::invalid_filter(format!("{name} can't be compared by {operator}."))
        })?;
        if !instant.fractional {
            self.push(&format!("{sql} {symbol} "));
            self.builder.push_bind(SqlValue::Integer(instant.seconds));
            return Ok(());
        }
        // Stored times are whole seconds: between `seconds` and `seconds + 1` there's none.
        match operator {
            CompareOp::Eq => self.push("1 = 0"),
            CompareOp::Ne => self.push(&format!("{sql} IS NOT NULL")),
            CompareOp::Gt | CompareOp::Ge => {
                self.push(&format!("{sql} > "));
                self.builder.push_bind(SqlValue::Integer(instant.seconds));
            }
            _ => {
                self.push(&format!("{sql} <= "));
                self.builder.push_bind(SqlValue::Integer(instant.seconds));
            }
        }
        Ok(())
    }

    fn compare_membership(
        &mut self,
        template: &str,
        name: &str,
        operator: &CompareOp,
        value: &CompValue,
    ) -> Result<(), ScimError> {
        if *operator != CompareOp::Eq {
            return Err(ScimError::invalid_filter(format!(
                "{name} can only be compared with eq."
            )));
        }
        let id = match value {
            CompValue::Number(number) => number.as_i64(),
            CompValue::Str(text) => text.parse::<i64>().ok(),
            _ => {
                return Err(ScimError::invalid_filter(format!(
                    "{name} is an id: compare it with a string or a number."
                )));
            }
        };
        let Some(id) = id else {
            self.push("1 = 0");
            return Ok(());
        };
        // The id goes wherever the template has {}, once or more.
        let mut pieces = template.split("{}");
        if let Some(first) = pieces.next() {
            self.push(first);
        }
        for piece in pieces {
            self.builder.push_bind(SqlValue::Integer(id));
            self.push(piece);
        }
        Ok(())
    }

    fn push(&mut self, sql: &str) {
        self.builder.push(sql);
    }

    fn bind_text(&mut self, text: String) {
        self.builder.push_bind(SqlValue::Text(text));
    }
}

fn ordering_symbol(operator: &CompareOp) -> Option<&'static str> {
    match operator {
        CompareOp::Eq => Some("="),
        CompareOp::Ne => Some("<>"),
        CompareOp::Gt => Some(">"),
        CompareOp::Ge => Some(">="),
        CompareOp::Lt => Some("<"),
        CompareOp::Le => Some("<="),
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => None,
    }
}

/// The attribute an expression names: inside `emails[…]`, `type` is `emails.type`.
fn full_path(path: &AttrPath, parent: Option<&AttrPath>) -> Result<AttrPath, ScimError> {
    let Some(parent) = parent else {
        return Ok(path.clone());
    };
    if path.uri.is_some() || path.sub_attr.is_some() || parent.sub_attr.is_some() {
        return Err(ScimError::invalid_filter(format!(
            "Inside {parent}[…], name {parent}'s sub-attributes only."
        )));
    }
    Ok(AttrPath {
        uri: parent.uri.clone(),
        name: parent.name.clone(),
        sub_attr: Some(path.name.clone()),
    })
}

/// The path as [`Vocabulary::column`] receives it.
fn normalise(path: &AttrPath) -> AttrPath {
    let is_core = |uri: &&String| {
        [CORE_USER, CORE_GROUP]
            .iter()
            .any(|core| uri.eq_ignore_ascii_case(core))
    };
    AttrPath {
        uri: path
            .uri
            .as_ref()
            .filter(|uri| !is_core(uri))
            .map(|uri| uri.to_lowercase()),
        name: path.name.to_lowercase(),
        sub_attr: path.sub_attr.as_ref().map(|sub| sub.to_lowercase()),
    }
}

/// A LIKE pattern for `co`, `sw` or `ew`, its wildcards escaped with `\`.
fn like_pattern(operator: &CompareOp, text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    match operator {
        CompareOp::Sw => format!("{escaped}%"),
        CompareOp::Ew => format!("%{escaped}"),
        _ => format!("%{escaped}%"),
    }
}

/// An RFC 3339 date-time as Unix seconds, and whether it had a fraction of a second.
#[derive(Debug, PartialEq, Eq)]
struct Instant {
    seconds: i64,
    fractional: bool,
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (RFC 3339 §5.6). A leap second counts
/// as the second before it.
fn parse_date_time(text: &str) -> Option<Instant> {
    let bytes = text.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|&(index, separator)| bytes.get(index) != Some(&separator))
        || !matches!(bytes.get(10), Some(b'T' | b't'))
    {
        return None;
    }
    let (year, month, day) = (
        digits(text, 0, 4)?,
        digits(text, 5, 7)?,
        digits(text, 8, 10)?,
    );
    let (hour, minute, second) = (
        digits(text, 11, 13)?,
        digits(text, 14, 16)?,
        digits(text, 17, 19)?,
    );
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut rest = text.get(19..)?;
    let mut fractional = false;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let count = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return None;
        }
        fractional = after_dot[..count].bytes().any(|digit| digit != b'0');
        rest = &after_dot[count..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (hours, minutes) = (digits(rest, 1, 3)?, digits(rest, 4, 6)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = crate::dates::days_from_civil(year, month, day);
    Some(Instant {
        seconds: days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset,
        fractional,
    })
}

/// The number written by ASCII digits only at `text[start..end]`.
fn digits(text: &str, start: usize, end: usize) -> Option<i64> {
    let part = text.get(start..end)?;
    if part.bytes().all(|byte| byte.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisioning::scim::ScimType;
    use crate::provisioning::scim::schema::ENTERPRISE_USER;

    struct Users;

    impl Vocabulary for Users {
        fn column(&self, path: &AttrPath) -> Option<Column> {
            let text = |sql, case_exact| Column {
                sql,
                kind: ColumnKind::Text { case_exact },
            };
            let enterprise = ENTERPRISE_USER.to_lowercase();
            match (
                path.uri.as_deref(),
                path.name.as_str(),
                path.sub_attr.as_deref(),
            ) {
                (None, "username", None) => Some(text("m.user_name", false)),
                (None, "externalid", None) => Some(text("m.external_id", true)),
                (None, "emails", Some("value")) => Some(text("u.email", false)),
                (None, "emails", Some("type")) => Some(text("'work'", false)),
                (None, "id", None) => Some(Column {
                    sql: "u.id",
                    kind: ColumnKind::Integer,
                }),
                (None, "meta", Some("created")) => Some(Column {
                    sql: "m.created_at",
                    kind: ColumnKind::Timestamp,
                }),
                (None, "active", None) => Some(Column {
                    sql: "m.status",
                    kind: ColumnKind::Boolean {
                        when_true: "m.status = 'active'",
                    },
                }),
                (None, "groups", Some("value")) => Some(Column {
                    sql: "EXISTS (SELECT 1 FROM group_members gm \
                          WHERE gm.user_id = u.id AND gm.group_id = {})",
                    kind: ColumnKind::MemberOf,
                }),
                (Some(uri), "department", None) if uri == enterprise => {
                    Some(text("m.department", true))
                }
                _ => None,
            }
        }
    }

    fn translate_on(backend: Backend, filter: &str) -> Result<(String, Vec<SqlValue>), ScimError> {
        let filter = parse(filter)?;
        let mut builder = SqlBuilder::new("");
        push_sql(&mut builder, &filter, &Users, backend)?;
        Ok((builder.sql().to_string(), builder.binds().to_vec()))
    }

    fn translate(filter: &str) -> (String, Vec<SqlValue>) {
        translate_on(Backend::Sqlite, filter).unwrap_or_else(|error| panic!("{filter}: {error}"))
    }

    fn refusal(filter: &str) -> ScimError {
        match translate_on(Backend::Sqlite, filter) {
            Ok(translated) => panic!("{filter} translated to {translated:?}"),
            Err(error) => error,
        }
    }

    fn text(value: &str) -> SqlValue {
        SqlValue::Text(value.into())
    }

    #[test]
    fn case_insensitive_text_is_compared_lower_cased() {
        assert_eq!(
            translate(r#"userName eq "Ada@Example.COM""#),
            ("m.user_name = $1".into(), vec![text("ada@example.com")])
        );
        assert_eq!(
            translate(r#"USERNAME ne "x""#),
            ("m.user_name <> $1".into(), vec![text("x")])
        );
        assert_eq!(
            translate(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName gt "B""#),
            ("m.user_name > $1".into(), vec![text("b")])
        );
    }

    #[test]
    fn case_exact_text_is_compared_as_given() {
        assert_eq!(
            translate(r#"externalId eq "AbC""#),
            ("m.external_id = $1".into(), vec![text("AbC")])
        );
        assert_eq!(
            translate(
                r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department le "R&D""#
            ),
            ("m.department <= $1".into(), vec![text("R&D")])
        );
    }

    #[test]
    fn substring_operators_escape_like_wildcards() {
        assert_eq!(
            translate(r#"userName co "50%_off\\""#),
            (
                "m.user_name LIKE $1 ESCAPE '\\'".into(),
                vec![text("%50\\%\\_off\\\\%")]
            )
        );
        assert_eq!(translate(r#"userName sw "Ada""#).1, vec![text("ada%")]);
        assert_eq!(translate(r#"userName ew "Ada""#).1, vec![text("%ada")]);
    }

    #[test]
    fn case_exact_substrings_avoid_like_on_each_backend() {
        let on = |backend, filter| {
            translate_on(backend, filter).unwrap_or_else(|error| panic!("{filter}: {error}"))
        };
        assert_eq!(
            on(Backend::Sqlite, r#"externalId co "A_b""#),
            ("instr(m.external_id, $1) > 0".into(), vec![text("A_b")])
        );
        assert_eq!(
            on(Backend::Postgres, r#"externalId co "A_b""#),
            ("strpos(m.external_id, $1) > 0".into(), vec![text("A_b")])
        );
        assert_eq!(
            on(Backend::Postgres, r#"externalId sw "Ab""#),
            (
                "substr(m.external_id, 1, length($1)) = $2".into(),
                vec![text("Ab"), text("Ab")]
            )
        );
        assert_eq!(
            on(Backend::Sqlite, r#"externalId ew "Ab""#),
            (
                "(length(m.external_id) >= length($1) AND substr(m.external_id, \
                 length(m.external_id) - length($2) + 1) = $3)"
                    .into(),
                vec![text("Ab"), text("Ab"), text("Ab")]
            )
        );
    }

    #[test]
    fn presence_and_null() {
        assert_eq!(
            translate("userName pr"),
            (
                "(m.user_name IS NOT NULL AND m.user_name <> '')".into(),
                vec![]
            )
        );
        assert_eq!(
            translate("externalId eq null"),
            (
                "NOT COALESCE(((m.external_id IS NOT NULL AND m.external_id <> '')), FALSE)".into(),
                vec![]
            )
        );
        assert_eq!(translate("id ne null").0, "u.id IS NOT NULL");
        assert_eq!(translate("meta.created pr").0, "m.created_at IS NOT NULL");
        assert_eq!(translate("active pr").0, "1 = 1");
        assert_eq!(
            refusal("userName gt null").scim_type,
            Some(ScimType::InvalidFilter)
        );
    }

    #[test]
    fn logic_nests_and_not_treats_unknown_as_no_match() {
        assert_eq!(
            translate(r#"userName eq "a" and (externalId eq "b" or not (id eq 3))"#),
            (
                "(m.user_name = $1 AND (m.external_id = $2 OR NOT COALESCE((u.id = $3), FALSE)))"
                    .into(),
                vec![text("a"), text("b"), SqlValue::Integer(3)]
            )
        );
    }

    #[test]
    fn value_paths_filter_by_sub_attributes() {
        assert_eq!(
            translate(r#"emails[type eq "work" and value co "@Example.com"]"#),
            (
                "('work' = $1 AND u.email LIKE $2 ESCAPE '\\')".into(),
                vec![text("work"), text("%@example.com%")]
            )
        );
        assert_eq!(
            translate(r#"emails.value eq "A@b.co""#),
            ("u.email = $1".into(), vec![text("a@b.co")])
        );
        let unknown = refusal(r#"emails[display eq "x"]"#);
        assert_eq!(unknown.scim_type, Some(ScimType::InvalidFilter));
        assert!(
            unknown.detail.contains("emails.display"),
            "{}",
            unknown.detail
        );
    }

    #[test]
    fn ids_are_numbers_or_numeric_strings() {
        assert_eq!(
            translate(r#"id eq "42""#),
            ("u.id = $1".into(), vec![SqlValue::Integer(42)])
        );
        assert_eq!(
            translate("id ge 7"),
            ("u.id >= $1".into(), vec![SqlValue::Integer(7)])
        );
        // No id is spelled like that: nothing equals it, every id differs from it.
        assert_eq!(
            translate(r#"id eq "2819c223-7f76""#),
            ("1 = 0".into(), vec![])
        );
        assert_eq!(
            translate(r#"id ne "abc""#),
            ("u.id IS NOT NULL".into(), vec![])
        );
        assert_eq!(
            refusal(r#"id gt "abc""#).scim_type,
            Some(ScimType::InvalidFilter)
        );
        assert_eq!(
            refusal(r#"id co "4""#).scim_type,
            Some(ScimType::InvalidFilter)
        );
        assert_eq!(
            refusal("id eq true").scim_type,
            Some(ScimType::InvalidFilter)
        );
    }

    #[test]
    fn timestamps_compare_as_unix_seconds() {
        assert_eq!(
            translate(r#"meta.created gt "2011-05-13T04:42:34Z""#),
            (
                "m.created_at > $1".into(),
                vec![SqlValue::Integer(1_305_261_754)]
            )
        );
        assert_eq!(
            translate(r#"meta.created le "2011-05-13T06:42:34+02:00""#).1,
            vec![SqlValue::Integer(1_305_261_754)]
        );
        // Stored times are whole seconds.
        assert_eq!(
            translate(r#"meta.created ge "2011-05-13T04:42:34.5Z""#).0,
            "m.created_at > $1"
        );
        assert_eq!(
            translate(r#"meta.created lt "2011-05-13T04:42:34.5Z""#).0,
            "m.created_at <= $1"
        );
        assert_eq!(
            translate(r#"meta.created eq "2011-05-13T04:42:34.5Z""#).0,
            "1 = 0"
        );
        assert_eq!(
            translate(r#"meta.created eq "2011-05-13T04:42:34.000Z""#).0,
            "m.created_at = $1"
        );
        for refused in [
            r#"meta.created gt "yesterday""#,
            r#"meta.created gt "2011-05-13""#,
            r#"meta.created gt 1305261754"#,
            r#"meta.created co "2011""#,
        ] {
            assert_eq!(
                refusal(refused).scim_type,
                Some(ScimType::InvalidFilter),
                "{refused}"
            );
        }
    }

    #[test]
    fn date_times_are_parsed_carefully() {
        let seconds = |text| parse_date_time(text).map(|instant| instant.seconds);
        assert_eq!(seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(seconds("1969-12-31T23:59:59z"), Some(-1));
        assert_eq!(seconds("2024-02-29T12:00:00-01:30"), Some(1_709_213_400));
        assert_eq!(seconds("2016-12-31T23:59:60Z"), Some(1_483_228_799));
        for invalid in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00+01:60",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00+é:00",
            "+024-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_date_time(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn booleans_compare_by_eq_and_ne_only() {
        assert_eq!(
            translate("active eq true"),
            ("(m.status = 'active')".into(), vec![])
        );
        assert_eq!(
            translate("active ne true").0,
            "NOT COALESCE((m.status = 'active'), FALSE)"
        );
        assert_eq!(
            translate("active eq false").0,
            "NOT COALESCE((m.status = 'active'), FALSE)"
        );
        assert_eq!(translate("active ne false").0, "(m.status = 'active')");
        assert_eq!(
            translate("active eq null").0,
            "NOT COALESCE((1 = 1), FALSE)"
        );
        for refused in ["active gt true", r#"active eq "true""#, "active eq 1"] {
            assert_eq!(
                refusal(refused).scim_type,
                Some(ScimType::InvalidFilter),
                "{refused}"
            );
        }
    }

    #[test]
    fn memberships_bind_the_id_into_their_template() {
        assert_eq!(
            translate(r#"groups[value eq "12"]"#),
            (
                "EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND \
                 gm.group_id = $1)"
                    .into(),
                vec![SqlValue::Integer(12)]
            )
        );
        assert_eq!(translate(r#"groups.value eq "twelve""#).0, "1 = 0");
        assert_eq!(
            refusal(r#"groups.value ne "12""#).scim_type,
            Some(ScimType::InvalidFilter)
        );
        assert_eq!(
            refusal("groups.value pr").scim_type,
            Some(ScimType::InvalidFilter)
        );
    }

    #[test]
    fn refusals_are_invalid_filter() {
        for refused in [
            r#"userName eq 3"#,
            r#"userName eq true"#,
            r#"title eq "CEO""#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "x""#,
            r#"userName eq "unterminated"#,
            r#"userName xx "x""#,
            r#"emails[type eq "work"] and"#,
            "",
        ] {
            let error = refusal(refused);
            assert_eq!(error.scim_type, Some(ScimType::InvalidFilter), "{refused}");
            assert_eq!(error.status, 400);
        }
        assert!(refusal(r#"title eq "CEO""#).detail.contains("title"));
    }
}
