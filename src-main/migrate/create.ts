import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import type { MigrationsConfig } from '../config/schema.js'
import { canonicalVersion, readMigrations } from './formats/index.js'

export interface CreateOptions {
  dir: string
  name: string
  format: MigrationsConfig['create']['format']
  versions: MigrationsConfig['create']['versions']
  now?: Date
}

function timestampVersion(now: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`
}

/** Versions already taken in the folder, read from file names only (a broken file must not block create). */
function usedVersions(dir: string): Set<string> {
  const used = new Set<string>()
  for (const file of readdirSync(dir)) {
    const match = /^(\d+)_/.exec(file) ?? /^[VU](\d+(?:[._]\d+)*)__/.exec(file)
    if (match) used.add(canonicalVersion(match[1].replace(/_/g, '.')))
  }
  return used
}

/** Writes a new migration in golang-migrate (two files) or dbmate (one file) style; returns the paths. */
export function createMigration(options: CreateOptions): string[] {
  const slug = options.name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
  if (!slug)
    throw new Migr8Error(
      'BAD_USAGE',
      `"${options.name}" is not a usable migration name.`,
      'Use letters and digits, e.g. `migr8 migrate create add_users_table`.',
    )
  mkdirSync(options.dir, { recursive: true })
  let version: string
  if (options.versions === 'sequential') {
    const existing = readMigrations(options.dir)
    // The leading number of the newest version: Flyway's `1.2` is followed by 2, not by 13.
    const newest = existing.length ? existing[existing.length - 1].version.split(/[._]/)[0] : ''
    const last = newest ? BigInt(newest) : 0n
    const width = newest ? newest.length : 6
    version = String(last + 1n).padStart(width, '0')
  } else {
    // Two creates within one second must not share a version (that would make the folder unreadable).
    const used = usedVersions(options.dir)
    let now = options.now ?? new Date()
    version = timestampVersion(now)
    while (used.has(canonicalVersion(version))) {
      now = new Date(now.getTime() + 1000)
      version = timestampVersion(now)
    }
  }
  const files =
    options.format === 'dbmate'
      ? [[`${version}_${slug}.sql`, '-- migrate:up\n\n\n-- migrate:down\n\n']]
      : [
          [`${version}_${slug}.up.sql`, ''],
          [`${version}_${slug}.down.sql`, ''],
        ]
  const paths = files.map(([file]) => join(options.dir, file))
  const clash = paths.find((p) => existsSync(p))
  if (clash)
    throw new Migr8Error(
      'BAD_USAGE',
      `${clash} already exists.`,
      'Wait a second (timestamp versions) or choose another name.',
    )
  files.forEach(([, content], i) => writeFileSync(paths[i], content, { flag: 'wx' }))
  return paths
}
