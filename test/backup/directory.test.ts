/**
 * PostgreSQL's directory format (`pg_dump -Fd -j N`, `pg_restore -j N`): round trip, the same
 * completeness guarantees as the single-file formats (cancel, kill, tool failure, full disk),
 * damage detection, catalog handling of folders, and the refusal on the other dialects.
 */
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ProgressEvent } from '../../src-shared/progress.js'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { openAdapter } from '../../src-main/db/index.js'
import {
  cleanBackups,
  createBackup,
  deleteBackup,
  listBackups,
  restoreBackup,
  verifyBackup,
  type BackupRecord,
} from '../../src-main/backup/index.js'
import { availableDialects, dropDatabase, uniqueName, useDatabase } from '../support/databases.js'
import { childPids, fingerprint, seedDatabase, testConfig, withSmallTmpfs } from './fixtures.js'
import { skipWithReason } from '../support/skip.js'

const postgres = await availableDialects(['postgres'])
const others = await availableDialects(['mysql', 'sqlite'])

type Config = ReturnType<typeof testConfig>

const backupsOf = (config: Config) => join(config.baseDir, 'backups')
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : [])

/** The digest as docs/backups.md tells users to check it, with standard tools only. */
function shellDigest(folder: string): string {
  return execFileSync('sh', ['-c', 'cd "$DIR" && LC_ALL=C ls | xargs sha256sum | sha256sum'], {
    env: { ...process.env, DIR: folder },
    encoding: 'utf8',
  }).split(' ')[0]
}

/** Re-records size and digest as if the damaged folder were what was backed up (damage at the source). */
function recordAsIs(config: Config, record: BackupRecord) {
  const folder = join(backupsOf(config), record.file)
  const size = readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0)
  const metadata = join(backupsOf(config), `${record.id}.json`)
  writeFileSync(metadata, JSON.stringify({ ...record, sizeCompressed: size, sha256: shellDigest(folder) }))
}

/** Processes (not yet reaped zombies aside) still in the process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' })
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid))
}

async function databaseExists(adapter: Awaited<ReturnType<ReturnType<typeof useDatabase>['open']>>, name: string) {
  return (await adapter.query('SELECT 1 FROM pg_database WHERE datname = ?', [name])).length > 0
}

describe.each(postgres)('%s: directory format (pg_dump -Fd -j N)', () => {
  const db = useDatabase('postgres')
  const targets: ConnectionConfig[] = []
  afterAll(async () => {
    await Promise.all(targets.map((t) => dropDatabase(t).catch(() => undefined)))
  })

  async function seeded(rows = 200) {
    const adapter = await db.open()
    if (!(await adapter.describeTable('items'))) await seedDatabase(adapter, rows)
    return adapter
  }

  it('round trip: parallel dump, catalog entry, verify, parallel restore into a new database', async () => {
    const source = await seeded()
    // A second table, so that two jobs have two tables to share.
    await source.withSession((s) =>
      s.execute('CREATE TABLE wide AS SELECT g AS id, md5(g::text) AS t FROM generate_series(1, 20000) g'),
    )
    const expected = await fingerprint(source)
    const wide = await source.query("SELECT count(*) AS n, md5(string_agg(t, '' ORDER BY id)) AS h FROM wide")
    const config = testConfig(db.connection)
    const events: ProgressEvent[] = []
    const logs: string[] = []
    const record = await createBackup(
      source,
      config,
      { format: 'directory', jobs: 2, label: 'parallel' },
      { onProgress: (e) => events.push(e), onLog: (_level, message) => logs.push(message) },
    )
    expect(record).toMatchObject({ format: 'directory', compression: 'gzip', tool: 'pg_dump', label: 'parallel' })
    expect(record.file).toBe(`${record.id}.dir`)
    expect(logs.join('\n')).toContain('(2 jobs)')
    const folder = join(backupsOf(config), record.file)
    const files = readdirSync(folder)
    expect(files).toContain('toc.dat')
    expect(files.filter((name) => name.endsWith('.dat.gz')).length).toBeGreaterThanOrEqual(3)
    const total = files.reduce((sum, name) => sum + statSync(join(folder, name)).size, 0)
    expect(record.sizeCompressed).toBe(total)
    expect(record.sizeRaw).toBe(total)
    expect(record.sha256).toBe(shellDigest(folder))
    expect(statSync(folder).mode & 0o777).toBe(0o750)
    expect(entries(backupsOf(config))).toEqual([`${record.id}.dir`, `${record.id}.json`])
    expect(events.some((e) => e.unit === 'bytes' && (e.done ?? 0) > 0)).toBe(true)
    expect(events.at(-1)).toMatchObject({ phase: 'done', done: total })

    const list = await listBackups(config)
    expect(list.backups.map((b) => b.id)).toEqual([record.id])
    expect(list.problems).toEqual([])
    const verified = await verifyBackup(config, record.id)
    expect(verified.check).toBe('sha256 + pg_restore -f /dev/null')

    for (const jobs of [undefined, 1]) {
      const target = uniqueName('migr8_dir')
      const connection = { ...db.connection, database: target }
      targets.push(connection)
      const result = await restoreBackup(source, config, record.id, { targetDb: target, jobs })
      expect(result.replaced).toBe(false)
      const restored = await openAdapter(connection)
      try {
        expect(await fingerprint(restored)).toEqual(expected)
        expect(await restored.query("SELECT count(*) AS n, md5(string_agg(t, '' ORDER BY id)) AS h FROM wide")).toEqual(
          wide,
        )
        await restored.query("INSERT INTO items (name) VALUES ('after restore')")
        const audit = await restored.query('SELECT count(*) AS n FROM audit')
        expect(Number(audit[0].n)).toBe(expected.tables.audit.rows + 1)
      } finally {
        await restored.close()
      }
    }
  })

  it('replaces the configured database with --force (safety backup first)', async () => {
    const source = await seeded()
    const expected = await fingerprint(source)
    const config = testConfig(db.connection)
    const record = await createBackup(source, config, { format: 'directory', compress: 'none' }, {})
    expect(record.compression).toBe('none')
    expect(readdirSync(join(backupsOf(config), record.file)).some((name) => name.endsWith('.dat'))).toBe(true)
    await source.withSession((s) => s.execute('CREATE TABLE after_directory_backup (id int)'))
    await expect(restoreBackup(source, config, record.id, {})).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' })
    const result = await restoreBackup(source, config, record.id, { force: true, jobs: 2 })
    expect(result.replaced).toBe(true)
    expect(result.safetyBackup).toBeDefined()
    const reopened = await openAdapter(db.connection)
    try {
      expect(await reopened.describeTable('after_directory_backup')).toBeUndefined()
      expect(await fingerprint(reopened)).toEqual(expected)
    } finally {
      await reopened.close()
    }
  })

  it('--jobs is refused for the other formats and when not a positive whole number', async () => {
    const source = await seeded()
    const config = testConfig(db.connection)
    await expect(createBackup(source, config, { format: 'custom', jobs: 2 }, {})).rejects.toMatchObject({
      code: 'BAD_USAGE',
    })
    await expect(createBackup(source, config, { format: 'directory', jobs: 0 }, {})).rejects.toMatchObject({
      code: 'BAD_USAGE',
    })
    expect(entries(backupsOf(config))).toEqual([])
  })

  describe('interrupted and failed directory backups leave nothing that looks complete', () => {
    let config: Config
    let first: BackupRecord

    it('setup: a big table and one good backup', async () => {
      const adapter = await seeded(20)
      // ~130 MB of hex text: pg_dump's gzip takes about a second on it, long enough to be interrupted.
      await adapter.withSession((s) =>
        s.execute(
          'CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) AS t FROM generate_series(1, 1000000) g',
        ),
      )
      config = testConfig(db.connection)
      first = await createBackup(adapter, config, { format: 'directory' }, {})
    })

    async function expectOnlyFirst() {
      expect(entries(backupsOf(config))).toEqual([first.file, `${first.id}.json`])
      const list = await listBackups(config)
      expect(list.backups.map((b) => b.id)).toEqual([first.id])
      expect(list.problems).toEqual([])
    }

    it('cancelled mid-way: CANCELLED, temp folder removed, no pg_dump left running', async () => {
      const adapter = await db.open()
      const controller = new AbortController()
      let leader: number | undefined
      const promise = createBackup(
        adapter,
        config,
        { format: 'directory', jobs: 2 },
        {
          signal: controller.signal,
          onProgress: (event) => {
            if (leader === undefined && event.phase.startsWith('dumping') && (event.done ?? 0) > 0) {
              leader = childPids('pg_dump')[0]
              controller.abort()
            }
          },
        },
      )
      await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' })
      expect(leader).toBeDefined()
      expect(groupMembers(leader!)).toEqual([])
      await expectOnlyFirst()
    })

    it('pg_dump killed mid-way: BACKUP_FAILED, its workers stopped, temp folder removed', async () => {
      const adapter = await db.open()
      let leader: number | undefined
      const promise = createBackup(
        adapter,
        config,
        { format: 'directory', jobs: 2 },
        {
          onProgress: (event) => {
            if (leader === undefined && event.phase.startsWith('dumping') && (event.done ?? 0) > 0) {
              leader = childPids('pg_dump')[0]
              if (leader) process.kill(leader, 'SIGKILL')
            }
          },
        },
      )
      await expect(promise).rejects.toMatchObject({ code: 'BACKUP_FAILED' })
      expect(leader).toBeDefined()
      expect(groupMembers(leader!)).toEqual([])
      await expectOnlyFirst()
    })

    it('pg_dump failing after writing some files: its message, and the temp folder removed', async () => {
      const adapter = await db.open()
      const tools = mkdtempSync(join(tmpdir(), 'migr8-fake-pg_dump-'))
      const fake = join(tools, 'pg_dump')
      writeFileSync(
        fake,
        `#!/bin/sh
if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 15.20"; exit 0; fi
while [ $# -gt 0 ]; do if [ "$1" = "-f" ]; then dir="$2"; fi; shift; done
printf 'half a table' > "$dir/3001.dat.gz"
echo 'pg_dump: error: query failed: ERROR:  permission denied for table secret' >&2
exit 1
`,
      )
      chmodSync(fake, 0o755)
      const previous = process.env.MIGR8_TOOLS_DIR
      process.env.MIGR8_TOOLS_DIR = tools
      try {
        const failure = await createBackup(adapter, config, { format: 'directory' }, {}).catch((e: unknown) => e)
        expect(failure).toMatchObject({ code: 'BACKUP_FAILED' })
        expect(String((failure as Error).message)).toContain('permission denied for table secret')
      } finally {
        if (previous === undefined) delete process.env.MIGR8_TOOLS_DIR
        else process.env.MIGR8_TOOLS_DIR = previous
        rmSync(tools, { recursive: true, force: true })
      }
      await expectOnlyFirst()
    })

    it('a full disk: DISK_FULL, older backups untouched', async (context) => {
      const skipped = await withSmallTmpfs(async (mount) => {
        const adapter = await db.open()
        const small = testConfig(db.connection, { dir: mount })
        const other = await db.open(await db.another())
        await seedDatabase(other, 20)
        const kept = await createBackup(other, small, { format: 'directory' }, {})
        await expect(
          createBackup(adapter, small, { format: 'directory', compress: 'none', jobs: 2 }, {}),
        ).rejects.toMatchObject({ code: 'DISK_FULL' })
        expect(readdirSync(mount).sort()).toEqual([kept.file, `${kept.id}.json`].sort())
        expect((await listBackups(small)).backups.map((b) => b.id)).toEqual([kept.id])
        await verifyBackup(small, kept.id)
      })
      if (skipped) skipWithReason(context, skipped)
    })

    it('cleans up the big table', async () => {
      const adapter = await db.open()
      await adapter.query('DROP TABLE big')
    })
  })

  describe('damaged directory backups', () => {
    async function fresh() {
      const adapter = await seeded(200)
      const config = testConfig(db.connection)
      const record = await createBackup(adapter, config, { format: 'directory' }, {})
      const folder = join(backupsOf(config), record.file)
      const data = readdirSync(folder)
        .filter((name) => name.endsWith('.dat.gz'))
        .map((name) => join(folder, name))
        .sort((a, b) => statSync(b).size - statSync(a).size)[0]
      return { adapter, config, record, folder, data }
    }

    it('a flipped byte in a data file fails verify, and restore refuses without creating the target', async () => {
      const { adapter, config, record, data } = await fresh()
      const bytes = readFileSync(data)
      bytes[Math.floor(bytes.length / 2)] ^= 0xff
      writeFileSync(data, bytes)
      // Same size: still listed, but never trusted.
      expect((await listBackups(config)).backups.map((b) => b.id)).toContain(record.id)
      await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
      const target = uniqueName('migr8_never')
      await expect(restoreBackup(adapter, config, record.id, { targetDb: target })).rejects.toMatchObject({
        code: 'BACKUP_CORRUPT',
      })
      expect(await databaseExists(adapter, target)).toBe(false)
      expect((await listBackups(config)).backups.find((b) => b.id === record.id)?.verifiedAt).toBeUndefined()

      // Recorded that way (damaged before it was hashed): the pg_restore read pass still catches it.
      recordAsIs(config, record)
      const failure = await verifyBackup(config, record.id).catch((e: unknown) => e)
      expect(failure).toMatchObject({ code: 'BACKUP_CORRUPT' })
      expect(String((failure as Error).message)).toMatch(/pg_restore read pass/)
    })

    it('a missing data file, or an added one, fails verify', async () => {
      const { config, record, folder, data } = await fresh()
      writeFileSync(join(folder, 'extra.dat'), '')
      await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
      rmSync(join(folder, 'extra.dat'))
      await verifyBackup(config, record.id)
      rmSync(data)
      expect((await listBackups(config)).problems.map((p) => p.kind)).toEqual(['size-mismatch'])
      recordAsIs(config, record)
      await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
    })
  })

  it('list reports folders without metadata and leftovers; symlinked or odd folders are never listed or followed', async () => {
    const source = await seeded()
    const config = testConfig(db.connection)
    const dir = backupsOf(config)
    const good = await createBackup(source, config, { format: 'directory' }, {})
    const orphan = await createBackup(source, config, { format: 'directory' }, {})
    const linked = await createBackup(source, config, { format: 'directory' }, {})
    const nested = await createBackup(source, config, { format: 'directory' }, {})
    rmSync(join(dir, `${orphan.id}.json`))
    mkdirSync(join(dir, '20990101T000000Z-x-abcdef.dir.partial'))
    // The backup folder replaced by a link to a folder elsewhere (holding the real files).
    const outside = mkdtempSync(join(tmpdir(), 'migr8-outside-'))
    renameSync(join(dir, linked.file), join(outside, 'files'))
    symlinkSync(join(outside, 'files'), join(dir, linked.file))
    mkdirSync(join(dir, nested.file, 'sub'))
    try {
      const list = await listBackups(config)
      expect(list.backups.map((b) => b.id)).toEqual([good.id])
      expect(list.problems.map((p) => [p.kind, p.name]).sort()).toEqual(
        [
          ['file-without-metadata', orphan.file],
          ['leftover-partial', '20990101T000000Z-x-abcdef.dir.partial'],
          ['metadata-without-file', `${linked.id}.json`],
          ['metadata-without-file', `${nested.id}.json`],
        ].sort(),
      )
      await expect(verifyBackup(config, linked.id)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' })
      await expect(deleteBackup(config, linked.id)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' })
      await cleanBackups(config, { keep: 1 })
      expect(readdirSync(join(outside, 'files'))).toContain('toc.dat')
      expect(existsSync(join(dir, nested.file, 'sub'))).toBe(true)

      // Metadata whose format does not match its name is not trusted.
      const metadata = join(dir, `${good.id}.json`)
      writeFileSync(metadata, JSON.stringify({ ...good, format: 'custom' }))
      expect((await listBackups(config)).problems.find((p) => p.name === `${good.id}.json`)?.kind).toBe(
        'unreadable-metadata',
      )
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })

  it('clean and delete remove the folders with their files', async () => {
    const source = await seeded()
    const config = testConfig(db.connection)
    const dir = backupsOf(config)
    const made: BackupRecord[] = []
    for (let i = 0; i < 3; i++) made.push(await createBackup(source, config, { format: 'directory' }, {}))
    const dry = await cleanBackups(config, { keep: 1, dryRun: true })
    expect(dry.deleted.length).toBe(2)
    expect(entries(dir).length).toBe(6)
    const cleaned = await cleanBackups(config, { keep: 1 })
    const gone = cleaned.deleted.map((b) => b.id)
    expect(gone.length).toBe(2)
    const left = made.find((b) => !gone.includes(b.id))!
    expect(entries(dir)).toEqual([left.file, `${left.id}.json`])
    await deleteBackup(config, left.id)
    expect(entries(dir)).toEqual([])
  })
})

describe.each(others)('%s: the directory format is PostgreSQL-only', (dialect) => {
  const db = useDatabase(dialect)

  it('refuses --format directory with a clear error before writing anything', async () => {
    const adapter = await db.open()
    const config = testConfig(db.connection)
    const failure = await createBackup(adapter, config, { format: 'directory' }, {}).catch((e: unknown) => e)
    expect(failure).toMatchObject({ code: 'BAD_USAGE' })
    expect(String((failure as Error).message)).toMatch(/directory format .*PostgreSQL only/)
    expect((failure as { remedy: string }).remedy).toMatch(/--format|SQLite/)
    expect(entries(backupsOf(config))).toEqual([])
  })
})
