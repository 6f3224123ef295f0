import { readdirSync, statSync } from 'node:fs'
import { basename, extname, isAbsolute, relative, resolve } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import type { Migr8Config, SeedsConfig } from '../config/schema.js'
import { validateIdentifier } from './identifiers.js'
import type { SeedFormat, SeedSource } from './types.js'

const FORMATS: Record<string, SeedFormat> = { '.csv': 'csv', '.yaml': 'yaml', '.yml': 'yaml' }

/** `01_users.csv` → `users`; `users.yaml` → `users`. The `NN_` prefix only orders files. */
export function tableFromFileName(name: string): string {
  const stem = basename(name, extname(name))
  return stem.replace(/^\d+_/, '')
}

export function seedFormatOf(file: string): SeedFormat | undefined {
  return FORMATS[extname(file).toLowerCase()]
}

export function seedDir(config: Pick<Migr8Config, 'baseDir' | 'seeds'>): string {
  return resolve(config.baseDir, config.seeds.dir)
}

function describeSource(file: string, name: string, seeds: SeedsConfig): SeedSource {
  const format = seedFormatOf(file)
  if (!format) {
    throw new Migr8Error(
      'SEED_INVALID',
      `${name} is not a seed file (expected .csv, .yaml or .yml).`,
      'Name seed files like 01_users.csv or users.yaml.',
    )
  }
  let stat
  try {
    stat = statSync(file)
  } catch {
    throw new Migr8Error(
      'NOT_FOUND',
      `The seed file ${name} does not exist.`,
      `Check the path; seed files live in ${seeds.dir}/.`,
    )
  }
  if (!stat.isFile())
    throw new Migr8Error('SEED_INVALID', `${name} is not a file.`, 'Give the path of a .csv or .yaml seed file.')
  const mapped = seeds.tables?.[name] ?? seeds.tables?.[basename(file)]
  const table = validateIdentifier(mapped ?? tableFromFileName(file), 'table', name)
  return { file, name, format, table, bytes: stat.size }
}

/**
 * Seed files in run order: first the files listed in `seeds.order` (in that order), then the rest by
 * name, so `01_users.csv` runs before `02_orders.yaml`.
 */
export function listSeeds(config: Pick<Migr8Config, 'baseDir' | 'seeds'>): SeedSource[] {
  const dir = seedDir(config)
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    throw new Migr8Error(
      'NOT_FOUND',
      `The seed folder ${dir} does not exist.`,
      'Create it, or set seeds.dir in migr8.yaml.',
    )
  }
  const names = entries
    .filter((entry) => seedFormatOf(entry) && statSync(resolve(dir, entry)).isFile())
    .sort(compareNames)
  const order = config.seeds.order ?? []
  for (const listed of order) {
    if (!names.includes(listed)) {
      throw new Migr8Error(
        'CONFIG_INVALID',
        `seeds.order names ${listed}, which is not a seed file in ${dir}.`,
        'Fix the name in seeds.order of migr8.yaml, or add the file.',
      )
    }
  }
  const ordered = [...order, ...names.filter((name) => !order.includes(name))]
  return ordered.map((name) => describeSource(resolve(dir, name), name, config.seeds))
}

/** Numeric-aware name order: `2_a` before `10_b`. */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}

/**
 * The files named on the command line, in the order given. A name is looked up in the seed folder
 * first (`users.csv`, or `users` for the file of that table), then as a path from the working folder.
 */
export function resolveSeedFiles(
  config: Pick<Migr8Config, 'baseDir' | 'seeds'>,
  files: string[],
  cwd = process.cwd(),
): SeedSource[] {
  const dir = seedDir(config)
  let inFolder: SeedSource[] | undefined
  return files.map((given) => {
    const candidates = isAbsolute(given) ? [given] : [resolve(dir, given), resolve(cwd, given)]
    for (const candidate of candidates) {
      try {
        if (statSync(candidate).isFile()) {
          const name = candidate.startsWith(dir + '/') ? relative(dir, candidate) : given
          return describeSource(candidate, name, config.seeds)
        }
      } catch {
        // try the next candidate
      }
    }
    inFolder ??= safeList(config)
    const byTable = inFolder.filter((source) => source.table === given)
    if (byTable.length === 1) return byTable[0]
    throw new Migr8Error(
      'NOT_FOUND',
      `No seed file ${given} in ${dir} or the working folder.`,
      'Run `migr8 seed list` to see the seed files.',
    )
  })
}

function safeList(config: Pick<Migr8Config, 'baseDir' | 'seeds'>): SeedSource[] {
  try {
    return listSeeds(config)
  } catch {
    return []
  }
}

/** A single file outside any config (preview of an arbitrary file). */
export function sourceForFile(file: string, seeds: SeedsConfig, table?: string): SeedSource {
  const source = describeSource(resolve(file), file, seeds)
  return table ? { ...source, table: validateIdentifier(table, 'table', file) } : source
}
