import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConnectionConfig, Migr8Config, SeedsConfig } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'

export function tempDir(prefix = 'migr8-seed-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Writes files into `dir/seeds` and returns the folder. */
export function seedFolder(files: Record<string, string | Buffer>, dir = tempDir()): string {
  const seeds = join(dir, 'seeds')
  mkdirSync(seeds, { recursive: true })
  for (const [name, content] of Object.entries(files)) writeFileSync(join(seeds, name), content)
  return dir
}

export function seedConfig(
  connection: ConnectionConfig,
  baseDir: string,
  seeds: Partial<SeedsConfig> = {},
): Migr8Config {
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
    backups: { dir: 'backups', compress: 'auto', format: 'plain', retention: {} },
    seeds: { dir: 'seeds', truncate: false, nullValues: ['\\N', 'NULL'], ...seeds },
  }
}

const TYPES = {
  postgres: { text: 'text', ts: 'timestamp', json: 'jsonb', uuid: 'uuid', bool: 'boolean', varchar: 'varchar(20)' },
  mysql: { text: 'text', ts: 'datetime', json: 'json', uuid: 'char(36)', bool: 'boolean', varchar: 'varchar(20)' },
  sqlite: { text: 'text', ts: 'timestamp', json: 'text', uuid: 'text', bool: 'boolean', varchar: 'varchar(20)' },
}

/** The demo schema (customers, orders) plus a table with one column of each kind. */
export async function createTables(adapter: Adapter): Promise<void> {
  const t = TYPES[adapter.dialect]
  const engine = adapter.dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : ''
  for (const table of ['orders', 'customers', 'kinds'])
    await adapter.query(`DROP TABLE IF EXISTS ${adapter.quoteIdent(table)}`)
  await adapter.query(`CREATE TABLE customers (
    id integer PRIMARY KEY,
    name varchar(100) NOT NULL,
    email varchar(200) UNIQUE,
    created_at ${t.ts} NULL
  )${engine}`)
  await adapter.query(`CREATE TABLE orders (
    id integer PRIMARY KEY,
    customer_id integer REFERENCES customers (id),
    total numeric(10, 2),
    placed_at ${t.ts} NULL,
    note ${t.text}${adapter.dialect === 'mysql' ? ',\n    FOREIGN KEY (customer_id) REFERENCES customers (id)' : ''}
  )${engine}`)
  await adapter.query(`CREATE TABLE kinds (
    id integer PRIMARY KEY,
    flag ${t.bool},
    amount numeric(10, 2),
    born date,
    seen ${t.ts} NULL,
    uid ${t.uuid},
    doc ${t.json},
    label ${t.varchar} NOT NULL DEFAULT 'none',
    note ${t.text}
  )${engine}`)
}

export async function count(adapter: Adapter, table: string): Promise<number> {
  const rows = await adapter.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${adapter.quoteIdent(table)}`)
  return Number(rows[0].n)
}
