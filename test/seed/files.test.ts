import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import { detectCsvFormat, readCsvHead, streamCsv } from '../../src-main/seed/csv.js'
import { classifyTarget, converterFor, inferText, inferValue, mergeTypes } from '../../src-main/seed/infer.js'
import { identifierProblem } from '../../src-main/seed/identifiers.js'
import { LineMap, textFormatRow } from '../../src-main/seed/loader.js'
import { escapeId, infileFactoryFor } from '../../src-main/seed/mysql.js'
import { listSeeds, resolveSeedFiles, tableFromFileName } from '../../src-main/seed/sources.js'
import { readYamlSeed } from '../../src-main/seed/yaml.js'
import { seedConfig, seedFolder, tempDir } from './support.js'

const sqlite = {
  driver: 'sqlite' as const,
  host: '',
  port: 0,
  database: ':memory:',
  user: '',
  ssl: { mode: 'disable' as const },
  connectTimeoutMs: 1000,
  poolMax: 1,
}

function file(content: string | Buffer, name = 'data.csv'): string {
  const path = join(tempDir(), name)
  writeFileSync(path, content)
  return path
}

async function collect(path: string) {
  const head = await readCsvHead(path, 1)
  const rows: string[][] = []
  const lines: number[] = []
  let header: string[] = []
  await streamCsv(path, head.format, {
    header: (fields) => void (header = fields),
    batch: (batch, at) => void (rows.push(...batch), lines.push(...at)),
  })
  return { header, rows, lines, format: head.format }
}

describe('CSV reading', () => {
  it('detects the delimiter and line break, strips the BOM and keeps quoted delimiters, quotes and newlines', async () => {
    const path = file('\uFEFFa;b;c\r\n1;"x;y";"say ""hi"""\r\n2;"multi\r\nline";\r\n\r\n3;;z\r\n')
    const { header, rows, lines, format } = await collect(path)
    expect(format).toEqual({ delimiter: ';', newline: '\r\n' })
    expect(header).toEqual(['a', 'b', 'c'])
    expect(rows).toEqual([
      ['1', 'x;y', 'say "hi"'],
      ['2', 'multi\r\nline', ''],
      ['3', '', 'z'],
    ])
    // The blank line 5 is skipped; the multi-line field pushes row 3 to line 6.
    expect(lines).toEqual([2, 3, 6])
  })

  it('honours a configured delimiter and tabs', () => {
    expect(detectCsvFormat('a\tb\n1\t2\n').delimiter).toBe('\t')
    expect(detectCsvFormat('a|b\n1|2\n').delimiter).toBe('|')
    expect(detectCsvFormat('a,b;c\n1,2;3\n', ';').delimiter).toBe(';')
    expect(detectCsvFormat('single\n1\n').delimiter).toBe(',')
  })

  it('streams a file larger than one chunk with multi-byte characters cut at chunk boundaries', async () => {
    let content = 'id,name\n'
    for (let i = 0; i < 60_000; i++) content += `${i},"ñandú ${'é'.repeat(i % 7)} 🦆, ""q""\n"\n`
    const { rows, lines } = await collect(file(content))
    expect(rows.length).toBe(60_000)
    expect(rows[59_999]).toEqual(['59999', `ñandú ${'é'.repeat(59_999 % 7)} 🦆, "q"\n`])
    expect(lines[1]).toBe(4)
    expect(lines[59_999]).toBe(2 + 2 * 59_999)
  })

  it('keeps wide rows (a 1 MB field) whole', async () => {
    const big = 'x'.repeat(1 << 20)
    const { rows } = await collect(file(`a,b\n1,${big}\n2,"${big}"\n`))
    expect(rows.map((row) => row[1].length)).toEqual([1 << 20, 1 << 20])
  })

  it('reports invalid UTF-8 with an offset', async () => {
    const path = file(Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]))
    await expect(readCsvHead(path, 10)).rejects.toMatchObject({ code: 'SEED_INVALID', details: { offset: 6 } })
    await expect(collect(path)).rejects.toMatchObject({ code: 'SEED_INVALID' })
  })

  it('reports an unterminated quote with its line', async () => {
    const path = file('a,b\n1,2\n3,"open\n4,5\n')
    await expect(collect(path)).rejects.toMatchObject({ code: 'SEED_INVALID', details: { line: 3 } })
  })

  it('reads the last row without a final line break, also when the parser was held (backpressure)', async () => {
    const path = file('a,b\n' + Array.from({ length: 50_000 }, (_, i) => `${i},"v ${i}"`).join('\n'))
    const head = await readCsvHead(path, 1)
    const rows: string[][] = []
    await streamCsv(path, head.format, {
      header: () => undefined,
      // Every batch holds the parser for a moment, as a busy database connection would.
      batch: (batch) => new Promise<void>((resolve) => setTimeout(() => (rows.push(...batch), resolve()), 1)),
    })
    expect(rows.length).toBe(50_000)
    expect(rows[49_999]).toEqual(['49999', 'v 49999'])
    expect(new Set(rows.map((row) => row[0])).size).toBe(50_000)
  })

  it('refuses an empty file (no header)', async () => {
    await expect(collect(file(''))).rejects.toMatchObject({ code: 'SEED_INVALID' })
  })

  it('previews from the start of a large file without reading it all', async () => {
    const row = '123,some text,2024-01-01,4.5\n'
    const path = file('id,t,d,n\n' + row.repeat(400_000)) // ~12 MB
    const head = await readCsvHead(path, 100)
    expect(head.rows.length).toBe(100)
    expect(head.eof).toBe(false)
    expect(head.rowBytes).toBeLessThan(1 << 20)
    expect(head.lines[99]).toBe(101)
  })
})

describe('type inference and conversion', () => {
  it('infers cell types', () => {
    expect(
      [
        '42',
        '-7',
        '3.14',
        '1e5',
        'true',
        '2024-02-29',
        '2024-02-30',
        '2024-02-29T10:00:00Z',
        '2024-02-29 10:00:00.123+02:00',
        '0b6a4f1e-8f55-4f5e-9a57-3f1f3a1f9c11',
        '{"a":1}',
        '[1]',
        '{oops',
        '',
        'hello',
      ].map(inferText),
    ).toEqual([
      'integer',
      'integer',
      'decimal',
      'decimal',
      'boolean',
      'date',
      'text',
      'timestamp',
      'timestamp',
      'uuid',
      'json',
      'json',
      'text',
      'empty',
      'text',
    ])
    expect([null, 1, 1.5, false, { a: 1 }, [1], '2024-01-01'].map(inferValue)).toEqual([
      'empty',
      'integer',
      'decimal',
      'boolean',
      'json',
      'json',
      'date',
    ])
    expect(mergeTypes('integer', 'decimal')).toBe('decimal')
    expect(mergeTypes('date', 'timestamp')).toBe('timestamp')
    expect(mergeTypes('integer', 'empty')).toBe('integer')
    expect(mergeTypes('integer', 'text')).toBe('text')
  })

  it('classifies column types of the three dialects', () => {
    expect(
      [
        'integer',
        'int(11)',
        'bigint unsigned',
        'tinyint(1)',
        'tinyint(4)',
        'boolean',
        'numeric(10,2)',
        'double precision',
        'timestamp without time zone',
        'datetime(3)',
        'date',
        'uuid',
        'jsonb',
        'character varying(20)',
        'text',
        'bytea',
        'point',
      ].map(classifyTarget),
    ).toEqual([
      'integer',
      'integer',
      'integer',
      'boolean',
      'integer',
      'boolean',
      'decimal',
      'float',
      'timestamp',
      'timestamp',
      'date',
      'uuid',
      'json',
      'text',
      'text',
      'binary',
      'other',
    ])
  })

  it('converts and checks values per column', () => {
    const int = converterFor({ type: 'smallint', nullable: false }, 'postgres')
    expect(int('12')).toBe(12)
    expect(() => int('40000')).toThrow(/out of range/)
    expect(() => int('1.5')).toThrow(/not an integer/)
    expect(() => int(null)).toThrow(/NOT NULL/)
    const money = converterFor({ type: 'numeric(5,2)', nullable: true }, 'postgres')
    expect(money('123.45')).toBe('123.45')
    expect(() => money('1234.5')).toThrow(/too many digits/)
    const flag = converterFor({ type: 'tinyint(1)', nullable: true }, 'mysql')
    expect([flag('yes'), flag('F'), flag(true), flag(null)]).toEqual([1, 0, 1, null])
    expect(converterFor({ type: 'boolean', nullable: true }, 'postgres')('t')).toBe(true)
    const when = converterFor({ type: 'timestamp', nullable: true }, 'postgres')
    expect(when('2024-02-29 23:59:59')).toBe('2024-02-29 23:59:59')
    expect(() => when('2023-02-29 10:00')).toThrow(/timestamp/)
    expect(() => when('2024-01-01 25:00')).toThrow(/time of day/)
    expect(() => when('2024-01-01 24:00:00')).toThrow(/time of day/)
    expect(() => when('2023-02-29 10:00:00')).toThrow(/timestamp/)
    expect(when('2024-02-29T23:59:59')).toBe('2024-02-29T23:59:59')
    const day = converterFor({ type: 'date', nullable: true }, 'mysql')
    expect(day('2000-02-29')).toBe('2000-02-29')
    expect(() => day('1900-02-29')).toThrow(/date/)
    expect(() => day('2024-04-31')).toThrow(/date/)
    expect(int('-32768')).toBe(-32768)
    expect(() => int('-32769')).toThrow(/out of range/)
    const big = converterFor({ type: 'bigint', nullable: true }, 'postgres')
    expect(big('9223372036854775807')).toBe('9223372036854775807')
    expect(() => big('9223372036854775808')).toThrow(/out of range/)
    const name = converterFor({ type: 'varchar(3)', nullable: true }, 'mysql')
    expect(name('ñañ')).toBe('ñañ')
    expect(() => name('abcd')).toThrow(/longer than 3/)
    const json = converterFor({ type: 'jsonb', nullable: true }, 'postgres')
    expect(json({ a: [1] })).toBe('{"a":[1]}')
    expect(() => json('{nope')).toThrow(/JSON/)
  })
})

describe('identifiers and the bulk text format', () => {
  it('refuses names no database keeps', () => {
    expect(identifierProblem('')).toMatch(/empty/)
    expect(identifierProblem('a'.repeat(64))).toMatch(/longer/)
    expect(identifierProblem('a\u0000b')).toMatch(/control/)
    expect(identifierProblem(' a')).toMatch(/white space/)
    expect(identifierProblem('weird "name"; DROP')).toBeUndefined() // allowed, and quoted
  })

  it('quotes MySQL identifiers as one name, dots included', () => {
    expect(escapeId('a.b')).toBe('`a.b`')
    expect(escapeId('x`; DROP TABLE t; --')).toBe('`x``; DROP TABLE t; --`')
  })

  it('writes one line per row in the COPY / LOAD DATA text format', () => {
    expect(textFormatRow(['a\tb', 'c\nd', 'e\\f', null, true, 1.5, { k: 'v' }], 'postgres')).toBe(
      'a\\tb\tc\\nd\te\\\\f\t\\N\tt\t1.5\t{"k":"v"}\n',
    )
    expect(textFormatRow([false], 'mysql')).toBe('0\n')
  })

  it('maps row numbers back to file lines', () => {
    const map = new LineMap()
    map.add([2, 3, 5, 6])
    map.add([9])
    expect([0, 1, 2, 3, 4, 5].map((row) => map.lineOf(row))).toEqual([2, 3, 5, 6, 9, undefined])
  })

  it('answers a LOCAL INFILE request only for the token Migr8 sent', async () => {
    const data = Readable.from(['1\n'])
    const factory = infileFactoryFor('migr8-seed-token.tsv', data)
    expect(factory('migr8-seed-token.tsv')).toBe(data)
    const refused = factory('/etc/passwd')
    await expect(
      new Promise((resolve, reject) => {
        refused.on('data', resolve)
        refused.on('error', reject)
      }),
    ).rejects.toThrow(/refused the server's request for local file "\/etc\/passwd"/)
  })
})

describe('seed sources', () => {
  it('maps file names to tables and orders by NN_ prefix, then by seeds.order', () => {
    const dir = seedFolder({
      '10_orders.csv': 'id\n',
      '2_users.yaml': '[]',
      'notes.yml': '[]',
      'README.md': '#',
      'zeta.csv': 'id\n',
    })
    const config = seedConfig(sqlite, dir)
    expect(listSeeds(config).map((s) => [s.name, s.table, s.format])).toEqual([
      ['2_users.yaml', 'users', 'yaml'],
      ['10_orders.csv', 'orders', 'csv'],
      ['notes.yml', 'notes', 'yaml'],
      ['zeta.csv', 'zeta', 'csv'],
    ])
    const ordered = seedConfig(sqlite, dir, { order: ['zeta.csv', '10_orders.csv'], tables: { 'notes.yml': 'memo' } })
    expect(listSeeds(ordered).map((s) => `${s.name}:${s.table}`)).toEqual([
      'zeta.csv:zeta',
      '10_orders.csv:orders',
      '2_users.yaml:users',
      'notes.yml:memo',
    ])
    expect(() => listSeeds(seedConfig(sqlite, dir, { order: ['missing.csv'] }))).toThrow(
      /seeds.order names missing.csv/,
    )
    expect(resolveSeedFiles(config, ['users', '10_orders.csv']).map((s) => s.name)).toEqual([
      '2_users.yaml',
      '10_orders.csv',
    ])
    expect(() => resolveSeedFiles(config, ['nope.csv'])).toThrow(/No seed file nope.csv/)
    expect(tableFromFileName('/x/01_order_items.csv')).toBe('order_items')
  })

  it('names a missing seed folder', () => {
    expect(() => listSeeds(seedConfig(sqlite, tempDir(), { dir: 'absent' }))).toThrow(/does not exist/)
  })
})

describe('YAML seeds', () => {
  it('reads a list, anchors and merge keys, nulls, dates as written, nested values and line numbers', async () => {
    const path = file(
      `# comment
- &base
  id: 1
  born: 2024-02-29
  at: 2024-02-29 10:00:00
  meta: { tags: [a, b] }
  gone: ~
- <<: *base
  id: 2
  gone: null
`,
      'people.yaml',
    )
    const [group] = await readYamlSeed(path, 'people')
    expect(group.table).toBe('people')
    expect(group.columns).toEqual(['id', 'born', 'at', 'meta', 'gone'])
    expect(group.lines).toEqual([3, 8]) // the line of each row's first key
    expect(group.rows[1]).toEqual({
      id: 2,
      born: '2024-02-29',
      at: '2024-02-29 10:00:00',
      meta: { tags: ['a', 'b'] },
      gone: null,
    })
  })

  it('reads a mapping of tables', async () => {
    const groups = await readYamlSeed(
      file('users:\n  - id: 1\nroles:\n  - id: 7\n    name: admin\nempty:\n', 'x.yaml'),
      'x',
    )
    expect(groups.map((g) => [g.table, g.rows.length])).toEqual([
      ['users', 1],
      ['roles', 1],
      ['empty', 0],
    ])
  })

  it('reports invalid YAML and wrong shapes with line numbers', async () => {
    await expect(readYamlSeed(file('- id: 1\n  name: "x\n- id: 2\n', 'a.yaml'), 'a')).rejects.toMatchObject({
      code: 'SEED_INVALID',
      message: expect.stringMatching(/invalid YAML/),
    })
    await expect(readYamlSeed(file('- id: 1\n- just a string\n', 'b.yaml'), 'b')).rejects.toMatchObject({
      details: { line: 2 },
    })
    await expect(readYamlSeed(file('users:\n  id: 1\n', 'c.yaml'), 'c')).rejects.toMatchObject({ details: { line: 2 } })
    await expect(readYamlSeed(file('- id: 1\n  id: 2\n', 'd.yaml'), 'd')).rejects.toMatchObject({
      code: 'SEED_INVALID',
    })
  })
})
