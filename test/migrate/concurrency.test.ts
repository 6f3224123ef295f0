import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { connectionUrl } from '../../src-main/config/url.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { buildCli, runCli } from '../support/cli.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'

const dialects = await availableDialects()
const PROCESSES = 20
const MIGRATIONS = 8

beforeAll(() => buildCli())

// SQLite always uses the lease; the servers are also run in lease mode (`lock.mode: table`, for PgBouncer).
const cases = dialects.flatMap((dialect) =>
  dialect === 'sqlite'
    ? [[dialect, 'session']]
    : [
        [dialect, 'session'],
        [dialect, 'table'],
      ],
)

describe.each(cases)(
  `%s (lock mode %s): ${PROCESSES} concurrent \`migr8 migrate up\` processes`,
  (dialect, lockMode) => {
    const db = useDatabase(dialect as 'postgres' | 'mysql' | 'sqlite')

    it('apply each migration exactly once and all succeed', async () => {
      const files: Record<string, string> = { '000_runs.up.sql': 'CREATE TABLE runs (version integer NOT NULL);' }
      // Each migration fails if run twice (CREATE TABLE) and counts its runs.
      for (let i = 1; i <= MIGRATIONS; i++)
        files[`${String(i).padStart(3, '0')}_m${i}.up.sql`] =
          `CREATE TABLE m${i} (id integer);\nINSERT INTO runs VALUES (${i});\n`
      const { dir } = migrationsDir(files)
      const cwd = mkdtempSync(join(tmpdir(), 'migr8-concurrency-'))
      writeFileSync(
        join(cwd, 'migr8.yaml'),
        `database:\n  url: ${connectionUrl(db.connection, { revealPassword: true })}\nmigrations:\n  dir: ${dir}\n  lock:\n    mode: ${lockMode}\n`,
      )

      const results = await Promise.all(
        Array.from({ length: PROCESSES }, () => runCli(['--json', 'migrate', 'up'], { cwd, timeoutMs: 120_000 })),
      )
      const failures = results.filter((r) => r.code !== 0)
      expect(failures.map((f) => f.stdout + f.stderr)).toEqual([])
      const applied = results.flatMap((r) =>
        (JSON.parse(r.stdout) as { steps: Array<{ version: string }> }).steps.map((s) => s.version),
      )
      expect(applied.sort()).toEqual(
        Object.keys(files)
          .map((f) => f.slice(0, 3))
          .sort(),
      )

      const adapter = await db.open()
      const runs = await adapter.query<{ version: number }>('SELECT version FROM runs ORDER BY version')
      expect(runs.map((r) => Number(r.version))).toEqual(Array.from({ length: MIGRATIONS }, (_, i) => i + 1))
      const migrator = new Migrator(adapter, settings(dir))
      const status = await migrator.status()
      expect(status.entries.every((e) => e.state === 'applied')).toBe(true)
      expect(status.lock).toBeUndefined()
      const journal = await migrator.journal()
      expect(journal.filter((e) => e.event === 'applied')).toHaveLength(MIGRATIONS + 1)
    })
  },
)
