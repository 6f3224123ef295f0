/**
 * kill -9 of `migr8 migrate up` at seeded random points, RUNS times per dialect.
 *
 * Each run has its own history table and tables (servers) or its own file (SQLite), so runs go in
 * parallel batches. A run applies M migrations of 1 CREATE TABLE + S INSERTs; the kill point is
 * "after k migrations are recorded, plus d ms" with k and d drawn from a seeded generator.
 * After the kill the test checks, migration by migration, that what is recorded matches what ran:
 *   - PostgreSQL/SQLite: recorded ⇔ all T statements' effects present; not recorded ⇔ no effect.
 *   - MySQL (DDL commits): a migration stopped part-way is recorded as `partial` with the
 *     statements done; at most the one statement in flight ran without being recorded.
 * Then the lock must be free for the next run (in-process `up`), MySQL's flagged stop must be
 * refused by `up` and settled with `resume` or `repair --forget`, and every migration ends applied
 * exactly once (journal).
 */
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig, Driver } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { openAdapter } from '../../src-main/db/index.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { Migr8Error } from '../../src-shared/errors.js'
import { buildCli } from '../support/cli.js'
import { availableDialects, createDatabase, dropDatabase, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'
import { SEED, cliWorkspace, exited, figure, seededRandom, sleep, spawnCli } from './support.js'

const dialects = await availableDialects()
const RUNS = Number(process.env.MIGR8_CRASH_RUNS ?? 50)
/** SQLite runs one at a time: its synchronous driver would stall the other runs' kill timers in this process. */
const PARALLEL: Record<Driver, number> = { postgres: 4, mysql: 4, sqlite: 1 }
const M = 5 // migrations per run
const S = 12 // INSERTs per migration
const T = S + 1 // statements per migration
const MAX_DELAY_MS = 60

beforeAll(() => buildCli())

interface Outcome {
  run: number
  target: number
  delay: number
  killed: boolean
  recordedAtKill: number
  flagged: number
  inFlightUnrecorded: number
  violations: string[]
  recoveryMs: number
  settledBy: string[]
}

/** SQLite runs a whole migration in microseconds: a busy read mid-way gives the kill something to hit. */
const SQLITE_BUSY =
  'SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x FROM c);'

function files(dialect: Driver, run: number): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 1; i <= M; i++) {
    const lines = [`CREATE TABLE k${run}_m${i} (n integer);`]
    for (let j = 1; j <= S; j++) {
      lines.push(`INSERT INTO k${run}_m${i} VALUES (${j});`)
      if (dialect === 'sqlite' && j === S / 2) lines.push(SQLITE_BUSY)
    }
    out[`00${i}_m${i}.up.sql`] = `${lines.join('\n')}\n`
  }
  return out
}

async function effects(adapter: Adapter, run: number, i: number): Promise<number> {
  const table = `k${run}_m${i}`
  if (!(await adapter.describeTable(table))) return 0
  const rows = await adapter.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${adapter.quoteIdent(table)}`)
  return 1 + Number(rows[0].n)
}

async function historyRows(adapter: Adapter, table: string) {
  if (!(await adapter.describeTable(table))) return new Map<string, { state: string; done: number }>()
  const rows = await adapter.query<{ version: string; state: string; statements_done: number | string }>(
    `SELECT version, state, statements_done FROM ${adapter.qualifiedTable(table)}`,
  )
  return new Map(rows.map((r) => [String(r.version), { state: r.state, done: Number(r.statements_done) }]))
}

/** Compares, migration by migration, what the history records with the effects present. */
async function checkRecorded(adapter: Adapter, dialect: Driver, table: string, run: number) {
  const result = { recordedAtKill: 0, flagged: 0, inFlightUnrecorded: 0, violations: [] as string[] }
  const history = await historyRows(adapter, table)
  for (let i = 1; i <= M; i++) {
    const row = history.get(`00${i}`)
    const ran = await effects(adapter, run, i)
    if (row?.state === 'applied') {
      result.recordedAtKill++
      if (ran !== T) result.violations.push(`m${i} recorded applied but ${ran}/${T} statements ran`)
    } else if (!row) {
      if (ran !== 0) result.violations.push(`m${i} not recorded but ${ran}/${T} statements ran`)
    } else if (dialect === 'mysql' && row.state === 'partial') {
      result.flagged++
      if (ran === row.done + 1) result.inFlightUnrecorded++
      else if (ran !== row.done)
        result.violations.push(`m${i} partial with ${row.done} recorded but ${ran} statements ran`)
    } else {
      result.violations.push(`m${i} left in state ${row.state} (${ran}/${T} ran)`)
    }
  }
  return result
}

/**
 * better-sqlite3 is synchronous: a poll through the adapter (5 s busy timeout) would freeze the test's event
 * loop, and the kill timers with it, while the child writes. SQLite is polled without waiting instead.
 */
function sqliteAppliedCount(file: string, table: string): number {
  let db: Database.Database | undefined
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 })
    const row = db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE state = 'applied'`).get() as { n: number }
    return row.n
  } catch {
    return -1
  } finally {
    db?.close()
  }
}

async function appliedCount(adapter: Adapter, table: string): Promise<number> {
  if (adapter.dialect === 'sqlite') return sqliteAppliedCount(adapter.connection.database, table)
  try {
    const rows = await adapter.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM ${adapter.qualifiedTable(table)} WHERE state = 'applied'`,
    )
    return Number(rows[0].n)
  } catch {
    return -1 // not created yet
  }
}

async function oneRun(
  dialect: Driver,
  shared: ConnectionConfig | undefined,
  run: number,
  target: number,
  delay: number,
): Promise<Outcome> {
  const connection = shared ?? (await createDatabase('sqlite'))
  const adapter = await openAdapter({ ...connection, poolMax: 2 })
  const table = `h${run}`
  const { dir } = migrationsDir(files(dialect, run))
  const cwd = cliWorkspace(connection, `migrations:\n  dir: ${dir}\n  table: ${table}\n  lock:\n    timeout: 60s\n`)
  const outcome: Outcome = {
    run,
    target,
    delay,
    killed: false,
    recordedAtKill: 0,
    flagged: 0,
    inFlightUnrecorded: 0,
    violations: [],
    recoveryMs: 0,
    settledBy: [],
  }
  try {
    const child = spawnCli(['migrate', 'up'], cwd)
    const done = exited(child)
    let finished = false
    void done.then(() => (finished = true))
    while (!finished && (await appliedCount(adapter, table)) < target) await sleep(3)
    if (delay > 0) await sleep(delay)
    if (!finished) {
      outcome.killed = child.kill('SIGKILL')
    }
    const end = await done
    if (!outcome.killed && end.code !== 0) outcome.violations.push(`unkilled run exited with ${end.code}`)

    // What is recorded must be what ran. The server may still be finishing what the killed client
    // sent last (a commit), and history and effects are read one after the other: a mismatch is
    // read again once that has settled, and only one that persists counts.
    let check = await checkRecorded(adapter, dialect, table, run)
    if (check.violations.length > 0) {
      await sleep(1000)
      check = await checkRecorded(adapter, dialect, table, run)
    }
    outcome.recordedAtKill = check.recordedAtKill
    outcome.flagged = check.flagged
    outcome.inFlightUnrecorded = check.inFlightUnrecorded
    outcome.violations.push(...check.violations)

    // The lock is free again and the run can be completed; a flagged stop is refused until settled.
    const migrator = new Migrator(adapter, settings(dir, { table }))
    const started = performance.now()
    let recovered = await migrator.up().then(
      () => true,
      (error: unknown) => {
        if (error instanceof Migr8Error && error.code === 'MIGRATION_PARTIAL' && outcome.flagged > 0) return false
        throw error
      },
    )
    outcome.recoveryMs = Math.round(performance.now() - started)
    if (!recovered) {
      if (outcome.flagged === 0) outcome.violations.push('up refused without a flagged stop')
      for (const [version, row] of await historyRows(adapter, table)) {
        if (row.state !== 'partial') continue
        const i = Number(version)
        if ((await effects(adapter, run, i)) === row.done) {
          await migrator.resume()
          outcome.settledBy.push('resume')
        } else {
          // One statement ran unrecorded: undo by hand, then forget the stop (the documented repair path).
          await adapter.query(`DROP TABLE ${adapter.quoteIdent(`k${run}_m${i}`)}`)
          await migrator.repair({ forget: version })
          outcome.settledBy.push('repair --forget')
        }
      }
      await migrator.up()
      recovered = true
    } else if (outcome.flagged > 0) outcome.violations.push('up ran over a flagged stop')

    const final = await historyRows(adapter, table)
    for (let i = 1; i <= M; i++) {
      if (final.get(`00${i}`)?.state !== 'applied') outcome.violations.push(`m${i} not applied after recovery`)
      const ran = await effects(adapter, run, i)
      if (ran !== T) outcome.violations.push(`m${i} has ${ran}/${T} effects after recovery`)
    }
    const journal = await migrator.journal()
    const applied = journal.filter((e) => e.event === 'applied' || e.event === 'resumed')
    const byVersion = new Set(applied.map((e) => e.version))
    if (byVersion.size !== M) outcome.violations.push(`journal shows ${byVersion.size} applied versions`)
    if (dialect !== 'mysql' && applied.length !== M)
      outcome.violations.push(`journal shows ${applied.length} applied events for ${M} migrations`)
    return outcome
  } finally {
    await adapter.close()
    if (!shared) await dropDatabase(connection)
  }
}

describe.each(dialects)(`%s: kill -9 of migrate up at ${RUNS} seeded random points`, (dialect) => {
  const db = useDatabase(dialect)

  it('never records what did not run nor runs what is not recorded; the lock is freed; recovery completes', async () => {
    const random = seededRandom(SEED + DIALECT_SALT[dialect])
    const plan = Array.from({ length: RUNS }, (_, run) => ({
      run,
      target: Math.floor(random() * M),
      delay: Math.floor(random() * MAX_DELAY_MS),
    }))
    const outcomes: Outcome[] = []
    const shared = dialect === 'sqlite' ? undefined : db.connection
    for (let start = 0; start < plan.length; start += PARALLEL[dialect]) {
      const batch = plan.slice(start, start + PARALLEL[dialect])
      outcomes.push(...(await Promise.all(batch.map((p) => oneRun(dialect, shared, p.run, p.target, p.delay)))))
    }
    const killed = outcomes.filter((o) => o.killed)
    const violations = outcomes.flatMap((o) => o.violations.map((v) => `run ${o.run}: ${v}`))
    const histogram = Array.from({ length: M + 1 }, (_, k) => killed.filter((o) => o.recordedAtKill === k).length)
    figure(`crash-sweep ${dialect}`, {
      seed: SEED + DIALECT_SALT[dialect],
      runs: outcomes.length,
      killed: killed.length,
      finishedBeforeKill: outcomes.length - killed.length,
      recordedAtKill: histogram.join('/'),
      flaggedPartial: outcomes.reduce((n, o) => n + o.flagged, 0),
      inFlightUnrecorded: outcomes.reduce((n, o) => n + o.inFlightUnrecorded, 0),
      settledByResume: outcomes.flatMap((o) => o.settledBy).filter((s) => s === 'resume').length,
      settledByRepair: outcomes.flatMap((o) => o.settledBy).filter((s) => s !== 'resume').length,
      maxRecoveryMs: Math.max(...outcomes.map((o) => o.recoveryMs)),
      violations: violations.length,
    })
    expect(violations).toEqual([])
    // The sweep must actually kill mid-way, not only before the start or after the end.
    expect(killed.length).toBeGreaterThanOrEqual(Math.floor(RUNS / 2))
    expect(histogram.slice(1, M).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  }, 600_000)
})

const DIALECT_SALT: Record<Driver, number> = { postgres: 1, mysql: 2, sqlite: 3 }
