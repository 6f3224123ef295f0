/**
 * Faults from outside: connections killed by the server mid-migration and mid-import, a backup folder
 * that cannot be written, a full disk behind a compressor, dump tools missing / of the wrong major
 * version / failing. Each must end in a typed error with a remedy and leave no partial state: no
 * recorded migration that did not complete (or a flagged one on MySQL), no rows from a half import,
 * no listed backup and no `.partial` file.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listBackups } from '../../src-main/backup/index.js'
import type { Driver } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { testConfig } from '../backup/fixtures.js'
import { buildCli, runCli, type CliResult } from '../support/cli.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'
import { cliWorkspace, figure, listTree, sleep } from './support.js'
import { skipWithReason } from '../support/skip.js'

const dialects = await availableDialects()
const servers = dialects.filter((d): d is 'postgres' | 'mysql' => d !== 'sqlite')

beforeAll(() => buildCli())

/** Typed CLI error line: `error [CODE]: message` + `remedy: …`. */
function expectTypedError(result: CliResult, codes: string[]): string {
  expect(result.code, result.stdout + result.stderr).toBe(1)
  const match = /error \[([A-Z_]+)\]: /.exec(result.stderr)
  expect(match?.[1], result.stderr).toBeDefined()
  expect(codes, result.stderr).toContain(match![1])
  expect(result.stderr).toMatch(/\n {2}remedy: \S/)
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/) // no stack trace
  return match![1]
}

/** Server-side ids of this database's connections whose current statement matches `pattern`. */
async function busyConnections(admin: Adapter, database: string, pattern: string): Promise<number[]> {
  const rows =
    admin.dialect === 'postgres'
      ? await admin.query<{ id: number }>(
          `SELECT pid AS id FROM pg_stat_activity WHERE datname = ? AND query LIKE ? AND pid <> pg_backend_pid()`,
          [database, pattern],
        )
      : await admin.query<{ id: number }>(
          `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ? AND ID <> CONNECTION_ID()`,
          [database, pattern],
        )
  return rows.map((r) => Number(r.id))
}

/** Drops every connection migr8 (not the test) has to `database`, as a failover or a DBA would. */
async function dropAllConnections(admin: Adapter, database: string, keep: Adapter): Promise<number> {
  const own = await keep.query<{ id: number }>(
    keep.dialect === 'postgres' ? 'SELECT pg_backend_pid() AS id' : 'SELECT CONNECTION_ID() AS id',
  )
  const ownIds = own.map((r) => Number(r.id))
  if (admin.dialect === 'postgres') {
    const rows = await admin.query<{ id: number }>(
      `SELECT pid AS id FROM pg_stat_activity WHERE datname = ? AND application_name = 'migr8' AND pid <> pg_backend_pid()`,
      [database],
    )
    const ids = rows.map((r) => Number(r.id)).filter((id) => !ownIds.includes(id))
    for (const id of ids) await admin.query('SELECT pg_terminate_backend(?)', [id])
    return ids.length
  }
  const rows = await admin.query<{ id: number }>(
    'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
    [database],
  )
  const ids = rows.map((r) => Number(r.id)).filter((id) => !ownIds.includes(id))
  for (const id of ids) await admin.query(`KILL ${id}`).catch(() => undefined)
  return ids.length
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, tries = 1500): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

const SLEEP: Record<'postgres' | 'mysql', string> = { postgres: 'SELECT pg_sleep(30);', mysql: 'SELECT SLEEP(30);' }

describe.each(servers)('%s: the server drops the connections', (dialect) => {
  const db = useDatabase(dialect)

  const seen: { migration?: CliResult; import?: CliResult } = {}

  it('mid-migration: nothing recorded (MySQL: the stop is flagged and resumes), lock freed, recovery completes', async () => {
    const adapter = await db.open()
    const admin = await db.open()
    const { dir, write } = migrationsDir({
      '001_before.up.sql': 'CREATE TABLE fd_before (id integer);\n',
      '002_dropped.up.sql': `CREATE TABLE fd_dropped (id integer);\n${SLEEP[dialect]}\nINSERT INTO fd_dropped VALUES (1);\n`,
    })
    const cwd = cliWorkspace(db.connection, `migrations:\n  dir: ${dir}\n  lock:\n    timeout: 20s\n`)
    const running = runCli(['migrate', 'up'], { cwd, timeoutMs: 90_000 })
    await waitFor(async () => {
      const ids = await busyConnections(admin, db.connection.database, `%${SLEEP[dialect].slice(0, -1)}%`)
      return ids.length > 0 ? ids : undefined
    }, 'the sleeping migration')
    const dropped = await dropAllConnections(admin, db.connection.database, admin)
    const result = (seen.migration = await running)
    expect(result.code).not.toBe(0)

    const migrator = new Migrator(adapter, settings(dir))
    const status = await migrator.status()
    expect(status.lock).toBeUndefined()
    const state = Object.fromEntries(status.entries.map((e) => [e.version, e.state]))
    expect(state['001']).toBe('applied')
    write({
      '002_dropped.up.sql': 'CREATE TABLE fd_dropped (id integer);\nSELECT 1;\nINSERT INTO fd_dropped VALUES (1);\n',
    })
    if (dialect === 'postgres') {
      expect(state['002']).toBe('pending')
      expect(await adapter.describeTable('fd_dropped')).toBeUndefined()
      const next = await runCli(['migrate', 'up'], { cwd })
      expect(next.stderr).toBe('')
      expect(next.code).toBe(0)
    } else {
      // CREATE TABLE had committed: the stop is recorded as partial, `up` refuses, `resume` finishes it.
      expect(state['002']).toBe('partial')
      expect(await adapter.describeTable('fd_dropped')).toBeDefined()
      const refused = await runCli(['migrate', 'up'], { cwd })
      expectTypedError(refused, ['MIGRATION_PARTIAL'])
      const resumed = await runCli(['migrate', 'resume'], { cwd })
      expect(resumed.stderr).toBe('')
      expect(resumed.code).toBe(0)
    }
    expect((await migrator.status()).entries.map((e) => e.state)).toEqual(['applied', 'applied'])
    expect(await adapter.query('SELECT id FROM fd_dropped')).toHaveLength(1)
    figure(`fault connection-dropped-mid-migration ${dialect}`, {
      connectionsDropped: dropped,
      exit: result.code ?? 'signal',
      error: /error \[([A-Z_]+)\]/.exec(result.stderr)?.[1] ?? 'untyped',
      recordedButNotApplied: 0,
      appliedButNotRecorded: 0,
    })
  })

  it('mid-migration: the error is typed as a lost connection with a remedy (no crash)', () => {
    expect(seen.migration).toBeDefined()
    const code = expectTypedError(seen.migration!, ['CONNECTION_LOST', 'MIGRATION_FAILED', 'MIGRATION_PARTIAL'])
    expect(seen.migration!.stderr).toMatch(/connection|terminat|server/i)
    if (code !== 'CONNECTION_LOST') expect(seen.migration!.stderr).not.toMatch(/remedy: Fix the (SQL|statement)/)
  })

  it('mid-import: the seed file is rolled back (no rows), the next run loads it', async () => {
    const adapter = await db.open()
    const admin = await db.open()
    await adapter.query('CREATE TABLE fd_import (id integer PRIMARY KEY, label varchar(40) NOT NULL)')
    const cwd = cliWorkspace(db.connection, 'seeds:\n  dir: seeds\n')
    mkdirSync(join(cwd, 'seeds'))
    const rows = 400_000
    const lines = ['id,label']
    for (let i = 1; i <= rows; i++) lines.push(`${i},label number ${i}`)
    writeFileSync(join(cwd, 'seeds', 'fd_import.csv'), `${lines.join('\n')}\n`)
    const running = runCli(['--json', 'seed', 'run'], { cwd, timeoutMs: 120_000 })
    const pattern = dialect === 'postgres' ? 'COPY%' : '%fd_import%'
    let dropped = 0
    const finishedFirst = await Promise.race([
      running.then(() => true),
      waitFor(async () => {
        const ids = await busyConnections(admin, db.connection.database, pattern)
        return ids.length > 0 ? ids : undefined
      }, 'the import').then(() => false),
    ])
    if (!finishedFirst) dropped = await dropAllConnections(admin, db.connection.database, admin)
    const result = (seen.import = await running)
    expect(finishedFirst, 'the import finished before the connection could be dropped').toBe(false)
    expect(result.code).not.toBe(0)
    const count = await adapter.query<{ n: number | string }>('SELECT count(*) AS n FROM fd_import')
    expect(Number(count[0].n)).toBe(0)
    const again = await runCli(['seed', 'run'], { cwd, timeoutMs: 120_000 })
    expect(again.code, again.stderr).toBe(0)
    const loaded = await adapter.query<{ n: number | string }>('SELECT count(*) AS n FROM fd_import')
    expect(Number(loaded[0].n)).toBe(rows)
    figure(`fault connection-dropped-mid-import ${dialect}`, {
      rows,
      connectionsDropped: dropped,
      error: importErrorCode(result) ?? 'untyped',
      rowsLeft: 0,
    })
  })

  it('mid-import: the error is typed with a remedy (no crash)', () => {
    expect(seen.import).toBeDefined()
    expect(seen.import!.code).toBe(1)
    expect(['CONNECTION_LOST', 'SEED_FAILED']).toContain(importErrorCode(seen.import!))
    expect(seen.import!.stdout + seen.import!.stderr).toMatch(/remedy/i)
  })
})

/** The error code of a `--json seed run`: a top-level error, or the failed file's report. */
function importErrorCode(result: CliResult): string | undefined {
  type Failed = { error?: { code: string } }
  try {
    const parsed = JSON.parse(result.stdout) as Failed | Failed[] | { reports?: Failed[] }
    if (!Array.isArray(parsed) && 'error' in parsed && parsed.error) return parsed.error.code
    const reports: Failed[] = Array.isArray(parsed) ? parsed : 'reports' in parsed ? (parsed.reports ?? []) : []
    return reports.find((r) => r.error)?.error?.code
  } catch {
    return undefined
  }
}

describe.each(dialects)('%s: backups that cannot be written', (dialect) => {
  const db = useDatabase(dialect)
  const mounts: string[] = []
  let seenReadOnly: CliResult | undefined
  afterAll(() => {
    for (const mount of mounts) {
      try {
        execFileSync('umount', [mount])
      } catch {
        // not mounted
      }
      rmSync(mount, { recursive: true, force: true })
    }
  })

  async function seeded(): Promise<Adapter> {
    const adapter = await db.open()
    if (!(await adapter.describeTable('fb_rows'))) {
      await adapter.query('CREATE TABLE fb_rows (id integer, t varchar(64))')
      await adapter.query("INSERT INTO fb_rows VALUES (1, 'one'), (2, 'two')")
    }
    return adapter
  }

  it('a backup folder inside a file, or on a read-only mount: typed error, nothing listed or left', async (context) => {
    await seeded()
    const cwd = cliWorkspace(db.connection, 'backups:\n  dir: blocked/backups\n')
    writeFileSync(join(cwd, 'blocked'), 'a file where a folder should be')
    const inFile = await runCli(['backup', 'create'], { cwd })
    const codes = [expectTypedError(inFile, ['BACKUP_FAILED', 'PATH_INVALID', 'PERMISSION_DENIED'])]
    expect(inFile.stderr).toContain('blocked')
    expect(inFile.stderr).not.toMatch(/DATABASE_MISSING/)
    expect(listTree(cwd)).toEqual(['blocked', 'migr8.yaml'])

    if (process.getuid?.() !== 0) return skipWithReason(context, 'a read-only mount needs root')
    const mount = mkdtempSync(join(tmpdir(), 'migr8-ro-'))
    mounts.push(mount)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mount])
    } catch (error) {
      return skipWithReason(context, `cannot mount a tmpfs: ${(error as Error).message}`)
    }
    const ro = cliWorkspace(db.connection, `backups:\n  dir: ${mount}\n`)
    const readOnly = await runCli(['backup', 'create'], { cwd: ro })
    expect(readOnly.code).toBe(1)
    expect(listTree(mount)).toEqual([])
    seenReadOnly = readOnly
    figure(`fault backup-dir-not-writable ${dialect}`, {
      cases: 2,
      errors: `${codes[0]}/${/error \[([A-Z_]+)\]/.exec(readOnly.stderr)?.[1] ?? 'untyped'}`,
      filesLeft: 0,
    })
  })

  it('a read-only backup folder is named as the cause', () => {
    expect(seenReadOnly).toBeDefined()
    expectTypedError(seenReadOnly!, ['BACKUP_FAILED', 'PERMISSION_DENIED'])
    expect(seenReadOnly!.stderr).toMatch(/read-only|EROFS|readonly/i)
  })

  it('a disk that fills up behind gzip: DISK_FULL, no listed backup, no partial file', async (context) => {
    if (process.getuid?.() !== 0) return skipWithReason(context, 'mounting a small tmpfs needs root')
    const adapter = await seeded()
    // About 3 MB of incompressible text: more than the 1 MiB mount holds even gzipped.
    const big = Array.from({ length: 600 }, (_, i) => `(${1000 + i}, '${'x'.repeat(0)}${randomText(i)}')`)
    for (let i = 0; i < 80; i++) await adapter.query(`INSERT INTO fb_rows VALUES ${big.join(', ')}`)
    const mount = mkdtempSync(join(tmpdir(), 'migr8-full-'))
    mounts.push(mount)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount])
    } catch (error) {
      return skipWithReason(context, `cannot mount a tmpfs: ${(error as Error).message}`)
    }
    const cwd = cliWorkspace(db.connection, `backups:\n  dir: ${mount}\n`)
    const result = await runCli(['backup', 'create', '--compress', 'gzip'], { cwd })
    const code = expectTypedError(result, ['DISK_FULL'])
    expect(listTree(mount)).toEqual([])
    expect((await listBackups({ ...testConfig(db.connection, { dir: mount }), baseDir: cwd })).backups).toEqual([])
    figure(`fault disk-full-gzip ${dialect}`, { mountBytes: 1 << 20, error: code, filesLeft: 0 })
  })
})

/** Deterministic hex text that gzip cannot shrink much. */
function randomText(seed: number): string {
  let x = (seed + 1) * 2654435761
  let out = ''
  for (let i = 0; i < 56; i++) {
    x = (x ^ (x << 13)) >>> 0
    x = (x ^ (x >>> 17)) >>> 0
    x = (x ^ (x << 5)) >>> 0
    out += (x % 16).toString(16)
  }
  return out
}

const DUMP_TOOL: Record<'postgres' | 'mysql', string> = { postgres: 'pg_dump', mysql: 'mariadb-dump' }
const FAKES: Record<'postgres' | 'mysql', Record<string, { script: string; codes: string[]; mentions: RegExp }>> = {
  postgres: {
    'older major (server version mismatch)': {
      script:
        'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 9.6.24"; exit 0; fi\necho "pg_dump: error: aborting because of server version mismatch" >&2\necho "pg_dump: detail: server version: 15.8; pg_dump version: 9.6.24" >&2\nexit 1',
      codes: ['TOOL_MISSING'],
      mentions: /version/i,
    },
    'fails after writing half a dump': {
      script:
        'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 15.8"; exit 0; fi\necho "-- PostgreSQL database dump"\necho "CREATE TABLE half (id int);"\necho "pg_dump: error: query failed: out of shared memory" >&2\nexit 1',
      codes: ['BACKUP_FAILED'],
      mentions: /out of shared memory/,
    },
  },
  mysql: {
    'older major refusing the server': {
      script:
        'if [ "$1" = --version ]; then echo "mariadb-dump  Ver 9.19 Distrib 5.5.68-MariaDB, for Linux (x86_64)"; exit 0; fi\necho "mariadb-dump: Couldn\'t execute \'SELECT COLUMN_NAME\': Unknown table \'COLUMN_STATISTICS\' (1109)" >&2\nexit 2',
      codes: ['BACKUP_FAILED', 'TOOL_MISSING'],
      mentions: /COLUMN_STATISTICS|mariadb-dump/,
    },
    'fails after writing half a dump': {
      script:
        'if [ "$1" = --version ]; then echo "mariadb-dump  Ver 10.19 Distrib 10.11.8-MariaDB, for debian-linux-gnu (x86_64)"; exit 0; fi\necho "-- MariaDB dump 10.19"\necho "CREATE TABLE half (id int);"\necho "mariadb-dump: Got error: 2013: Lost connection to server during query" >&2\nexit 2',
      codes: ['BACKUP_FAILED', 'CONNECTION_LOST'],
      mentions: /Lost connection/,
    },
  },
}

describe.each(servers)('%s: dump tools missing, failing or of the wrong version', (dialect) => {
  const db = useDatabase(dialect)

  it('missing from PATH: TOOL_MISSING naming what to install; nothing written', async () => {
    const cwd = cliWorkspace(db.connection, 'backups:\n  dir: backups\n')
    const result = await runCli(['backup', 'create'], { cwd, env: { PATH: '/nonexistent', MIGR8_TOOLS_DIR: '' } })
    expectTypedError(result, ['TOOL_MISSING'])
    expect(result.stderr).toMatch(/install/i)
    expect(listTree(cwd)).toEqual(['migr8.yaml'])
  })

  it.each(Object.keys(FAKES[dialect]))(
    'a fake dump tool: %s → typed error, no listed or partial backup',
    async (label) => {
      const fake = FAKES[dialect][label]
      const tools = mkdtempSync(join(tmpdir(), 'migr8-fake-tools-'))
      const path = join(tools, DUMP_TOOL[dialect])
      writeFileSync(path, `#!/bin/sh\n${fake.script}\n`)
      chmodSync(path, 0o755)
      const cwd = cliWorkspace(db.connection, 'backups:\n  dir: backups\n')
      const result = await runCli(['backup', 'create', '--compress', 'gzip'], {
        cwd,
        env: { MIGR8_TOOLS_DIR: tools },
      })
      const code = expectTypedError(result, fake.codes)
      expect(result.stderr).toMatch(fake.mentions)
      const left = listTree(join(cwd, 'backups'))
      expect(left).toEqual([])
      figure(`fault dump-tool ${dialect} ${label.replace(/\s+/g, '-')}`, { error: code, filesLeft: left.length })
      rmSync(tools, { recursive: true, force: true })
      expect(existsSync(path)).toBe(false)
    },
  )
})

export type { Driver }
