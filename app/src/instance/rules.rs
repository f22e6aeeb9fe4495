//! The instance's rules, as pure functions: who may stop being a super admin, who may be
//! archived or unarchived, and which workspace URLs are allowed.

use super::AccountStatus;
use crate::error::AppError;
use crate::workspaces::RESERVED_SLUGS;

/// The longest workspace URL a super admin may choose.
pub const WORKSPACE_URL_MAX_CHARS: usize = 40;

/// The last super admin who can still sign in keeps the role: otherwise nobody could
/// manage the instance.
pub fn check_super_admin_change(
    is_super_admin: bool,
    make_super_admin: bool,
    active_super_admins: i64,
) -> Result<(), AppError> {
    if is_super_admin && !make_super_admin && active_super_admins <= 1 {
        Err(AppError::LastSuperAdmin)
    } else {
        Ok(())
    }
}

pub fn check_archive(actor_id: i64, user_id: i64, status: AccountStatus) -> Result<(), AppError> {
    if actor_id == user_id {
        Err(AppError::CannotArchiveYourself)
    } else if status == AccountStatus::Archived {
        Err(AppError::AlreadyArchivedInInstance)
    } else {
        Ok(())
    }
}

/// Unarchiving gives back the account, not the memberships: a user who had chosen a
/// password is active again, one who never accepted an invitation is invited again.
pub fn status_after_unarchive(
    status: AccountStatus,
    has_password: bool,
) -> Result<AccountStatus, AppError> {
    match (status, has_password) {
        (AccountStatus::Archived, true) => Ok(AccountStatus::Active),
        (AccountStatus::Archived, false) => Ok(AccountStatus::Invited),
        _ => Err(AppError::NotArchivedInInstance),
    }
}

pub fn check_workspace_archive(archived: bool, archive: bool) -> Result<(), AppError> {
    match (archived, archive) {
        (true, true) => Err(AppError::WorkspaceAlreadyArchived),
        (false, false) => Err(AppError::WorkspaceNotArchived),
        _ => Ok(()),
    }
}

/// A URL a super admin typed for a new workspace: lower-case ASCII letters and digits in
/// words joined by single hyphens, and not a path Gatehouse uses itself.
pub fn check_workspace_url(input: &str) -> Result<String, AppError> {
    let slug = input.trim();
    let well_formed = !slug.is_empty()
        && slug.len() <= WORKSPACE_URL_MAX_CHARS
        && slug.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !well_formed {
        Err(AppError::WorkspaceUrlInvalid {
            max: WORKSPACE_URL_MAX_CHARS,
        })
    } else if RESERVED_SLUGS.contains(&slug) {
        Err(AppError::WorkspaceUrlTaken {
            slug: slug.to_string(),
        })
    } else {
        Ok(slug.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountStatus::*;

    #[test]
    fn the_last_super_admin_keeps_the_role() {
        let cases = [
            // (is super admin, made super admin, active super admins, expected)
            (true, false, 1, Err(AppError::LastSuperAdmin)),
            (true, false, 0, Err(AppError::LastSuperAdmin)),
            (true, false, 2, Ok(())),
            (true, true, 1, Ok(())),
            (false, true, 1, Ok(())),
            (false, false, 1, Ok(())),
        ];
        for (is, make, count, expected) in cases {
            assert_eq!(
                check_super_admin_change(is, make, count),
                expected,
                "{is} → {make} with {count}"
            );
        }
    }

    #[test]
    fn nobody_archives_themselves_or_an_archived_user() {
        assert_eq!(
            check_archive(1, 1, Active),
            Err(AppError::CannotArchiveYourself)
        );
        assert_eq!(
            check_archive(1, 2, Archived),
            Err(AppError::AlreadyArchivedInInstance)
        );
        assert_eq!(check_archive(1, 2, Active), Ok(()));
        assert_eq!(check_archive(1, 2, Invited), Ok(()));
    }

    #[test]
    fn unarchiving_restores_the_account_as_it_was_set_up() {
        assert_eq!(status_after_unarchive(Archived, true), Ok(Active));
        assert_eq!(status_after_unarchive(Archived, false), Ok(Invited));
        for status in [Active, Invited] {
            assert_eq!(
                status_after_unarchive(status, true),
                Err(AppError::NotArchivedInInstance)
            );
        }
    }

    #[test]
    fn workspaces_are_archived_once_and_unarchived_once() {
        assert_eq!(check_workspace_archive(false, true), Ok(()));
        assert_eq!(check_workspace_archive(true, false), Ok(()));
        assert_eq!(
            check_workspace_archive(true, true),
            Err(AppError::WorkspaceAlreadyArchived)
        );
        assert_eq!(
            check_workspace_archive(false, false),
            Err(AppError::WorkspaceNotArchived)
        );
    }

    #[test]
    fn workspace_urls_are_hyphenated_lower_case_words() {
        for good in ["support", "support-desk", "team-42", " emea-2 "] {
            assert_eq!(check_workspace_url(good), Ok(good.trim().to_string()));
        }
        let invalid = Err(AppError::WorkspaceUrlInvalid { max: 40 });
        for bad in [
            "",
            "Support",
            "support desk",
            "-support",
            "support-",
            "support--desk",
            "süpport",
            "a/b",
            &"a".repeat(41),
        ] {
            assert_eq!(check_workspace_url(bad), invalid, "{bad:?}");
        }
        assert_eq!(
            check_workspace_url("settings"),
            Err(AppError::WorkspaceUrlTaken {
                slug: "settings".into()
            })
        );
    }
}
