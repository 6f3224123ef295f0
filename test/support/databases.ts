/**
 * Real databases for tests: each test file gets uniquely named databases and drops them afterwards.
 * An unreachable server skips its dialect with a printed reason, unless MIGR8_REQUIRE_DBS=1 (CI),
 * where it fails the run instead.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll } from 'vitest'
import type { ConnectionConfig, Driver } from '../../src-main/config/schema.js'
import { openAdapter, type Adapter } from '../../src-main/db/index.js'

export const DIALECTS: Driver[] = ['postgres', 'mysql', 'sqlite']

export const SERVER_DEFAULTS: Record<'postgres' | 'mysql', ConnectionConfig> = {
  postgres: {
    driver: 'postgres',
    host: process.env.MIGR8_TEST_PG_HOST ?? '127.0.0.1',
    port: Number(process.env.MIGR8_TEST_PG_PORT ?? 5432),
    database: 'test',
    user: process.env.MIGR8_TEST_PG_USER ?? 'postgres',
    ssl: { mode: 'disable' },
    connectTimeoutMs: 5_000,
    poolMax: 4,
  },
  mysql: {
    driver: 'mysql',
    host: process.env.MIGR8_TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.MIGR8_TEST_MYSQL_PORT ?? 3306),
    database: 'test',
    user: process.env.MIGR8_TEST_MYSQL_USER ?? 'root',
    ssl: { mode: 'disable' },
    connectTimeoutMs: 5_000,
    poolMax: 4,
  },
}

const required = process.env.MIGR8_REQUIRE_DBS === '1'
const probes = new Map<Driver, Promise<string | undefined>>()

/** Resolves to undefined when the dialect's server answers, else to the reason it does not. */
export function serverUnavailable(dialect: Driver): Promise<string | undefined> {
  if (dialect === 'sqlite') return Promise.resolve(undefined)
  let probe = probes.get(dialect)
  if (!probe) {
    probe = openAdapter(SERVER_DEFAULTS[dialect]).then(
      async (adapter) => (await adapter.close(), undefined),
      (error: Error) => {
        const reason = `${dialect} server unreachable (${error.message})`
        if (required) throw new Error(`MIGR8_REQUIRE_DBS=1 but the ${reason}`)
        console.warn(`SKIPPED ${dialect} tests: ${reason}. Set MIGR8_REQUIRE_DBS=1 to make this an error.`)
        return reason
      },
    )
    probes.set(dialect, probe)
  }
  return probe
}

/** The dialects whose servers answer (all three under MIGR8_REQUIRE_DBS=1, or the run fails). */
export async function availableDialects(wanted: Driver[] = DIALECTS): Promise<Driver[]> {
  const reasons = await Promise.all(wanted.map(serverUnavailable))
  return wanted.filter((_, index) => reasons[index] === undefined)
}

export function uniqueName(prefix = 'migr8_t'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
}

/** Creates an empty database and returns a connection to it. */
export async function createDatabase(dialect: Driver, name = uniqueName()): Promise<ConnectionConfig> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'migr8-test-'))
    return {
      driver: 'sqlite',
      host: '',
      port: 0,
      database: join(dir, `${name}.sqlite`),
      user: '',
      ssl: { mode: 'disable' },
      connectTimeoutMs: 5_000,
      poolMax: 1,
    }
  }
  const admin = await openAdapter(SERVER_DEFAULTS[dialect])
  try {
    await admin.query(`CREATE DATABASE ${admin.quoteIdent(name)}`)
  } finally {
    await admin.close()
  }
  return { ...SERVER_DEFAULTS[dialect], database: name }
}

export async function dropDatabase(connection: ConnectionConfig): Promise<void> {
  if (connection.driver === 'sqlite') {
    rmSync(join(connection.database, '..'), { recursive: true, force: true })
    return
  }
  const admin = await openAdapter(SERVER_DEFAULTS[connection.driver])
  try {
    const forced = connection.driver === 'postgres' ? ' WITH (FORCE)' : ''
    await admin.query(`DROP DATABASE IF EXISTS ${admin.quoteIdent(connection.database)}${forced}`)
  } finally {
    await admin.close()
  }
}

/**
 * Per-test-file fixture: a fresh database for the dialect (created in beforeAll, dropped in
 * afterAll) plus every adapter opened through `open()`, closed at the end.
 */
export function useDatabase(dialect: Driver) {
  const opened: Adapter[] = []
  const created: ConnectionConfig[] = []
  const state: { connection?: ConnectionConfig } = {}
  beforeAll(async () => {
    state.connection = await createDatabase(dialect)
    created.push(state.connection)
  })
  afterAll(async () => {
    await Promise.all(opened.map((adapter) => adapter.close()))
    await Promise.all(created.map((connection) => dropDatabase(connection).catch(() => undefined)))
  })
  return {
    get connection(): ConnectionConfig {
      if (!state.connection) throw new Error('database not created yet (use inside a test)')
      return state.connection
    },
    /** Another fresh database in the same server, dropped with the rest. */
    async another(): Promise<ConnectionConfig> {
      const connection = await createDatabase(dialect)
      created.push(connection)
      return connection
    },
    async open(connection = state.connection!): Promise<Adapter> {
      const adapter = await openAdapter(connection)
      opened.push(adapter)
      return adapter
    },
  }
}
