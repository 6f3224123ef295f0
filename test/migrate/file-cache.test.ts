import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { openAdapter } from '../../src-main/db/index.js'
import { FileFactsCache } from '../../src-main/migrate/formats/file-cache.js'
import { readMigrationSummaries, readMigrations } from '../../src-main/migrate/formats/index.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { Migr8Error } from '../../src-shared/errors.js'
import { createDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'

const CORPUS = fileURLToPath(new URL('../corpus/migrations/', import.meta.url))
const EXAMPLES = fileURLToPath(new URL('../../examples/migrations/', import.meta.url))
const temps: string[] = []
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}

/** A cache whose scan "starts" a minute from now, so files written by the test count as settled. */
function settledCache(folder: string, cacheFolder: string): FileFactsCache {
  return new FileFactsCache(folder, cacheFolder, Date.now() + 60_000)
}

/** One migration in each format, with and without down scripts. */
function mixedFolder(): string {
  const dir = temp('migr8-mixed-')
  const files: Record<string, string> = {
    '001_g.up.sql': 'CREATE TABLE g (id int);\r\n',
    '001_g.down.sql': 'DROP TABLE g;\n',
    '002_d.sql': '-- migrate:up\nCREATE TABLE d (id int);\n-- migrate:down\nDROP TABLE d;\n',
    '003_goose.sql': '-- +goose Up\nCREATE TABLE o (id int);\n',
    '004_plain.sql': '\uFEFFCREATE TABLE p (id int);\n',
    'V5__f.sql': 'CREATE TABLE f (id int);\n',
    'U5__f.sql': 'DROP TABLE f;\n',
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

/** What `readMigrations` says, reduced to what a summary holds. */
function summarised(dir: string) {
  return readMigrations(dir).map((m) => ({
    version: m.version,
    name: m.name,
    format: m.format,
    up: { file: m.up.file },
    down: m.down && { file: m.down.file },
    checksum: m.checksum,
  }))
}

function outcome<T>(fn: () => T): T | { code: string; message: string } {
  try {
    return fn()
  } catch (error) {
    if (!(error instanceof Migr8Error)) throw error
    return { code: error.code, message: error.message }
  }
}

describe('migration summaries (what `status` reads)', () => {
  it('match readMigrations on every corpus folder, errors included, from a cold and a warm cache', () => {
    const folders = readdirSync(CORPUS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(CORPUS, entry.name))
    expect(folders.length).toBeGreaterThan(10)
    for (const dir of [...folders, EXAMPLES, mixedFolder()]) {
      const cacheFolder = temp('migr8-cache-')
      const expected = outcome(() => summarised(dir))
      expect(
        outcome(() => readMigrationSummaries(dir, settledCache(dir, cacheFolder))),
        dir,
      ).toEqual(expected)
      expect(
        outcome(() => readMigrationSummaries(dir, settledCache(dir, cacheFolder))),
        dir,
      ).toEqual(expected)
    }
  })
})

describe('FileFactsCache', () => {
  const write = (dir: string, name: string, text: string) => writeFileSync(join(dir, name), text)

  it('computes a settled file once, then knows it by its identity in the next run', () => {
    const dir = temp('migr8-files-')
    const cacheFolder = temp('migr8-cache-')
    write(dir, 'a.sql', 'SELECT 1;')
    const compute = vi.fn(() => 'facts of a')
    const first = settledCache(dir, cacheFolder)
    expect(first.facts('a.sql', join(dir, 'a.sql'), compute)).toBe('facts of a')
    first.save()
    expect(settledCache(dir, cacheFolder).facts('a.sql', join(dir, 'a.sql'), compute)).toBe('facts of a')
    expect(compute).toHaveBeenCalledTimes(1)
  })

  it('computes again after the file changes, even to the same size', async () => {
    const dir = temp('migr8-files-')
    const cacheFolder = temp('migr8-cache-')
    write(dir, 'a.sql', 'SELECT 1;')
    const first = settledCache(dir, cacheFolder)
    first.facts('a.sql', join(dir, 'a.sql'), () => 'old')
    first.save()
    // Past the file system clock's tick, as any later edit is.
    await sleep(30)
    write(dir, 'a.sql', 'SELECT 2;')
    expect(settledCache(dir, cacheFolder).facts('a.sql', join(dir, 'a.sql'), () => 'new')).toBe('new')
  })

  it('does not remember a file written in the last seconds (it could change again within the same tick)', () => {
    const dir = temp('migr8-files-')
    const cacheFolder = temp('migr8-cache-')
    write(dir, 'a.sql', 'SELECT 1;')
    const cache = new FileFactsCache(dir, cacheFolder)
    cache.facts('a.sql', join(dir, 'a.sql'), () => 'facts')
    cache.save()
    const compute = vi.fn(() => 'again')
    new FileFactsCache(dir, cacheFolder).facts('a.sql', join(dir, 'a.sql'), compute)
    expect(compute).toHaveBeenCalledTimes(1)
  })

  it('forgets files that are gone, and starts empty from a torn cache file', () => {
    const dir = temp('migr8-files-')
    const cacheFolder = temp('migr8-cache-')
    write(dir, 'a.sql', 'SELECT 1;')
    write(dir, 'b.sql', 'SELECT 2;')
    const first = settledCache(dir, cacheFolder)
    for (const name of ['a.sql', 'b.sql']) first.facts(name, join(dir, name), () => name)
    first.save()
    rmSync(join(dir, 'b.sql'))
    const second = settledCache(dir, cacheFolder)
    second.facts('a.sql', join(dir, 'a.sql'), () => 'a.sql')
    second.save()
    const [file] = readdirSync(cacheFolder)
    expect(Object.keys(JSON.parse(readFileSync(join(cacheFolder, file), 'utf8')).entries)).toEqual(['a.sql'])

    writeFileSync(join(cacheFolder, file), '{"version":1,"folder":')
    const compute = vi.fn(() => 'read again')
    expect(settledCache(dir, cacheFolder).facts('a.sql', join(dir, 'a.sql'), compute)).toBe('read again')
    expect(compute).toHaveBeenCalledTimes(1)
  })

  it('works without a writable cache folder', () => {
    const dir = temp('migr8-files-')
    write(dir, 'a.sql', 'SELECT 1;')
    // A file where the folder should be: the folder cannot be created.
    const blocked = join(temp('migr8-cache-'), 'not-a-folder')
    writeFileSync(blocked, '')
    const cache = settledCache(dir, blocked)
    expect(cache.facts('a.sql', join(dir, 'a.sql'), () => 'facts')).toBe('facts')
    expect(() => cache.save()).not.toThrow()
  })
})

describe('migrate status with remembered files', () => {
  it('still reports drift when a remembered file is edited', async () => {
    const home = temp('migr8-home-')
    const { dir, write } = migrationsDir({
      '001_a.up.sql': 'CREATE TABLE a (id int);\n',
      '002_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n',
    })
    temps.push(dir)
    const adapter = await openAdapter(await createDatabase('sqlite'))
    try {
      const migrator = new Migrator(adapter, settings(dir), { ...process.env, MIGR8_HOME: home })
      await migrator.up()
      // Only files whose timestamps are two seconds old are remembered.
      await sleep(2100)
      expect((await migrator.status()).entries.map((e) => e.state)).toEqual(['applied', 'applied'])
      expect(readdirSync(join(home, 'cache'))).toHaveLength(1)
      expect((await migrator.status()).entries.map((e) => e.state)).toEqual(['applied', 'applied'])

      write({ '002_b.sql': '-- migrate:up\nCREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\n' })
      const status = await migrator.status()
      expect(status.entries.map((e) => e.state)).toEqual(['applied', 'checksum_drift'])
      expect(existsSync(join(home, 'cache'))).toBe(true)
    } finally {
      await adapter.close()
    }
  })
})
