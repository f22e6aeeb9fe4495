//! Bulk invite from a CSV file (SPEC §5): every row is checked before anything is
//! written, every problem is reported at once, and the file is imported whole or not at
//! all.

#[cfg(feature = "csv-import")]
pub mod csv_file;
#[cfg(feature = "ssr")]
pub mod operations;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(all(test, feature = "csv-import"))]
mod tests;
mod upload_panel;

pub(super) use upload_panel::UploadPanel;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

use crate::error::AppError;

/// The largest file accepted: 1 MiB.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The most data rows (people) one file may hold, unless `GATEHOUSE_BULK_INVITE_MAX_ROWS`
/// sets another limit.
pub const MAX_ROWS: usize = 500;
/// Problems listed in one answer; a file with more says how many it has in all.
pub const MAX_LISTED_PROBLEMS: usize = 1_000;

/// Where the server serves [`SAMPLE_CSV`].
pub const SAMPLE_CSV_PATH: &str = "/users-sample.csv";

/// The file "Download sample CSV" gives: the columns, and one row with metadata in the
/// single-quoted form ToolJet's documentation uses.
pub const SAMPLE_CSV: &str = "Full Name,Email,Role,Groups,Metadata
Jane Doe,jane.doe@example.com,Builder,,
John Smith,john.smith@example.com,End-user,,\"{'department': 'Sales', 'region': 'EMEA'}\"
";

/// A column of the file. Headers match without regard to case or surrounding spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    FullName,
    FirstName,
    LastName,
    Email,
    Role,
    Groups,
    Metadata,
}

impl Column {
    pub const ALL: [Column; 7] = [
        Column::FullName,
        Column::FirstName,
        Column::LastName,
        Column::Email,
        Column::Role,
        Column::Groups,
        Column::Metadata,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Column::FullName => "Full Name",
            Column::FirstName => "First Name",
            Column::LastName => "Last Name",
            Column::Email => "Email",
            Column::Role => "Role",
            Column::Groups => "Groups",
            Column::Metadata => "Metadata",
        }
    }

    /// A header cell's column; ToolJet's own headers "User Role" and "Group" count too.
    pub fn from_header(header: &str) -> Option<Column> {
        let header = header.trim().to_lowercase();
        match header.as_str() {
            "user role" => Some(Column::Role),
            "group" => Some(Column::Groups),
            _ => Column::ALL
                .into_iter()
                .find(|column| column.label().to_lowercase() == header),
        }
    }
}

/// What can be wrong with a file or one of its cells. Each has one message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CsvIssue {
    #[error("The file is larger than 1 MiB. Split it into smaller files.")]
    FileTooLarge,
    #[error("The file has more than {max} people. Split it into files of {max} rows at most.")]
    TooManyRows { max: usize },
    #[error("The file isn't UTF-8 text. Save it as \"CSV UTF-8\".")]
    NotUtf8,
    #[error("The file can't be read as CSV: {detail}.")]
    Unreadable { detail: String },
    #[error("The file is empty. It needs a header row: Full Name,Email,Role,Groups,Metadata.")]
    Empty,
    #[error("The file has a header but nobody to invite.")]
    NoRows,
    #[error(
        "Unknown columns: {names}. The columns are Full Name (or First Name and Last Name), Email, Role, Groups and Metadata."
    )]
    UnknownColumns { names: String },
    #[error("This column appears more than once.")]
    DuplicateColumn,
    #[error("The file needs this column.")]
    MissingColumn,
    #[error("Use either Full Name or First Name and Last Name, not both.")]
    BothNameForms,
    #[error("This row has {found} fields, but the header has {expected}.")]
    WrongFieldCount { found: usize, expected: usize },
    #[error("The name can be at most {max} characters long.")]
    NameTooLong { max: usize },
    #[error("A name can't contain a web address, an email address or a domain name.")]
    NameNotPlain,
    #[error("Enter an email address.")]
    EmailMissing,
    #[error("\"{email}\" isn't a valid email address.")]
    EmailInvalid { email: String },
    #[error("Enter a role: Admin, Builder or End-user.")]
    RoleMissing,
    #[error("\"{role}\" isn't a role. Use Admin, Builder or End-user.")]
    UnknownRole { role: String },
    #[error("There is no custom group named \"{name}\" in this workspace.")]
    UnknownGroup { name: String },
    #[error("\"{group}\" gives builder permissions, which End-users can't have.")]
    EndUserInBuilderGroup { group: String },
    #[error("Metadata must be an object of text values, like {{\"department\": \"Sales\"}}.")]
    MetadataUnreadable,
    #[error("The metadata cell is longer than {max} characters.")]
    MetadataCellTooLong { max: usize },
    #[error("The metadata value of \"{key}\" must be text.")]
    MetadataValueNotText { key: String },
    #[error("{reason}")]
    MetadataRejected { reason: String },
    #[error("{email} appears more than once in the file, first in row {first_row}.")]
    DuplicateEmail { email: String, first_row: u64 },
    #[error("{email} is already a member of this workspace.")]
    AlreadyMember { email: String },
}

/// One problem, where it is: a row as a spreadsheet numbers it (the header is row 1) and
/// a column, or neither when it concerns the whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvProblem {
    pub row: Option<u64>,
    pub column: Option<Column>,
    pub issue: CsvIssue,
}

impl CsvProblem {
    pub fn of_file(issue: CsvIssue) -> CsvProblem {
        CsvProblem {
            row: None,
            column: None,
            issue,
        }
    }

    pub fn of_column(column: Column, issue: CsvIssue) -> CsvProblem {
        CsvProblem {
            row: None,
            column: Some(column),
            issue,
        }
    }
}

/// What an import did, or with `dry_run` would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvImport {
    pub invited: usize,
    pub dry_run: bool,
    /// Whether the invitation mails were queued; when not, the links can still be copied
    /// from the Users page.
    pub mails_queued: bool,
}

/// Invites everyone in a CSV file, or with `dry_run` only checks it. A file with any
/// problem is refused with every problem ([`AppError::CsvRejected`]) and changes nothing.
#[server(endpoint = "users/import-csv", input = Json)]
pub async fn import_csv(slug: String, csv: String, dry_run: bool) -> Result<CsvImport, AppError> {
    let (actor, state) = crate::access::session_actor(&slug).await?;
    operations::import(&state, &actor, &csv, dry_run).await
}
