/**
 * Backups taken while migrations run: BACKUPS `migr8 backup create` processes and MIGRATORS
 * `migr8 migrate up` processes start together (seeded start offsets). Every process must succeed,
 * each migration is applied once, and every backup, restored into a new database, is a consistent
 * snapshot: a migration recorded as applied has all its rows, one not recorded has no table, and
 * (MySQL, DDL commits) a migration caught part-way is recorded as partial with what ran.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { restoreBackup } from '../../src-main/backup/index.js'
import type { ConnectionConfig, Driver } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { openAdapter } from '../../src-main/db/index.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { testConfig } from '../backup/fixtures.js'
import { buildCli, runCli } from '../support/cli.js'
import { availableDialects, dropDatabase, uniqueName, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'
import { SEED, cliWorkspace, figure, seededRandom, sleep } from './support.js'

const dialects = await availableDialects()
const MIGRATIONS = 8
const ROWS = 20_000
const MIGRATORS = 4
const BACKUPS = 4

const FILL: Record<Driver, (table: string) => string> = {
  postgres: (t) => `INSERT INTO ${t} SELECT g FROM generate_series(1, ${ROWS}) g;`,
  mysql: (t) => `INSERT INTO ${t} SELECT seq FROM seq_1_to_${ROWS};`,
  sqlite: (t) =>
    `INSERT INTO ${t} WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${ROWS}) SELECT x FROM c;`,
}

/** PostgreSQL runs these migrations faster than a backup process starts: a pause keeps them overlapping. */
const PAUSE: Record<Driver, string> = { postgres: 'SELECT pg_sleep(0.4);\n', mysql: '', sqlite: '' }

beforeAll(() => buildCli())

async function snapshotProblems(adapter: Adapter, dialect: Driver): Promise<{ problems: string[]; applied: number }> {
  const problems: string[] = []
  const history = (await adapter.describeTable('migr8_migrations'))
    ? await adapter.query<{ version: string; state: string; statements_done: number | string }>(
        'SELECT version, state, statements_done FROM migr8_migrations',
      )
    : []
  const rows = new Map(history.map((r) => [String(r.version), r]))
  let applied = 0
  for (let i = 1; i <= MIGRATIONS; i++) {
    const table = `bm_${i}`
    const row = rows.get(String(i).padStart(3, '0'))
    const exists = !!(await adapter.describeTable(table))
    const count = exists
      ? Number((await adapter.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`))[0].n)
      : -1
    const ran = exists ? (count === ROWS ? 2 : 1) : 0 // statements whose effect is in the snapshot
    if (row?.state === 'applied') {
      applied++
      if (ran !== 2) problems.push(`${table}: recorded applied, ${ran}/2 statements in the backup`)
    } else if (!row) {
      if (ran !== 0) problems.push(`${table}: not recorded, ${ran}/2 statements in the backup`)
    } else if (dialect === 'mysql' && row.state === 'partial') {
      const done = Number(row.statements_done)
      if (ran !== done && ran !== done + 1) problems.push(`${table}: partial ${done} recorded, ${ran}/2 in the backup`)
    } else problems.push(`${table}: state ${row.state}`)
  }
  return { problems, applied }
}

describe.each(dialects)(`%s: ${BACKUPS} backups during ${MIGRATORS} concurrent migrate up`, (dialect) => {
  const db = useDatabase(dialect)

  it('all succeed; each migration applied once; every backup restores to a consistent snapshot', async () => {
    const files: Record<string, string> = {}
    for (let i = 1; i <= MIGRATIONS; i++)
      files[`${String(i).padStart(3, '0')}_bm${i}.up.sql`] =
        `${PAUSE[dialect]}CREATE TABLE bm_${i} (n integer);\n${FILL[dialect](`bm_${i}`)}\n`
    const { dir } = migrationsDir(files)
    const cwd = cliWorkspace(
      db.connection,
      `migrations:\n  dir: ${dir}\n  lock:\n    timeout: 120s\nbackups:\n  dir: backups\n`,
    )
    const random = seededRandom(SEED + 11)
    const jobs = [
      ...Array.from({ length: MIGRATORS }, () => ({ kind: 'migrate', args: ['--json', 'migrate', 'up'] })),
      ...Array.from({ length: BACKUPS }, () => ({
        kind: 'backup',
        args: ['--json', 'backup', 'create', '--compress', 'gzip'],
      })),
    ].map((job) => ({ ...job, offset: Math.floor(random() * 1500) }))
    const results = await Promise.all(
      jobs.map(async (job) => {
        await sleep(job.offset)
        return { ...job, ...(await runCli(job.args, { cwd, timeoutMs: 180_000 })) }
      }),
    )
    const failures = results.filter((r) => r.code !== 0).map((r) => `${r.kind}: ${r.stdout}${r.stderr}`)
    const applied = results
      .filter((r) => r.kind === 'migrate' && r.code === 0)
      .flatMap((r) => (JSON.parse(r.stdout) as { steps: Array<{ version: string }> }).steps.map((s) => s.version))
    const backupIds = results
      .filter((r) => r.kind === 'backup' && r.code === 0)
      .map((r) => (JSON.parse(r.stdout) as { id: string }).id)

    const config = { ...testConfig(db.connection), baseDir: cwd }
    const adapter = await db.open()
    const snapshots: Array<{ id: string; applied: number; problems: string[] }> = []
    for (const id of backupIds) {
      const target = dialect === 'sqlite' ? join(cwd, `${id}.restored.sqlite`) : uniqueName('migr8_bdm')
      await restoreBackup(adapter, config, id, { targetDb: target })
      const connection: ConnectionConfig = { ...db.connection, database: target }
      const copy = await openAdapter(connection)
      try {
        snapshots.push({ id, ...(await snapshotProblems(copy, dialect)) })
      } finally {
        await copy.close()
        if (dialect !== 'sqlite') await dropDatabase(connection)
      }
    }
    const migrator = new Migrator(adapter, settings(dir))
    const status = await migrator.status()
    figure(`backup-during-migrate ${dialect}`, {
      seed: SEED + 11,
      migrateProcesses: MIGRATORS,
      backupProcesses: BACKUPS,
      failures: failures.length,
      appliedSteps: applied.length,
      backupsRestored: snapshots.length,
      migrationsInBackups: snapshots.map((s) => s.applied).join('/'),
      inconsistentBackups: snapshots.filter((s) => s.problems.length > 0).length,
    })
    expect(failures).toEqual([])
    expect(applied.sort()).toEqual(Object.keys(files).map((f) => f.slice(0, 3)))
    expect(status.entries.every((e) => e.state === 'applied')).toBe(true)
    expect(snapshots.flatMap((s) => s.problems.map((p) => `${s.id}: ${p}`))).toEqual([])
    expect(snapshots).toHaveLength(BACKUPS)
  }, 300_000)
})
