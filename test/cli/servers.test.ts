/**
 * One smoke run of the CLI against PostgreSQL and MariaDB through `--url`, each in a uniquely named
 * database created and dropped here. An unreachable server skips its dialect with a printed reason
 * (an error under MIGR8_REQUIRE_DBS=1).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { buildCli, runCli } from '../support/cli.js'
import { availableDialects, createDatabase, dropDatabase, uniqueName } from '../support/databases.js'

const available = await availableDialects(['postgres', 'mysql'])
const temps: string[] = []
beforeAll(() => buildCli())
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function urlOf(connection: ConnectionConfig): string {
  const user = encodeURIComponent(connection.user)
  const base = `${connection.host}:${connection.port}/${connection.database}`
  return connection.driver === 'postgres'
    ? `postgres://${user}@${base}?sslmode=disable`
    : `mysql://${user}@${base}?ssl-mode=DISABLED`
}

describe.each(['postgres', 'mysql'] as const)('CLI smoke run on %s', (dialect) => {
  const state: { connection?: ConnectionConfig; dir?: string } = {}

  beforeAll(async () => {
    if (!available.includes(dialect)) return
    state.connection = await createDatabase(dialect, uniqueName('migr8_cli'))
    const dir = mkdtempSync(join(tmpdir(), `migr8-cli-${dialect}-`))
    temps.push(dir)
    // The file points at SQLite: --url must replace the whole location.
    writeFileSync(join(dir, 'migr8.yaml'), 'database:\n  driver: sqlite\n  name: ./unused.sqlite\n')
    mkdirSync(join(dir, 'migrations'))
    writeFileSync(
      join(dir, 'migrations', '001_accounts.up.sql'),
      'CREATE TABLE accounts (id integer PRIMARY KEY, email varchar(100) NOT NULL);\n',
    )
    writeFileSync(join(dir, 'migrations', '001_accounts.down.sql'), 'DROP TABLE accounts;\n')
    writeFileSync(
      join(dir, 'migrations', '002_audit.sql'),
      '-- +goose Up\nCREATE TABLE audit (id integer PRIMARY KEY, account_id integer);\n-- +goose Down\nDROP TABLE audit;\n',
    )
    state.dir = dir
  })

  afterAll(async () => {
    if (state.connection) await dropDatabase(state.connection)
  })

  it.skipIf(!available.includes(dialect))('config test, migrate up, status, down --all', async () => {
    const url = urlOf(state.connection!)
    const migr8 = (...args: string[]) =>
      runCli(['--url', url, ...args], { cwd: state.dir!, env: { MIGR8_URL: '', DATABASE_URL: '', MIGR8_CONFIG: '' } })

    const test = await migr8('config', 'test')
    expect(test.stderr).toBe('')
    expect(test.code).toBe(0)
    expect(test.stdout).toContain(`testing ${dialect}://`)
    expect(test.stdout).toMatch(/connected: (PostgreSQL|MariaDB|MySQL) \d/)
    expect(test.stdout).toContain(state.connection!.database)

    const up = await migr8('migrate', 'up')
    expect(up.stderr).toBe('')
    expect(up.code).toBe(0)
    expect(up.stdout).toContain('current version: 002')

    const status = await migr8('--json', 'migrate', 'status')
    expect(status.code).toBe(0)
    const document = JSON.parse(status.stdout) as {
      current: string
      pending: number
      entries: Array<{ state: string }>
    }
    expect(document).toMatchObject({ current: '002', pending: 0 })
    expect(document.entries.map((e) => e.state)).toEqual(['applied', 'applied'])

    const down = await migr8('migrate', 'down', '--all')
    expect(down.code).toBe(0)
    expect(down.stdout).toContain('rolled back 002_audit')
    expect(down.stdout).toContain('rolled back 001_accounts')

    const after = JSON.parse((await migr8('--json', 'migrate', 'status')).stdout) as { pending: number }
    expect(after.pending).toBe(2)
  })
})
