import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { Migr8Error } from '../../src-shared/errors.js'
import { ENV_KEYS, environmentLayer, type Layer } from './env.js'
import { expandEnvReferences } from './expand.js'
import { fileConfigSchema, type ConnectionConfig, type Migr8Config } from './schema.js'
import type { ConfigIssue } from './validate.js'
import { DEFAULT_PORTS, maskUrl, parseDatabaseUrl, type UrlParts } from './url.js'

export const CONFIG_FILE_NAMES = ['migr8.yaml', 'migr8.yml']

export interface LoadOptions {
  /** Explicit config file (`--config`); it must exist. */
  file?: string
  /** Folder searched for migr8.yaml when no file is named. */
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** A database URL that replaces the connection (`--url`). */
  url?: string
}

/** Keys that locate a database: taken together from one layer so two sources never mix into a hybrid. */
const LOCATION_KEYS = ['driver', 'url', 'host', 'port', 'name', 'user', 'password']

/** Hints shown after a validation error, by config key. */
const REMEDIES: Record<string, string> = {
  'database.driver': 'Set database.driver to postgres, mysql or sqlite.',
  'database.port': 'Set database.port to a number such as 5432 (PostgreSQL) or 3306 (MySQL).',
  'database.ssl.mode': 'Set database.ssl.mode to disable, prefer, require, verify-ca or verify-full.',
  'migrations.table': 'Use a plain table name such as migr8_migrations.',
  'migrations.lock.mode': 'Set migrations.lock.mode to session (default), table (for PgBouncer) or none.',
  'migrations.outOfOrder': 'Set migrations.outOfOrder to error (default), allow or ignore.',
  'backups.compress': 'Set backups.compress to auto, gzip, zstd or none.',
}

export function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = resolve(cwd, name)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

function readYamlFile(file: string, env: NodeJS.ProcessEnv): Layer {
  let buffer: Buffer
  try {
    buffer = readFileSync(file)
  } catch (error) {
    throw new Migr8Error(
      'CONFIG_NOT_FOUND',
      `Cannot read the config file ${file}: ${(error as Error).message}.`,
      'Check the path given to --config, or run `migr8 config init` to create one.',
    )
  }
  const text = buffer.toString('utf8')
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(buffer)) {
    throw new Migr8Error('CONFIG_INVALID', `${file} is not valid UTF-8.`, 'Save the config file as UTF-8.')
  }
  const document = parseDocument(text.replace(/^\uFEFF/, ''), { prettyErrors: true })
  if (document.errors.length > 0) {
    const first = document.errors[0]
    const line = first.linePos?.[0].line
    throw new Migr8Error(
      'CONFIG_INVALID',
      `${file}${line ? `:${line}` : ''}: invalid YAML: ${first.message.split('\n')[0]}`,
      'Fix the YAML syntax at that line (indentation, a missing colon, an unclosed quote).',
    )
  }
  const value: unknown = document.toJS() ?? {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Migr8Error(
      'CONFIG_INVALID',
      `${file}: expected a mapping with database, migrations, backups and seeds sections.`,
      'Run `migr8 config init` to see the expected shape.',
    )
  }
  for (const [key, section] of Object.entries(value as Layer)) {
    // A scalar section (`database: postgres://…`) would otherwise be picked apart character by character.
    if (section !== null && (typeof section !== 'object' || Array.isArray(section))) {
      throw new Migr8Error(
        'CONFIG_INVALID',
        `${file}: ${key}: expected a mapping of keys (got ${describeValue(typeof section === 'string' ? maskUrl(section) : section)}).`,
        `Write the ${key} settings as keys below \`${key}:\`${key === 'database' ? ' (e.g. `url: postgres://user@host/db` on the next line, indented)' : ''}; run \`migr8 config init\` to see the expected shape.`,
        { key },
      )
    }
  }
  return expandEnvReferences(value, env, [], file) as Layer
}

/** A config layer and how to name it in an error (file path, environment variable, `--url`). */
interface Source {
  layer: Layer
  label: string
}

/**
 * Replaces a `url` by its parts; keys written explicitly beside it win over the URL's. The URL's
 * `sslmode`/`schema` are returned apart: they belong to its location and apply only with it.
 */
function explodeUrl(database: Layer | undefined, label: string): { database: Layer | undefined; fromUrl: Layer } {
  if (!database || typeof database.url !== 'string') return { database, fromUrl: {} }
  const { url, ...rest } = database
  let parsed: UrlParts
  try {
    parsed = parseDatabaseUrl(url as string)
  } catch (error) {
    if (!(error instanceof Migr8Error)) throw error
    throw new Migr8Error(error.code, `${label}: ${error.message}`, error.remedy, { key: 'database.url' })
  }
  const { ssl, schema, ...parts } = parsed
  return { database: { ...parts, ...rest }, fromUrl: { ...(ssl ? { ssl } : {}), ...(schema ? { schema } : {}) } }
}

function hasLocation(database: Layer | undefined): boolean {
  return !!database && LOCATION_KEYS.some((key) => database[key] !== undefined)
}

function pick(layer: Layer | undefined, keys: string[], keep: boolean): Layer {
  return Object.fromEntries(Object.entries(layer ?? {}).filter(([key]) => keys.includes(key) === keep))
}

function mergeDeep(low: Layer, high: Layer): Layer {
  const out: Layer = { ...low }
  for (const [key, value] of Object.entries(high)) {
    if (value === undefined) continue
    const below = out[key]
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      below &&
      typeof below === 'object' &&
      !Array.isArray(below)
        ? mergeDeep(below as Layer, value as Layer)
        : value
  }
  return out
}

/** Merges layers lowest first; the database location comes whole from the highest layer that has one. */
function mergeLayers(sources: Source[]): Layer {
  const merged = sources.map((source) => source.layer).reduce(mergeDeep, {})
  const exploded = sources.map((source) => explodeUrl(source.layer.database as Layer | undefined, source.label))
  const databases = exploded.map((item) => item.database)
  const locationIndex = databases.findLastIndex(hasLocation)
  const database = databases.reduce<Layer>((acc, db, index) => {
    const own = pick(db, LOCATION_KEYS, false)
    return mergeDeep(acc, index === locationIndex ? mergeDeep(exploded[index].fromUrl, own) : own)
  }, {})
  return { ...merged, database: { ...database, ...pick(databases[locationIndex], LOCATION_KEYS, true) } }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Layer)[String(key)] : undefined),
    root,
  )
}

function validationError(issues: ConfigIssue[], input: unknown, source: string, env: NodeJS.ProcessEnv): Migr8Error {
  const issue = issues[0]
  const key = issue.path.map(String).join('.')
  let message = issue.message
  if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.join(', ')}`
  const value = valueAt(input, issue.path)
  // Never echo a password, whatever its type (`password: 123456` is a number in YAML).
  const secret = /(password|passphrase)$/i.test(key)
  const shown =
    issue.code === 'unrecognized_keys' ? '' : ` (got ${secret ? `a ${typeof value}, not shown` : describeValue(value)})`
  // A bad value that came from a MIGR8_* variable is blamed on that variable, not on the file.
  const variable = ENV_KEYS.find(([name, path]) => path === key && value !== undefined && env[name] === value)?.[0]
  const where = variable ? `the environment variable ${variable}` : source
  const hint =
    REMEDIES[key] ??
    (issue.code === 'unrecognized_keys'
      ? `Remove or rename ${issue.keys.join(', ')}; run \`migr8 config init\` to see every key.`
      : variable
        ? `Set ${variable} to a valid ${key}, or unset it.`
        : `Fix ${key || 'the config'} in ${source}, or unset the environment variable that sets it.`)
  const remedy = variable && REMEDIES[key] ? `${hint} (It comes from the environment variable ${variable}.)` : hint
  return new Migr8Error('CONFIG_INVALID', `${where}: ${key || '(root)'}: ${message}${shown}.`, remedy, {
    key,
    issues: issues.length,
  })
}

function defaultUser(driver: string, env: NodeJS.ProcessEnv): string {
  if (driver === 'postgres') return env.PGUSER || 'postgres'
  if (driver === 'mysql') return 'root'
  return ''
}

/**
 * Loads the configuration: the file (migr8.yaml) over the environment (MIGR8_*, DATABASE_URL) over
 * defaults, with `--url` above all. With no file and no environment, the embedded SQLite default
 * `./migr8.sqlite` with `./migrations` is used so that a new user can start at once.
 */
export function loadConfig(options: LoadOptions = {}): Migr8Config {
  const env = options.env ?? process.env
  const cwd = resolve(options.cwd ?? process.cwd())
  const explicit = options.file ?? env.MIGR8_CONFIG
  const file = explicit ? resolve(cwd, explicit) : findConfigFile(cwd)
  if (explicit && !existsSync(file!)) {
    throw new Migr8Error(
      'CONFIG_NOT_FOUND',
      `The config file ${file} does not exist.`,
      'Check the path given to --config (or MIGR8_CONFIG), or run `migr8 config init` to create one.',
    )
  }
  const baseDir = file ? dirname(file) : cwd
  const source = file ?? 'configuration'

  const defaults: Layer = { database: { driver: 'sqlite', name: 'migr8.sqlite' } }
  const sources: Source[] = [
    { layer: defaults, label: 'defaults' },
    { layer: environmentLayer(env), label: env.MIGR8_URL ? 'MIGR8_URL' : 'DATABASE_URL' },
  ]
  if (file) sources.push({ layer: readYamlFile(file, env), label: `${file}: database.url` })
  if (options.url) sources.push({ layer: { database: { url: options.url } }, label: '--url' })
  const merged = mergeLayers(sources)

  const parsed = fileConfigSchema.safeParse(merged)
  if (!parsed.success) throw validationError(parsed.issues, merged, source, env)
  const { database, migrations, backups, seeds } = parsed.data

  const within = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path))
  const driver = database.driver
  if (driver !== 'sqlite' && !database.name) {
    throw new Migr8Error(
      'CONFIG_INVALID',
      `${source}: database.name is required for ${driver}.`,
      'Set database.name (or give a URL with the database name, e.g. postgres://user@host/mydb).',
      { key: 'database.name' },
    )
  }
  const connection: ConnectionConfig = {
    driver,
    host: database.host ?? (driver === 'sqlite' ? '' : 'localhost'),
    port: database.port ?? DEFAULT_PORTS[driver],
    database:
      driver === 'sqlite'
        ? database.name === ':memory:'
          ? ':memory:'
          : within(database.name ?? 'migr8.sqlite')
        : database.name!,
    user: database.user ?? defaultUser(driver, env),
    password: database.password,
    schema: database.schema,
    ssl: {
      mode: database.ssl.mode,
      ca: database.ssl.ca && within(database.ssl.ca),
      cert: database.ssl.cert && within(database.ssl.cert),
      key: database.ssl.key && within(database.ssl.key),
    },
    connectTimeoutMs: database.connectTimeout,
    statementTimeoutMs: database.statementTimeout,
    poolMax: database.poolMax,
  }
  if (database.ssh && driver !== 'sqlite') {
    const { keepalive, ...ssh } = database.ssh
    const file = (path: string | undefined) =>
      path === undefined || path === 'none' ? path : within(path.replace(/^~(?=$|\/)/, homedir()))
    connection.ssh = {
      ...ssh,
      identityFile: file(ssh.identityFile),
      knownHosts: file(ssh.knownHosts),
      configFile: file(ssh.configFile),
      keepaliveMs: keepalive,
    }
  }
  return {
    file,
    baseDir,
    connection,
    migrations: { ...migrations, dir: within(migrations.dir) },
    backups: { ...backups, dir: within(backups.dir) },
    seeds: { ...seeds, dir: within(seeds.dir) },
  }
}
