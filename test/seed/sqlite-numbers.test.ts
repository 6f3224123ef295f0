import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { converterFor } from '../../src-main/seed/infer.js'
import { sqliteAffinity, sqliteNumber } from '../../src-main/seed/sqlite-numbers.js'

/** A small deterministic generator (mulberry32), so a failure names a reproducible corpus. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const digits = (next: () => number, count: number) =>
  Array.from({ length: count }, () => String(Math.floor(next() * 10))).join('')

/** Decimal texts of many shapes: signs, leading and trailing zeros, no integer or fraction part, 0–20 digits a side. */
function corpus(): string[] {
  const texts = [
    ...['100.00', '-0.00', '-0', '0', '0.0', '+0.0', '0.1', '0.2', '0.3', '1.5', '+1.5', '-1.5', '.5', '-.5', '5.'],
    ...['007.50', '-007.50', '000', '7530.81', '8994.59', '9999999999.99', '-9999999999.99', '0.01', '0.005'],
    ...['123456789012345', '999999999999999', '1234567890123456', '9007199254740993', '12345678901234567890'],
    ...['0.000000000000001', '0.0000000000000000000001234', '1.7976931348623157', '2.2250738585072014'],
    ...['123456.789012345', '1234567890.12345', '0.123456789012345', '0.1234567890123456', '4.35', '1.005'],
  ]
  const next = random(20251125)
  for (let i = 0; i < 20_000; i++) {
    const sign = ['', '', '-', '+'][Math.floor(next() * 4)]
    const zeros = next() < 0.2 ? '0'.repeat(Math.floor(next() * 4)) : ''
    // Mostly shapes a seed file holds, some wider than the 15 digits a number is bound for.
    const wide = next() < 0.2
    const whole = digits(next, Math.floor(next() * (wide ? 17 : 10)))
    const fraction = digits(next, Math.floor(next() * (wide ? 21 : 7)))
    const point = fraction !== '' || next() < 0.1 ? '.' : ''
    if (whole === '' && fraction === '') continue
    texts.push(sign + zeros + whole + point + fraction)
  }
  return texts
}

const TYPES = [
  'numeric(12,2)',
  'numeric',
  'decimal',
  'decimal(10,4)',
  'money',
  'real',
  'double',
  'double precision',
  'float',
  'integer',
  'bigint',
  'floating point', // INTEGER affinity: "point" holds INT
]

describe('decimals bound as numbers on SQLite', () => {
  it('derives the affinity by SQLite rules', () => {
    expect(
      ['INT', 'tinyint(1)', 'varchar(5)', 'clob', 'blob', '', 'real', 'float', 'double', 'numeric(1,2)', 'date'].map(
        sqliteAffinity,
      ),
    ).toEqual(['integer', 'integer', 'text', 'text', 'blob', 'blob', 'real', 'real', 'real', 'numeric', 'numeric'])
    expect(sqliteAffinity('floating point')).toBe('integer')
    expect(sqliteAffinity('decimal text')).toBe('text')
  })

  it('stores exactly what SQLite stores from the text, in every column type that converts text', () => {
    const texts = corpus()
    const numbers = texts.map(sqliteNumber)
    // Most of the corpus must really be tried as numbers, not left as text.
    expect(numbers.filter((value) => typeof value === 'number').length).toBeGreaterThan(texts.length / 2)
    const db = new Database(':memory:')
    try {
      for (const type of TYPES) {
        db.exec(`CREATE TABLE t (i integer PRIMARY KEY, a ${type}, b ${type})`)
        const insert = db.prepare('INSERT INTO t (i, a, b) VALUES (?, ?, ?)')
        db.transaction(() => texts.forEach((text, i) => insert.run(i, text, numbers[i])))()
        const rows = db
          .prepare(
            'SELECT i, typeof(a) AS ta, typeof(b) AS tb, a, b, quote(a) AS qa, quote(b) AS qb, a IS b AS same FROM t ORDER BY i',
          )
          .all() as Array<{
          i: number
          ta: string
          tb: string
          a: unknown
          b: unknown
          qa: string
          qb: string
          same: number
        }>
        const differ = rows
          // `IS` and quote() compare in SQLite: integers past 2^53 read back into JS as the same double.
          .filter((row) => row.ta !== row.tb || !Object.is(row.a, row.b) || row.qa !== row.qb || row.same !== 1)
          .map((row) => ({ type, text: texts[row.i], ...row }))
        expect(differ).toEqual([])
        db.exec('DROP TABLE t')
      }
    } finally {
      db.close()
    }
  })

  it('leaves wide, exponent and special values as text', () => {
    for (const text of ['1234567890123456', '0.1234567890123456', '1e3', '1.5E-2', 'inf', 'NaN', '', '-', '.', '1.2.3'])
      expect(sqliteNumber(text)).toBe(text)
  })

  it('converts only on SQLite and only where the affinity turns text into numbers', () => {
    expect(converterFor({ type: 'numeric(12,2)', nullable: true }, 'sqlite')('7530.81')).toBe(7530.81)
    expect(converterFor({ type: 'double', nullable: true }, 'sqlite')(' -0.5 ')).toBe(-0.5)
    expect(converterFor({ type: 'float', nullable: true }, 'sqlite')('inf')).toBe('inf')
    expect(converterFor({ type: 'decimal text', nullable: true }, 'sqlite')('1.50')).toBe('1.50')
    expect(converterFor({ type: 'numeric(12,2)', nullable: true }, 'postgres')('7530.81')).toBe('7530.81')
    expect(converterFor({ type: 'decimal(12,2)', nullable: true }, 'mysql')('7530.81')).toBe('7530.81')
  })
})
