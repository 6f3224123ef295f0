/**
 * Every bad config file in test/corpus/config gives a typed CONFIG_INVALID error that names the file
 * and the key (or line), shows the bad value where there is one, carries a remedy, and writes nothing.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src-main/config/index.js'
import { Migr8Error } from '../../src-shared/errors.js'

const CORPUS = fileURLToPath(new URL('../corpus/config/', import.meta.url))

interface Expectation {
  /** Text the message must contain besides the file path (key, line, bad value…). */
  mentions: string[]
  /** Text the remedy must contain. */
  remedy?: string
  /** Text that must never appear in message or remedy (secrets). */
  hides?: string[]
}

const EXPECTED: Record<string, Expectation> = {
  'malformed-yaml.yaml': { mentions: ['invalid YAML', ':'], remedy: 'YAML syntax' },
  'unknown-top-key.yaml': { mentions: ['unknown key(s) databse'], remedy: 'databse' },
  'unknown-database-key.yaml': { mentions: ['database:', 'unknown key(s) hots'], remedy: 'hots' },
  'unknown-nested-key.yaml': { mentions: ['migrations.lock', 'wait'], remedy: 'wait' },
  'port-boolean.yaml': { mentions: ['database.port', 'got true'], remedy: 'database.port' },
  'port-out-of-range.yaml': { mentions: ['database.port', '70000'], remedy: 'database.port' },
  'port-zero.yaml': { mentions: ['database.port', 'got 0'], remedy: 'database.port' },
  'port-text.yaml': { mentions: ['database.port', '"54x32"'], remedy: 'database.port' },
  'port-fraction.yaml': { mentions: ['database.port', '5432.5'], remedy: 'database.port' },
  'unknown-driver.yaml': { mentions: ['database.driver', '"oracle"'], remedy: 'postgres, mysql or sqlite' },
  'postgres-without-name.yaml': { mentions: ['database.name', 'postgres'], remedy: 'database.name' },
  'missing-variable.yaml': {
    mentions: ['database.password', 'MIGR8_CORPUS_UNSET_PASSWORD'],
    remedy: 'MIGR8_CORPUS_UNSET_PASSWORD',
  },
  'missing-variable-url.yaml': { mentions: ['database.url', 'MIGR8_CORPUS_UNSET_URL'], remedy: ':-default' },
  'url-unknown-scheme.yaml': { mentions: ['database.url', 'unknown scheme'], remedy: 'postgres://', hides: ['tiger'] },
  'url-bad-escape.yaml': { mentions: ['database.url', '%-escape'], remedy: 'postgres://', hides: ['s%zzecret'] },
  'url-bad-sslmode.yaml': { mentions: ['database.url', 'sometimes'], remedy: 'postgres://' },
  'url-bad-port.yaml': { mentions: ['database.url', 'could not be parsed'], remedy: 'postgres://' },
  'url-sqlite-no-file.yaml': { mentions: ['database.url', 'no database file'], remedy: 'sqlite:' },
  'database-scalar.yaml': { mentions: ['database:', 'expected a mapping'], remedy: 'database:', hides: ['secret'] },
  'top-level-list.yaml': { mentions: ['expected a mapping'], remedy: 'config init' },
  'bad-duration.yaml': { mentions: ['database.connectTimeout', '"soon"', 'duration'], remedy: 'connectTimeout' },
  'bad-ssl-mode.yaml': { mentions: ['database.ssl.mode', '"maybe"'], remedy: 'verify-full' },
  'bad-table-name.yaml': { mentions: ['migrations.table', 'plain table name'], remedy: 'migr8_migrations' },
  'bad-lock-mode.yaml': { mentions: ['migrations.lock.mode', '"advisory"'], remedy: 'session' },
  'bad-out-of-order.yaml': { mentions: ['migrations.outOfOrder', '"sometimes"'], remedy: 'allow' },
  'bad-compress.yaml': { mentions: ['backups.compress', '"rar"'], remedy: 'zstd' },
  'seeds-truncate-text.yaml': { mentions: ['seeds.truncate', '"yes please"'], remedy: 'seeds.truncate' },
  'bad-create-format.yaml': { mentions: ['migrations.create.format', '"flyway"'], remedy: 'migrations.create.format' },
  'duplicate-key.yaml': { mentions: ['invalid YAML', 'unique'], remedy: 'YAML' },
  'two-documents.yaml': { mentions: ['invalid YAML'], remedy: 'YAML' },
  'invalid-utf8.yaml': { mentions: ['not valid UTF-8'], remedy: 'UTF-8' },
  'migrations-list.yaml': { mentions: ['migrations:', 'expected a mapping'], remedy: 'migrations:' },
  'password-number.yaml': { mentions: ['database.password', 'not shown'], remedy: 'password', hides: ['123456'] },
  'pool-too-large.yaml': { mentions: ['database.poolMax', '1000'], remedy: 'database.poolMax' },
}

function snapshot(dir: string): string {
  const hash = createHash('sha256')
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(join(dir, name)))
  return hash.digest('hex')
}

function loadError(file: string): Migr8Error {
  try {
    // A clean environment: no MIGR8_* or DATABASE_URL from the machine running the tests.
    loadConfig({ file, cwd: CORPUS, env: {} })
  } catch (error) {
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }
  throw new Error(`${file} loaded without an error`)
}

describe('config corpus', () => {
  const files = readdirSync(CORPUS).filter((name) => name.endsWith('.yaml'))

  it('has an expectation for every file and a file for every expectation', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  const before = snapshot(CORPUS)

  it.each(files)('%s is rejected with a typed error naming the file and key, and a remedy', (name) => {
    const file = join(CORPUS, name)
    const error = loadError(file)
    const expected = EXPECTED[name]
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(file)
    for (const text of expected.mentions) expect(error.message).toContain(text)
    expect(error.remedy.trim().length).toBeGreaterThan(10)
    if (expected.remedy) expect(error.remedy).toContain(expected.remedy)
    for (const secret of expected.hides ?? []) {
      expect(error.message).not.toContain(secret)
      expect(error.remedy).not.toContain(secret)
    }
    // The payload crosses process boundaries (--json, IPC) with the same fields.
    expect(error.toPayload()).toMatchObject({ code: 'CONFIG_INVALID', message: error.message, remedy: error.remedy })
  })

  it('writes nothing next to the bad files', () => {
    for (const name of files) {
      try {
        loadConfig({ file: join(CORPUS, name), cwd: CORPUS, env: {} })
      } catch {
        // expected
      }
    }
    expect(snapshot(CORPUS)).toBe(before)
  })

  it('gives the line of a YAML syntax error', () => {
    expect(loadError(join(CORPUS, 'malformed-yaml.yaml')).message).toMatch(/malformed-yaml\.yaml:\d+: invalid YAML/)
  })
})
