/**
 * Databases left exactly as each tool leaves them: the history table created with the tool's own
 * DDL for the dialect and written with the tool's own statements (sources cited per tool), plus a
 * folder in the tool's file format. Migration `i` creates table `{prefix}_t{i}`.
 */
import type { Adapter } from '../../src-main/db/index.js'

export type Files = Record<string, string>

const create = (table: string) => `CREATE TABLE ${table} (id integer PRIMARY KEY);`
const drop = (table: string) => `DROP TABLE ${table};`

/** Runs the statements of migration i by hand, as the other tool did when it applied it. */
export async function createTables(adapter: Adapter, prefix: string, versions: number[]): Promise<void> {
  for (const i of versions) await adapter.query(create(`${prefix}_t${i}`).replace(/;$/, ''))
}

export async function tableExists(adapter: Adapter, table: string): Promise<boolean> {
  return (await adapter.describeTable(table)) !== undefined
}

// ---------------------------------------------------------------------------------------------- golang-migrate

export const golangMigrateFiles = (prefix: string, count = 3): Files =>
  Object.fromEntries(
    Array.from({ length: count }, (_, n) => n + 1).flatMap((i) => [
      [`00${i}_create_t${i}.up.sql`, create(`${prefix}_t${i}`)],
      [`00${i}_create_t${i}.down.sql`, drop(`${prefix}_t${i}`)],
    ]),
  )

/**
 * golang-migrate v4: ensureVersionTable in database/postgres/postgres.go
 * (`CREATE TABLE IF NOT EXISTS "schema"."schema_migrations" (version bigint not null primary key, dirty boolean not null)`),
 * database/mysql/mysql.go (``CREATE TABLE `schema_migrations` (version bigint not null primary key, dirty boolean not null)``)
 * and database/sqlite3/sqlite3.go (`CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
 * CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);`). SetVersion empties the
 * table (TRUNCATE on PostgreSQL, DELETE FROM elsewhere) and inserts `(version, dirty) VALUES (?, ?)` in one
 * transaction, so the table holds only the current version.
 */
export async function golangMigrateTable(adapter: Adapter, version: number, dirty: boolean): Promise<void> {
  switch (adapter.dialect) {
    case 'postgres':
      await adapter.query(
        'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null)',
      )
      break
    case 'mysql':
      await adapter.query(
        'CREATE TABLE `schema_migrations` (version bigint not null primary key, dirty boolean not null)',
      )
      break
    case 'sqlite':
      await adapter.query('CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool)')
      await adapter.query('CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)')
      break
  }
  // golang-migrate sets the version dirty before running a migration and clean after it, each time via SetVersion.
  await adapter.withTransaction(async (tx) => {
    await tx.query(
      adapter.dialect === 'postgres' ? 'TRUNCATE "public"."schema_migrations"' : 'DELETE FROM schema_migrations',
    )
    await tx.query('INSERT INTO schema_migrations (version, dirty) VALUES (?, ?)', [version, dirty])
  })
}

// ---------------------------------------------------------------------------------------------- goose

export const gooseFiles = (prefix: string, count = 3): Files =>
  Object.fromEntries(
    Array.from({ length: count }, (_, n) => n + 1).map((i) => [
      `0000${i}_create_t${i}.sql`,
      `-- +goose Up\n-- +goose StatementBegin\n${create(`${prefix}_t${i}`)}\n-- +goose StatementEnd\n\n-- +goose Down\n${drop(`${prefix}_t${i}`)}\n`,
    ]),
  )

/**
 * goose v3: internal/dialect/dialectquery/{postgres,mysql,sqlite3}.go CreateTable, verbatim; the table is
 * created with its `(0, true)` row (createVersionTable), each up inserts `(version_id, is_applied) VALUES (?, true)`
 * (InsertVersion), and older goose recorded a down as `(version_id, false)` (goose v2 still reads those rows).
 */
export async function gooseTable(adapter: Adapter, log: Array<[number, boolean]>): Promise<void> {
  const ddl =
    adapter.dialect === 'sqlite'
      ? `CREATE TABLE goose_db_version (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		version_id INTEGER NOT NULL,
		is_applied INTEGER NOT NULL,
		tstamp TIMESTAMP DEFAULT (datetime('now'))
	)`
      : `CREATE TABLE goose_db_version (
		id serial NOT NULL,
		version_id bigint NOT NULL,
		is_applied boolean NOT NULL,
		tstamp timestamp NULL default now(),
		PRIMARY KEY(id)
	)`
  await adapter.withTransaction(async (tx) => {
    await tx.query(ddl)
    await tx.query('INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)', [0, true])
  })
  for (const [version, applied] of log)
    await adapter.query('INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)', [version, applied])
}

// ---------------------------------------------------------------------------------------------- dbmate

export const dbmateVersion = (i: number) => `2024010${i}120000`

export const dbmateFiles = (prefix: string, count = 3): Files =>
  Object.fromEntries(
    Array.from({ length: count }, (_, n) => n + 1).map((i) => [
      `${dbmateVersion(i)}_create_t${i}.sql`,
      `-- migrate:up\n${create(`${prefix}_t${i}`)}\n\n-- migrate:down\n${drop(`${prefix}_t${i}`)}\n`,
    ]),
  )

/**
 * dbmate: pkg/driver/postgres/postgres.go CreateMigrationsTable
 * (`create table if not exists "public"."schema_migrations" (version varchar(255) primary key)`),
 * pkg/driver/mysql/mysql.go and pkg/driver/sqlite/sqlite.go (`create table if not exists
 * <quoted> (version varchar(128) primary key)`); InsertMigration `insert into … (version) values (?)`.
 */
export async function dbmateTable(adapter: Adapter, versions: string[]): Promise<void> {
  const table =
    adapter.dialect === 'postgres' ? '"public"."schema_migrations"' : adapter.quoteIdent('schema_migrations')
  const length = adapter.dialect === 'postgres' ? 255 : 128
  await adapter.query(`create table if not exists ${table} (version varchar(${length}) primary key)`)
  for (const version of versions) await adapter.query(`insert into ${table} (version) values (?)`, [version])
}

// ---------------------------------------------------------------------------------------------- Flyway

export const flywayFiles = (prefix: string, count = 3): Files =>
  Object.fromEntries(
    Array.from({ length: count }, (_, n) => n + 1).flatMap((i) => [
      [`V${i}__create_t${i}.sql`, create(`${prefix}_t${i}`)],
      [`U${i}__create_t${i}.sql`, drop(`${prefix}_t${i}`)],
    ]),
  )

export interface FlywayRow {
  version: string | null
  description: string
  type: 'SQL' | 'BASELINE' | 'UNDO_SQL' | 'SCHEMA'
  script: string
  checksum: number | null
  success: boolean
  executionTime?: number
}

/**
 * Flyway: flyway-core/src/main/resources/org/flywaydb/core/internal/database/{postgresql,mysql,sqlite}/
 * createMetaDataTable.sql with `${schema}`/`${table}` filled in as Flyway does (PostgreSQL: the schema,
 * MySQL: the database, SQLite: `main`); rows inserted as JdbcTableSchemaHistory.doAddAppliedMigration does
 * (every column but installed_on, which takes its default).
 */
export async function flywayTable(adapter: Adapter, rows: FlywayRow[]): Promise<void> {
  const statements: Record<Adapter['dialect'], string[]> = {
    postgres: [
      `CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
)`,
      'ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")',
      'CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success")',
    ],
    mysql: [
      `CREATE TABLE \`${adapter.connection.database}\`.\`flyway_schema_history\` (
    \`installed_rank\` INT NOT NULL,
    \`version\` VARCHAR(50),
    \`description\` VARCHAR(200) NOT NULL,
    \`type\` VARCHAR(20) NOT NULL,
    \`script\` VARCHAR(1000) NOT NULL,
    \`checksum\` INT,
    \`installed_by\` VARCHAR(100) NOT NULL,
    \`installed_on\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    \`execution_time\` INT NOT NULL,
    \`success\` BOOL NOT NULL,
    CONSTRAINT \`flyway_schema_history_pk\`PRIMARY KEY (\`installed_rank\`)
) ENGINE=InnoDB`,
      `CREATE INDEX \`flyway_schema_history_s_idx\` ON \`${adapter.connection.database}\`.\`flyway_schema_history\` (\`success\`)`,
    ],
    sqlite: [
      `CREATE TABLE "main"."flyway_schema_history" (
    "installed_rank" INT NOT NULL PRIMARY KEY,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL
)`,
      'CREATE INDEX "main"."flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")',
    ],
  }
  for (const statement of statements[adapter.dialect]) await adapter.query(statement)
  const table = adapter.qualifiedTable('flyway_schema_history')
  for (const [index, row] of rows.entries()) {
    await adapter.query(
      `INSERT INTO ${table} (${['installed_rank', 'version', 'description', 'type', 'script', 'checksum', 'installed_by', 'execution_time', 'success'].map((c) => adapter.quoteIdent(c)).join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        index + 1,
        row.version,
        row.description,
        row.type,
        row.script,
        row.checksum,
        'flyway_user',
        row.executionTime ?? 12,
        row.success,
      ],
    )
  }
}

export const flywayApplied = (i: number, success = true): FlywayRow => ({
  version: String(i),
  description: `create t${i}`,
  type: 'SQL',
  script: `V${i}__create_t${i}.sql`,
  checksum: 1000 + i,
  success,
})

// ---------------------------------------------------------------------------------------------- node-pg-migrate

export const nodePgMigrateName = (i: number) => `170000000000${i}_create-t${i}`

export const nodePgMigrateFiles = (prefix: string, count = 2): Files =>
  Object.fromEntries(
    Array.from({ length: count }, (_, n) => n + 1).map((i) => [
      `${nodePgMigrateName(i)}.js`,
      `exports.up = (pgm) => { pgm.createTable('${prefix}_t${i}', { id: 'id' }) }\nexports.down = (pgm) => { pgm.dropTable('${prefix}_t${i}') }\n`,
    ]),
  )

/**
 * node-pg-migrate 8 (PostgreSQL only): dist/legacy/runner.js ensureMigrationsTable
 * (`CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)`)
 * and dist/legacy/migration.js (`INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('<name>', NOW());`).
 */
export async function nodePgMigrateTable(adapter: Adapter, names: string[]): Promise<void> {
  await adapter.query(
    'CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)',
  )
  for (const name of names)
    await adapter.query(`INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('${name}', NOW());`)
}
