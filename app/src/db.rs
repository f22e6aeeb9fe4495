//! The database: one pool through sqlx's `Any` driver, so every query is written once
//! and runs on SQLite and on PostgreSQL.
//!
//! Portable SQL rules kept throughout: `$n` placeholders, times as BIGINT Unix seconds,
//! flags as INTEGER 0/1 (the `Any` driver can't decode SQLite booleans or PostgreSQL
//! timestamptz). Only the DDL differs, so each backend has its own migrations directory,
//! and the names of the JSON aggregate functions, which one query picks by backend.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, Transaction};

pub type Db = sqlx::AnyPool;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to: the one place that tells them apart, so the
    /// rest of the code asks what a backend does rather than what it is called.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The backend of a pool, as its URL chose it at connect.
    pub fn of_pool(db: &Db) -> Backend {
        Backend::of_url(db.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }

    /// Whether rows must be locked for changes to take turns. SQLite needs no row locks:
    /// [`begin_write`] takes the database's one write lock up front.
    pub fn locks_rows(self) -> bool {
        self == Backend::Postgres
    }

    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    fn migrations(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not prepare the database: {0}")]
    Prepare(#[source] sqlx::Error),
    #[error("could not run the database migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// How long a request waits for a connection before it is told the database can't be
/// reached. sqlx keeps trying to connect meanwhile, so while the database is down every
/// request waits this long: short, so that people and load balancers hear it quickly.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Opens a pool and brings the schema up to date.
pub async fn connect(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
    let backend = Backend::of_url(url).ok_or(ConnectError::UnsupportedUrl)?;
    install_default_drivers();
    let db = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect(url)
        .await
        .map_err(ConnectError::Connect)?;
    if backend == Backend::Sqlite {
        // Readers then never wait for the writer. The mode is stored in the file itself.
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&db)
            .await
            .map_err(ConnectError::Prepare)?;
    }
    backend
        .migrations()
        .run(&db)
        .await
        .map_err(ConnectError::Migrate)?;
    Ok(db)
}

/// Starts a transaction that is going to write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a transaction that reads first and writes later would otherwise
/// fail, rather than wait, when another writer got in between.
pub async fn begin_write(db: &Db) -> Result<Transaction<'static, Any>, sqlx::Error> {
    match Backend::of_pool(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => db.begin().await,
    }
}

/// Makes changes to one workspace's members take turns, so that two admins demoting each
/// other at once can't leave it without an active admin. `NO KEY UPDATE` leaves foreign
/// keys to the workspace free to be checked meanwhile. On SQLite, [`begin_write`]
/// already holds the database's write lock.
pub async fn lock_workspace(
    conn: &mut sqlx::AnyConnection,
    workspace_id: i64,
) -> Result<(), sqlx::Error> {
    if Backend::of(conn).locks_rows() {
        sqlx::query("SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE")
            .bind(workspace_id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Now, in the Unix seconds every table stores.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

/// Whether the database answers, within the time a load balancer's health check allows.
pub async fn ping(db: &Db) -> bool {
    let answer = tokio::time::timeout(ACQUIRE_TIMEOUT, sqlx::query("SELECT 1").execute(db));
    matches!(answer.await, Ok(Ok(_)))
}

/// What a database error means for the request that met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The transaction lost a race with another one (a deadlock, a serialization
    /// failure, SQLite's write lock held too long) and was rolled back: running it again
    /// is safe and will most likely succeed.
    LostRace,
    /// The database can't be reached, or is shutting down or starting.
    Unavailable,
    /// Anything else: a bug, or a constraint the code should have checked first.
    Fault,
}

impl Failure {
    pub fn of(error: &sqlx::Error) -> Failure {
        match error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Failure::Unavailable,
            sqlx::Error::Database(database) => {
                let code = database.code().unwrap_or_default();
                if database
                    .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                    .is_some()
                {
                    Failure::of_sqlite_code(&code)
                } else {
                    Failure::of_sqlstate(&code)
                }
            }
            _ => Failure::Fault,
        }
    }

    /// SQLite's extended result code, in decimal; its low byte is the primary code.
    fn of_sqlite_code(code: &str) -> Failure {
        const SQLITE_BUSY: i64 = 5;
        const SQLITE_LOCKED: i64 = 6;
        match code.parse::<i64>().map(|code| code & 0xff) {
            Ok(SQLITE_BUSY | SQLITE_LOCKED) => Failure::LostRace,
            _ => Failure::Fault,
        }
    }

    fn of_sqlstate(code: &str) -> Failure {
        match code {
            // serialization_failure, deadlock_detected, lock_not_available
            "40001" | "40P01" | "55P03" => Failure::LostRace,
            // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
            "57P01" | "57P02" | "57P03" | "53300" => Failure::Unavailable,
            // connection_exception and its subclasses
            _ if code.starts_with("08") => Failure::Unavailable,
            _ => Failure::Fault,
        }
    }
}

/// Parameters in one statement. Far below the databases' limits (SQLite 32,766,
/// PostgreSQL 65,535) because SQLite finds each `$n` by a linear search of the statement's
/// parameters: time per statement grows with the square of their number.
const MAX_PARAMETERS: usize = 1_000;

/// A query being built through sqlx's `Any` driver.
pub type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// `count` numbered parameters from `$first` on, comma-separated: an `IN (…)` list or one
/// row of `VALUES`.
pub fn parameter_list(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|parameter| format!("${parameter}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts many rows in as few statements as the parameter limit allows: `insert` is the
/// statement up to `VALUES` ("INSERT INTO t (a, b)"), `bind` binds one row's `columns`
/// values in order, and `suffix` ends each statement ("", "ON CONFLICT …", "RETURNING …").
/// The rows the statements return are collected.
pub async fn insert_many<T, R>(
    conn: &mut sqlx::AnyConnection,
    insert: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
    suffix: &str,
) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut returned = Vec::new();
    for chunk in rows.chunks((MAX_PARAMETERS / columns.max(1)).max(1)) {
        let values = (0..chunk.len())
            .map(|row| format!("({})", parameter_list(row * columns + 1, columns)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("{insert} VALUES {values} {suffix}");
        let query = chunk.iter().fold(sqlx::query(&sql), &bind);
        for row in query.fetch_all(&mut *conn).await? {
            returned.push(R::from_row(&row)?);
        }
    }
    Ok(returned)
}

/// A statement put together at run time (a SCIM filter's conditions), with `$N`
/// placeholders that both databases read: sqlx's `QueryBuilder` writes `?` for `Any`,
/// which PostgreSQL refuses.
#[derive(Debug, Default)]
pub struct SqlBuilder {
    sql: String,
    binds: Vec<SqlValue>,
}

/// A value bound to a [`SqlBuilder`]'s statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Text(String),
    Integer(i64),
}

impl SqlBuilder {
    pub fn new(sql: &str) -> SqlBuilder {
        SqlBuilder {
            sql: sql.to_string(),
            binds: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: &str) -> &mut SqlBuilder {
        self.sql.push_str(sql);
        self
    }

    /// Binds a value and writes its placeholder.
    pub fn push_bind(&mut self, value: SqlValue) -> &mut SqlBuilder {
        self.binds.push(value);
        self.sql.push_str(&format!("${}", self.binds.len()));
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn binds(&self) -> &[SqlValue] {
        &self.binds
    }

    pub fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        self.binds
            .iter()
            .fold(sqlx::query(&self.sql), |query, value| match value {
                SqlValue::Text(text) => query.bind(text.as_str()),
                SqlValue::Integer(number) => query.bind(*number),
            })
    }

    pub fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, Any, T, sqlx::any::AnyArguments<'_>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        self.binds
            .iter()
            .fold(sqlx::query_as(&self.sql), |query, value| match value {
                SqlValue::Text(text) => query.bind(text.as_str()),
                SqlValue::Integer(number) => query.bind(*number),
            })
    }

    pub fn query_scalar<T>(
        &self,
    ) -> sqlx::query::QueryScalar<'_, Any, T, sqlx::any::AnyArguments<'_>>
    where
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        self.binds
            .iter()
            .fold(sqlx::query_scalar(&self.sql), |query, value| match value {
                SqlValue::Text(text) => query.bind(text.as_str()),
                SqlValue::Integer(number) => query.bind(*number),
            })
    }
}

/// How many ids one statement lists inline: well within both databases' limits on
/// statement size and bound parameters.
pub const IDS_PER_STATEMENT: usize = 1000;

/// Integer ids as an SQL list. Ids are integers, never text from a request, so listing
/// them inline is safe, and it keeps a statement's bound parameters few.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db_error) if db_error.is_unique_violation())
}

#[cfg(feature = "test-support")]
pub mod testing {
    //! Fresh databases for tests: a new SQLite file, and a new schema in the PostgreSQL
    //! database named by `GATEHOUSE_TEST_POSTGRES_URL` (default: the local `test` database).

    use std::future::Future;
    use std::panic::AssertUnwindSafe;

    use futures::FutureExt;

    use super::{Backend, Db, connect};

    pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

    /// A keyring with a fixed key, for tests that seal metadata.
    pub fn test_keyring() -> crate::metadata::crypto::Keyring {
        let key = "67617465686f7573652d746573742d6b65792d3332627974652d2d2d2d2d2d21";
        crate::metadata::crypto::Keyring::from_keys(&key.into(), &[]).expect("a valid test key")
    }

    /// A database that exists for one test.
    pub struct TestDatabase {
        pub backend: Backend,
        pub db: Db,
        cleanup: Cleanup,
    }

    enum Cleanup {
        /// Dropping the directory removes the SQLite file.
        Sqlite {
            _dir: tempfile::TempDir,
        },
        Postgres {
            admin_url: String,
            schema: String,
        },
    }

    impl TestDatabase {
        async fn sqlite() -> TestDatabase {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("gatehouse.db").display()
            );
            let db = connect(&url, 5).await.expect("a fresh SQLite database");
            TestDatabase {
                backend: Backend::Sqlite,
                db,
                cleanup: Cleanup::Sqlite { _dir: dir },
            }
        }

        async fn postgres() -> TestDatabase {
            let admin_url = std::env::var("GATEHOUSE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
            let mut suffix = [0u8; 8];
            getrandom::fill(&mut suffix).expect("random bytes");
            let schema = format!(
                "gatehouse_test_{}",
                suffix
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            super::install_default_drivers();
            let admin = sqlx::AnyPool::connect(&admin_url)
                .await
                .unwrap_or_else(|error| panic!("PostgreSQL for tests at {admin_url}: {error}"));
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&admin)
                .await
                .expect("a fresh schema");
            admin.close().await;
            let separator = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
            let db = connect(&url, 5)
                .await
                .expect("a migrated PostgreSQL schema");
            TestDatabase {
                backend: Backend::Postgres,
                db,
                cleanup: Cleanup::Postgres { admin_url, schema },
            }
        }

        pub async fn of(backend: Backend) -> TestDatabase {
            match backend {
                Backend::Sqlite => TestDatabase::sqlite().await,
                Backend::Postgres => TestDatabase::postgres().await,
            }
        }

        pub async fn remove(self) {
            self.db.close().await;
            if let Cleanup::Postgres { admin_url, schema } = self.cleanup
                && let Ok(admin) = sqlx::AnyPool::connect(&admin_url).await
            {
                let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(&admin)
                    .await;
                admin.close().await;
            }
        }
    }

    /// Ada, admin of a new workspace "Acme" with these custom groups: the ids of Ada, the
    /// workspace and the groups.
    pub async fn workspace_with_groups(db: &Db, groups: &[&str]) -> (i64, i64, Vec<i64>) {
        let mut tx = db.begin().await.expect("a transaction");
        let admin = crate::users::store::insert(
            &mut tx,
            crate::users::store::NewUser {
                email: "ada@example.com",
                full_name: "Ada Lovelace",
                password_hash: None,
                is_super_admin: false,
                default_workspace_id: None,
            },
        )
        .await
        .expect("an admin");
        let workspace = crate::workspaces::store::create_with_admin(&mut tx, "Acme", admin)
            .await
            .expect("a workspace");
        let mut group_ids = Vec::new();
        for name in groups {
            let id = crate::groups::store::create(&mut tx, workspace.id, name)
                .await
                .expect("a group");
            group_ids.push(id);
        }
        tx.commit().await.expect("committed");
        (admin, workspace.id, group_ids)
    }

    /// Runs `test` on a fresh SQLite database, then on a fresh PostgreSQL schema, and
    /// removes each afterwards, also when the test fails.
    pub async fn on_each_backend<F, Fut>(test: F)
    where
        F: Fn(Db) -> Fut,
        Fut: Future<Output = ()>,
    {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let database = TestDatabase::of(backend).await;
            let outcome = AssertUnwindSafe(test(database.db.clone()))
                .catch_unwind()
                .await;
            database.remove().await;
            if let Err(panic) = outcome {
                eprintln!("the test failed on {backend:?}");
                std::panic::resume_unwind(panic);
            }
        }
    }
}
