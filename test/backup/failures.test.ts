import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Driver } from '../../src-main/config/schema.js'
import { whichTool } from '../../src-main/backup/tools.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import {
  createBackup,
  listBackups,
  restoreBackup,
  verifyBackup,
  type BackupRecord,
} from '../../src-main/backup/index.js'
import { availableDialects, uniqueName, useDatabase } from '../support/databases.js'
import { childPids, seedDatabase, testConfig, withSmallTmpfs } from './fixtures.js'
import { skipWithReason } from '../support/skip.js'

const dialects = await availableDialects()

/** A table of ~`rows` × 230 bytes, so that dumps take long enough to be interrupted. */
async function addBigTable(adapter: Adapter, rows: number): Promise<void> {
  const statements: Record<Driver, string[]> = {
    postgres: [
      `CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('x', 200) AS t FROM generate_series(1, ${rows}) g`,
    ],
    mysql: [
      'CREATE TABLE digits (d int)',
      'INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)',
      'CREATE TABLE big (id int PRIMARY KEY, t text)',
      `INSERT INTO big SELECT a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d, CONCAT(md5(rand()), REPEAT('x', 200))
       FROM digits a, digits b, digits c, digits e, digits f, digits g WHERE a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d < ${rows}`,
    ],
    sqlite: [
      `CREATE TABLE big AS WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${rows})
       SELECT g AS id, hex(randomblob(16)) || printf('%.200c', 'x') AS t FROM s`,
    ],
  }
  await adapter.withSession(async (session) => {
    for (const sql of statements[adapter.dialect]) await session.execute(sql)
  })
}

function backupFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : []
}

describe.each(dialects)('%s: interrupted and failed backups', (dialect) => {
  const db = useDatabase(dialect)
  let first: BackupRecord | undefined
  let config: ReturnType<typeof testConfig>

  it('a cancelled backup leaves nothing listed, no temp file, and older backups intact', async () => {
    const adapter = await db.open()
    await seedDatabase(adapter, 20)
    config = testConfig(db.connection)
    first = await createBackup(adapter, config, {}, {})
    await addBigTable(adapter, 200_000)
    const before = backupFiles(join(config.baseDir, 'backups'))

    const controller = new AbortController()
    let sawProgress = false
    const promise = createBackup(
      adapter,
      config,
      { compress: 'gzip' },
      {
        signal: controller.signal,
        onProgress: (event) => {
          if ((event.done ?? 0) > 0 && event.done !== event.total && !sawProgress) {
            sawProgress = true
            controller.abort()
          }
        },
      },
    )
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(sawProgress).toBe(true)
    expect(backupFiles(join(config.baseDir, 'backups'))).toEqual(before)
    const list = await listBackups(config)
    expect(list.backups.map((b) => b.id)).toEqual([first.id])
    expect(list.problems).toEqual([])
    await verifyBackup(config, first.id)
  })

  it.skipIf(dialect === 'sqlite')(
    'a dump tool killed mid-way fails the backup and leaves nothing listed (gzip in Node, zstd fed by pipe)',
    async () => {
      for (const compress of whichTool(['zstd']) ? (['gzip', 'zstd'] as const) : (['gzip'] as const)) {
        const adapter = await db.open()
        const tool = dialect === 'postgres' ? 'pg_dump' : 'mariadb-dump'
        let killed = 0
        const promise = createBackup(
          adapter,
          config,
          { compress },
          {
            onProgress: (event) => {
              if (killed === 0 && (event.done ?? 0) > 0) {
                for (const pid of childPids(tool)) {
                  process.kill(pid, 'SIGKILL')
                  killed++
                }
              }
            },
          },
        )
        await expect(promise).rejects.toMatchObject({ code: 'BACKUP_FAILED' })
        expect(killed).toBeGreaterThan(0)
        const list = await listBackups(config)
        expect(list.backups.map((b) => b.id)).toEqual([first!.id])
        expect(list.problems).toEqual([])
      }
    },
  )

  it('a cancelled restore into a new database leaves no database (and no staging file) behind', async () => {
    const adapter = await db.open()
    const record = await createBackup(adapter, config, { compress: 'gzip' }, {})
    const target = dialect === 'sqlite' ? join(config.baseDir, 'cancelled-restore.sqlite') : uniqueName('migr8_cr')
    const controller = new AbortController()
    let aborted = false
    const promise = restoreBackup(
      adapter,
      config,
      record.id,
      { targetDb: target },
      {
        signal: controller.signal,
        onProgress: (event) => {
          if (!aborted && event.phase === 'restoring' && (event.done ?? 0) > 0) {
            aborted = true
            controller.abort()
          }
        },
      },
    )
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(aborted).toBe(true)
    if (dialect === 'sqlite') {
      expect(readdirSync(config.baseDir).filter((name) => name.startsWith('cancelled-restore'))).toEqual([])
    } else {
      const exists = await adapter.query(
        dialect === 'postgres'
          ? 'SELECT 1 FROM pg_database WHERE datname = ?'
          : 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [target],
      )
      expect(exists).toEqual([])
    }
  })

  it('a full disk fails with DISK_FULL and leaves older backups untouched', async (context) => {
    const skipped = await withSmallTmpfs(async (mount) => {
      const adapter = await db.open()
      const small = testConfig(db.connection, { dir: mount })
      // A small database's backup fits in the 4 MiB tmpfs; the big table's uncompressed dump does not.
      const other = await db.open(await db.another())
      await seedDatabase(other, 20)
      const kept = await createBackup(other, small, {}, {})
      const keptBytes = readFileSync(join(mount, kept.file))
      await expect(createBackup(adapter, small, { compress: 'none' }, {})).rejects.toMatchObject({ code: 'DISK_FULL' })
      const list = await listBackups(small)
      expect(list.backups.map((b) => b.id)).toEqual([kept.id])
      expect(list.problems).toEqual([])
      expect(readdirSync(mount).sort()).toEqual([kept.file, `${kept.id}.json`].sort())
      expect(readFileSync(join(mount, kept.file)).equals(keptBytes)).toBe(true)
      await verifyBackup(small, kept.id)
    })
    if (skipped) skipWithReason(context, skipped)
  })
})

describe.each(dialects)('%s: damaged backups', (dialect) => {
  const db = useDatabase(dialect)

  async function freshBackup(options: Parameters<typeof createBackup>[2] = {}) {
    const adapter = await db.open()
    if (!(await adapter.describeTable('items'))) await seedDatabase(adapter, 50)
    const config = testConfig(db.connection)
    const record = await createBackup(adapter, config, options, {})
    return { adapter, config, record, path: join(config.baseDir, 'backups', record.file) }
  }

  /** Rewrites the metadata as if the damaged file were what was recorded (a dump cut short at the source). */
  function recordAsIs(config: ReturnType<typeof testConfig>, record: BackupRecord, path: string) {
    const bytes = readFileSync(path)
    const metadata = join(config.baseDir, 'backups', `${record.id}.json`)
    const updated = {
      ...record,
      sizeCompressed: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    }
    writeFileSync(metadata, JSON.stringify(updated))
  }

  it('a flipped byte fails verify, and restore refuses without creating the target', async () => {
    const { adapter, config, record, path } = await freshBackup({ compress: 'gzip' })
    const bytes = readFileSync(path)
    bytes[Math.floor(bytes.length / 2)] ^= 0xff
    writeFileSync(path, bytes)
    await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
    const target = dialect === 'sqlite' ? join(config.baseDir, 'never.sqlite') : uniqueName('migr8_never')
    await expect(restoreBackup(adapter, config, record.id, { targetDb: target })).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
    })
    if (dialect === 'sqlite') expect(existsSync(target)).toBe(false)
    else
      expect(
        await adapter.query(
          dialect === 'postgres'
            ? 'SELECT 1 FROM pg_database WHERE datname = ?'
            : 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
          [target],
        ),
      ).toEqual([])
    expect((await listBackups(config)).backups.find((b) => b.id === record.id)?.verifiedAt).toBeUndefined()
  })

  it('a truncated file fails verify even when its checksum was recorded that way', async () => {
    const { config, record, path } = await freshBackup({ compress: 'gzip' })
    truncateSync(path, Math.floor(record.sizeCompressed * 0.6))
    // First as it is: the size no longer matches, so it is not even listed.
    expect((await listBackups(config)).problems.map((p) => p.kind)).toContain('size-mismatch')
    await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' })
    recordAsIs(config, record, path)
    await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
  })

  it.skipIf(dialect === 'sqlite' || !whichTool(['zstd']))(
    'a dump that fails to load (valid file, bad statement) fails with the client message and drops the new target',
    async () => {
      const { adapter, config, record, path } = await freshBackup({ compress: 'zstd' })
      const text = execFileSync('zstd', ['-dc', path], { encoding: 'utf8', maxBuffer: 1 << 28 })
      const broken = `SELECT migr8_no_such_function();\n${text}`
      writeFileSync(path, execFileSync('zstd', ['-q', '-c'], { input: broken, maxBuffer: 1 << 28 }))
      recordAsIs(config, record, path)
      const target = uniqueName('migr8_bad')
      const failure = await restoreBackup(adapter, config, record.id, { targetDb: target }).catch(
        (error: unknown) => error,
      )
      expect(failure).toMatchObject({ code: 'RESTORE_FAILED' })
      expect(String((failure as Error).message)).toMatch(/migr8_no_such_function/)
      const exists = await adapter.query(
        dialect === 'postgres'
          ? 'SELECT 1 FROM pg_database WHERE datname = ?'
          : 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [target],
      )
      expect(exists).toEqual([])
    },
  )

  it.skipIf(dialect === 'sqlite')('an uncompressed dump cut short (no end-of-dump line) fails verify', async () => {
    const { config, record, path } = await freshBackup({ compress: 'none' })
    const text = readFileSync(path, 'utf8')
    writeFileSync(path, text.slice(0, text.lastIndexOf('\n', text.length - 200)))
    recordAsIs(config, record, path)
    await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
  })

  it.skipIf(dialect !== 'postgres')(
    'a truncated custom-format archive fails verify (pg_restore --list would pass it)',
    async () => {
      const adapter = await db.open()
      await addBigTable(adapter, 20_000).catch(() => undefined)
      const { config, record, path } = await freshBackup({ format: 'custom' })
      truncateSync(path, Math.floor(record.sizeCompressed * 0.7))
      recordAsIs(config, record, path)
      await expect(verifyBackup(config, record.id)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
    },
  )
})

describe('backup folder hygiene', () => {
  const db = useDatabase('sqlite')
  const outside = mkdtempSync(join(tmpdir(), 'migr8-outside-'))
  afterAll(() => rmSync(outside, { recursive: true, force: true }))

  it('reports files without metadata, metadata without files and leftovers, and lists none of them', async () => {
    const adapter = await db.open()
    await seedDatabase(adapter, 5)
    const config = testConfig(db.connection)
    const good = await createBackup(adapter, config, {}, {})
    const orphan = await createBackup(adapter, config, {}, {})
    const lost = await createBackup(adapter, config, {}, {})
    const dir = join(config.baseDir, 'backups')
    rmSync(join(dir, `${orphan.id}.json`))
    rmSync(join(dir, lost.file))
    writeFileSync(join(dir, '20990101T000000Z-x-abcdef.sql.gz.partial'), 'half')
    writeFileSync(join(dir, 'notes.txt'), 'unrelated files are ignored')
    const list = await listBackups(config)
    expect(list.backups.map((b) => b.id)).toEqual([good.id])
    expect(list.problems.map((p) => [p.kind, p.name]).sort()).toEqual(
      [
        ['file-without-metadata', orphan.file],
        ['metadata-without-file', `${lost.id}.json`],
        ['leftover-partial', '20990101T000000Z-x-abcdef.sql.gz.partial'],
      ].sort(),
    )
    await expect(verifyBackup(config, orphan.id)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' })
    await expect(restoreBackup(adapter, config, lost.id, { targetDb: 'x.sqlite' })).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
    })
  })

  it('refuses ids and metadata file names that leave the backup folder', async () => {
    const adapter = await db.open()
    const config = testConfig(db.connection)
    for (const id of ['../../etc/passwd', '..', 'a/b', '20260101T000000Z-x-abcdef/../../y']) {
      await expect(verifyBackup(config, id)).rejects.toMatchObject({ code: 'PATH_INVALID' })
      await expect(restoreBackup(adapter, config, id, {})).rejects.toMatchObject({ code: 'PATH_INVALID' })
    }
    // Tampered metadata pointing outside: reported, never read or restored.
    const record = await createBackup(adapter, config, {}, {})
    const dir = join(config.baseDir, 'backups')
    writeFileSync(join(outside, 'evil.sqlite.gz'), 'x')
    const metadata = join(dir, `${record.id}.json`)
    const tampered = {
      ...JSON.parse(readFileSync(metadata, 'utf8')),
      file: `../${outside.split('/').pop()}/evil.sqlite.gz`,
    }
    writeFileSync(metadata, JSON.stringify(tampered))
    const list = await listBackups(config)
    expect(list.backups.map((b) => b.id)).not.toContain(record.id)
    expect(list.problems.find((p) => p.name === `${record.id}.json`)?.kind).toBe('unreadable-metadata')
    await expect(restoreBackup(adapter, config, record.id, { targetDb: 'y.sqlite' })).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
    })
    mkdirSync(join(config.baseDir, 'unused'), { recursive: true })
  })
})
