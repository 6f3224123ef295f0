import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { join, sep } from 'node:path'
import { Migr8Error } from '../../../src-shared/errors.js'
import { checksum } from '../checksum.js'
import type { Migration, MigrationFormat, Script } from '../model.js'
import { compareVersions } from '../version.js'
import { directionScript } from './directions.js'
import { FLYWAY_NAME, FLYWAY_REPEATABLE_NAME, flywayVersion } from './flyway.js'
import { GOLANG_MIGRATE_NAME } from './golang-migrate.js'
import { FileFactsCache } from './file-cache.js'
import { isDbmateFile, isGooseFile, readDbmateFile, readGooseFile } from './sections.js'

/** `{version}_{name}.sql`: dbmate, goose, or a plain up-only file, told apart by their markers. */
const SINGLE_FILE_NAME = /^(\d+)_(.+)\.sql$/

/** A migration as named by its files, with each direction's content as `S` (scripts, or their summary). */
interface Collected<S> {
  version: string
  name: string
  format: MigrationFormat
  up?: S
  down?: S
  files: string[]
}

/**
 * Turns a file's text into what the caller keeps of it: the scripts (to run them), or only what
 * `status` needs (which can be remembered between runs).
 */
interface ContentReader<S> {
  /** A file that is one direction in full (golang-migrate, Flyway). */
  direction(path: string, file: string, direction: 'up' | 'down'): S
  /** A `{version}_{name}.sql` file: dbmate, goose or plain, told apart by its text. */
  single(path: string, file: string): { format: MigrationFormat; up: S; down?: S }
}

function invalidName(file: string): Migr8Error {
  return new Migr8Error(
    'MIGRATION_FILE_INVALID',
    `The migration file name "${file}" is not in a known format.`,
    'Name it {version}_{name}.up.sql / .down.sql (golang-migrate), {version}_{name}.sql with -- migrate:up (dbmate) or -- +goose Up (goose), or V{version}__{name}.sql (Flyway).',
    { file },
  )
}

/**
 * Reads files into one buffer, grown when a file is larger: `status` reads every migration file,
 * and readFileSync's fstat and fresh buffer per file were a good part of reading 10,000 of them.
 */
class FileReader {
  private buffer = Buffer.allocUnsafe(64 * 1024)

  text(path: string): string {
    const bytes = this.bytes(path)
    const text = bytes.toString('utf8')
    if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes)) {
      throw new Migr8Error('MIGRATION_FILE_INVALID', `${path} is not valid UTF-8.`, 'Save the file as UTF-8.', {
        file: path,
      })
    }
    // A BOM would hide a first-line `-- migrate:up` / `-- +goose Up` marker and reach the server as SQL.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }

  /** The whole file; valid until the next call. */
  private bytes(path: string): Buffer {
    const fd = openSync(path, 'r')
    try {
      let length = 0
      for (;;) {
        if (length === this.buffer.length) {
          const bigger = Buffer.allocUnsafe(this.buffer.length * 2)
          this.buffer.copy(bigger, 0, 0, length)
          this.buffer = bigger
        }
        const read = readSync(fd, this.buffer, length, this.buffer.length - length, null)
        if (read === 0) return this.buffer.subarray(0, length)
        length += read
      }
    } finally {
      closeSync(fd)
    }
  }
}

/**
 * Reads every migration of a folder, whatever tool wrote it, sorted by version. Unknown `.sql`
 * names, duplicate versions and half pairs are errors rather than silently skipped files.
 */
export function readMigrations(dir: string): Migration[] {
  const reader = new FileReader()
  const entries = collectMigrations<Script>(dir, {
    direction: (path) => directionScript(path, reader.text(path)),
    single: (path) => readSingleFile(path, reader.text(path)),
  })
  return entries.map(({ version, name, format, up, down }) => ({
    version,
    name,
    format,
    up,
    down,
    checksum: checksum(up.sql),
  }))
}

/** What `status` needs of a migration: its files and checksum, no SQL. */
export interface MigrationSummary {
  version: string
  name: string
  format: MigrationFormat
  up: { file: string }
  down?: { file: string }
  checksum: string
}

type SingleFacts = { format: MigrationFormat; checksum: string; hasDown: boolean }

/**
 * The migrations of a folder as `readMigrations` reads them, without their SQL: files unchanged
 * since an earlier run are not read again (see FileFactsCache).
 */
export function readMigrationSummaries(dir: string, cache = new FileFactsCache(dir)): MigrationSummary[] {
  const reader = new FileReader()
  const entries = collectMigrations<{ file: string; checksum?: string }>(dir, {
    direction: (path, file, direction) => {
      if (direction === 'down') {
        // Read all the same: an unreadable or non-UTF-8 down file is an error in `status` too.
        cache.facts(file, path, () => reader.text(path) !== undefined)
        return { file: path }
      }
      return { file: path, checksum: cache.facts(file, path, () => checksum(reader.text(path))) }
    },
    single: (path, file) => {
      const facts = cache.facts<SingleFacts>(file, path, () => {
        const parsed = readSingleFile(path, reader.text(path))
        return { format: parsed.format, checksum: checksum(parsed.up.sql), hasDown: !!parsed.down }
      })
      return {
        format: facts.format,
        up: { file: path, checksum: facts.checksum },
        down: facts.hasDown ? { file: path } : undefined,
      }
    },
  })
  cache.save()
  return entries.map(({ version, name, format, up, down }) => ({
    version,
    name,
    format,
    up: { file: up.file },
    down,
    // Every up script was given its checksum above.
    checksum: up.checksum!,
  }))
}

/** dbmate, goose or a plain up-only file, told apart by their markers. */
function readSingleFile(path: string, text: string): { format: MigrationFormat; up: Script; down?: Script } {
  if (isDbmateFile(text)) return { format: 'dbmate', ...readDbmateFile(path, text) }
  if (isGooseFile(text)) return { format: 'goose', ...readGooseFile(path, text) }
  return { format: 'plain', up: directionScript(path, text) }
}

/** Names, versions and pairing of a folder's files, shared by both readers (the rules must not drift apart). */
function collectMigrations<S>(
  dir: string,
  reader: ContentReader<S>,
): Array<{ version: string; name: string; format: MigrationFormat; up: S; down?: S }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Migr8Error(
      'MIGRATION_FILE_INVALID',
      `The migrations folder ${dir} does not exist.`,
      'Create it (`migr8 migrate create NAME` does), or set migrations.dir in migr8.yaml.',
      { dir },
    )
  }
  const byVersion = new Map<string, Collected<S>>()
  const claim = (version: string, name: string, format: MigrationFormat, file: string): Collected<S> => {
    const key = canonicalVersion(version)
    let entry = byVersion.get(key)
    if (!entry) {
      entry = { version, name, format, files: [] }
      byVersion.set(key, entry)
    } else if (entry.name !== name || entry.format !== format) {
      throw new Migr8Error(
        'MIGRATION_FILE_INVALID',
        `Two migrations share version ${version}: ${entry.files[0]} and ${file}.`,
        'Give each migration its own version (rename one of the files).',
        { version, files: [...entry.files, file] },
      )
    }
    entry.files.push(file)
    return entry
  }

  // join(dir, file) without normalising the folder again for each file (names from readdir hold no separator).
  const folder = join(dir, '.')
  const prefix = folder === '.' ? '' : folder.endsWith(sep) ? folder : `${folder}${sep}`
  for (const file of readdirSync(dir).sort()) {
    // `.SQL` too: on case-insensitive file systems it is the same kind of file, and skipping it is silent.
    if (!/\.sql$/i.test(file)) continue
    const path = `${prefix}${file}`
    let match: RegExpExecArray | null
    if ((match = GOLANG_MIGRATE_NAME.exec(file))) {
      const entry = claim(match[1], match[2], 'golang-migrate', file)
      const direction = match[3] as 'up' | 'down'
      setDirection(entry, direction, reader.direction(path, file, direction), file)
    } else if ((match = FLYWAY_NAME.exec(file))) {
      const entry = claim(flywayVersion(match[2]), match[3], 'flyway', file)
      const direction = match[1] === 'V' ? 'up' : 'down'
      setDirection(entry, direction, reader.direction(path, file, direction), file)
    } else if (FLYWAY_REPEATABLE_NAME.test(file)) {
      throw new Migr8Error(
        'MIGRATION_FILE_INVALID',
        `${file} is a Flyway repeatable migration, which Migr8 does not run.`,
        'Turn it into a versioned migration (V{n}__name.sql) or move it out of the migrations folder.',
        { file },
      )
    } else if ((match = SINGLE_FILE_NAME.exec(file))) {
      const scripts = reader.single(path, file)
      const entry = claim(match[1], match[2], scripts.format, file)
      if (entry.files.length > 1) {
        // `001_a.sql` and `1_a.sql`: one file holds a whole migration, so a second is a duplicate.
        throw new Migr8Error(
          'MIGRATION_FILE_INVALID',
          `Two migrations share version ${match[1]}: ${entry.files[0]} and ${file}.`,
          'Give each migration its own version (rename or remove one of the files).',
          { version: match[1], files: entry.files },
        )
      }
      entry.up = scripts.up
      entry.down = scripts.down
    } else {
      throw invalidName(file)
    }
  }

  const migrations = [...byVersion.values()].map((entry) => {
    if (!entry.up) {
      throw new Migr8Error(
        'MIGRATION_FILE_INVALID',
        `Migration ${entry.version} has a down file (${entry.files.join(', ')}) but no up file.`,
        'Add the up file, or remove the orphan down file.',
        { version: entry.version },
      )
    }
    return { version: entry.version, name: entry.name, format: entry.format, up: entry.up, down: entry.down }
  })
  return migrations.sort((a, b) => compareVersions(a.version, b.version))
}

/** `001` and `1` are the same version to golang-migrate and goose (they parse integers). */
export function canonicalVersion(version: string): string {
  // Nearly every version is digits only: no split, no BigInt (this runs for every file and history row).
  if (DIGITS.test(version)) return withoutLeadingZeros(version)
  return version
    .split('.')
    .map((part) => (DIGITS.test(part) ? withoutLeadingZeros(part) : part))
    .join('.')
}

/** The digits of a whole number without leading zeros, as BigInt(digits).toString() writes them. */
function withoutLeadingZeros(digits: string): string {
  let start = 0
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++
  return start === 0 ? digits : digits.slice(start)
}

const DIGITS = /^\d+$/

function setDirection<S>(entry: Collected<S>, direction: 'up' | 'down', script: S, file: string): void {
  if (entry[direction]) {
    throw new Migr8Error(
      'MIGRATION_FILE_INVALID',
      `Migration ${entry.version} has two ${direction} files (${entry.files.join(', ')}).`,
      'Keep one up and at most one down file per version.',
      { version: entry.version, file },
    )
  }
  entry[direction] = script
}
