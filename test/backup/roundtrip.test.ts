import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ProgressEvent } from '../../src-shared/progress.js'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { openAdapter } from '../../src-main/db/index.js'
import {
  createBackup,
  listBackups,
  restoreBackup,
  verifyBackup,
  type CreateBackupOptions,
} from '../../src-main/backup/index.js'
import { whichTool } from '../../src-main/backup/tools.js'
import { availableDialects, dropDatabase, uniqueName, useDatabase } from '../support/databases.js'
import { fingerprint, seedDatabase, testConfig } from './fixtures.js'

const dialects = await availableDialects()
const hasZstd = !!whichTool(['zstd'])
if (!hasZstd) console.warn('SKIPPED zstd round trips: the zstd binary is not installed')

const MODES: Record<string, Array<CreateBackupOptions & { name: string }>> = {
  postgres: [
    { name: 'plain gzip (node zlib)', compress: 'gzip' },
    { name: 'plain zstd', compress: 'zstd' },
    { name: 'plain uncompressed', compress: 'none' },
    { name: 'custom format', format: 'custom' },
  ],
  mysql: [
    { name: 'gzip', compress: 'gzip' },
    { name: 'zstd', compress: 'zstd' },
    { name: 'uncompressed', compress: 'none' },
  ],
  sqlite: [
    { name: 'gzip', compress: 'gzip' },
    { name: 'zstd', compress: 'zstd' },
    { name: 'uncompressed', compress: 'none' },
  ],
}

describe.each(dialects)('%s: backup and restore round trip', (dialect) => {
  const db = useDatabase(dialect)
  const targets: ConnectionConfig[] = []
  const newTarget = (config: ReturnType<typeof testConfig>) =>
    dialect === 'sqlite' ? join(config.baseDir, `${uniqueName('restored')}.sqlite`) : uniqueName('migr8_r')

  it.each(MODES[dialect])('$name: restores into a new database with identical schema and rows', async (mode) => {
    if (mode.compress === 'zstd' && !hasZstd) return
    const source = await db.open()
    if (!(await source.describeTable('items'))) await seedDatabase(source)
    const expected = await fingerprint(source)
    const config = testConfig(db.connection)
    const events: ProgressEvent[] = []
    const record = await createBackup(
      source,
      config,
      { ...mode, label: mode.name },
      { onProgress: (e) => events.push(e) },
    )

    expect(record.driver).toBe(dialect)
    expect(record.label).toBe(mode.name)
    expect(record.sizeCompressed).toBeGreaterThan(0)
    if (record.compression !== 'none' && record.format !== 'custom')
      expect(record.sizeRaw).toBeGreaterThan(record.sizeCompressed)
    const stored = readFileSync(join(config.baseDir, 'backups', record.file))
    expect(stored.length).toBe(record.sizeCompressed)
    expect(createHash('sha256').update(stored).digest('hex')).toBe(record.sha256)
    expect(events.some((e) => e.unit === (dialect === 'sqlite' ? 'pages' : 'bytes') && (e.done ?? 0) > 0)).toBe(true)
    const list = await listBackups(config)
    expect(list.backups.map((b) => b.id)).toContain(record.id)
    expect(list.problems).toEqual([])

    const verified = await verifyBackup(config, record.id)
    expect(verified.record.verifiedAt).toBeDefined()
    expect((await listBackups(config)).backups.find((b) => b.id === record.id)?.verifiedAt).toBe(
      verified.record.verifiedAt,
    )

    const targetName = newTarget(config)
    const targetConnection: ConnectionConfig = { ...db.connection, database: targetName }
    targets.push(targetConnection)
    const result = await restoreBackup(source, config, record.id, { targetDb: targetName })
    expect(result.replaced).toBe(false)
    const restored = await openAdapter(targetConnection)
    try {
      expect(await fingerprint(restored)).toEqual(expected)
      // The trigger came back and works.
      await restored.query("INSERT INTO items (name) VALUES ('after restore')")
      const audit = await restored.query('SELECT count(*) AS n FROM audit')
      expect(Number(audit[0].n)).toBe(expected.tables.audit.rows + 1)
    } finally {
      await restored.close()
    }
  })

  it('refuses to replace the configured database without --force, and replaces it exactly with it', async () => {
    const source = await db.open()
    if (!(await source.describeTable('items'))) await seedDatabase(source)
    const expected = await fingerprint(source)
    const config = testConfig(db.connection)
    const record = await createBackup(source, config, { compress: 'gzip' }, {})

    await source.query("INSERT INTO items (name) VALUES ('added after the backup')")
    await source.withSession((s) => s.execute('CREATE TABLE extra_after_backup (id int)'))
    await expect(restoreBackup(source, config, record.id, {})).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' })
    expect(await source.describeTable('extra_after_backup')).toBeDefined()

    const result = await restoreBackup(source, config, record.id, { force: true })
    expect(result.replaced).toBe(true)
    expect(result.safetyBackup?.label).toContain(record.id)
    // Reconnect: replacing a server database drops the connections to it.
    const reopened = await openAdapter(db.connection)
    try {
      expect(await reopened.describeTable('extra_after_backup')).toBeUndefined()
      expect(await fingerprint(reopened)).toEqual(expected)
    } finally {
      await reopened.close()
    }
    const ids = (await listBackups(config)).backups.map((b) => b.id)
    expect(ids).toContain(result.safetyBackup!.id)
  })

  it('refuses an existing --target-db without --force', async () => {
    const source = await db.open()
    if (!(await source.describeTable('items'))) await seedDatabase(source, 10)
    const config = testConfig(db.connection)
    const record = await createBackup(source, config, {}, {})
    const existing = await db.another()
    const existingAdapter = await db.open(existing)
    await existingAdapter.query('CREATE TABLE keep_me (id int)')
    await expect(restoreBackup(source, config, record.id, { targetDb: existing.database })).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    })
    expect(await existingAdapter.describeTable('keep_me')).toBeDefined()
  })

  it('cleans up targets', async () => {
    await Promise.all(targets.map((t) => dropDatabase(t).catch(() => undefined)))
  })
})
