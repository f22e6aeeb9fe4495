//! The reader and the checks over a table of files.

use std::collections::BTreeMap;

use super::csv_file::{GroupFacts, Invitee, Workspace, check, read};
use super::{Column, CsvIssue, CsvProblem, MAX_FILE_BYTES, MAX_ROWS, SAMPLE_CSV};
use crate::memberships::Role;

fn workspace() -> Workspace {
    let mut workspace = Workspace::default();
    for (id, name, builder_level) in [(10, "Engineering", true), (11, "Support", false)] {
        workspace.groups.insert(
            name.to_lowercase(),
            GroupFacts {
                id,
                name: name.into(),
                builder_level,
            },
        );
    }
    workspace.members.insert("member@example.com".into());
    workspace
}

fn import(text: &str) -> Result<Vec<Invitee>, Vec<CsvProblem>> {
    check(read(text.as_bytes(), MAX_ROWS), &workspace())
}

/// A problem as the tables below write it: (row, column, issue).
type Located = (Option<u64>, Option<Column>, CsvIssue);

fn problems_of(text: &str) -> Vec<Located> {
    match import(text) {
        Ok(invitees) => panic!("expected problems, got {invitees:?}"),
        Err(problems) => problems
            .into_iter()
            .map(|problem| (problem.row, problem.column, problem.issue))
            .collect(),
    }
}

fn invitees_of(text: &str) -> Vec<Invitee> {
    import(text).unwrap_or_else(|problems| panic!("unexpected problems: {problems:?}"))
}

fn metadata(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

#[test]
fn the_sample_file_imports_as_it_is() {
    let invitees = invitees_of(SAMPLE_CSV);
    assert_eq!(
        invitees,
        vec![
            Invitee {
                full_name: "Jane Doe".into(),
                email: "jane.doe@example.com".into(),
                role: Role::Builder,
                group_ids: vec![],
                metadata: BTreeMap::new(),
            },
            Invitee {
                full_name: "John Smith".into(),
                email: "john.smith@example.com".into(),
                role: Role::EndUser,
                group_ids: vec![],
                metadata: metadata(&[("department", "Sales"), ("region", "EMEA")]),
            },
        ]
    );
}

#[test]
fn rows_without_a_name_take_it_from_the_email() {
    let with_blank_names = "Full Name,Email,Role\n,ada.lovelace@example.com,Builder\n";
    let without_a_name_column = "Email,Role\ngrace_hopper@example.com,End-user\n";
    let names = |text: &str| {
        invitees_of(text)
            .into_iter()
            .map(|invitee| invitee.full_name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(with_blank_names), ["Ada Lovelace"]);
    assert_eq!(names(without_a_name_column), ["Grace Hopper"]);
}

#[test]
fn accepted_spellings_and_layouts() {
    let cases: &[(&str, &str, Invitee)] = &[
        (
            "a byte order mark and columns in another order, any case",
            "\u{feff}EMAIL, role ,FULL NAME\nAda@Example.com,admin,  Ada   Lovelace \n",
            Invitee {
                full_name: "Ada Lovelace".into(),
                email: "ada@example.com".into(),
                role: Role::Admin,
                group_ids: vec![],
                metadata: BTreeMap::new(),
            },
        ),
        (
            "ToolJet's headers: first and last name, User Role, Group",
            "First Name,Last Name,Email,User Role,Group\nGrace,Hopper,grace@example.com,End User,Support\n",
            Invitee {
                full_name: "Grace Hopper".into(),
                email: "grace@example.com".into(),
                role: Role::EndUser,
                group_ids: vec![11],
                metadata: BTreeMap::new(),
            },
        ),
        (
            "a last name alone is a name",
            "First Name,Last Name,Email,Role\n,Hopper,grace@example.com,builder\n",
            Invitee {
                full_name: "Hopper".into(),
                email: "grace@example.com".into(),
                role: Role::Builder,
                group_ids: vec![],
                metadata: BTreeMap::new(),
            },
        ),
        (
            "quoted fields with commas, quotes and line breaks; groups by any case, repeated",
            "Full Name,Email,Role,Groups,Metadata\n\"Hopper,\nGrace \"\"Amazing\"\"\",grace@example.com,Builder,\"engineering | Support|Engineering\",\"{\"\"note\"\": \"\"one, two\"\"}\"\n",
            Invitee {
                full_name: "Hopper, Grace \"Amazing\"".into(),
                email: "grace@example.com".into(),
                role: Role::Builder,
                group_ids: vec![10, 11],
                metadata: metadata(&[("note", "one, two")]),
            },
        ),
        (
            "single-quoted metadata, as in ToolJet's documentation",
            "Full Name,Email,Role,Metadata\nAda,ada@example.com,End-user,\"{'key1': 'value1', 'key2': 'value2'}\"\n",
            Invitee {
                full_name: "Ada".into(),
                email: "ada@example.com".into(),
                role: Role::EndUser,
                group_ids: vec![],
                metadata: metadata(&[("key1", "value1"), ("key2", "value2")]),
            },
        ),
        (
            "a cell that looks like a spreadsheet formula is only text",
            "Full Name,Email,Role,Metadata\n\"=CONCAT(\"\"Ada\"\")\",ada@example.com,Builder,\"{'note': '@SUM(A1:A2)'}\"\n",
            Invitee {
                full_name: "=CONCAT(\"Ada\")".into(),
                email: "ada@example.com".into(),
                role: Role::Builder,
                group_ids: vec![],
                metadata: metadata(&[("note", "@SUM(A1:A2)")]),
            },
        ),
        (
            "blank lines and CRLF line ends",
            "Full Name,Email,Role\r\n\r\nAda,ada@example.com,Builder\r\n,,\r\n",
            Invitee {
                full_name: "Ada".into(),
                email: "ada@example.com".into(),
                role: Role::Builder,
                group_ids: vec![],
                metadata: BTreeMap::new(),
            },
        ),
    ];
    for (case, text, expected) in cases {
        assert_eq!(&invitees_of(text), &vec![expected.clone()], "{case}");
    }
}

#[test]
fn every_kind_of_problem_is_reported_where_it_is() {
    use Column::*;
    let header = "Full Name,Email,Role,Groups,Metadata\n";
    let cases: Vec<(&str, String, Vec<Located>)> = vec![
        (
            "an empty file",
            String::new(),
            vec![(None, None, CsvIssue::Empty)],
        ),
        (
            "a header and nobody",
            header.to_string(),
            vec![(None, None, CsvIssue::NoRows)],
        ),
        (
            "unknown columns, named",
            "Full Name,Email,Role,Phone,Team\n".to_string(),
            vec![(
                None,
                None,
                CsvIssue::UnknownColumns {
                    names: "Phone, Team".into(),
                },
            )],
        ),
        (
            "a column twice, a missing column, both name forms",
            "Full Name,First Name,Email,Email\n".to_string(),
            vec![
                (None, Some(Email), CsvIssue::DuplicateColumn),
                (None, None, CsvIssue::BothNameForms),
                (None, Some(Role), CsvIssue::MissingColumn),
            ],
        ),
        (
            "first name without last name",
            "First Name,Email,Role\n".to_string(),
            vec![(None, Some(LastName), CsvIssue::MissingColumn)],
        ),
        (
            "a row with too few fields",
            format!("{header}Ada,ada@example.com\n"),
            vec![(
                Some(2),
                None,
                CsvIssue::WrongFieldCount {
                    found: 2,
                    expected: 5,
                },
            )],
        ),
        (
            "a row of empty cells only is a blank line",
            format!("{header},,,,\n"),
            vec![(None, None, CsvIssue::NoRows)],
        ),
        (
            "missing email and role in a row with something in it",
            format!("{header} , , ,Support,\n"),
            vec![
                (Some(2), Some(Email), CsvIssue::EmailMissing),
                (Some(2), Some(Role), CsvIssue::RoleMissing),
            ],
        ),
        (
            "a name too long, a malformed email, an unknown role",
            format!("{header}{},ada(at)example.com,Owner,,\n", "A".repeat(101)),
            vec![
                (Some(2), Some(FullName), CsvIssue::NameTooLong { max: 100 }),
                (
                    Some(2),
                    Some(Email),
                    CsvIssue::EmailInvalid {
                        email: "ada(at)example.com".into(),
                    },
                ),
                (
                    Some(2),
                    Some(Role),
                    CsvIssue::UnknownRole {
                        role: "Owner".into(),
                    },
                ),
            ],
        ),
        (
            "an unknown group, a role used as a group, an end-user in a builder-level group",
            format!("{header}Ada,ada@example.com,End-user,Sales|Admin|Engineering,\n"),
            vec![
                (
                    Some(2),
                    Some(Groups),
                    CsvIssue::UnknownGroup {
                        name: "Sales".into(),
                    },
                ),
                (
                    Some(2),
                    Some(Groups),
                    CsvIssue::UnknownGroup {
                        name: "Admin".into(),
                    },
                ),
                (
                    Some(2),
                    Some(Groups),
                    CsvIssue::EndUserInBuilderGroup {
                        group: "Engineering".into(),
                    },
                ),
            ],
        ),
        (
            "metadata that isn't an object, isn't JSON, has a number, breaks a limit",
            format!(
                "{header}A,a@example.com,Builder,,\"[1]\"\nB,b@example.com,Builder,,{{oops\nC,c@example.com,Builder,,\"{{'age': 3}}\"\nD,d@example.com,Builder,,\"{{'k': '{}'}}\"\n",
                "v".repeat(2001)
            ),
            vec![
                (Some(2), Some(Metadata), CsvIssue::MetadataUnreadable),
                (Some(3), Some(Metadata), CsvIssue::MetadataUnreadable),
                (
                    Some(4),
                    Some(Metadata),
                    CsvIssue::MetadataValueNotText { key: "age".into() },
                ),
                (
                    Some(5),
                    Some(Metadata),
                    CsvIssue::MetadataRejected {
                        reason: "The value of \"k\" is longer than 2000 characters.".into(),
                    },
                ),
            ],
        ),
        (
            "the same email twice, a member already",
            format!(
                "{header}A,a@example.com,Builder,,\nA again,A@Example.com,Builder,,\nM,member@example.com,Builder,,\n"
            ),
            vec![
                (
                    Some(3),
                    Some(Email),
                    CsvIssue::DuplicateEmail {
                        email: "a@example.com".into(),
                        first_row: 2,
                    },
                ),
                (
                    Some(4),
                    Some(Email),
                    CsvIssue::AlreadyMember {
                        email: "member@example.com".into(),
                    },
                ),
            ],
        ),
        (
            "a name that carries a web address",
            format!("{header}Visit evil.example,v@example.com,Builder,,\n"),
            vec![(Some(2), Some(FullName), CsvIssue::NameNotPlain)],
        ),
        (
            "an unterminated quote swallows the rest of the file into one cell",
            format!(
                "{header}Ada,ada@example.com,Builder,,\"{{'a': 'b'}}\nBob,bob@example.com,Builder,,\n"
            ),
            vec![(Some(2), Some(Metadata), CsvIssue::MetadataUnreadable)],
        ),
    ];
    for (case, text, expected) in cases {
        assert_eq!(problems_of(&text), expected, "{case}");
    }
}

#[test]
fn several_rows_with_problems_are_all_reported_in_row_order() {
    let text = "Full Name,Email,Role,Groups\n\
                \"Ada\nLovelace\",ada@example.com,Builder,\n\
                example.com,bob@example.com,Builder,\n\
                Cy,cy@,Builder,\n\
                Di,di@example.com,Boss,Nobody\n";
    let located: Vec<_> = problems_of(text)
        .into_iter()
        .map(|(row, column, _)| (row, column))
        .collect();
    assert_eq!(
        located,
        vec![
            (Some(3), Some(Column::FullName)),
            (Some(4), Some(Column::Email)),
            (Some(5), Some(Column::Role)),
            (Some(5), Some(Column::Groups)),
        ]
    );
}

fn rows(count: usize) -> String {
    let mut text = String::from("Full Name,Email,Role\n");
    for n in 0..count {
        text.push_str(&format!("Person {n},person{n}@example.com,End-user\n"));
    }
    text
}

#[test]
fn the_row_limit_is_500_people() {
    assert_eq!(invitees_of(&rows(MAX_ROWS)).len(), MAX_ROWS);
    assert_eq!(
        problems_of(&rows(MAX_ROWS + 1)),
        vec![(None, None, CsvIssue::TooManyRows { max: 500 })]
    );
    assert_eq!(
        CsvIssue::TooManyRows { max: 500 }.to_string(),
        "The file has more than 500 people. Split it into files of 500 rows at most."
    );
}

#[test]
fn files_over_1_mib_are_refused_unread() {
    let mut text = rows(1).into_bytes();
    text.resize(MAX_FILE_BYTES + 1, b' ');
    assert_eq!(
        check(read(&text, MAX_ROWS), &workspace()),
        Err(vec![CsvProblem::of_file(CsvIssue::FileTooLarge)])
    );
    assert!(CsvIssue::FileTooLarge.to_string().contains("1 MiB"));
}

#[test]
fn text_that_isnt_utf8_is_refused() {
    let latin1 = b"Full Name,Email,Role\nJos\xe9,jose@example.com,Builder\n";
    assert_eq!(
        read(latin1, MAX_ROWS).problems,
        vec![CsvProblem::of_file(CsvIssue::NotUtf8)]
    );
}

#[test]
fn nested_metadata_is_refused_before_it_is_parsed() {
    let cell = |metadata: &str| {
        format!(
            "Full Name,Email,Role,Metadata\nAda,ada@example.com,Builder,\"{}\"\n",
            metadata.replace('"', "\"\"")
        )
    };
    // Deep enough to overflow any thread's stack in a recursive parser.
    for nested in [
        "[".repeat(300_000),
        "{'a': ".repeat(60_000),
        "{'a': {'b': 'c'}}".to_string(),
        "{'a': ['b']}".to_string(),
        "[{}]".to_string(),
        "{'a': 'b'} /* unterminated".to_string(),
        "{'a': 'unterminated}".to_string(),
    ] {
        assert_eq!(
            problems_of(&cell(&nested)),
            vec![(
                Some(2),
                Some(Column::Metadata),
                CsvIssue::MetadataUnreadable
            )],
            "{}",
            &nested[..nested.len().min(40)]
        );
    }
    // Brackets inside text and comments are only text.
    let flat = [
        ("{'note': '[[[{{{'}", "[[[{{{"),
        ("{\"note\": \"]]\\\" [[\"}", "]]\" [["),
        ("{'note': 'x'} // [[[[", "x"),
        ("/* {{{{ */ {'note': 'x'}", "x"),
    ];
    for (metadata_cell, value) in flat {
        let invitees = invitees_of(&cell(metadata_cell));
        assert_eq!(
            invitees[0].metadata,
            metadata(&[("note", value)]),
            "{metadata_cell}"
        );
    }
}

#[test]
fn a_metadata_cell_longer_than_its_limit_is_refused_unparsed() {
    let long_value = "x".repeat(super::csv_file::METADATA_CELL_MAX_CHARS);
    let text = format!(
        "Full Name,Email,Role,Metadata\nAda,ada@example.com,Builder,\"{{'k': '{long_value}'}}\"\n"
    );
    assert_eq!(
        problems_of(&text),
        vec![(
            Some(2),
            Some(Column::Metadata),
            CsvIssue::MetadataCellTooLong { max: 400_000 }
        )]
    );
}

#[test]
fn rows_with_the_wrong_number_of_fields_count_toward_the_row_limit() {
    let mut text = String::from("Full Name,Email,Role\n");
    for n in 0..=MAX_ROWS {
        text.push_str(&format!("Person {n},person{n}@example.com\n"));
    }
    assert_eq!(
        problems_of(&text),
        vec![(None, None, CsvIssue::TooManyRows { max: 500 })]
    );
}

#[test]
fn a_file_with_more_problems_than_are_listed_says_how_many() {
    let mut text = String::from("Full Name,Email,Role,Groups,Metadata\n");
    for n in 0..MAX_ROWS {
        text.push_str(&format!("Person {n},person{n}@,Boss,Nobody,[]\n"));
    }
    let problems = problems_of(&text);
    assert_eq!(problems.len(), 4 * MAX_ROWS);
    let problems: Vec<CsvProblem> = problems
        .into_iter()
        .map(|(row, column, issue)| CsvProblem { row, column, issue })
        .collect();
    let (listed, total) = super::csv_file::first_problems(problems);
    assert_eq!((listed.len(), total), (super::MAX_LISTED_PROBLEMS, 2_000));
    assert_eq!(
        crate::error::AppError::CsvRejected {
            problems: listed,
            total
        }
        .to_string(),
        "The file has 2000 problems, so nobody was invited. Fix them and upload the file again. \
         The first 1000 are listed."
    );
}
