/**
 * Test fixtures for the backup engine: a config pointing at a temporary backup folder, a database
 * seeded with varied types and objects, and a fingerprint (schema + ordered row checksums) that
 * two databases share only when they hold the same things.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { BackupsConfig, ConnectionConfig, Driver, Migr8Config } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'

export function testConfig(connection: ConnectionConfig, backups: Partial<BackupsConfig> = {}): Migr8Config {
  const baseDir =
    connection.driver === 'sqlite' ? dirname(connection.database) : mkdtempSync(join(tmpdir(), 'migr8-backup-'))
  return {
    baseDir,
    connection,
    migrations: {
      dir: 'migrations',
      table: 'migr8_migrations',
      lock: { mode: 'session', timeout: 60_000, lease: 30_000 },
      outOfOrder: 'error',
      create: { format: 'golang-migrate', versions: 'timestamp' },
    },
    backups: { dir: 'backups', compress: 'auto', format: 'plain', retention: {}, ...backups },
    seeds: { dir: 'seeds', truncate: false, nullValues: ['\\N', 'NULL'] },
  }
}

const UNICODE = ['héllo wörld', '日本語テキスト', 'emoji 🎉🚀', 'quote \' and " and \\ backslash', 'tab\tnew\nline', '']

async function exec(adapter: Adapter, statements: string[]): Promise<void> {
  await adapter.withSession(async (session) => {
    for (const sql of statements) await session.execute(sql)
  })
}

/** Schema objects per dialect: tables of varied types, an index, a view, a trigger, a function/procedure. */
const SCHEMA: Record<Driver, string[]> = {
  postgres: [
    `CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, note text, data bytea, doc jsonb, price numeric(14,4),
       at timestamptz, born date, flag boolean, ratio double precision)`,
    'CREATE INDEX items_name_idx ON items (name)',
    "CREATE INDEX items_doc_idx ON items ((doc->>'k'))",
    'CREATE TABLE audit (id serial PRIMARY KEY, item_id int, action text NOT NULL)',
    `CREATE FUNCTION log_item() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO audit (item_id, action) VALUES (NEW.id, TG_OP); RETURN NEW; END $$`,
    'CREATE TRIGGER items_audit AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION log_item()',
    'CREATE VIEW item_names AS SELECT id, upper(name) AS name FROM items',
    'CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$',
  ],
  mysql: [
    `CREATE TABLE items (id int AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL, note text, data blob, doc json,
       price decimal(14,4), at timestamp(3) NULL, born date, flag tinyint(1), ratio double, KEY items_name_idx (name))
       DEFAULT CHARSET=utf8mb4`,
    'CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, item_id int, action varchar(20) NOT NULL)',
    "CREATE TRIGGER items_audit AFTER INSERT ON items FOR EACH ROW INSERT INTO audit (item_id, action) VALUES (NEW.id, 'INSERT')",
    'CREATE VIEW item_names AS SELECT id, upper(name) AS name FROM items',
    'CREATE FUNCTION double_it(x int) RETURNS int DETERMINISTIC RETURN x * 2',
    'CREATE PROCEDURE count_items(OUT n int) SELECT count(*) INTO n FROM items',
  ],
  sqlite: [
    `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, data BLOB, doc TEXT CHECK (doc IS NULL OR json_valid(doc)),
       price NUMERIC, at TEXT, born TEXT, flag INTEGER, ratio REAL)`,
    'CREATE INDEX items_name_idx ON items (name)',
    'CREATE TABLE audit (id INTEGER PRIMARY KEY, item_id INTEGER, action TEXT NOT NULL)',
    "CREATE TRIGGER items_audit AFTER INSERT ON items BEGIN INSERT INTO audit (item_id, action) VALUES (NEW.id, 'INSERT'); END",
    'CREATE VIEW item_names AS SELECT id, upper(name) AS name FROM items',
  ],
}

/** Creates the schema and `rows` rows (plus edge cases: NULLs, unicode, binary with NUL bytes). */
export async function seedDatabase(adapter: Adapter, rows = 200): Promise<void> {
  await exec(adapter, SCHEMA[adapter.dialect])
  const at = (i: number) =>
    adapter.dialect === 'mysql'
      ? `2024-0${1 + (i % 9)}-1${i % 10} 12:34:56.${String(i % 1000).padStart(3, '0')}`
      : `2024-0${1 + (i % 9)}-1${i % 10}T12:34:56.${String(i % 1000).padStart(3, '0')}+0${i % 6}:00`
  const flag = (i: number) => (adapter.dialect === 'postgres' ? i % 2 === 0 : i % 2)
  const insert =
    'INSERT INTO items (name, note, data, doc, price, at, born, flag, ratio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  await adapter.withTransaction(async (session) => {
    for (let i = 0; i < rows; i++) {
      const nulls = i % 7 === 0
      await session.query(insert, [
        `${UNICODE[i % UNICODE.length]} #${i}`,
        nulls ? null : 'x'.repeat(i % 50),
        nulls ? null : Buffer.from([0, 255, i % 256, 10, 13, 39, 92, 0]),
        nulls ? null : JSON.stringify({ k: `key-${i}`, n: i, nested: { a: [1, 2, i], s: 'ü "q"' } }),
        nulls ? null : `${i * 1234567}.${String(i % 10000).padStart(4, '0')}`,
        nulls ? null : at(i),
        nulls ? null : `2000-01-${String(1 + (i % 28)).padStart(2, '0')}`,
        nulls ? null : flag(i),
        nulls ? null : i / 7,
      ])
    }
  })
}

function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`
  if (value instanceof Date) return `date:${value.toISOString()}`
  if (typeof value === 'bigint') return `big:${value}`
  if (typeof value === 'object') return JSON.stringify(value)
  return value
}

const SCHEMA_QUERIES: Record<Driver, string[]> = {
  postgres: [
    `SELECT table_name, column_name, data_type, is_nullable, column_default, numeric_precision, numeric_scale
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY viewname",
    `SELECT p.proname, pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' ORDER BY p.proname`,
    "SELECT trigger_name, event_manipulation, action_statement FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY trigger_name",
    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename",
  ],
  mysql: [
    `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    `SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    'SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
    'SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME',
    'SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME',
    "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
  ],
  sqlite: ["SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"],
}

/** Schema and every row of every table, canonicalised; equal fingerprints = same content. */
export async function fingerprint(
  adapter: Adapter,
): Promise<{ schema: string; tables: Record<string, { rows: number; sha256: string }> }> {
  const schemaParts: unknown[] = []
  for (const sql of SCHEMA_QUERIES[adapter.dialect]) {
    // The database name appears in view definitions on MySQL; it differs between source and copy.
    const rows = await adapter.query(sql)
    schemaParts.push(
      rows.map((row) =>
        Object.values(row).map((v) => String(canonical(v)).replaceAll(adapter.connection.database, '<db>')),
      ),
    )
  }
  const tables: Record<string, { rows: number; sha256: string }> = {}
  for (const table of ['items', 'audit']) {
    const rows = await adapter.query(`SELECT * FROM ${adapter.quoteIdent(table)} ORDER BY id`)
    const hash = createHash('sha256')
    for (const row of rows) hash.update(JSON.stringify(Object.entries(row).map(([k, v]) => [k, canonical(v)])) + '\n')
    tables[table] = { rows: rows.length, sha256: hash.digest('hex') }
  }
  return { schema: JSON.stringify(schemaParts), tables }
}

/** The children of this process running `name` (pg_dump, mariadb-dump). */
export function childPids(name: string): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === name)
    .map(([pid]) => Number(pid))
}

/**
 * Runs `fn` with a 4 MiB tmpfs (a full disk for backups bigger than that), unmounted afterwards.
 * Returns a reason instead when one cannot be mounted (not root, no tmpfs): the caller skips with it.
 */
export async function withSmallTmpfs(fn: (mount: string) => Promise<void>): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root'
  const mount = mkdtempSync(join(tmpdir(), 'migr8-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount])
  } catch (error) {
    rmSync(mount, { recursive: true, force: true })
    return `cannot mount a tmpfs: ${(error as Error).message}`
  }
  try {
    await fn(mount)
  } finally {
    execFileSync('umount', [mount])
    rmSync(mount, { recursive: true, force: true })
  }
  return undefined
}
