import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  COPY_BINARY_HEADER,
  COPY_BINARY_TRAILER,
  NotBinaryEncodable,
  pgBinaryEncoder,
} from '../../src-main/seed/pg-binary.js'
import { availableDialects, useDatabase } from '../support/databases.js'

const column = (type: string) => [
  { name: 'ord', type: 'integer', nullable: false, hasDefault: false },
  { name: 'v', type, nullable: true, hasDefault: false },
]

/** Values PostgreSQL reads from text, by column type; each is loaded both ways and compared. */
const CASES: Record<string, Array<string | number | boolean | null>> = {
  smallint: ['0', '-32768', '32767', '+5', '007', '-0', 12, null],
  integer: ['2147483647', '-2147483648', '42', '-17', 2147483647, -1],
  bigint: ['9223372036854775807', '-9223372036854775808', '1234567890123456', '-1', '0', -2147483648, 2 ** 40],
  numeric: ['0', '-0.00', '123.4500', '.5', '5.', '0.0001', '-1234567.89', '10000', '100000000.00000001', '000123.000'],
  'numeric(30,9)': ['99999999999999999999.123456789', '-0.000000001', '1'],
  'numeric(12,2)': ['7530.81', '7530.815', '-0.005', '0.001', '1234567890.12', 42],
  'double precision': ['0', '-0', '1.5', '1e10', '-2.5E-3', '123456789012345678', '0.1', '3.141592653589793'],
  'double precision ': ['1.7976931348623157e308', '2.2250738585072014e-308', '.5', '5.', 0.25],
  boolean: ['t', 'true', 'TRUE', 'f', 'false', 'yes', 'no', 'on', 'off', '1', '0', 'Y', 'n', true, false],
  date: ['2000-01-01', '1999-12-31', '0001-01-01', '9999-12-31', '2024-02-29', '1900-03-01', '1582-10-10'],
  'timestamp without time zone': [
    '2000-01-01 00:00:00',
    '2024-07-26 16:31:00',
    '2024-07-26T16:31',
    '1970-01-01 00:00:00.000001',
    '0001-01-01 00:00:00',
    '9999-12-31 23:59:59.999999',
    '1600-02-29 12:00:00.5',
    '2262-04-11 23:47:16.854775',
    '1699-12-31 23:59:59.99',
  ],
  'timestamp(3) without time zone': ['2024-07-26 16:31:00.123456', '2024-07-26 16:31:00.9995'],
  uuid: ['26dde600-0c8f-439e-a499-ff3d8cb5dcfc', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
  text: ['', 'héllo', 'emoji 😀', 'tab\there', 'line\nbreak', 'quote"s', 'back\\slash', '\\N', 12, true],
  'character varying(5)': ['abc', 'abcde', 'äöüß€'],
  'character(4)': ['ab', 'abcd', ''],
  json: ['{"a":1}', '[1, 2]', ' {"spaced" : true} '],
  jsonb: ['{"b": [1, {"c": null}]}', '"text"', '12.50'],
}

/** Values PostgreSQL may read in ways the encoder does not vouch for: the caller must use the text path. */
const REFUSED: Record<string, unknown[]> = {
  integer: ['1.5', ' 1', '1e3', '', '0x10', '2147483648', 1.5],
  smallint: ['40000'],
  bigint: ['99999999999999999999', '9223372036854775808'],
  numeric: ['1e5', 'NaN', 'Infinity', ' 1', '', '.', '-', '1.2.3', 1.5],
  'double precision': ['NaN', 'Infinity', '1e400', '1e-400', '0x10', '', ' 1'],
  boolean: ['tr', 'maybe', ' t', ''],
  date: ['2024-02-30', '24-01-01', '2024-1-1', 'infinity', '2024-01-01 BC', '0000-01-01', '2024-01-01 10:00'],
  'timestamp without time zone': [
    '2024-01-01 24:00:00',
    '2024-01-01 10:00:00+02',
    '2024-01-01 10:00:60',
    '2024-01-01 10:00:00.1234567',
    '2024-01-01',
    'now',
  ],
  uuid: ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11'],
  jsonb: [5],
}

describe('pgBinaryEncoder without a server', () => {
  it('has no encoder for types whose binary form it does not vouch for', () => {
    for (const type of [
      'real',
      'timestamp with time zone',
      'interval',
      'integer[]',
      'mood',
      'bytea',
      'time without time zone',
    ])
      expect(pgBinaryEncoder(column(type)), type).toBeUndefined()
  })

  it('refuses values whose reading is not plain, naming the column', () => {
    for (const [type, values] of Object.entries(REFUSED)) {
      const encoder = pgBinaryEncoder(column(type))!
      for (const value of values) {
        let thrown: unknown
        try {
          encoder.encode([1, value], 1)
        } catch (error) {
          thrown = error
        }
        expect(thrown, `${type} ${JSON.stringify(value)}`).toBeInstanceOf(NotBinaryEncodable)
        expect((thrown as NotBinaryEncodable).column).toBe('v')
      }
    }
  })
})

const dialects = await availableDialects(['postgres'])

describe.each(dialects)('pgBinaryEncoder against PostgreSQL (%s)', () => {
  const db = useDatabase('postgres')
  let client: pg.Client
  beforeAll(async () => {
    const c = db.connection
    client = new pg.Client({ host: c.host, port: c.port, user: c.user, database: c.database })
    await client.connect()
  })
  afterAll(() => client?.end())

  const copy = (sql: string, chunks: Buffer[]) => pipeline(Readable.from(chunks), client.query(copyFrom(sql)))

  /** CSV as the pass-through path sends it: every value quoted, so '' stays an empty string. */
  const csvLine = (ord: number, value: unknown) =>
    value === null ? `${ord},\n` : `${ord},"${String(value).replace(/"/g, '""')}"\n`

  it.each(Object.entries(CASES))('loads %s exactly as PostgreSQL reads the text', async (type, values) => {
    await client.query('DROP TABLE IF EXISTS t_bin, t_txt')
    await client.query(`CREATE TABLE t_bin (ord integer, v ${type}); CREATE TABLE t_txt (ord integer, v ${type})`)
    const encoder = pgBinaryEncoder(column(type.trim()))!
    expect(encoder).toBeDefined()
    // Two batches, as a real load sends them.
    const flat = values.flatMap((value, index) => [index, value])
    const half = Math.floor(values.length / 2)
    await copy('COPY t_bin FROM STDIN (FORMAT binary)', [
      COPY_BINARY_HEADER,
      encoder.encode(flat.slice(0, half * 2), half),
      encoder.encode(flat.slice(half * 2), values.length - half),
      COPY_BINARY_TRAILER,
    ])
    await copy('COPY t_txt FROM STDIN (FORMAT csv)', [
      Buffer.from(
        values.map((value, index) => csvLine(index, typeof value === 'boolean' ? String(value) : value)).join(''),
      ),
    ])
    // Text output tells every value of these types apart (float8 prints the shortest exact form); json has no `=`.
    const { rows } = await client.query(
      `SELECT t.ord, t.v::text AS text_path, b.v::text AS binary_path
         FROM t_txt t FULL JOIN t_bin b USING (ord)
        WHERE b.v::text IS DISTINCT FROM t.v::text OR t.ord IS NULL OR b.ord IS NULL`,
    )
    expect(rows).toEqual([])
    expect((await client.query('SELECT count(*)::int AS n FROM t_bin')).rows[0].n).toBe(values.length)
  })

  it('leaves range and length errors to the server, as in the text path', async () => {
    await client.query('DROP TABLE IF EXISTS t_bin')
    await client.query('CREATE TABLE t_bin (ord integer, v numeric(4,2))')
    const encoder = pgBinaryEncoder(column('numeric(4,2)'))!
    await expect(
      copy('COPY t_bin FROM STDIN (FORMAT binary)', [
        COPY_BINARY_HEADER,
        encoder.encode([1, '123.45'], 1),
        COPY_BINARY_TRAILER,
      ]),
    ).rejects.toThrow(/numeric field overflow/)
  })
})
