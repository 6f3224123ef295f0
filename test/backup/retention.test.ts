import { describe, expect, it } from 'vitest'
import {
  cleanBackups,
  createBackup,
  listBackups,
  planRetention,
  verifyBackup,
  type BackupRecord,
} from '../../src-main/backup/index.js'
import { useDatabase } from '../support/databases.js'
import { seedDatabase, testConfig } from './fixtures.js'

const DAY = 86_400_000
const NOW = new Date('2026-06-30T12:00:00Z')

function record(id: string, daysAgo: number, extra: Partial<BackupRecord> = {}): BackupRecord {
  return {
    schemaVersion: 1,
    id,
    profile: 'default',
    driver: 'postgres',
    database: 'shop',
    serverVersion: 'PostgreSQL 15',
    createdAt: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
    durationMs: 1,
    sizeRaw: 1,
    sizeCompressed: 1,
    sha256: '0'.repeat(64),
    tool: 'pg_dump',
    toolVersion: '15',
    migrationVersion: null,
    format: 'plain',
    compression: 'gzip',
    file: `${id}.sql.gz`,
    ...extra,
  }
}

const ids = (records: BackupRecord[]) => records.map((r) => r.id).sort()

describe('planRetention', () => {
  const backups = [
    record('d0', 0),
    record('d1', 1),
    record('d5', 5, { verifiedAt: 'x' }),
    record('d40', 40),
    record('d60', 60, { verifiedAt: 'y' }),
  ]

  it('keeps the N newest per database', () => {
    const plan = planRetention(backups, { keep: 2 }, NOW)
    expect(ids(plan.kept)).toEqual(['d0', 'd1'])
    // d5 is the newest verified backup: never deleted.
    expect(ids(plan.protected)).toEqual(['d5'])
    expect(ids(plan.deleted)).toEqual(['d40', 'd60'])
  })

  it('deletes by age, and combines both rules', () => {
    expect(ids(planRetention(backups, { maxAge: 30 * DAY }, NOW).deleted)).toEqual(['d40', 'd60'])
    expect(ids(planRetention(backups, { keep: 4, maxAge: 2 * DAY }, NOW).deleted)).toEqual(['d40', 'd60'])
    expect(ids(planRetention(backups, { keep: 4, maxAge: 2 * DAY }, NOW).protected)).toEqual(['d5'])
  })

  it('never deletes the newest verified backup, even when it is the oldest', () => {
    const plan = planRetention(
      [record('a', 1), record('b', 2), record('c', 90, { verifiedAt: 'z' })],
      { keep: 1, maxAge: DAY / 2 },
      NOW,
    )
    expect(ids(plan.protected)).toEqual(['c'])
    expect(ids(plan.deleted)).toEqual(['a', 'b'])
  })

  it('applies per profile and database', () => {
    const mixed = [
      record('s1', 1),
      record('s2', 2),
      record('o1', 3, { database: 'other' }),
      record('p1', 4, { profile: 'prod' }),
      record('p2', 5, { profile: 'prod' }),
    ]
    expect(ids(planRetention(mixed, { keep: 1 }, NOW).deleted)).toEqual(['p2', 's2'])
  })
})

describe('cleanBackups on a real backup folder', () => {
  const db = useDatabase('sqlite')

  it('dry run deletes nothing; a real run deletes exactly the planned set; files and metadata both go', async () => {
    const adapter = await db.open()
    await seedDatabase(adapter, 5)
    const config = testConfig(db.connection)
    const made: BackupRecord[] = []
    for (let i = 0; i < 4; i++) {
      made.push(await createBackup(adapter, config, { label: `n${i}` }, {}))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await verifyBackup(config, made[1].id)
    await expect(cleanBackups(config, {})).rejects.toMatchObject({ code: 'BAD_USAGE' })

    const dry = await cleanBackups(config, { keep: 1, dryRun: true })
    expect(ids(dry.deleted)).toEqual(ids([made[0], made[2]]))
    expect(ids(dry.protected)).toEqual([made[1].id])
    expect((await listBackups(config)).backups).toHaveLength(4)

    const real = await cleanBackups(config, { keep: 1 })
    expect(ids(real.deleted)).toEqual(ids([made[0], made[2]]))
    const after = await listBackups(config)
    expect(ids(after.backups)).toEqual(ids([made[1], made[3]]))
    expect(after.problems).toEqual([])

    // Age rule from the config: everything is "old" a year from now, but the newest verified stays.
    config.backups.retention = { maxAge: 30 * DAY }
    const later = await cleanBackups(config, { now: new Date(Date.now() + 365 * DAY) })
    expect(ids(later.deleted)).toEqual([made[3].id])
    expect(ids((await listBackups(config)).backups)).toEqual([made[1].id])
  })
})
