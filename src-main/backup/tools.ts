import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'

/** An external program found on PATH with the version it reports. */
export interface Tool {
  name: string
  path: string
  /** "15.20", "10.11.19", "1.5.4" */
  version: string
  major: number
  /** For MySQL clients: which family the tool belongs to (flags differ). */
  flavour?: 'mariadb' | 'mysql'
  /** First line of `--version`. */
  banner: string
}

const INSTALL_HINTS: Record<string, string> = {
  pg_dump:
    'Install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq).',
  pg_restore:
    'Install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq).',
  psql: 'Install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq).',
  'mariadb-dump':
    'Install the MariaDB or MySQL client (Debian/Ubuntu: apt install mariadb-client; macOS: brew install mysql-client).',
  mariadb:
    'Install the MariaDB or MySQL client (Debian/Ubuntu: apt install mariadb-client; macOS: brew install mysql-client).',
  zstd: 'Install zstd (apt install zstd / brew install zstd), or set backups.compress to gzip.',
}

/** Absolute path of the first `names` entry found on PATH (or `MIGR8_TOOLS_DIR` first). */
export function whichTool(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [env.MIGR8_TOOLS_DIR, ...(env.PATH ?? '').split(delimiter)].filter((dir): dir is string => !!dir)
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
  }
  return undefined
}

function runVersion(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['--version'], { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(error)
      else resolve(`${stdout}${stderr}`.trim())
    })
  })
}

/** Parses `--version` banners of the dump tools and compressors. */
export function parseToolVersion(banner: string): Pick<Tool, 'version' | 'major' | 'flavour'> {
  const line = banner.split('\n')[0]
  // mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
  // mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)
  // mysqldump  Ver 8.4.0 for Linux … / mysql  Ver 8.0.36 …
  const distrib = /Distrib\s+(\d+(?:\.\d+)+)(-MariaDB)?/i.exec(line)
  if (distrib) {
    const flavour = distrib[2] || /mariadb/i.test(line) ? 'mariadb' : 'mysql'
    return { version: distrib[1], major: Number(distrib[1].split('.')[0]), flavour }
  }
  if (/\bVer\s/i.test(line)) {
    const match = /Ver\s+(\d+(?:\.\d+)+)/i.exec(line)
    const version = match?.[1] ?? '0'
    return { version, major: Number(version.split('.')[0]), flavour: /mariadb/i.test(line) ? 'mariadb' : 'mysql' }
  }
  // pg_dump (PostgreSQL) 15.20 (Debian …), *** Zstandard CLI (64-bit) v1.5.4 …, pigz 2.6
  const match = /v?(\d+(?:\.\d+)+)/.exec(line.replace(/\(64-bit\)/, ''))
  const version = match?.[1] ?? '0'
  return { version, major: Number(version.split('.')[0]) }
}

const cache = new Map<string, Promise<Tool | undefined>>()

/** Finds and probes the first available tool of `names`; undefined when none is installed. */
export function findTool(names: readonly string[]): Promise<Tool | undefined> {
  const key = `${names.join('|')}@${process.env.MIGR8_TOOLS_DIR ?? ''}@${process.env.PATH ?? ''}`
  let probe = cache.get(key)
  if (!probe) {
    probe = (async () => {
      const path = whichTool(names)
      if (!path) return undefined
      const banner = await runVersion(path).catch(() => '')
      const name = path.split(/[\\/]/).pop() ?? names[0]
      return { name, path, banner: banner.split('\n')[0], ...parseToolVersion(banner) }
    })()
    cache.set(key, probe)
  }
  return probe
}

/** Like findTool, but a missing tool is a TOOL_MISSING error naming what to install. */
export async function requireTool(names: readonly string[], purpose: string): Promise<Tool> {
  const tool = await findTool(names)
  if (tool) return tool
  throw new Migr8Error(
    'TOOL_MISSING',
    `${names.join(' or ')} is needed to ${purpose}, but it is not on PATH.`,
    INSTALL_HINTS[names[0]] ?? `Install ${names[0]} or add its folder to PATH (or set MIGR8_TOOLS_DIR).`,
    { tools: [...names] },
  )
}

export const POSTGRES_TOOLS = { dump: ['pg_dump'], restore: ['pg_restore'], client: ['psql'] } as const
/** MariaDB's names first: on MariaDB installs `mysqldump` is a deprecated symlink that warns. */
export const MYSQL_TOOLS = { dump: ['mariadb-dump', 'mysqldump'], client: ['mariadb', 'mysql'] } as const
export const COMPRESSORS = { zstd: ['zstd'], pigz: ['pigz'] } as const
