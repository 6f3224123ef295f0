import { describe, expect, it } from 'vitest'
import { Migr8Error } from '../../src-shared/errors.js'
import type { Adapter } from '../../src-main/db/index.js'
import { adopt, detectForeignHistory, planAdoption } from '../../src-main/migrate/adopt/index.js'
import { Migrator, type MigratorSettings } from '../../src-main/migrate/index.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'
import {
  createTables,
  dbmateFiles,
  dbmateTable,
  dbmateVersion,
  flywayApplied,
  flywayFiles,
  flywayTable,
  golangMigrateFiles,
  golangMigrateTable,
  gooseFiles,
  gooseTable,
  nodePgMigrateFiles,
  nodePgMigrateName,
  nodePgMigrateTable,
  tableExists,
} from './tools.js'

const dialects = await availableDialects()

async function errorOf(promise: Promise<unknown>): Promise<Migr8Error> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }
  throw new Error('expected the promise to reject')
}

/** The other tool's table, row for row, to prove adopt only reads it. */
async function snapshot(adapter: Adapter, table: string): Promise<string> {
  const rows = await adapter.query(`SELECT * FROM ${adapter.qualifiedTable(table)}`)
  return JSON.stringify(rows.map((row) => Object.entries(row).map(([k, v]) => [k, String(v)])).sort())
}

/**
 * After adopting a database where migrations 1 and 2 ran and file 3 did not: status shows 1 and 2
 * applied and 3 pending, `up` runs only 3, and `down` rolls back 3 and then 2 with the files' down scripts.
 */
async function expectTakenOver(adapter: Adapter, config: MigratorSettings, prefix: string, versions: string[]) {
  const migrator = new Migrator(adapter, config)
  const status = await migrator.status()
  expect(status.entries.map((e) => [e.version, e.state])).toEqual([
    [versions[0], 'applied'],
    [versions[1], 'applied'],
    [versions[2], 'pending'],
  ])
  expect(status.problems).toEqual([])
  expect(status.current).toBe(versions[1])

  const up = await migrator.up()
  expect(up.steps.map((s) => s.version)).toEqual([versions[2]])
  expect(await tableExists(adapter, `${prefix}_t3`)).toBe(true)

  const down = await migrator.down({ step: 2 })
  expect(down.steps.map((s) => s.version)).toEqual([versions[2], versions[1]])
  expect(await tableExists(adapter, `${prefix}_t3`)).toBe(false)
  expect(await tableExists(adapter, `${prefix}_t2`)).toBe(false)
  expect(await tableExists(adapter, `${prefix}_t1`)).toBe(true)
  expect((await migrator.status()).current).toBe(versions[0])

  const journal = await migrator.journal()
  expect(journal.filter((e) => e.event === 'adopted').map((e) => e.version)).toEqual(
    expect.arrayContaining([versions[1], null]),
  )
}

describe.each(dialects)('adopting another tool on %s', (dialect) => {
  const db = useDatabase(dialect)

  it('golang-migrate: one bigint version row becomes every file up to it', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'gm', [1, 2])
    await golangMigrateTable(adapter, 2, false)
    const { dir } = migrationsDir(golangMigrateFiles('gm'))
    const config = settings(dir)

    expect(await detectForeignHistory(adapter)).toEqual([
      { tool: 'golang-migrate', table: 'schema_migrations', rows: 1, summary: 'version 2' },
    ])
    const before = await snapshot(adapter, 'schema_migrations')
    const plan = await planAdoption(adapter, config)
    expect(plan).toMatchObject({ from: 'golang-migrate', applied: ['001', '002'], stopped: [], rowsWithoutFile: [] })
    expect(plan.filesWithoutRow.map((f) => f.version)).toEqual(['003'])
    expect(plan.entries.map((e) => [e.version, e.sourceVersion, e.action])).toEqual([
      ['001', '1', 'import'],
      ['002', '2', 'import'],
      ['003', undefined, 'none'],
    ])

    const dry = await adopt(adapter, config, { dryRun: true })
    expect(dry.imported).toEqual([])
    expect(await tableExists(adapter, 'migr8_migrations')).toBe(false)

    const result = await adopt(adapter, config, { from: 'golang-migrate' })
    expect(result.imported).toEqual(['001', '002'])
    expect(await snapshot(adapter, 'schema_migrations')).toBe(before)
    await expectTakenOver(adapter, config, 'gm', ['001', '002', '003'])
    const journal = await new Migrator(adapter, config).journal()
    expect(journal.find((e) => e.event === 'adopted' && e.version === null)?.detail).toMatch(
      /^adopted from golang-migrate \(schema_migrations\): 2 row\(s\) imported/,
    )
  })

  it('golang-migrate dirty: the dirty version is a partial migration that resume finishes', async () => {
    const adapter = await db.open(await db.another())
    // Migration 2 stopped after its first statement, so golang-migrate left version 2 dirty.
    await createTables(adapter, 'gmd', [1])
    await adapter.query('CREATE TABLE gmd_t2a (id integer PRIMARY KEY)')
    await golangMigrateTable(adapter, 2, true)
    const { dir } = migrationsDir({
      ...golangMigrateFiles('gmd'),
      '002_create_t2.up.sql':
        'CREATE TABLE IF NOT EXISTS gmd_t2a (id integer PRIMARY KEY);\nCREATE TABLE IF NOT EXISTS gmd_t2b (id integer PRIMARY KEY);\n',
      '002_create_t2.down.sql': 'DROP TABLE gmd_t2b;\nDROP TABLE gmd_t2a;\n',
    })
    const config = settings(dir)
    expect((await detectForeignHistory(adapter))[0].summary).toBe('version 2, dirty')
    const plan = await planAdoption(adapter, config, 'golang-migrate')
    expect(plan.stopped).toEqual([{ version: '002', name: 'create_t2', reason: 'dirty in golang-migrate' }])
    expect(plan.applied).toEqual(['001'])

    await adopt(adapter, config, { from: 'golang-migrate' })
    const migrator = new Migrator(adapter, config)
    const status = await migrator.status()
    expect(status.entries[1]).toMatchObject({
      version: '002',
      state: 'partial',
      statements: { done: 0, total: 2 },
      error: 'dirty in golang-migrate',
    })
    expect(status.problems).toEqual(['002_create_t2: stopped after statement 0 of 2 (dirty in golang-migrate)'])
    expect((await errorOf(migrator.up())).code).toBe('MIGRATION_PARTIAL')

    await migrator.resume()
    expect(await tableExists(adapter, 'gmd_t2b')).toBe(true)
    expect((await migrator.up()).steps.map((s) => s.version)).toEqual(['003'])
    expect((await migrator.status()).entries.map((e) => e.state)).toEqual(['applied', 'applied', 'applied'])
  })

  it('goose: the newest log row of each version decides, version 0 is skipped, times are kept', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'goose', [1, 2])
    // 1 and 2 applied; 3 applied then rolled back the goose v2 way (a false row).
    await gooseTable(adapter, [
      [1, true],
      [2, true],
      [3, true],
      [3, false],
    ])
    await adapter.query(
      `UPDATE goose_db_version SET tstamp = '2021-03-04 05:06:07' WHERE version_id = 1`, // backdated: proves times are kept
    )
    const { dir } = migrationsDir(gooseFiles('goose'))
    const config = settings(dir)
    expect(await detectForeignHistory(adapter)).toEqual([
      { tool: 'goose', table: 'goose_db_version', rows: 5, summary: '2 migration(s) applied' },
    ])
    const before = await snapshot(adapter, 'goose_db_version')
    const result = await adopt(adapter, config)
    expect(result.plan.from).toBe('goose')
    expect(result.imported).toEqual(['00001', '00002'])
    expect(await snapshot(adapter, 'goose_db_version')).toBe(before)
    expect((await new Migrator(adapter, config).status()).entries[0].appliedAt).toMatch(/^2021-03-04T05:06:07/)
    await expectTakenOver(adapter, config, 'goose', ['00001', '00002', '00003'])
  })

  it('dbmate: schema_migrations without dirty is dbmate, not golang-migrate', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'dbm', [1, 2])
    await dbmateTable(adapter, [dbmateVersion(1), dbmateVersion(2)])
    const { dir } = migrationsDir(dbmateFiles('dbm'))
    const config = settings(dir)
    expect(await detectForeignHistory(adapter)).toEqual([
      { tool: 'dbmate', table: 'schema_migrations', rows: 2, summary: '2 migration(s) applied' },
    ])
    const error = await errorOf(adopt(adapter, config, { from: 'golang-migrate' }))
    expect(error.code).toBe('BAD_USAGE')
    expect(error.message).toMatch(/not a golang-migrate history table/)

    const result = await adopt(adapter, config, { from: 'auto' })
    expect(result.imported).toEqual([dbmateVersion(1), dbmateVersion(2)])
    await expectTakenOver(adapter, config, 'dbm', [1, 2, 3].map(dbmateVersion))
  })

  it('Flyway: versioned rows with their times, executors and durations; U files roll back', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'fw', [1, 2])
    await flywayTable(adapter, [flywayApplied(1), flywayApplied(2)])
    await adapter.query(
      `UPDATE ${adapter.qualifiedTable('flyway_schema_history')} SET installed_on = '2022-05-06 07:08:09' WHERE installed_rank = 1`,
    )
    const { dir } = migrationsDir(flywayFiles('fw'))
    const config = settings(dir)
    expect(await detectForeignHistory(adapter)).toEqual([
      { tool: 'flyway', table: 'flyway_schema_history', rows: 2, summary: '2 migration(s) applied' },
    ])
    const before = await snapshot(adapter, 'flyway_schema_history')
    await adopt(adapter, config)
    expect(await snapshot(adapter, 'flyway_schema_history')).toBe(before)
    const entry = (await new Migrator(adapter, config).status()).entries[0]
    expect(entry).toMatchObject({ appliedBy: 'flyway_user', executionMs: 12 })
    expect(entry.appliedAt).toMatch(/^2022-05-06T07:08:09/)
    await expectTakenOver(adapter, config, 'fw', ['1', '2', '3'])
  })

  it('Flyway failed row: imported as partial, settled with repair --forget, then applied by up', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'fwf', [1])
    await flywayTable(adapter, [flywayApplied(1), flywayApplied(2, false)])
    const { dir } = migrationsDir(flywayFiles('fwf'))
    const config = settings(dir)
    expect((await detectForeignHistory(adapter))[0].summary).toBe('1 migration(s) applied, 1 failed')
    const result = await adopt(adapter, config, { from: 'flyway' })
    expect(result.plan.stopped).toEqual([{ version: '2', name: 'create_t2', reason: 'failed in Flyway' }])
    const migrator = new Migrator(adapter, config)
    expect((await migrator.status()).entries[1]).toMatchObject({
      state: 'partial',
      statements: { done: 0, total: 1 },
      error: 'failed in Flyway',
    })
    expect((await errorOf(migrator.up())).code).toBe('MIGRATION_PARTIAL')
    expect((await migrator.repair({ forget: '2' })).actions).toEqual(['2: forgotten (back to pending)'])
    expect((await migrator.up()).steps.map((s) => s.version)).toEqual(['2', '3'])
  })

  it('Flyway baseline and undo: files below the baseline are applied, an undone version is pending', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'fwb', [1, 2, 3])
    await flywayTable(adapter, [
      {
        version: '2',
        description: '<< Flyway Baseline >>',
        type: 'BASELINE',
        script: '<< Flyway Baseline >>',
        checksum: null,
        success: true,
        executionTime: 0,
      },
      flywayApplied(3),
      flywayApplied(4),
      {
        version: '4',
        description: 'create t4',
        type: 'UNDO_SQL',
        script: 'U4__create_t4.sql',
        checksum: 2004,
        success: true,
      },
      { version: null, description: 'views', type: 'SQL', script: 'R__views.sql', checksum: 7, success: true },
    ])
    const { dir } = migrationsDir(flywayFiles('fwb', 4))
    const config = settings(dir)
    const plan = await planAdoption(adapter, config, 'flyway')
    expect(plan.entries.map((e) => [e.version, e.state, e.note])).toEqual([
      ['1', 'applied', 'below the Flyway baseline 2'],
      ['2', 'applied', 'the Flyway baseline'],
      ['3', 'applied', undefined],
      ['4', 'pending', undefined],
    ])
    expect(plan.warnings).toEqual([expect.stringMatching(/1 Flyway repeatable \(R__\) row/)])
    await adopt(adapter, config, { from: 'flyway' })
    const migrator = new Migrator(adapter, config)
    expect((await migrator.up()).steps.map((s) => s.version)).toEqual(['4'])
    expect(await tableExists(adapter, 'fwb_t4')).toBe(true)
  })

  it('refuses a database Migr8 already migrated, and --force imports only what is missing', async () => {
    const adapter = await db.open(await db.another())
    await createTables(adapter, 'frc', [1, 2])
    await golangMigrateTable(adapter, 2, false)
    const { dir } = migrationsDir(golangMigrateFiles('frc'))
    const config = settings(dir)
    await new Migrator(adapter, config).markApplied('001')

    const plan = await planAdoption(adapter, config)
    expect(plan.existingMigr8Rows).toBe(1)
    expect(plan.warnings).toEqual([expect.stringMatching(/already has 1 row\(s\): adopt refuses/)])
    const refused = await errorOf(adopt(adapter, config))
    expect(refused.code).toBe('BAD_USAGE')
    expect(refused.remedy).toMatch(/--force/)

    const result = await adopt(adapter, config, { force: true })
    expect(result.imported).toEqual(['002'])
    expect(result.kept).toEqual(['001'])
    await expectTakenOver(adapter, config, 'frc', ['001', '002', '003'])
  })

  it('reports what it cannot match: rows without files, files without rows, nothing found', async () => {
    const adapter = await db.open(await db.another())
    const { dir } = migrationsDir(dbmateFiles('gap', 2))
    const config = settings(dir)
    expect(await detectForeignHistory(adapter)).toEqual([])
    expect((await errorOf(adopt(adapter, config))).code).toBe('NOT_FOUND')
    expect(await tableExists(adapter, 'migr8_migrations')).toBe(false)

    await dbmateTable(adapter, [dbmateVersion(1), '20200101000000'])
    const plan = await planAdoption(adapter, config)
    expect(plan.rowsWithoutFile).toEqual([{ version: '20200101000000', name: 'unknown' }])
    expect(plan.filesWithoutRow.map((f) => f.version)).toEqual([dbmateVersion(2)])
    await adopt(adapter, config)
    const status = await new Migrator(adapter, config).status()
    expect(status.entries.map((e) => [e.version, e.state])).toEqual([
      ['20200101000000', 'missing_file'],
      [dbmateVersion(1), 'applied'],
      [dbmateVersion(2), 'pending'],
    ])
  })

  it.runIf(dialect === 'postgres')(
    'node-pg-migrate: JS migrations are imported as applied by their numeric prefix; new migrations are SQL',
    async () => {
      const adapter = await db.open(await db.another())
      await createTables(adapter, 'npm', [1, 2])
      await nodePgMigrateTable(adapter, [nodePgMigrateName(1), nodePgMigrateName(2)])
      const { dir } = migrationsDir({
        ...nodePgMigrateFiles('npm', 2),
        '1700000000003_create_t3.up.sql': 'CREATE TABLE npm_t3 (id integer PRIMARY KEY);',
        '1700000000003_create_t3.down.sql': 'DROP TABLE npm_t3;',
      })
      const config = settings(dir)
      expect(await detectForeignHistory(adapter)).toEqual([
        { tool: 'node-pg-migrate', table: 'pgmigrations', rows: 2, summary: '2 migration(s) applied' },
      ])
      const plan = await planAdoption(adapter, config)
      expect(plan.entries.map((e) => [e.version, e.name, e.state])).toEqual([
        ['1700000000001', 'create-t1', 'missing_file'],
        ['1700000000002', 'create-t2', 'missing_file'],
        ['1700000000003', 'create_t3', 'pending'],
      ])
      expect(plan.warnings.join('\n')).toMatch(/JavaScript\/TypeScript, which Migr8 does not run/)
      await adopt(adapter, config)
      const migrator = new Migrator(adapter, config)
      const adopted = await migrator.status()
      expect(adopted.current).toBe('1700000000002')
      // Rows of a tool whose migrations Migr8 cannot read are applied history, not missing files.
      expect(adopted.entries.map((e) => e.state)).toEqual(['applied', 'applied', 'pending'])
      expect(adopted.problems).toEqual([])
      expect((await migrator.up()).steps.map((s) => s.version)).toEqual(['1700000000003'])
      expect((await migrator.down()).steps.map((s) => s.version)).toEqual(['1700000000003'])
      // The next one down is a JS migration: Migr8 says so instead of guessing.
      expect((await errorOf(migrator.down())).code).toBe('MIGRATION_NOT_FOUND')
    },
  )
})
