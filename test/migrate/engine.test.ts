import { describe, expect, it } from 'vitest'
import { Migr8Error } from '../../src-shared/errors.js'
import type { Adapter } from '../../src-main/db/index.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'

const dialects = await availableDialects()

async function tableExists(adapter: Adapter, table: string): Promise<boolean> {
  return (await adapter.describeTable(table)) !== undefined
}

async function errorOf(promise: Promise<unknown>): Promise<Migr8Error> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }
  throw new Error('expected the promise to reject')
}

describe.each(dialects)('migration engine on %s', (dialect) => {
  const db = useDatabase(dialect)

  it('applies, reports and rolls back golang-migrate, dbmate and goose files alike', async () => {
    const adapter = await db.open(await db.another())
    const { dir } = migrationsDir({
      '001_users.up.sql': 'CREATE TABLE users (id integer PRIMARY KEY, name varchar(50));',
      '001_users.down.sql': 'DROP TABLE users;',
      '002_posts.sql':
        '-- migrate:up\nCREATE TABLE posts (id integer PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE posts;\n',
      '003_tags.sql':
        '-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE tags (id integer PRIMARY KEY);\n-- +goose StatementEnd\nCREATE TABLE tag_links (tag_id integer);\n\n-- +goose Down\nDROP TABLE tag_links;\nDROP TABLE tags;\n',
    })
    const migrator = new Migrator(adapter, settings(dir))
    const result = await migrator.up()
    expect(result.steps.map((s) => s.version)).toEqual(['001', '002', '003'])
    expect(result.current).toBe('003')
    for (const table of ['users', 'posts', 'tags', 'tag_links']) expect(await tableExists(adapter, table)).toBe(true)

    const status = await migrator.status()
    expect(status.entries.map((e) => e.state)).toEqual(['applied', 'applied', 'applied'])
    expect(status.pending).toBe(0)
    expect(status.problems).toEqual([])

    expect((await migrator.up()).steps).toEqual([])
    const down = await migrator.down({ step: 2 })
    expect(down.steps.map((s) => s.version)).toEqual(['003', '002'])
    expect(await tableExists(adapter, 'tags')).toBe(false)
    expect(await tableExists(adapter, 'posts')).toBe(false)
    expect(await tableExists(adapter, 'users')).toBe(true)
    expect((await migrator.status()).current).toBe('001')

    const events = (await migrator.journal()).map((e) => `${e.event}:${e.version}`)
    expect(events.slice(0, 2)).toEqual(['rolled_back:002', 'rolled_back:003'])
    expect(events).toContain('applied:001')
  })

  it('supports --to, --step, goto, redo and dry runs without touching the database', async () => {
    const adapter = await db.open(await db.another())
    const files: Record<string, string> = {}
    for (let i = 1; i <= 5; i++) {
      files[`${i}_t${i}.up.sql`] = `CREATE TABLE t${i} (id integer);`
      files[`${i}_t${i}.down.sql`] = `DROP TABLE t${i};`
    }
    const migrator = new Migrator(adapter, settings(migrationsDir(files).dir))
    const dry = await migrator.up({ dryRun: true })
    expect(dry.dryRunSql).toContain('CREATE TABLE t1 (id integer);')
    // MySQL cannot roll back DDL, so its dry run shows the statements without a transaction.
    expect(dry.dryRunSql).toContain(dialect === 'mysql' ? 'without a transaction' : 'BEGIN;')
    expect(await tableExists(adapter, 't1')).toBe(false)
    // A preview never changes the database, not even by creating Migr8's own tables.
    expect(await tableExists(adapter, 'migr8_migrations')).toBe(false)
    expect((await migrator.down({ dryRun: true })).dryRunSql).toBe('')

    expect((await migrator.up({ step: 2 })).current).toBe('2')
    const downPreview = await migrator.down({ dryRun: true })
    expect(downPreview.dryRunSql).toContain('DROP TABLE t2;')
    expect((await migrator.redo({ dryRun: true })).dryRunSql).toMatch(/DROP TABLE t2;[\s\S]*CREATE TABLE t2/)
    expect(await tableExists(adapter, 't2')).toBe(true)
    expect((await migrator.up({ to: '4' })).current).toBe('4')
    expect((await migrator.goto('1')).steps.map((s) => `${s.direction}${s.version}`)).toEqual([
      'down4',
      'down3',
      'down2',
    ])
    expect((await migrator.goto('3')).current).toBe('3')
    const redo = await migrator.redo()
    expect(redo.steps.map((s) => `${s.direction}${s.version}`)).toEqual(['down3', 'up3'])
    expect(await tableExists(adapter, 't3')).toBe(true)
    expect((await migrator.down({ to: '0' })).current).toBeUndefined()
    expect(await tableExists(adapter, 't1')).toBe(false)
  })

  it('rolls back a failing migration and records nothing applied (transactional dialects), or records the partial state (MySQL DDL)', async () => {
    const adapter = await db.open(await db.another())
    const { dir, write } = migrationsDir({
      '1_good.up.sql': 'CREATE TABLE good (id integer);',
      '2_bad.up.sql':
        "CREATE TABLE half (id integer);\nINSERT INTO half VALUES (1);\nINSERT INTO no_such_table VALUES ('x');\n",
      '3_after.up.sql': 'CREATE TABLE after_bad (id integer);',
    })
    const migrator = new Migrator(adapter, settings(dir))
    const error = await errorOf(migrator.up())
    const status = await migrator.status()
    expect(status.entries[0].state).toBe('applied')
    expect(await tableExists(adapter, 'after_bad')).toBe(false)
    if (dialect === 'mysql') {
      expect(error.code).toBe('MIGRATION_PARTIAL')
      expect(error.message).toContain('statement 3 of 3')
      expect(error.remedy).toContain('resume')
      expect(status.entries[1]).toMatchObject({ state: 'partial', statements: { done: 2, total: 3 } })
      expect(await tableExists(adapter, 'half')).toBe(true)
      // Nothing else runs until the stopped migration is settled.
      expect((await errorOf(migrator.up())).code).toBe('MIGRATION_PARTIAL')
      // Fix the third statement; resume runs only it (the first two are not repeated).
      write({
        '2_bad.up.sql': 'CREATE TABLE half (id integer);\nINSERT INTO half VALUES (1);\nINSERT INTO half VALUES (2);\n',
      })
      const resumed = await migrator.resume()
      expect(resumed.steps[0].version).toBe('2')
      expect(await adapter.query('SELECT id FROM half ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }])
    } else {
      expect(error.code).toBe('MIGRATION_FAILED')
      expect(error.message).toContain('statement 3 of 3')
      expect(error.message).toContain('2_bad.up.sql:3')
      expect(error.message).toContain('rolled back')
      expect(status.entries[1].state).toBe('pending')
      expect(status.entries[1].error).toContain('no_such_table')
      expect(await tableExists(adapter, 'half')).toBe(false)
      write({ '2_bad.up.sql': 'CREATE TABLE half (id integer);\n' })
    }
    expect((await migrator.up()).current).toBe('3')
  })

  it('resumes a stopped non-transactional migration only after checking the statements already run are unchanged, and repairs by hand', async () => {
    const adapter = await db.open(await db.another())
    const { dir, write } = migrationsDir({
      '1_nt.up.sql':
        '-- migr8:no-transaction\nCREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nINSERT INTO missing VALUES (1);\n',
      '1_nt.down.sql': 'DROP TABLE b;\nDROP TABLE a;\n',
    })
    const migrator = new Migrator(adapter, settings(dir))
    expect((await errorOf(migrator.up())).code).toBe('MIGRATION_PARTIAL')
    expect((await migrator.status()).entries[0]).toMatchObject({ state: 'partial', statements: { done: 2, total: 3 } })

    write({
      '1_nt.up.sql':
        '-- migr8:no-transaction\nCREATE TABLE a2 (id integer);\nCREATE TABLE b (id integer);\nCREATE TABLE c (id integer);\n',
    })
    expect((await errorOf(migrator.resume())).code).toBe('CHECKSUM_MISMATCH')

    write({
      '1_nt.up.sql':
        '-- migr8:no-transaction\nCREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nCREATE TABLE c (id integer);\n',
    })
    await migrator.resume()
    expect(await tableExists(adapter, 'c')).toBe(true)
    expect((await migrator.status()).entries[0].state).toBe('applied')

    // A stopped run undone by hand is forgotten and runs again from the start.
    write({
      '2_more.up.sql': '-- migr8:no-transaction\nCREATE TABLE d (id integer);\nINSERT INTO missing VALUES (1);\n',
    })
    await errorOf(migrator.up())
    await adapter.query('DROP TABLE d')
    const repaired = await migrator.repair({ forget: '2' })
    expect(repaired.actions[0]).toContain('forgotten')
    expect((await migrator.status()).entries[1].state).toBe('pending')
    write({ '2_more.up.sql': '-- migr8:no-transaction\nCREATE TABLE d (id integer);\n' })
    await migrator.up()
    expect((await migrator.journal()).map((e) => e.event)).toEqual(
      expect.arrayContaining(['failed', 'resumed', 'forgotten', 'applied']),
    )
  })

  it('detects checksum drift after an edit, but not after a CRLF or BOM change', async () => {
    const adapter = await db.open(await db.another())
    const { dir, write } = migrationsDir({ '1_a.up.sql': 'CREATE TABLE drift (id integer);\n-- note\n' })
    const migrator = new Migrator(adapter, settings(dir))
    await migrator.up()
    write({ '1_a.up.sql': '\uFEFFCREATE TABLE drift (id integer);\r\n-- note\r\n' })
    expect((await migrator.status()).entries[0].state).toBe('applied')
    expect((await migrator.validate()).ok).toBe(true)

    write({ '1_a.up.sql': 'CREATE TABLE drift (id bigint);\n' })
    const status = await migrator.status()
    expect(status.entries[0].state).toBe('checksum_drift')
    expect(status.problems[0]).toContain('checksum drift')
    write({ '2_b.up.sql': 'CREATE TABLE later (id integer);' })
    expect((await errorOf(migrator.up())).code).toBe('CHECKSUM_MISMATCH')
    expect((await migrator.validate()).ok).toBe(false)
    await migrator.repair({ checksums: true })
    expect((await migrator.up()).current).toBe('2')
  })

  it('records names with quotes, backslashes and non-ASCII exactly (PostgreSQL sends that write as literals with COMMIT)', async () => {
    const adapter = await db.open(await db.another())
    const name = "o'neil_\\x27_ünï;--"
    const { dir } = migrationsDir({ [`1_${name}.up.sql`]: 'CREATE TABLE quoted (id integer);' })
    const migrator = new Migrator(adapter, settings(dir))
    await migrator.up()
    const rows = await adapter.query<{ name: string; state: string }>('SELECT name, state FROM migr8_migrations')
    expect(rows).toEqual([{ name, state: 'applied' }])
    expect((await migrator.status()).entries[0]).toMatchObject({ name, state: 'applied' })
  })

  it('refuses out-of-order files by default, and applies them with the allow policy', async () => {
    const adapter = await db.open(await db.another())
    const { dir, write } = migrationsDir({
      '10_a.up.sql': 'CREATE TABLE ooo_a (id integer);',
      '30_c.up.sql': 'CREATE TABLE ooo_c (id integer);',
    })
    const migrator = new Migrator(adapter, settings(dir))
    await migrator.up()
    write({ '20_b.up.sql': 'CREATE TABLE ooo_b (id integer);' })
    expect((await migrator.status()).entries[1].state).toBe('out_of_order')
    const error = await errorOf(migrator.up())
    expect(error.code).toBe('MIGRATION_OUT_OF_ORDER')
    expect(error.message).toContain('20_b')
    expect(error.remedy).toContain('--out-of-order allow')
    expect(await tableExists(adapter, 'ooo_b')).toBe(false)
    expect((await migrator.up({ outOfOrder: 'allow' })).steps.map((s) => s.version)).toEqual(['20'])
  })

  it('baselines an existing database and marks single migrations applied without running them', async () => {
    const adapter = await db.open(await db.another())
    const { dir } = migrationsDir({
      '1_a.up.sql': 'CREATE TABLE base_a (id integer);',
      '2_b.up.sql': 'CREATE TABLE base_b (id integer);',
      '3_c.up.sql': 'CREATE TABLE base_c (id integer);',
      '4_d.up.sql': 'CREATE TABLE base_d (id integer);',
    })
    const migrator = new Migrator(adapter, settings(dir))
    expect((await migrator.baseline('2')).steps).toHaveLength(2)
    expect(await tableExists(adapter, 'base_a')).toBe(false)
    expect((await errorOf(migrator.baseline('3'))).code).toBe('BAD_USAGE')
    await migrator.markApplied('3')
    expect((await migrator.up()).steps.map((s) => s.version)).toEqual(['4'])
    expect(await tableExists(adapter, 'base_c')).toBe(false)
    const events = (await migrator.journal()).map((e) => e.event)
    expect(events).toEqual(expect.arrayContaining(['baselined', 'marked_applied', 'applied']))
  })

  it('checks every down script exists before rolling anything back', async () => {
    const adapter = await db.open(await db.another())
    const { dir } = migrationsDir({
      '1_a.up.sql': 'CREATE TABLE nd_a (id integer);',
      '2_b.up.sql': 'CREATE TABLE nd_b (id integer);',
      '2_b.down.sql': 'DROP TABLE nd_b;',
    })
    const migrator = new Migrator(adapter, settings(dir))
    await migrator.up()
    const error = await errorOf(migrator.down({ to: '0' }))
    expect(error.code).toBe('NO_DOWN_MIGRATION')
    expect(await tableExists(adapter, 'nd_b')).toBe(true)
  })

  it('substitutes environment variables only where a script opts in', async () => {
    const adapter = await db.open(await db.another())
    const { dir } = migrationsDir({
      '1_env.up.sql':
        "-- migr8:envsub on\nCREATE TABLE env_t (v varchar(20));\nINSERT INTO env_t VALUES ('${MIGR8_TEST_VALUE}');\n",
      '2_raw.up.sql': "INSERT INTO env_t VALUES ('${MIGR8_TEST_VALUE}');\n",
    })
    await new Migrator(adapter, settings(dir), { MIGR8_TEST_VALUE: 'hello' }).up()
    const rows = await adapter.query<{ v: string }>('SELECT v FROM env_t ORDER BY v')
    expect(rows.map((r) => r.v)).toEqual(['${MIGR8_TEST_VALUE}', 'hello'])
    const missingDir = migrationsDir({ '1_env.up.sql': '-- migr8:envsub on\nSELECT ${NOT_SET_ANYWHERE};' }).dir
    const missing = new Migrator(adapter, settings(missingDir, { table: 'other_history' }), {})
    expect((await errorOf(missing.up())).code).toBe('MIGRATION_FILE_INVALID')
  })

  it('waits for the lock with a clear "held by … since …" message and times out', async () => {
    const adapter = await db.open(await db.another())
    const other = await db.open(adapter.connection)
    const { dir } = migrationsDir({ '1_a.up.sql': 'CREATE TABLE lk (id integer);' })
    const holder = new Migrator(adapter, settings(dir))
    const waiter = new Migrator(
      other,
      settings(dir, { lock: { mode: dialect === 'sqlite' ? 'table' : 'session', timeout: 300, lease: 30_000 } }),
    )
    // Hold the lock as a long operation would: enter the locked section and wait there until released.
    let release!: () => void
    const blocked = new Promise<void>((resolve) => (release = resolve))
    let entered!: () => void
    const inside = new Promise<void>((resolve) => (entered = resolve))
    const locked = (
      holder as unknown as { locked: (ctx: object, fn: () => Promise<void>) => Promise<void> }
    ).locked.bind(holder)
    const holding = locked({}, async () => {
      entered()
      await blocked
    })
    await inside
    const error = await errorOf(waiter.up())
    expect(error.code).toBe('LOCK_TIMEOUT')
    expect(error.message).toMatch(/held by .+ since \d{4}-/)
    expect((await holder.status()).lock?.owner).toContain(`pid ${process.pid}`)
    expect(await tableExists(adapter, 'lk')).toBe(false)
    release()
    await holding
    expect((await waiter.up()).steps.map((s) => s.version)).toEqual(['1'])
    expect((await holder.status()).lock).toBeUndefined()
  })
})
