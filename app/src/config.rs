//! Configuration, read once at start from environment variables (all listed in the README).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

#[derive(Debug, Clone)]
pub struct Config {
    /// Secret: a PostgreSQL URL may carry a password.
    pub database_url: SecretString,
    pub database_max_connections: u32,
    pub data_dir: PathBuf,
    pub listen_addr: SocketAddr,
    /// Where people reach Gatehouse. Links in mail are built from it, never from a
    /// request's Host header, and an https URL makes cookies Secure.
    pub public_url: Url,
    pub session_ttl: Duration,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy: bool,
    pub sign_in_limits: SignInLimits,
    /// REST API requests one access token may make a minute, on each server instance.
    pub api_requests_per_minute: u32,
    /// People one CSV file may invite.
    pub bulk_invite_max_rows: usize,
    pub bootstrap_admin: Option<BootstrapAdmin>,
    /// How long an invitation link works.
    pub invite_ttl: Duration,
    /// Secret: may carry the SMTP password. Without it, mail is held in the outbox.
    pub smtp_url: Option<SecretString>,
    pub mail_from: lettre::message::Mailbox,
    /// Seals new metadata values (64 hex characters). Without it, the key file is used,
    /// generated at first start.
    pub master_key: Option<SecretString>,
    /// Where the master keys are kept when `master_key` isn't set.
    pub master_key_file: PathBuf,
    /// Earlier master keys, kept to open values sealed before a rotation.
    pub previous_master_keys: Vec<SecretString>,
}

/// Password checks allowed within [`SignInLimits::WINDOW`] before further attempts wait:
/// per email from one client address, and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_email_and_address: u32,
    pub per_address: u32,
}

impl SignInLimits {
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
}

/// The first account, created at start on an empty instance, for automated installs.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub email: String,
    pub password: SecretString,
    pub full_name: String,
    pub workspace_name: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("GATEHOUSE_ADMIN_EMAIL and GATEHOUSE_ADMIN_PASSWORD must be set together")]
    IncompleteBootstrapAdmin,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
    }

    /// Builds the configuration from any source of variables; `lookup` returns `None` for
    /// an unset variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let data_dir = PathBuf::from(lookup("GATEHOUSE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("gatehouse.db").display()
            )
        });
        let listen_addr: SocketAddr = parse(&lookup, "GATEHOUSE_LISTEN_ADDR", "127.0.0.1:3000")?;
        let public_url = match lookup("GATEHOUSE_PUBLIC_URL") {
            Some(value) => value,
            None if listen_addr.ip().is_unspecified() => {
                return Err(ConfigError::Invalid {
                    name: "GATEHOUSE_PUBLIC_URL",
                    reason: format!(
                        "required when listening on all interfaces ({listen_addr}): \
                         set it to the address people use, such as https://gatehouse.example.com"
                    ),
                });
            }
            None => format!("http://{listen_addr}"),
        };
        let public_url = Url::parse(&public_url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
            .ok_or_else(|| ConfigError::Invalid {
                name: "GATEHOUSE_PUBLIC_URL",
                reason: "expected an http:// or https:// URL".into(),
            })?;
        let session_ttl = duration(&lookup, "GATEHOUSE_SESSION_TTL", "7d")?;
        let bootstrap_admin = match (
            lookup("GATEHOUSE_ADMIN_EMAIL"),
            lookup("GATEHOUSE_ADMIN_PASSWORD"),
        ) {
            (Some(email), Some(password)) => Some(BootstrapAdmin {
                email,
                password: password.into(),
                full_name: lookup("GATEHOUSE_ADMIN_NAME").unwrap_or_else(|| "Administrator".into()),
                workspace_name: lookup("GATEHOUSE_WORKSPACE")
                    .unwrap_or_else(|| "My workspace".into()),
            }),
            (None, None) => None,
            _ => return Err(ConfigError::IncompleteBootstrapAdmin),
        };
        let master_key_file = lookup("GATEHOUSE_MASTER_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("master.key"));
        Ok(Config {
            database_url: database_url.into(),
            database_max_connections: parse(&lookup, "GATEHOUSE_DATABASE_MAX_CONNECTIONS", "10")?,
            data_dir,
            listen_addr,
            public_url,
            session_ttl,
            trust_proxy: parse(&lookup, "GATEHOUSE_TRUST_PROXY", "false")?,
            sign_in_limits: SignInLimits {
                per_email_and_address: at_least_one(
                    &lookup,
                    "GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS",
                    "10",
                )?,
                per_address: at_least_one(&lookup, "GATEHOUSE_SIGN_IN_LIMIT_PER_ADDRESS", "100")?,
            },
            api_requests_per_minute: at_least_one(
                &lookup,
                "GATEHOUSE_API_REQUESTS_PER_MINUTE",
                "600",
            )?,
            bulk_invite_max_rows: at_least_one(
                &lookup,
                "GATEHOUSE_BULK_INVITE_MAX_ROWS",
                &crate::users::bulk_invite::MAX_ROWS.to_string(),
            )? as usize,
            bootstrap_admin,
            invite_ttl: duration(&lookup, "GATEHOUSE_INVITE_TTL", "7d")?,
            smtp_url: lookup("GATEHOUSE_SMTP_URL").map(SecretString::from),
            mail_from: parse(
                &lookup,
                "GATEHOUSE_MAIL_FROM",
                "Gatehouse <gatehouse@localhost>",
            )?,
            master_key: lookup("GATEHOUSE_MASTER_KEY").map(SecretString::from),
            master_key_file,
            previous_master_keys: lookup("GATEHOUSE_PREVIOUS_MASTER_KEYS")
                .map(|keys| {
                    keys.split(',')
                        .map(str::trim)
                        .filter(|key| !key.is_empty())
                        .map(|key| SecretString::from(key.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// Whether the master key file sits in the same directory as the SQLite database: a
    /// copy of that directory (a backup, say) then holds both the sealed values and the
    /// key that opens them.
    pub fn key_file_beside_database(&self) -> bool {
        use secrecy::ExposeSecret;
        if self.master_key.is_some() {
            return false;
        }
        let Some(database) = sqlite_file(self.database_url.expose_secret()) else {
            return false;
        };
        let directory = |path: &std::path::Path| {
            let parent = path.parent().unwrap_or(std::path::Path::new(""));
            let parent = if parent.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                parent
            };
            parent
                .canonicalize()
                .unwrap_or_else(|_| parent.to_path_buf())
        };
        directory(&database) == directory(&self.master_key_file)
    }
}

/// The file of a `sqlite:` URL, if it names one (not an in-memory database).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn parse<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let value = lookup(name).unwrap_or_else(|| default.to_string());
    value
        .trim()
        .parse()
        .map_err(|error: T::Err| ConfigError::Invalid {
            name,
            reason: error.to_string(),
        })
}

/// A limit of zero would lock everyone out.
fn at_least_one(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<u32, ConfigError> {
    match parse(lookup, name, default)? {
        0 => Err(ConfigError::Invalid {
            name,
            reason: "must be at least 1".into(),
        }),
        limit => Ok(limit),
    }
}

fn duration(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<Duration, ConfigError> {
    let value = lookup(name).unwrap_or_else(|| default.to_string());
    humantime::parse_duration(value.trim())
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| ConfigError::Invalid {
            name,
            reason: format!("expected a duration such as 12h or 7d, got {value:?}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_key_file_beside_the_database_is_noticed() {
        assert!(config(&[]).unwrap().key_file_beside_database());
        assert!(
            config(&[("GATEHOUSE_DATA_DIR", "/srv/gatehouse")])
                .unwrap()
                .key_file_beside_database()
        );
        let moved = config(&[("GATEHOUSE_MASTER_KEY_FILE", "/run/secrets/gatehouse.key")]).unwrap();
        assert!(!moved.key_file_beside_database());
        let from_environment = config(&[("GATEHOUSE_MASTER_KEY", &"ab".repeat(32))]).unwrap();
        assert!(!from_environment.key_file_beside_database());
        let postgres = config(&[("DATABASE_URL", "postgres://db.example/gatehouse")]).unwrap();
        assert!(!postgres.key_file_beside_database());
        let elsewhere =
            config(&[("DATABASE_URL", "sqlite:///var/lib/gatehouse/g.db?mode=rwc")]).unwrap();
        assert!(!elsewhere.key_file_beside_database());
    }

    #[test]
    fn defaults_serve_locally_with_sqlite_in_the_data_directory() {
        let config = config(&[]).unwrap();
        assert_eq!(
            config.database_url.expose_secret(),
            "sqlite://data/gatehouse.db?mode=rwc"
        );
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(config.session_ttl, Duration::from_secs(7 * 24 * 3600));
        assert!(!config.secure_cookies());
        assert!(!config.trust_proxy);
        assert!(config.bootstrap_admin.is_none());
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure() {
        let config = config(&[("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example.com")]).unwrap();
        assert!(config.secure_cookies());
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let error = config(&[("GATEHOUSE_SESSION_TTL", "forever")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("GATEHOUSE_SESSION_TTL is not valid")
        );
        let error = config(&[("GATEHOUSE_PUBLIC_URL", "ftp://x")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("GATEHOUSE_PUBLIC_URL is not valid")
        );
        let error = config(&[("GATEHOUSE_LISTEN_ADDR", "localhost")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("GATEHOUSE_LISTEN_ADDR is not valid")
        );
    }

    #[test]
    fn listening_on_all_interfaces_needs_a_public_url() {
        let error = config(&[("GATEHOUSE_LISTEN_ADDR", "0.0.0.0:3000")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("GATEHOUSE_PUBLIC_URL is not valid: required")
        );
        let config = config(&[
            ("GATEHOUSE_LISTEN_ADDR", "0.0.0.0:3000"),
            ("GATEHOUSE_PUBLIC_URL", "https://gatehouse.example.com"),
        ])
        .unwrap();
        assert_eq!(config.public_url.as_str(), "https://gatehouse.example.com/");
    }

    #[test]
    fn sign_in_limits_of_zero_are_refused() {
        let error = config(&[("GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS", "0")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "GATEHOUSE_SIGN_IN_LIMIT_PER_EMAIL_AND_ADDRESS is not valid: must be at least 1"
        );
    }

    #[test]
    fn the_database_url_never_appears_in_debug_output() {
        let config =
            config(&[("DATABASE_URL", "postgres://gatehouse:hunter2@db/gatehouse")]).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn invitations_last_a_week_and_mail_is_held_unless_smtp_is_set() {
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.invite_ttl, Duration::from_secs(7 * 24 * 3600));
        assert!(defaults.smtp_url.is_none());
        assert_eq!(defaults.mail_from.email.to_string(), "gatehouse@localhost");
        let custom = config(&[
            ("GATEHOUSE_INVITE_TTL", "12h"),
            (
                "GATEHOUSE_SMTP_URL",
                "smtp://mailer:secret@mail.example.com",
            ),
        ])
        .unwrap();
        assert_eq!(custom.invite_ttl, Duration::from_secs(12 * 3600));
        assert!(!format!("{custom:?}").contains("secret"));
        assert!(config(&[("GATEHOUSE_MAIL_FROM", "not an address")]).is_err());
    }

    #[test]
    fn master_keys_never_appear_in_debug_output() {
        let config = config(&[
            ("GATEHOUSE_MASTER_KEY", "aa11"),
            ("GATEHOUSE_PREVIOUS_MASTER_KEYS", "bb22, cc33"),
        ])
        .unwrap();
        assert_eq!(config.previous_master_keys.len(), 2);
        let debug = format!("{config:?}");
        for key in ["aa11", "bb22", "cc33"] {
            assert!(!debug.contains(key));
        }
    }

    #[test]
    fn the_bootstrap_admin_needs_both_email_and_password() {
        assert_eq!(
            config(&[("GATEHOUSE_ADMIN_EMAIL", "a@b.co")]).unwrap_err(),
            ConfigError::IncompleteBootstrapAdmin
        );
        let config = config(&[
            ("GATEHOUSE_ADMIN_EMAIL", "a@b.co"),
            ("GATEHOUSE_ADMIN_PASSWORD", "correct horse"),
        ])
        .unwrap();
        let admin = config.bootstrap_admin.unwrap();
        assert_eq!(admin.password.expose_secret(), "correct horse");
        assert_eq!(admin.workspace_name, "My workspace");
    }

    #[test]
    fn the_bootstrap_password_never_appears_in_debug_output() {
        let config = config(&[
            ("GATEHOUSE_ADMIN_EMAIL", "a@b.co"),
            ("GATEHOUSE_ADMIN_PASSWORD", "correct horse"),
        ])
        .unwrap();
        assert!(!format!("{config:?}").contains("correct horse"));
    }
}
