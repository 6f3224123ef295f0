import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Driver } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { runSeeds } from '../../src-main/seed/index.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { count, createTables, seedConfig, seedFolder, tempDir } from './support.js'

const dialects = await availableDialects()
const EXAMPLES = join(import.meta.dirname, '../../examples/seeds')

function exampleFolder(): string {
  const dir = tempDir()
  mkdirSync(join(dir, 'seeds'))
  for (const name of ['01_customers.csv', '02_orders.yaml'])
    copyFileSync(join(EXAMPLES, name), join(dir, 'seeds', name))
  return dir
}

function customersCsv(rows: number, from = 1, mutate?: (id: number) => string | undefined): string {
  let out = 'id,name,email,created_at\n'
  for (let id = from; id < from + rows; id++)
    out += mutate?.(id) ?? `${id},name ${id},user${id}@example.com,2024-03-01 10:00:00\n`
  return out
}

describe.each(dialects)('seed run on %s', (dialect: Driver) => {
  const db = useDatabase(dialect)
  const open = async (): Promise<Adapter> => {
    const adapter = await db.open()
    await createTables(adapter)
    return adapter
  }

  it('loads the example seeds in order, keeping quoted commas, quotes, unicode and NULLs', async () => {
    const adapter = await open()
    const reports = await runSeeds(adapter, seedConfig(db.connection, exampleFolder()))
    expect(reports.map((r) => [r.name, r.status, r.rowsInserted])).toEqual([
      ['01_customers.csv', 'loaded', 20],
      ['02_orders.yaml', 'loaded', 6],
    ])
    const customers = await adapter.query<{ id: number; name: string; email: string | null; created_at: unknown }>(
      'SELECT id, name, email, created_at FROM customers ORDER BY id',
    )
    expect(customers[1].name).toBe('Hopper, Grace')
    expect(customers[2].name).toBe('Zoë Ångström')
    expect(customers[5].name).toBe('田中 太郎')
    expect(customers[8].name).toBe('Dwayne "The Rock" Johnson')
    // An empty field stays an empty string in a text column (add '' to seeds.nullValues to make it NULL)…
    expect(customers[11].email).toBe('')
    // …while \N (a configured NULL marker) is NULL in any column.
    expect(customers[14].created_at).toBeNull()
    expect(customers[0].created_at).not.toBeNull()
    const orders = await adapter.query<{ id: number; customer_id: number; total: unknown; note: string | null }>(
      'SELECT id, customer_id, total, note FROM orders ORDER BY id',
    )
    expect(orders.map((o) => Number(o.customer_id))).toEqual([1, 1, 2, 3, 6, 9])
    expect(Number(orders[0].total)).toBeCloseTo(129.9)
    expect(orders[1].note).toBeNull()
    expect(orders[3].note).toBe('Leave at the door.\nRing twice.\n')
    expect(orders[4].note).toBe('配達は午後にお願いします')
  })

  it('reads BOM, CRLF, semicolons, embedded newlines, empty vs NULL the same on the fast and the checked path', async () => {
    const adapter = await open()
    const csv =
      '\uFEFFid;flag;amount;born;seen;uid;doc;label;note\r\n' +
      '1;true;12.50;2024-02-29;2024-02-29 23:59:59;0b6a4f1e-8f55-4f5e-9a57-3f1f3a1f9c11;"{""a"": [1, 2]}";x;"two\r\nlines; and ""quotes"""\r\n' +
      '2;;;;;;;;\r\n' +
      '3;false;-0.5;1999-12-31;1999-12-31 00:00:00;0b6a4f1e-8f55-4f5e-9a57-3f1f3a1f9c12;[];"";back\\slash\r\n'
    const check = async (options: { validate?: boolean; noBinary?: boolean }, expectedMethods: string[]) => {
      const dir = seedFolder({ 'kinds.csv': csv })
      const [report] = await runSeeds(adapter, seedConfig(db.connection, dir), { truncate: true, ...options })
      expect(report.error).toBeUndefined()
      expect(report.rowsInserted).toBe(3)
      expect(expectedMethods).toContain(report.tables[0].method)
      const rows = await adapter.query<Record<string, unknown>>(
        'SELECT id, flag, amount, born, uid, doc, label, note FROM kinds ORDER BY id',
      )
      expect(Number(rows[0].amount)).toBe(12.5)
      expect(rows[0].note).toBe('two\r\nlines; and "quotes"')
      const doc = rows[0].doc
      expect(typeof doc === 'string' ? JSON.parse(doc) : doc).toEqual({ a: [1, 2] })
      // Empty fields: NULL in non-text columns, '' in text columns.
      expect([rows[1].flag, rows[1].amount, rows[1].born]).toEqual([null, null, null])
      // uuid and json are text columns in SQLite (and char(36) in MySQL): there an empty field is ''.
      const textual = dialect === 'sqlite' ? ['', ''] : dialect === 'mysql' ? ['', null] : [null, null]
      expect([rows[1].uid, rows[1].doc]).toEqual(textual)
      expect(rows[1].label).toBe('')
      expect(rows[1].note).toBe('')
      expect(rows[2].note).toBe('back\\slash')
      expect(Boolean(Number(rows[2].flag === false ? 0 : rows[2].flag === true ? 1 : rows[2].flag))).toBe(false)
    }
    // MySQL reads this file through LOAD DATA of parsed rows by default too: byte pass-through is only for
    // files the server reads as they are (see the MySQL tests below). PostgreSQL loads it in binary COPY
    // format on both paths; without binary, the bytes go straight to COPY, or the checked rows as text.
    const fast = { postgres: ['copy-binary'], mysql: ['load-data'], sqlite: ['prepared-insert'] }[dialect]
    const checked = { postgres: ['copy-binary'], mysql: ['load-data'], sqlite: ['prepared-insert'] }[dialect]
    await check({}, fast)
    await check({ validate: true }, checked)
    if (dialect === 'postgres') {
      await check({ noBinary: true }, ['copy-passthrough'])
      await check({ validate: true, noBinary: true }, ['copy'])
    }
  })

  it('turns the configured NULL markers into NULL (and falls back from byte pass-through when the file has them)', async () => {
    const adapter = await open()
    const dir = seedFolder({ 'kinds.csv': 'id,label,note,amount\n1,a,NULL,\\N\n2,b,\\N,NULL\n3,c,~,1\n' })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir, { nullValues: ['\\N', 'NULL', '~'] }))
    expect(report.status).toBe('loaded')
    const rows = await adapter.query<{ note: string | null; amount: unknown }>(
      'SELECT note, amount FROM kinds ORDER BY id',
    )
    expect(rows.map((row) => row.note)).toEqual([null, null, null])
    expect(rows.map((row) => (row.amount === null ? null : Number(row.amount)))).toEqual([null, null, 1])
  })

  it('rolls back the whole file when a row fails in the middle (fast path, database error)', async () => {
    const adapter = await open()
    const dir = seedFolder({
      'customers.csv': customersCsv(3000, 1, (id) =>
        id === 2500 ? '17,duplicate key,dup@example.com,2024-03-01\n' : undefined,
      ),
    })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir))
    expect(report.status).toBe('failed')
    expect(report.rowsInserted).toBe(0)
    expect(report.error?.message).toMatch(/duplicate|unique/i)
    expect(await count(adapter, 'customers')).toBe(0)
  })

  it('in validate mode stops at the first bad value with its line and value, writing nothing', async () => {
    const adapter = await open()
    const dir = seedFolder({
      'kinds.csv': 'id,amount,born\n1,1.5,2024-01-01\n2,"two\nlines",2024-01-02\n3,abc,2024-01-03\n4,oops,2024-13-01\n',
    })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir), { validate: true })
    expect(report.status).toBe('failed')
    expect(report.error?.code).toBe('SEED_FAILED')
    // Line 3 holds a quoted line break, so row 2 spans lines 3–4 and "abc" is on line 5.
    expect(report.rejected[0]).toMatchObject({ line: 3, column: 'amount', value: 'two\nlines' })
    expect(report.error?.line).toBe(3)
    expect(await count(adapter, 'kinds')).toBe(0)
  })

  it('reports the file line of a database error on the parsing path', async () => {
    const adapter = await open()
    const dir = seedFolder({ 'customers.csv': 'id,name,email,created_at\n1,a,"x\ny",\\N\n2,b,b@x,\\N\n2,c,c@x,\\N\n' })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir))
    expect(report.status).toBe('failed')
    if (dialect !== 'mysql') expect(report.error?.line).toBe(5)
    expect(await count(adapter, 'customers')).toBe(0)
  })

  it('dry run checks every row, lists the rejected ones and writes nothing', async () => {
    const adapter = await open()
    const dir = seedFolder({ 'kinds.csv': 'id,amount,flag\n1,1,true\n2,x,true\n3,2,maybe\n4,3,false\n5\n' })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir), { dryRun: true })
    expect(report.status).toBe('failed')
    expect(report.rejectedCount).toBe(3)
    expect(report.rejected.map((bad) => [bad.line, bad.column])).toEqual([
      [3, 'amount'],
      [4, 'flag'],
      [6, ''],
    ])
    expect(report.rejected[2].reason).toMatch(/expected 3 fields, found 1/)
    expect(await count(adapter, 'kinds')).toBe(0)
    const good = seedFolder({ 'kinds.csv': 'id,amount\n1,1\n' })
    const [ok] = await runSeeds(adapter, seedConfig(db.connection, good), { dryRun: true })
    expect([ok.status, ok.rowsInserted]).toEqual(['dry-run', 1])
    expect(await count(adapter, 'kinds')).toBe(0)
  })

  it('truncates first (cascading to referencing tables) and replaces the rows', async () => {
    const adapter = await open()
    await runSeeds(adapter, seedConfig(db.connection, exampleFolder()))
    const dir = seedFolder({ '01_customers.csv': customersCsv(5, 100) })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir), { truncate: true })
    expect(report.status).toBe('loaded')
    expect(report.truncated).toEqual(expect.arrayContaining(['customers', 'orders']))
    expect(await count(adapter, 'customers')).toBe(5)
    expect(await count(adapter, 'orders')).toBe(0)
    // Without --truncate the same keys collide and the file is rolled back.
    const [again] = await runSeeds(adapter, seedConfig(db.connection, dir))
    expect(again.status).toBe('failed')
    expect(await count(adapter, 'customers')).toBe(5)
  })

  it('keeps the old rows when the import after a truncate fails', async () => {
    const adapter = await open()
    await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'customers.csv': customersCsv(10) })))
    const bad = seedFolder({
      'customers.csv': customersCsv(4, 1, (id) => (id === 3 ? '1,again,again@example.com,\\N\n' : undefined)),
    })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, bad), { truncate: true })
    expect(report.status).toBe('failed')
    expect(await count(adapter, 'customers')).toBe(10)
  })

  it('runs files in NN_ order, honours seeds.order, and stops at a failed file', async () => {
    const adapter = await open()
    const dir = seedFolder({
      '10_orders.csv': 'id,customer_id,total\n1,1,5\n',
      '2_customers.csv': 'id,name\n1,first\n',
      'customers_extra.yaml': '- id: 2\n  name: second\n',
    })
    const reports = await runSeeds(
      adapter,
      seedConfig(db.connection, dir, { tables: { 'customers_extra.yaml': 'customers' } }),
    )
    expect(reports.map((r) => [r.name, r.status])).toEqual([
      ['2_customers.csv', 'loaded'],
      ['10_orders.csv', 'loaded'],
      ['customers_extra.yaml', 'loaded'],
    ])
    await createTables(adapter)
    const failing = await runSeeds(
      adapter,
      seedConfig(db.connection, dir, { order: ['10_orders.csv'], tables: { 'customers_extra.yaml': 'customers' } }),
    )
    // orders first: its customer does not exist yet, so it fails and the rest is skipped.
    expect(failing.map((r) => [r.name, r.status])).toEqual([
      ['10_orders.csv', 'failed'],
      ['2_customers.csv', 'skipped'],
      ['customers_extra.yaml', 'skipped'],
    ])
  })

  it('refuses headers and table names that try to inject SQL, and leaves the tables intact', async () => {
    const adapter = await open()
    const header = seedFolder({ 'customers.csv': 'id,"name) VALUES (1); DROP TABLE kinds; --"\n1,x\n' })
    const [first] = await runSeeds(adapter, seedConfig(db.connection, header))
    expect(first.status).toBe('failed')
    expect(first.error?.code).toBe('SEED_INVALID')
    expect(first.error?.message).toMatch(/has no column/)
    const table = seedFolder({ 'x.csv': 'id\n1\n' })
    for (const evil of [
      'kinds; DROP TABLE customers; --',
      'kinds"; DROP TABLE customers; --',
      'kinds`; DROP TABLE customers; --',
      'main.kinds',
      'kinds\u0000',
    ]) {
      const [report] = await runSeeds(adapter, seedConfig(db.connection, table, { tables: { 'x.csv': evil } })).catch(
        (error) => [{ status: 'failed', error }],
      )
      expect(report.status).toBe('failed')
      expect(['TABLE_MISSING', 'SEED_INVALID']).toContain(report.error?.code)
    }
    expect(await count(adapter, 'customers')).toBe(0)
    expect(await count(adapter, 'kinds')).toBe(0)
  })

  it('rejects a 10,000-column header cleanly', async () => {
    const adapter = await open()
    const header = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',')
    const dir = seedFolder({ 'kinds.csv': `${header}\n${header.replace(/c\d+/g, '1')}\n` })
    const [report] = await runSeeds(adapter, seedConfig(db.connection, dir))
    expect(report.status).toBe('failed')
    expect(report.error?.code).toBe('SEED_INVALID')
    expect(report.error?.message).toMatch(/10000 columns; Migr8 accepts at most 4096/)
  })

  it('reports a file that is not UTF-8', async () => {
    const adapter = await open()
    const latin1 = Buffer.concat([Buffer.from('id,name\n1,'), Buffer.from([0x4a, 0x6f, 0x73, 0xe9]), Buffer.from('\n')])
    for (const validate of [false, true]) {
      const [report] = await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'customers.csv': latin1 })), {
        validate,
      })
      expect(report.status).toBe('failed')
      expect(report.error?.code).toBe('SEED_INVALID')
      expect(report.error?.message).toMatch(/not valid UTF-8/)
    }
    expect(await count(adapter, 'customers')).toBe(0)
  })

  it('refuses an empty CSV file and loads a header-only one as zero rows', async () => {
    const adapter = await open()
    const [empty] = await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'kinds.csv': '' })))
    expect(empty.error).toMatchObject({ code: 'SEED_INVALID', message: expect.stringMatching(/is empty/) })
    const [header] = await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'kinds.csv': 'id,label\n' })))
    expect([header.status, header.rowsInserted]).toEqual(['loaded', 0])
  })

  it('refuses an unclosed quote on the fast path with its line (not a value swallowing the rest of the file)', async () => {
    const adapter = await open()
    const [report] = await runSeeds(
      adapter,
      seedConfig(db.connection, seedFolder({ 'customers.csv': 'id,name\n1,"abc\n2,def\n' })),
    )
    expect(report.status).toBe('failed')
    expect(report.error).toMatchObject({ code: 'SEED_INVALID', line: 2 })
    expect(await count(adapter, 'customers')).toBe(0)
  })

  it('refuses a value that does not fit its column even without --validate', async () => {
    const adapter = await open()
    const [report] = await runSeeds(
      adapter,
      seedConfig(db.connection, seedFolder({ 'kinds.csv': 'id,amount\n1,2\nabc,3\n' })),
    )
    expect(report.status).toBe('failed')
    if (dialect === 'sqlite') expect(report.error).toMatchObject({ code: 'SEED_FAILED', line: 3 })
    expect(await count(adapter, 'kinds')).toBe(0)
  })

  it('loads a backslash-dot value (COPY end-of-data marker) as data', async () => {
    const adapter = await open()
    const [report] = await runSeeds(
      adapter,
      seedConfig(db.connection, seedFolder({ 'customers.csv': 'name,id\n\\.,1\nok,2\n' })),
    )
    expect(report.status).toBe('loaded')
    const rows = await adapter.query<{ name: string }>('SELECT name FROM customers ORDER BY id')
    expect(rows.map((row) => row.name)).toEqual(['\\.', 'ok'])
  })

  it('names the missing table', async () => {
    const adapter = await open()
    const [report] = await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'nosuch.csv': 'id\n1\n' })))
    expect(report.error).toMatchObject({ code: 'TABLE_MISSING' })
    expect(report.error?.message).toMatch(/nosuch does not exist/)
  })

  it('loads a YAML mapping of several tables in one transaction, with typed and nested values', async () => {
    const adapter = await open()
    const yaml = `customers:
  - id: 1
    name: Ada
  - id: 2
    name: "NULL"
orders:
  - &base { id: 1, customer_id: 1, total: 10.5 }
  - { <<: *base, id: 2, note: null }
kinds:
  - id: 1
    flag: true
    amount: 3
    born: 2024-02-29
    seen: 2024-02-29 12:00:00
    doc: { nested: { list: [1, "two", null] } }
    label: plain
  - id: 2
    label: ""
`
    const [report] = await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'mixed.yaml': yaml })), {
      validate: true,
    })
    expect(report.error).toBeUndefined()
    expect(report.tables.map((t) => [t.table, t.rows])).toEqual([
      ['customers', 2],
      ['orders', 2],
      ['kinds', 2],
    ])
    const names = await adapter.query<{ name: string }>('SELECT name FROM customers ORDER BY id')
    // A quoted "NULL" in YAML is text: YAML has its own null.
    expect(names.map((row) => row.name)).toEqual(['Ada', 'NULL'])
    const orders = await adapter.query<{ customer_id: number; total: unknown }>(
      'SELECT customer_id, total FROM orders ORDER BY id',
    )
    expect(orders.map((row) => [Number(row.customer_id), Number(row.total)])).toEqual([
      [1, 10.5],
      [1, 10.5],
    ])
    const kinds = await adapter.query<{ doc: unknown; label: string; flag: unknown }>(
      'SELECT doc, label, flag FROM kinds ORDER BY id',
    )
    const doc = kinds[0].doc
    expect(typeof doc === 'string' ? JSON.parse(doc) : doc).toEqual({ nested: { list: [1, 'two', null] } })
    expect(kinds[1].label).toBe('')
    expect(Number(kinds[0].flag === true ? 1 : kinds[0].flag)).toBe(1)
  })

  it('reports invalid YAML with its line and writes nothing', async () => {
    const adapter = await open()
    const [report] = await runSeeds(
      adapter,
      seedConfig(db.connection, seedFolder({ 'customers.yaml': '- id: 1\n  name: a\n- id: 2\n  name: b: c\n' })),
    )
    expect(report.status).toBe('failed')
    expect(report.error?.code).toBe('SEED_INVALID')
    expect(report.error?.message).toMatch(/line 4/)
    expect(await count(adapter, 'customers')).toBe(0)
  })

  it.each([false, true])('cancels a running load and rolls it back (validate: %s)', async (validate) => {
    const adapter = await open()
    const dir = seedFolder({ 'customers.csv': customersCsv(200_000) })
    const controller = new AbortController()
    const run = runSeeds(
      adapter,
      seedConfig(db.connection, dir),
      { validate },
      {
        signal: controller.signal,
        onProgress: (event) => {
          if ((event.done ?? 0) > 0) controller.abort()
        },
      },
    )
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(await count(adapter, 'customers')).toBe(0)
    // The connection is usable afterwards.
    const [report] = await runSeeds(
      adapter,
      seedConfig(db.connection, seedFolder({ 'customers.csv': customersCsv(3) })),
    )
    expect(report.rowsInserted).toBe(3)
  })

  if (dialect === 'postgres') {
    it('abandons a byte pass-through that meets a NULL marker or a bad byte megabytes in, without losing rows', async () => {
      const adapter = await open()
      const big = customersCsv(60_000)
      expect(big.length).toBeGreaterThan(3 << 20)
      const marked = seedFolder({ 'customers.csv': big + '60001,late,NULL,\\N\n' })
      const [report] = await runSeeds(adapter, seedConfig(db.connection, marked), { truncate: true, noBinary: true })
      expect([report.status, report.rowsInserted, report.tables[0].method]).toEqual(['loaded', 60_001, 'copy'])
      const [late] = await adapter.query<{ email: string | null }>('SELECT email FROM customers WHERE id = 60001')
      expect(late.email).toBeNull()
      const broken = seedFolder({
        'customers.csv': Buffer.concat([
          Buffer.from(big),
          Buffer.from([0x36, 0x30, 0x30, 0x30, 0x31, 0x2c, 0xff, 0x0a]),
        ]),
      })
      const [failed] = await runSeeds(adapter, seedConfig(db.connection, broken), { truncate: true, noBinary: true })
      expect(failed.status).toBe('failed')
      expect(failed.error?.message).toMatch(/not valid UTF-8/)
      // The failed file rolled back whole, truncate included.
      expect(await count(adapter, 'customers')).toBe(60_001)
    })

    it('abandons binary COPY at a value without a binary form megabytes in, and loads the file as text', async () => {
      const adapter = await open()
      // A time zone offset: PostgreSQL reads it (and drops it, for a timestamp column); the encoder does not.
      const dir = seedFolder({
        'customers.csv': customersCsv(60_000) + '60001,late,late@example.com,2024-03-01 10:00:00+02\n',
      })
      for (const [validate, method] of [
        [false, 'copy-passthrough'],
        [true, 'copy'],
      ] as const) {
        const [report] = await runSeeds(adapter, seedConfig(db.connection, dir), { truncate: true, validate })
        expect([report.status, report.rowsInserted, report.tables[0].method]).toEqual(['loaded', 60_001, method])
        expect(await count(adapter, 'customers')).toBe(60_001)
      }
      const [late] = await adapter.query<{ created_at: Date }>('SELECT created_at FROM customers WHERE id = 60001')
      expect(late.created_at).not.toBeNull()
    })

    it('names the file line of a value the server refuses in binary COPY', async () => {
      const adapter = await open()
      // Lines 3–4 are one record: the failing value is on file line 6, COPY's fourth row.
      const dir = seedFolder({ 'kinds.csv': 'id,amount,note\n1,1.5,a\n2,2.5,"two\nlines"\n3,3.5,c\n4,123456789.5,d\n' })
      const [report] = await runSeeds(adapter, seedConfig(db.connection, dir))
      expect(report.status).toBe('failed')
      expect(report.error?.message).toMatch(/^line 6, column amount: .*numeric field overflow/)
      expect(await count(adapter, 'kinds')).toBe(0)
    })
  }

  if (dialect === 'mysql') {
    it('falls back to multi-row INSERTs (local_infile off) with the same result', async () => {
      const adapter = await open()
      const dir = seedFolder({ 'customers.csv': customersCsv(5000) })
      const [report] = await runSeeds(adapter, seedConfig(db.connection, dir), { forceInsert: true })
      expect([report.status, report.rowsInserted, report.tables[0].method]).toEqual(['loaded', 5000, 'insert'])
      expect(await count(adapter, 'customers')).toBe(5000)
      const bad = seedFolder({ 'kinds.csv': 'id,amount\n1,1\n2,abc\n' })
      const [failed] = await runSeeds(adapter, seedConfig(db.connection, bad), { forceInsert: true })
      expect(failed.status).toBe('failed')
      expect(await count(adapter, 'kinds')).toBe(0)
    })

    it('sends the bytes of a file the server reads as it is (text columns, no NULL markers) straight to LOAD DATA', async () => {
      const adapter = await open()
      await adapter.query('CREATE TABLE plain_notes (code varchar(20) PRIMARY KEY, body text)')
      const dir = seedFolder({ 'plain_notes.csv': 'code,body\na,"one, two"\nb,\nc,"say ""hi""\nthere"\n' })
      const [report] = await runSeeds(adapter, seedConfig(db.connection, dir, { nullValues: [] }))
      expect([report.status, report.rowsInserted, report.tables[0].method]).toEqual([
        'loaded',
        3,
        'load-data-passthrough',
      ])
      const rows = await adapter.query<{ body: string }>('SELECT body FROM plain_notes ORDER BY code')
      expect(rows.map((row) => row.body)).toEqual(['one, two', '', 'say "hi"\nthere'])
      await adapter.query('DROP TABLE plain_notes')
    })

    it('fails a LOAD DATA whose values the server only warned about', async () => {
      const adapter = await open()
      const [report] = await runSeeds(
        adapter,
        seedConfig(db.connection, seedFolder({ 'kinds.csv': 'id,amount\n1,1\n2,abc\n' })),
      )
      expect(report.status).toBe('failed')
      expect(report.error?.message).toMatch(/line 3/)
      expect(await count(adapter, 'kinds')).toBe(0)
    })
  }
})

it('writes no file for the test helper', () => {
  // keeps `writeFileSync` imported for ad-hoc debugging of fixtures
  expect(typeof writeFileSync).toBe('function')
})
