import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Driver } from '../../src-main/config/schema.js'
import { connectionUrl } from '../../src-main/config/url.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { buildCli, CLI, runCli } from '../support/cli.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'

const dialects = await availableDialects()

/** A statement that keeps a migration busy long enough to kill its process mid-way. */
const SLOW: Record<Driver, string> = {
  postgres: 'SELECT pg_sleep(30);',
  mysql: 'SELECT SLEEP(30);',
  // SQLite has no sleep: a recursive CTE that counts for a long while.
  sqlite: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT max(x) FROM c;',
}

beforeAll(() => buildCli())

describe.each(dialects)('%s: a migrate process killed with -9 while holding the lock', (dialect) => {
  const db = useDatabase(dialect)

  it('leaves nothing recorded and does not keep the lock', async () => {
    const { dir, write } = migrationsDir({ '1_slow.up.sql': `CREATE TABLE crash_t (id integer);\n${SLOW[dialect]}\n` })
    const cwd = mkdtempSync(join(tmpdir(), 'migr8-crash-'))
    writeFileSync(
      join(cwd, 'migr8.yaml'),
      `database:\n  url: ${connectionUrl(db.connection, { revealPassword: true })}\nmigrations:\n  dir: ${dir}\n  lock:\n    timeout: 20s\n`,
    )
    const child = spawn(process.execPath, [CLI, 'migrate', 'up'], { cwd, stdio: 'ignore' })
    const adapter = await db.open()
    const migrator = new Migrator(adapter, settings(dir))
    // Wait until the child holds the lock (it records itself as the holder).
    for (let i = 0; i < 200 && !(await migrator.status()).lock; i++) await new Promise((r) => setTimeout(r, 50))
    expect((await migrator.status()).lock?.owner).toContain(`pid ${child.pid}`)
    await new Promise((r) => setTimeout(r, 300))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('close', r))

    write({ '1_slow.up.sql': 'CREATE TABLE crash_t (id integer);\n' })
    let next = await runCli(['migrate', 'up'], { cwd, timeoutMs: 60_000 })
    if (dialect === 'mysql') {
      // MySQL had committed the CREATE TABLE: the stop is flagged (not hidden, not repeated) and resume settles it.
      expect(next.code).toBe(1)
      expect(next.stderr).toContain('MIGRATION_PARTIAL')
      expect(next.stderr).toContain('stopped after statement 1 of 2')
      next = await runCli(['migrate', 'resume'], { cwd, timeoutMs: 60_000 })
    }
    expect(next.stderr).toBe('')
    expect(next.code).toBe(0)
    const status = await migrator.status()
    expect(status.entries.map((e) => e.state)).toEqual(['applied'])
    expect(status.lock).toBeUndefined()
    expect(await adapter.describeTable('crash_t')).toBeDefined()
  })
})
