/**
 * The bad-input corpus beyond config files and migration folders (those are test/config/corpus.test.ts
 * and test/migrate/formats.test.ts):
 *   test/corpus/seeds/  malformed CSV/YAML seed files, wrong types, huge lines, invalid UTF-8, hostile column names
 *   test/corpus/names/  seed names and backup ids with path traversal, quotes, backticks, semicolons, NUL…
 *   test/corpus/ipc/    unknown channels and malformed / oversized payloads for the app's dispatcher
 * Each case must give a typed error (never INTERNAL) with a remedy, not crash, and write nothing.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createBackup, deleteBackup, restoreBackup, verifyBackup } from '../../src-main/backup/index.js'
import type { Migr8Config } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { runSeeds } from '../../src-main/seed/index.js'
import { ERROR_CODES, isMigr8Error, type ErrorPayload } from '../../src-shared/errors.js'
import { makeApi } from '../app/support.js'
import { testConfig } from '../backup/fixtures.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { figure, listTree } from './support.js'

const CORPUS = fileURLToPath(new URL('../corpus/', import.meta.url))
const dialects = await availableDialects()
const seedCases = readdirSync(join(CORPUS, 'seeds')).sort()
const nameCases = readdirSync(join(CORPUS, 'names')).sort()
const seedNames = nameCases.filter((n) => n.startsWith('seed-'))
const backupIds = nameCases.filter((n) => n.startsWith('backup-'))
const ipcCases = readdirSync(join(CORPUS, 'ipc')).sort()

function expectTyped(payload: ErrorPayload | undefined, label: string): ErrorPayload {
  expect(payload, `${label}: no error`).toBeDefined()
  expect(ERROR_CODES, label).toContain(payload!.code)
  expect(payload!.code, `${label}: ${payload!.message}`).not.toBe('INTERNAL')
  expect(payload!.message.length, label).toBeGreaterThan(0)
  expect(payload!.remedy.length, label).toBeGreaterThan(0)
  return payload!
}

/** Runs the seeds; a thrown Migr8Error or a failed report both count, anything else does not. */
async function seedError(adapter: Adapter, config: Migr8Config, files: string[]): Promise<ErrorPayload | undefined> {
  try {
    const reports = await runSeeds(adapter, config, { files })
    const failed = reports.find((r) => r.status === 'failed')?.error
    return failed as ErrorPayload | undefined
  } catch (error) {
    if (isMigr8Error(error)) return error.toPayload()
    throw error
  }
}

describe.each(dialects)('%s: seed corpus', (dialect) => {
  const db = useDatabase(dialect)
  const codes: Record<string, string> = {}

  async function setup() {
    const adapter = await db.open()
    if (!(await adapter.describeTable('corpus_t'))) {
      await adapter.query('CREATE TABLE corpus_t (id integer PRIMARY KEY, name varchar(200) NOT NULL, n integer)')
      await adapter.query('CREATE TABLE corpus_sentinel (id integer)')
    }
    const config = testConfig(db.connection)
    mkdirSync(join(config.baseDir, 'seeds'), { recursive: true })
    return { adapter, config }
  }

  async function nothingWritten(adapter: Adapter, label: string) {
    const rows = await adapter.query<{ n: number | string }>('SELECT count(*) AS n FROM corpus_t')
    // Cleaned whatever the outcome, so one accepted case does not fail the next ones.
    await adapter.query('DELETE FROM corpus_t')
    expect(Number(rows[0].n), `${label}: rows written`).toBe(0)
    expect(await adapter.describeTable('corpus_sentinel'), `${label}: sentinel table dropped`).toBeDefined()
  }

  for (const name of seedCases) {
    it(`${name} → typed error, nothing written`, async () => {
      const { adapter, config } = await setup()
      const seedsDir = join(config.baseDir, 'seeds')
      copyFileSync(join(CORPUS, 'seeds', name), join(seedsDir, name))
      const mapped: Migr8Config = { ...config, seeds: { ...config.seeds, tables: { [name]: 'corpus_t' } } }
      try {
        const payload = expectTyped(await seedError(adapter, mapped, [name]), name)
        codes[name] = payload.code
      } finally {
        await nothingWritten(adapter, name)
      }
    })
  }

  it.each(seedNames)('seed name %s → typed error, nothing read outside or written', async (caseFile) => {
    const { adapter, config } = await setup()
    const name = readFileSync(join(CORPUS, 'names', caseFile), 'utf8')
    const seedsDir = join(config.baseDir, 'seeds')
    // Hostile table names arrive as real files in the seed folder (when the file system allows the name).
    if (!name.includes('/') && !name.includes('\0')) writeFileSync(join(seedsDir, name), 'id,name\n1,a\n')
    const payload = expectTyped(await seedError(adapter, config, [name]), caseFile)
    codes[caseFile] = payload.code
    await nothingWritten(adapter, caseFile)
  })

  it('figures', () => {
    figure(`corpus seeds ${dialect}`, {
      cases: Object.keys(codes).length,
      codes: [...new Set(Object.values(codes))].sort().join('/'),
      crashes: 0,
      rowsWritten: 0,
    })
  })
})

describe('backup id corpus', () => {
  const db = useDatabase('sqlite')

  it.each(backupIds)('%s → PATH_INVALID for verify, restore and delete; the folder is untouched', async (caseFile) => {
    const adapter = await db.open()
    if (!(await adapter.describeTable('t'))) await adapter.query('CREATE TABLE t (id integer)')
    const config = testConfig(db.connection)
    const backups = join(config.baseDir, 'backups')
    if (!existsSync(backups)) await createBackup(adapter, config, {}, {})
    const before = listTree(backups)
    const id = readFileSync(join(CORPUS, 'names', caseFile), 'utf8')
    for (const attempt of [
      () => verifyBackup(config, id),
      () => restoreBackup(adapter, config, id, { targetDb: join(config.baseDir, 'never.sqlite') }),
      () => deleteBackup(config, id),
    ]) {
      let payload: ErrorPayload | undefined
      await attempt().then(
        () => undefined,
        (error: unknown) => {
          if (!isMigr8Error(error)) throw error
          payload = error.toPayload()
        },
      )
      expect(expectTyped(payload, caseFile).code).toBe('PATH_INVALID')
    }
    expect(listTree(backups)).toEqual(before)
    expect(existsSync(join(config.baseDir, 'never.sqlite'))).toBe(false)
  })
})

interface IpcCase {
  channel: unknown
  input: Record<string, unknown> | null
  pad?: { field: string; bytes: number }
  nest?: { field: string; depth: number }
  padChannel?: number
  codes?: string[]
  orNotOpened?: boolean
}

describe('IPC corpus', () => {
  const seen: Record<string, string> = {}

  it.each(ipcCases)('%s → typed error, nothing stored', async (caseFile) => {
    const spec = JSON.parse(readFileSync(join(CORPUS, 'ipc', caseFile), 'utf8')) as IpcCase
    let input: unknown = spec.input
    if (spec.pad) input = { ...spec.input, [spec.pad.field]: 'x'.repeat(spec.pad.bytes) }
    if (spec.nest) {
      let nested: Record<string, unknown> = {}
      const top = nested
      for (let i = 0; i < spec.nest.depth; i++) nested = nested.next = {} as Record<string, unknown>
      input = { ...spec.input, [spec.nest.field]: top }
    }
    if (caseFile === 'save-proto-pollution.json') input = JSON.parse(JSON.stringify(spec.input))
    const channel = spec.padChannel ? 'x'.repeat(spec.padChannel) : spec.channel
    const { dispatch, context, dir } = await makeApi()
    const before = listTree(dir)
    const result = await dispatch(channel, input)
    if (result.ok) {
      expect(spec.orNotOpened, `${caseFile} was accepted`).toBe(true)
      expect((result.value as { opened: boolean }).opened).toBe(false)
      seen[caseFile] = 'refused (opened: false)'
    } else {
      const payload = expectTyped(result.error, caseFile)
      expect(spec.codes ?? ['IPC_INVALID'], `${caseFile}: ${payload.message}`).toContain(payload.code)
      expect(payload.message.length, `${caseFile}: message echoes the payload`).toBeLessThan(2000)
      seen[caseFile] = payload.code
    }
    expect(context.profiles.list()).toEqual([])
    expect(listTree(dir)).toEqual(before)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('figures', () => {
    figure('corpus ipc', {
      cases: Object.keys(seen).length,
      codes: [...new Set(Object.values(seen))].sort().join('/'),
      crashes: 0,
      written: 0,
    })
  })
})
