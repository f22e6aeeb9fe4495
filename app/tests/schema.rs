//! The SQLite and PostgreSQL migrations must build the same schema: the same tables,
//! columns (generated ones too, and whether they may be NULL), indexes, unique constraints
//! and foreign keys. Each backend has its own DDL, so this is what keeps them from drifting
//! apart.

use std::collections::BTreeSet;

use app::db::Backend;
use app::db::testing::TestDatabase;

type Schema = BTreeSet<String>;

async fn sqlite_schema(db: &app::db::Db) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for table in tables {
        schema.insert(format!("table {table}"));
        let columns: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT name, \"notnull\", pk FROM pragma_table_xinfo('{table}')"
        ))
        .fetch_all(db)
        .await
        .unwrap();
        for (column, not_null, primary_key) in columns {
            let nullable = if not_null == 1 || primary_key > 0 {
                "not null"
            } else {
                "null"
            };
            schema.insert(format!("column {table}.{column} {nullable}"));
        }
        let uniques: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT name, origin FROM pragma_index_list('{table}') WHERE origin IN ('u', 'pk')"
        ))
        .fetch_all(db)
        .await
        .unwrap();
        for (index, origin) in uniques {
            let mut columns: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
            ))
            .fetch_all(db)
            .await
            .unwrap();
            if origin == "u" {
                columns.sort();
                schema.insert(format!("unique {table}({})", columns.join(", ")));
            }
        }
        let keys: Vec<(String, String, String)> = sqlx::query_as(&format!(
            "SELECT \"table\", \"from\", on_delete FROM pragma_foreign_key_list('{table}')"
        ))
        .fetch_all(db)
        .await
        .unwrap();
        for (target, column, on_delete) in keys {
            schema.insert(format!(
                "foreign key {table}.{column} -> {target} on delete {}",
                on_delete.to_lowercase()
            ));
        }
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for (index, table) in indexes {
        schema.insert(format!("index {index} on {table}"));
    }
    schema
}

async fn postgres_schema(db: &app::db::Db) -> Schema {
    let mut schema = Schema::new();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
           AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for (table, column, nullable) in columns {
        schema.insert(format!("table {table}"));
        let nullable = if nullable == "NO" { "not null" } else { "null" };
        schema.insert(format!("column {table}.{column} {nullable}"));
    }
    let uniques: Vec<(String, String)> = sqlx::query_as(
        "SELECT rel.relname::text,
                string_agg(att.attname::text, ', ' ORDER BY att.attname::text)
         FROM pg_constraint con
         JOIN pg_class rel ON rel.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = rel.relnamespace
         JOIN pg_attribute att ON att.attrelid = rel.oid AND att.attnum = ANY (con.conkey)
         WHERE ns.nspname = current_schema() AND con.contype = 'u'
         GROUP BY rel.relname, con.conname",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for (table, columns) in uniques {
        schema.insert(format!("unique {table}({columns})"));
    }
    let keys: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT rel.relname::text, att.attname::text, target.relname::text,
                CASE con.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null'
                     WHEN 'r' THEN 'restrict' ELSE 'no action' END
         FROM pg_constraint con
         JOIN pg_class rel ON rel.oid = con.conrelid
         JOIN pg_class target ON target.oid = con.confrelid
         JOIN pg_namespace ns ON ns.oid = rel.relnamespace
         JOIN pg_attribute att ON att.attrelid = rel.oid AND att.attnum = ANY (con.conkey)
         WHERE ns.nspname = current_schema() AND con.contype = 'f'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for (table, column, target, on_delete) in keys {
        schema.insert(format!(
            "foreign key {table}.{column} -> {target} on delete {on_delete}"
        ));
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.indexname::text, i.tablename::text FROM pg_indexes i
         WHERE i.schemaname = current_schema()
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
    )
    .fetch_all(db)
    .await
    .unwrap();
    for (index, table) in indexes {
        schema.insert(format!("index {index} on {table}"));
    }
    schema
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_schema() {
    let sqlite = TestDatabase::of(Backend::Sqlite).await;
    let postgres = TestDatabase::of(Backend::Postgres).await;
    let on_sqlite = sqlite_schema(&sqlite.db).await;
    let on_postgres = postgres_schema(&postgres.db).await;
    sqlite.remove().await;
    postgres.remove().await;
    assert!(
        on_sqlite.iter().any(|line| line.starts_with("index ")),
        "indexes were read"
    );
    assert!(
        on_sqlite
            .iter()
            .any(|line| line.starts_with("foreign key ")),
        "keys were read"
    );
    let only_sqlite: Vec<_> = on_sqlite.difference(&on_postgres).collect();
    let only_postgres: Vec<_> = on_postgres.difference(&on_sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_postgres:#?}"
    );
}
