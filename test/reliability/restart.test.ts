/**
 * A real server restart between and during steps, on a private PostgreSQL 15 instance (never the shared
 * servers): `pg_ctl stop -m immediate` while a migration sleeps, while a dump is being written and while
 * a seed file is copied in, and commands run while the server is down. Each must end in a typed error
 * with a remedy (never a crash) and leave no partial state: nothing recorded that did not run, no listed
 * or complete-looking backup, no rows of a half-loaded file. After `pg_ctl start` the same command works.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli, runCli, type CliResult } from '../support/cli.js'
import { pgInstanceUnavailable, startPgInstance, type PgInstance } from '../support/pg-instance.js'
import { figure, listTree, seededRandom, SEED, sleep } from './support.js'

const unavailable = pgInstanceUnavailable('server restart tests')
const DATABASE = 'db'

/** Typed CLI error line: `error [CODE]: message` + `remedy: …`, no stack trace. */
function expectTypedError(result: CliResult, codes: string[]): string {
  expect(result.code, result.stdout + result.stderr).toBe(1)
  const match = /error \[([A-Z_]+)\]: /.exec(result.stderr)
  expect(match?.[1], result.stderr).toBeDefined()
  expect(codes, result.stderr).toContain(match![1])
  expect(result.stderr).toMatch(/\n {2}remedy: \S/)
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/)
  return match![1]
}

const errorCode = (result: CliResult) => /error \[([A-Z_]+)\]/.exec(result.stderr)?.[1] ?? 'untyped'

/** Polls `probe` every 10 ms until it returns true, or `done` settles first (then returns false). */
async function until(probe: () => Promise<boolean>, done: Promise<unknown>, what: string): Promise<boolean> {
  let finished = false
  void done.then(() => (finished = true))
  for (let i = 0; i < 3000; i++) {
    if (finished) return false
    if (await probe().catch(() => false)) return true
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe.skipIf(unavailable !== undefined)('PostgreSQL restarted between and during steps', () => {
  let pg: PgInstance
  let cwd: string
  const url = () => pg.url(DATABASE)
  const cli = (args: string[], timeoutMs = 60_000) => runCli(['--url', url(), ...args], { cwd, timeoutMs })
  const seen: { migration?: CliResult; backup?: CliResult; seed?: CliResult } = {}

  beforeAll(async () => {
    buildCli()
    pg = await startPgInstance()
    await pg.psql(`CREATE DATABASE ${DATABASE}`)
    cwd = mkdtempSync(join(tmpdir(), 'migr8-restart-'))
    writeFileSync(
      join(cwd, 'migr8.yaml'),
      'migrations:\n  dir: migrations\n  lock:\n    timeout: 10s\nbackups:\n  dir: backups\nseeds:\n  dir: seeds\n',
    )
    mkdirSync(join(cwd, 'migrations'))
    mkdirSync(join(cwd, 'seeds'))
  }, 60_000)

  afterAll(async () => {
    await pg?.destroy()
    if (cwd) rmSync(cwd, { recursive: true, force: true })
  })

  const inDb = (sql: string) => pg.psql(sql, DATABASE)
  const statusOf = async (): Promise<Record<string, string>> => {
    const result = await cli(['--json', 'migrate', 'status'])
    expect(result.code, result.stderr).toBe(0)
    const parsed = JSON.parse(result.stdout) as { entries: Array<{ version: string; state: string }> }
    return Object.fromEntries(parsed.entries.map((e) => [e.version, e.state]))
  }
  /** Ids `backup list` shows; a leftover it reports (e.g. a `.partial`) fails the test. */
  const listed = async (): Promise<string[]> => {
    const result = await cli(['--json', 'backup', 'list'])
    expect(result.code, result.stderr).toBe(0)
    const parsed = JSON.parse(result.stdout) as { backups: Array<{ id: string }>; problems: unknown[] }
    expect(parsed.problems).toEqual([])
    return parsed.backups.map((b) => b.id)
  }

  it('stopped during the 2nd of 3 migrations: migration 1 applied, 2 and 3 pending, `up` then completes', async () => {
    const write = (sleepSeconds: number) => {
      writeFileSync(join(cwd, 'migrations', '001_one.up.sql'), 'CREATE TABLE rs_one (id integer);\n')
      writeFileSync(
        join(cwd, 'migrations', '002_two.up.sql'),
        `CREATE TABLE rs_two (id integer);\nSELECT pg_sleep(${sleepSeconds});\nINSERT INTO rs_two VALUES (2);\n`,
      )
      writeFileSync(join(cwd, 'migrations', '003_three.up.sql'), 'CREATE TABLE rs_three (id integer);\n')
    }
    write(30)
    const running = cli(['migrate', 'up'], 60_000)
    const hit = await until(
      async () =>
        Number(
          await inDb(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
          ),
        ) > 0,
      running,
      'the sleeping migration',
    )
    expect(hit, 'migrate up ended before the server could be stopped').toBe(true)
    await pg.stop('immediate')
    const result = (seen.migration = await running)
    await pg.start()
    expect(result.code).not.toBe(0)

    const state = await statusOf()
    expect(state).toEqual({ '001': 'applied', '002': 'pending', '003': 'pending' })
    expect(await inDb("SELECT to_regclass('rs_one') IS NOT NULL, to_regclass('rs_two') IS NOT NULL")).toBe('t|f')
    expect(await inDb("SELECT to_regclass('rs_three') IS NOT NULL")).toBe('f')

    write(0)
    const next = await cli(['migrate', 'up'])
    expect(next.code, next.stderr).toBe(0)
    expect(await statusOf()).toEqual({ '001': 'applied', '002': 'applied', '003': 'applied' })
    expect(await inDb('SELECT id FROM rs_two')).toBe('2')
    figure('restart stop-mid-migration postgres', {
      migrations: 3,
      stoppedIn: '002',
      exit: result.code ?? 'signal',
      error: errorCode(result),
      appliedAfterStop: 1,
      recordedButNotApplied: 0,
      appliedButNotRecorded: 0,
      recoveryUp: 'ok',
    })
  })

  it('stopped during a migration: the error is typed as a lost connection with a remedy (no crash)', () => {
    expect(seen.migration).toBeDefined()
    expectTypedError(seen.migration!, ['CONNECTION_LOST', 'MIGRATION_FAILED'])
    expect(seen.migration!.stderr).toMatch(/connection|terminat|shut ?down|server/i)
  })

  it('down between steps: status and backup give HOST_UNREACHABLE, nothing written; --wait rides out a start', async () => {
    const backupsBefore = listTree(join(cwd, 'backups'))
    await pg.stop('immediate')
    const status = await cli(['migrate', 'status'])
    const statusCode = expectTypedError(status, ['HOST_UNREACHABLE'])
    expect(status.stderr).toMatch(/--wait/)
    const backup = await cli(['backup', 'create'])
    const backupCode = expectTypedError(backup, ['HOST_UNREACHABLE'])
    expect(listTree(join(cwd, 'backups'))).toEqual(backupsBefore)
    expect(await listed()).toEqual([])

    // Started while the server is down; the server comes up 2 s later.
    const waiting = cli(['--wait', '20s', 'migrate', 'status'], 60_000)
    await sleep(2_000)
    await pg.start()
    const waited = await waiting
    expect(waited.code, waited.stderr).toBe(0)
    expect(waited.stdout).toMatch(/003/)

    await pg.stop('immediate')
    const waitingBackup = cli(['--wait', '20s', 'backup', 'create', '--compress', 'gzip'], 60_000)
    await sleep(2_000)
    await pg.start()
    const waitedBackup = await waitingBackup
    expect(waitedBackup.code, waitedBackup.stderr).toBe(0)
    const ids = await listed()
    expect(ids).toHaveLength(1)
    const verified = await cli(['backup', 'verify', ids[0]])
    expect(verified.code, verified.stderr).toBe(0)
    figure('restart down-between-steps postgres', {
      status: statusCode,
      backup: backupCode,
      filesWritten: 0,
      listed: 0,
      waitedStatus: 'ok',
      waitedBackup: 'ok',
      serverStartedAfterMs: 2000,
    })
  })

  it('stopped mid-dump: nothing new listed, no partial left; after a start a backup succeeds and verifies', async () => {
    const rows = 2_000_000
    await inDb(
      `CREATE TABLE rs_big AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b FROM generate_series(1, ${rows}) g`,
    )
    // So the start after the immediate stop does not replay the table's WAL.
    await inDb('CHECKPOINT')
    const dir = join(cwd, 'backups')
    const before = await listed()
    const filesBefore = listTree(dir)
    const running = cli(['backup', 'create', '--compress', 'none'], 60_000)
    let partialBytes = 0
    const hit = await until(
      async () => {
        const partial = readdirSync(dir).find((name) => name.endsWith('.partial'))
        partialBytes = partial ? statSync(join(dir, partial)).size : 0
        return partialBytes >= 4 << 20
      },
      running,
      'the dump to start writing',
    )
    expect(hit, 'the backup finished before the server could be stopped').toBe(true)
    await pg.stop('immediate')
    const result = (seen.backup = await running)
    expect(result.code).toBe(1)
    const left = listTree(dir).filter((name) => !filesBefore.includes(name))
    await pg.start()
    expect(left).toEqual([])
    expect(await listed()).toEqual(before)

    const again = await cli(['--json', 'backup', 'create'], 60_000)
    expect(again.code, again.stderr).toBe(0)
    const after = await listed()
    expect(after).toHaveLength(before.length + 1)
    const id = after.find((entry) => !before.includes(entry))!
    const verified = await cli(['backup', 'verify', id])
    expect(verified.code, verified.stderr).toBe(0)
    figure('restart stop-mid-dump postgres', {
      rows,
      stoppedAfterBytes: partialBytes,
      exit: result.code ?? 'signal',
      error: errorCode(result),
      newListed: 0,
      filesLeft: left.length,
      backupAfterStart: 'verified',
    })
  }, 80_000)

  it('stopped mid-dump: the error is typed with a remedy (no crash)', () => {
    expect(seen.backup).toBeDefined()
    expectTypedError(seen.backup!, ['CONNECTION_LOST', 'BACKUP_FAILED'])
    expect(seen.backup!.stderr).toMatch(/server closed the connection/)
  })

  it('stopped mid-dump: the remedy points at the lost server, not at permissions', () => {
    expect(seen.backup).toBeDefined()
    const remedy = /\n {2}remedy: (.*)/.exec(seen.backup!.stderr)?.[1] ?? ''
    expect(remedy).not.toMatch(/may read every table|superuser/)
    expect(remedy).toMatch(/server|connection/i)
  })

  it('stopped mid-import: none of the file is left after the start; a re-run loads it all', async () => {
    await inDb('CREATE TABLE rs_import (id integer PRIMARY KEY, label varchar(40) NOT NULL)')
    const rows = 400_000
    const random = seededRandom(SEED ^ 0x7e57)
    const lines = ['id,label']
    for (let i = 1; i <= rows; i++) lines.push(`${i},label ${Math.floor(random() * 1e9)}`)
    writeFileSync(join(cwd, 'seeds', 'rs_import.csv'), `${lines.join('\n')}\n`)
    const running = cli(['--json', 'seed', 'run'], 60_000)
    const hit = await until(
      async () =>
        Number(
          await inDb("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND pid <> pg_backend_pid()"),
        ) > 0,
      running,
      'the COPY',
    )
    expect(hit, 'the import finished before the server could be stopped').toBe(true)
    await pg.stop('immediate')
    const result = (seen.seed = await running)
    await pg.start()
    expect(result.code).not.toBe(0)
    expect(await inDb('SELECT count(*) FROM rs_import')).toBe('0')

    const again = await cli(['seed', 'run'], 60_000)
    expect(again.code, again.stderr).toBe(0)
    expect(await inDb('SELECT count(*) FROM rs_import')).toBe(String(rows))
    figure('restart stop-mid-import postgres', {
      rows,
      exit: result.code ?? 'signal',
      error: seedErrorCode(result) ?? 'untyped',
      rowsLeft: 0,
      rerunLoaded: rows,
    })
  })

  it('stopped mid-import: the error is typed with a remedy (no crash)', () => {
    expect(seen.seed).toBeDefined()
    expect(seen.seed!.code).toBe(1)
    expect(['CONNECTION_LOST', 'SEED_FAILED']).toContain(seedErrorCode(seen.seed!))
    expect(seen.seed!.stdout + seen.seed!.stderr).toMatch(/remedy/i)
  })
})

/** The error code of a `--json seed run`: a top-level error, or the failed file's report. */
function seedErrorCode(result: CliResult): string | undefined {
  type Failed = { error?: { code: string } }
  try {
    const parsed = JSON.parse(result.stdout) as Failed | { reports?: Failed[] }
    if ('error' in parsed && parsed.error) return parsed.error.code
    return ('reports' in parsed ? (parsed.reports ?? []) : []).find((r) => r.error)?.error?.code
  } catch {
    return undefined
  }
}
