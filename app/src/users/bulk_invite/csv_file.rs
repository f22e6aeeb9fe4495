//! Reading a bulk-invite CSV file and checking every row, before anything is written.
//!
//! Two passes, both pure: [`read`] turns the file into rows and reports what is wrong with
//! the file itself or with a cell on its own; [`check`] then weighs the rows against the
//! workspace (its groups, its members, archived accounts) and against each other. Every
//! problem is collected, so an admin fixes the whole file in one go.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Column, CsvIssue, CsvProblem, MAX_FILE_BYTES, MAX_LISTED_PROBLEMS};
use crate::error::AppError;
use crate::memberships::Role;
use crate::users::{name_from_email, normalise_email, normalise_full_name};

/// A data row as read from the file, each cell already normalised where it could be.
/// A cell that had a problem is `None`; the problem is reported separately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// The row's number as a spreadsheet shows it: the header is row 1.
    pub row: u64,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    /// Group names as written, trimmed.
    pub groups: Vec<String>,
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A file read into rows, with every problem found on the way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadFile {
    pub rows: Vec<FileRow>,
    pub problems: Vec<CsvProblem>,
}

/// Reads a whole file. `max_rows` is the number of data rows allowed; the file's size is
/// checked against [`MAX_FILE_BYTES`] before anything else.
pub fn read(bytes: &[u8], max_rows: usize) -> ReadFile {
    if bytes.len() > MAX_FILE_BYTES {
        return ReadFile::refused(CsvIssue::FileTooLarge);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return ReadFile::refused(CsvIssue::NotUtf8);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return ReadFile::refused(CsvIssue::Empty),
        Some(Err(error)) => return ReadFile::refused(unreadable(&error)),
        Some(Ok(header)) => header,
    };
    let layout = match Layout::of(&header) {
        Ok(layout) => layout,
        Err(problems) => {
            return ReadFile {
                rows: Vec::new(),
                problems,
            };
        }
    };
    let mut file = ReadFile::default();
    let mut data_rows = 0;
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let row = error.position().map(spreadsheet_row);
                file.problems.push(CsvProblem {
                    row,
                    column: None,
                    issue: unreadable(&error),
                });
                // The reader can't tell where the next row starts.
                break;
            }
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        // Every row with something in it counts, readable or not.
        if data_rows == max_rows {
            return ReadFile::refused(CsvIssue::TooManyRows { max: max_rows });
        }
        data_rows += 1;
        let row = record.position().map_or(0, spreadsheet_row);
        if record.len() != header.len() {
            file.problems.push(CsvProblem {
                row: Some(row),
                column: None,
                issue: CsvIssue::WrongFieldCount {
                    found: record.len(),
                    expected: header.len(),
                },
            });
            continue;
        }
        file.rows.push(layout.row(row, &record, &mut file.problems));
    }
    if file.rows.is_empty() && file.problems.is_empty() {
        file.problems.push(CsvProblem::of_file(CsvIssue::NoRows));
    }
    file
}

impl ReadFile {
    fn refused(issue: CsvIssue) -> ReadFile {
        ReadFile {
            rows: Vec::new(),
            problems: vec![CsvProblem::of_file(issue)],
        }
    }
}

/// A record's row as a spreadsheet numbers it: the header is row 1, and a quoted cell
/// spanning several lines still makes one row.
fn spreadsheet_row(position: &csv::Position) -> u64 {
    position.record() + 1
}

fn unreadable(error: &csv::Error) -> CsvIssue {
    CsvIssue::Unreadable {
        detail: match error.kind() {
            csv::ErrorKind::Utf8 { .. } => "it isn't UTF-8 text".to_string(),
            _ => error.to_string(),
        },
    }
}

/// Where each column is in the file.
struct Layout {
    positions: HashMap<Column, usize>,
}

impl Layout {
    fn of(header: &csv::StringRecord) -> Result<Layout, Vec<CsvProblem>> {
        let mut positions = HashMap::new();
        let mut unknown = Vec::new();
        let mut problems = Vec::new();
        for (position, name) in header.iter().enumerate() {
            match Column::from_header(name) {
                Some(column) => {
                    if positions.insert(column, position).is_some() {
                        problems.push(CsvProblem::of_column(column, CsvIssue::DuplicateColumn));
                    }
                }
                None => unknown.push(name.trim().to_string()),
            }
        }
        if !unknown.is_empty() {
            problems.push(CsvProblem::of_file(CsvIssue::UnknownColumns {
                names: unknown.join(", "),
            }));
        }
        let full_name = positions.contains_key(&Column::FullName);
        let split_name = [Column::FirstName, Column::LastName]
            .iter()
            .any(|column| positions.contains_key(column));
        if full_name && split_name {
            problems.push(CsvProblem::of_file(CsvIssue::BothNameForms));
        }
        // Names are optional (an invitation without one takes it from the email), but a
        // file that splits them has both halves.
        let mut required = vec![Column::Email, Column::Role];
        if split_name && !full_name {
            required.extend([Column::FirstName, Column::LastName]);
        }
        for column in required {
            if !positions.contains_key(&column) {
                problems.push(CsvProblem::of_column(column, CsvIssue::MissingColumn));
            }
        }
        if problems.is_empty() {
            Ok(Layout { positions })
        } else {
            Err(problems)
        }
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, column: Column) -> &'r str {
        self.positions
            .get(&column)
            .and_then(|&position| record.get(position))
            .unwrap_or_default()
    }

    fn row(&self, row: u64, record: &csv::StringRecord, problems: &mut Vec<CsvProblem>) -> FileRow {
        let mut report = |column: Column, issue: CsvIssue| {
            problems.push(CsvProblem {
                row: Some(row),
                column: Some(column),
                issue,
            });
        };
        let (name_column, name) = if self.positions.contains_key(&Column::FirstName) {
            let first = self.cell(record, Column::FirstName);
            let last = self.cell(record, Column::LastName);
            (Column::FirstName, format!("{first} {last}"))
        } else {
            (
                Column::FullName,
                self.cell(record, Column::FullName).to_string(),
            )
        };
        // Problems are reported in column order: the name's before the email's.
        let given_name = (!name.trim().is_empty()).then(|| {
            normalise_full_name(&name)
                .map_err(|error| {
                    let issue = match error {
                        AppError::NameNotPlain => CsvIssue::NameNotPlain,
                        _ => CsvIssue::NameTooLong {
                            max: crate::users::FULL_NAME_MAX_CHARS,
                        },
                    };
                    report(name_column, issue);
                })
                .ok()
        });
        let email_cell = self.cell(record, Column::Email).trim();
        let email = if email_cell.is_empty() {
            report(Column::Email, CsvIssue::EmailMissing);
            None
        } else {
            normalise_email(email_cell)
                .map_err(|_| {
                    report(
                        Column::Email,
                        CsvIssue::EmailInvalid {
                            email: email_cell.to_string(),
                        },
                    );
                })
                .ok()
        };
        // A row without a name takes it from the email, as an invitation does.
        let full_name = match given_name {
            Some(checked) => checked,
            None => email.as_deref().map(name_from_email),
        };
        let role_cell = self.cell(record, Column::Role).trim();
        let role = if role_cell.is_empty() {
            report(Column::Role, CsvIssue::RoleMissing);
            None
        } else {
            role_of(role_cell)
                .ok_or_else(|| {
                    report(
                        Column::Role,
                        CsvIssue::UnknownRole {
                            role: role_cell.to_string(),
                        },
                    );
                })
                .ok()
        };
        let groups = self
            .cell(record, Column::Groups)
            .split('|')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect();
        let metadata = metadata_of(self.cell(record, Column::Metadata))
            .map_err(|issue| report(Column::Metadata, issue))
            .ok();
        FileRow {
            row,
            full_name,
            email,
            role,
            groups,
            metadata,
        }
    }
}

/// Roles as people write them in a spreadsheet: the labels, "End User" as ToolJet spells
/// it, or the keys, in any case.
fn role_of(cell: &str) -> Option<Role> {
    let spelled = cell.to_lowercase().replace(' ', "-");
    Role::ALL
        .into_iter()
        .find(|role| role.key() == spelled || role.label().to_lowercase() == spelled)
}

/// The longest Metadata cell read: twice what a member's metadata may hold in all, which
/// leaves room for keys, quotes and escapes.
pub const METADATA_CELL_MAX_CHARS: usize = 2 * crate::metadata::TOTAL_MAX_CHARS;

/// A Metadata cell: empty, or an object of text values, in JSON or in the single-quoted
/// form ToolJet's documentation shows (`{'key1': 'value1'}`), which JSON5 reads.
///
/// The JSON5 parser descends once per level of nesting, so a cell of a few hundred
/// thousand `[` would overflow the stack of the thread reading it. Metadata is flat, so
/// anything nested is refused before the parser sees it.
fn metadata_of(cell: &str) -> Result<BTreeMap<String, String>, CsvIssue> {
    if cell.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    if cell.chars().count() > METADATA_CELL_MAX_CHARS {
        return Err(CsvIssue::MetadataCellTooLong {
            max: METADATA_CELL_MAX_CHARS,
        });
    }
    if !is_one_level_deep(cell) {
        return Err(CsvIssue::MetadataUnreadable);
    }
    let value: serde_json::Value =
        json5::from_str(cell).map_err(|_| CsvIssue::MetadataUnreadable)?;
    let serde_json::Value::Object(object) = value else {
        return Err(CsvIssue::MetadataUnreadable);
    };
    let edits = object
        .into_iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(value) => Ok(crate::metadata::MetadataEdit {
                key,
                value: Some(value),
                renamed_from: None,
            }),
            _ => Err(CsvIssue::MetadataValueNotText { key }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::metadata::apply_edits(&BTreeMap::new(), &edits).map_err(|error| {
        CsvIssue::MetadataRejected {
            reason: error.to_string(),
        }
    })
}

/// Whether JSON5 text opens at most one bracket or brace at a time, reading it as JSON5
/// does: brackets inside strings and comments don't count. Text the reader can't finish
/// (an unterminated string or comment) doesn't pass either, so the parser only ever sees
/// text whose nesting was counted.
fn is_one_level_deep(text: &str) -> bool {
    enum Inside {
        Code,
        Text { quote: char, escaped: bool },
        LineComment,
        BlockComment { star: bool },
    }
    let mut inside = Inside::Code;
    let mut depth = 0usize;
    let mut characters = text.chars().peekable();
    while let Some(c) = characters.next() {
        inside = match inside {
            Inside::Code => match c {
                '"' | '\'' => Inside::Text {
                    quote: c,
                    escaped: false,
                },
                '/' if characters.peek() == Some(&'/') => {
                    characters.next();
                    Inside::LineComment
                }
                '/' if characters.peek() == Some(&'*') => {
                    characters.next();
                    Inside::BlockComment { star: false }
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > 1 {
                        return false;
                    }
                    Inside::Code
                }
                ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    Inside::Code
                }
                _ => Inside::Code,
            },
            Inside::Text { quote, escaped } => match c {
                _ if escaped => Inside::Text {
                    quote,
                    escaped: false,
                },
                '\\' => Inside::Text {
                    quote,
                    escaped: true,
                },
                _ if c == quote => Inside::Code,
                _ => Inside::Text { quote, escaped },
            },
            Inside::LineComment => match c {
                '\n' | '\r' | '\u{2028}' | '\u{2029}' => Inside::Code,
                _ => Inside::LineComment,
            },
            Inside::BlockComment { star } => match c {
                '/' if star => Inside::Code,
                _ => Inside::BlockComment { star: c == '*' },
            },
        };
    }
    matches!(inside, Inside::Code | Inside::LineComment)
}

/// What [`check`] needs to know about the workspace, looked up for the file's emails and
/// group names only.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Custom groups by the key of their name ([`crate::permissions::changes::name_key`]).
    pub groups: HashMap<String, GroupFacts>,
    /// Emails of this workspace's members, whatever their status.
    pub members: HashSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFacts {
    pub id: i64,
    pub name: String,
    /// Whether membership gives builder-level permissions, which end-users never hold.
    pub builder_level: bool,
}

/// Someone the file invites, once every check has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub group_ids: Vec<i64>,
    pub metadata: BTreeMap<String, String>,
}

/// Weighs the rows against the workspace and against each other. The invitees, or every
/// problem of the file, including those [`read`] found.
pub fn check(file: ReadFile, workspace: &Workspace) -> Result<Vec<Invitee>, Vec<CsvProblem>> {
    let ReadFile { rows, mut problems } = file;
    let mut first_row_of: HashMap<&str, u64> = HashMap::new();
    let mut invitees = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut report = |column: Column, issue: CsvIssue| {
            problems.push(CsvProblem {
                row: Some(row.row),
                column: Some(column),
                issue,
            });
        };
        if let Some(email) = &row.email {
            if let Some(&first_row) = first_row_of.get(email.as_str()) {
                report(
                    Column::Email,
                    CsvIssue::DuplicateEmail {
                        email: email.clone(),
                        first_row,
                    },
                );
            } else {
                first_row_of.insert(email, row.row);
            }
            // Other accounts (members elsewhere, archived in the instance) invite alike:
            // the file tells an admin nothing about other workspaces.
            if workspace.members.contains(email) {
                report(
                    Column::Email,
                    CsvIssue::AlreadyMember {
                        email: email.clone(),
                    },
                );
            }
        }
        let mut group_ids = Vec::with_capacity(row.groups.len());
        for name in &row.groups {
            let Some(group) = workspace
                .groups
                .get(&crate::permissions::changes::name_key(name))
            else {
                report(
                    Column::Groups,
                    CsvIssue::UnknownGroup { name: name.clone() },
                );
                continue;
            };
            if row.role == Some(Role::EndUser) && group.builder_level {
                report(
                    Column::Groups,
                    CsvIssue::EndUserInBuilderGroup {
                        group: group.name.clone(),
                    },
                );
            }
            if !group_ids.contains(&group.id) {
                group_ids.push(group.id);
            }
        }
        if let (Some(full_name), Some(email), Some(role), Some(metadata)) =
            (&row.full_name, &row.email, row.role, &row.metadata)
        {
            invitees.push(Invitee {
                full_name: full_name.clone(),
                email: email.clone(),
                role,
                group_ids,
                metadata: metadata.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok(invitees)
    } else {
        problems.sort_by_key(|problem| problem.row.unwrap_or(0));
        Err(problems)
    }
}

/// The first [`MAX_LISTED_PROBLEMS`] problems, and how many there were in all.
pub fn first_problems(mut problems: Vec<CsvProblem>) -> (Vec<CsvProblem>, usize) {
    let total = problems.len();
    problems.truncate(MAX_LISTED_PROBLEMS);
    (problems, total)
}
