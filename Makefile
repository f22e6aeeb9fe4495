# Gatehouse. `make run` serves the app on http://127.0.0.1:3000 with SQLite;
# `make test` runs every check CI runs. Both install what they need first.

TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
# npm's binaryen provides wasm-opt for cargo-leptos under `watch` (Debian's breaks hydration).
BUILD_PATH := $(CURDIR)/end2end/node_modules/.bin:$(PATH)

.PHONY: run test setup build watch lint test-rust api-contract scim-conformance chaos-short chaos e2e bench bench-million fuzz
# The steps depend on each other's order (e2e needs the build), even under make -j.
.NOTPARALLEL:

# Serves the server in the `local` profile (Cargo.toml), which compiles in a fraction of
# the release build's time; `make build` makes the release build.
run: setup
	scripts/build.sh --local
	LEPTOS_SITE_ROOT=$(TARGET_DIR)/site LEPTOS_ENV=PROD $(TARGET_DIR)/local/gatehouse

test: setup lint test-rust build api-contract scim-conformance chaos-short e2e

setup:
	scripts/setup.sh $(if $(filter test lint test-rust e2e chaos,$(MAKECMDGOALS)),--test,$(if $(filter run,$(MAKECMDGOALS)),--run))

# The steps cargo-leptos would run, without compiling cargo-leptos (scripts/build.sh).
build:
	scripts/build.sh

# Rebuilds and restarts on every change (development only), splitting the bundle at its
# lazy routes as scripts/build.sh does: needs cargo-leptos, which
# takes about 25 minutes to compile on two cores the first time.
watch: setup
	cargo install cargo-leptos --version 0.3.10 --locked
	PATH="$(BUILD_PATH)" cargo leptos watch --split

# Each side is checked with its own features: a workspace-wide check would turn on both.
lint:
	cargo fmt --all -- --check
	cargo clippy -p app --features test-support --all-targets -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p xtask --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# Store and HTTP tests run on a fresh SQLite file and on a fresh schema in the PostgreSQL
# database at GATEHOUSE_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
# Server tests run one at a time: twice, a page rendered while other tests rendered theirs
# on their own runtimes in the same process never answered (not yet understood).
test-rust:
	cargo test -p app --features test-support
	cargo test -p server -- --test-threads=1

# The REST API against its OpenAPI document: openapi-spec-validator and Schemathesis.
api-contract:
	scripts/api-contract.sh

# The SCIM service against the third-party checker scim2-tester, on SQLite and PostgreSQL.
scim-conformance:
	scripts/scim-conformance.sh

# Two release servers on one PostgreSQL, then two on one SQLite file, under simulated
# admins and members, with a server killed mid bulk invite, rotate-key killed, PostgreSQL
# restarted; then the database's invariants are checked (scripts/chaos.py). Short here,
# for minutes under `make chaos`.
chaos-short:
	scripts/chaos.sh

chaos: setup build
	scripts/chaos.sh --seconds 300 --sqlite-seconds 120 --workers 12

e2e:
	scripts/e2e.sh

# Criterion benchmarks (not part of `make test`), on SQLite and PostgreSQL: the member
# listing and All users at 100,000 users, permissions, bulk invite, sealing metadata and
# rendering.
bench:
	cargo bench -p app --features test-support

# The benchmarks that grow with the instance, at a million users (100,000 of them in the
# measured workspace): seeding takes minutes on each database.
bench-million:
	GATEHOUSE_BENCH_USERS=1000000 cargo bench -p app --features test-support \
		--bench members --bench instance --bench bulk_invite --bench request_permissions

# The bulk-invite CSV reader and checks under libFuzzer, for FUZZ_SECONDS (not part of
# `make test`). cargo-fuzz's sanitizer flags are nightly-only; RUSTC_BOOTSTRAP lets the
# stable toolchain, the only one here, accept them. Inputs may be as long as a file may
# be (libFuzzer's default of 4 KiB never nests deeply), and the corpus starts with a
# Metadata cell of 300,000 `[`, which once overflowed the stack.
FUZZ_SECONDS ?= 300
fuzz:
	cargo install cargo-fuzz --version 0.13.2 --locked --quiet
	mkdir -p fuzz/corpus/csv_import
	{ printf 'Full Name,Email,Role,Groups,Metadata\nAda,ada@example.com,Builder,,"'; \
	  head -c 300000 /dev/zero | tr '\0' '['; printf '"\n'; } > fuzz/corpus/csv_import/deep-nesting.csv
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run csv_import corpus/csv_import seeds/csv_import -- \
	  -max_total_time=$(FUZZ_SECONDS) -max_len=1048576
