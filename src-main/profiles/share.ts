/**
 * Sharing profiles with a team: export a set (never passwords, never ids) as a YAML document, import
 * such a document, or import a profile from a project's migr8.yaml.
 */
import { dirname } from 'node:path'
import { parse, stringify } from 'yaml'
import { z } from 'zod'
import { Migr8Error } from '../../src-shared/errors.js'
import { ProfileInput } from '../../src-shared/contract.js'
import { loadConfig } from '../config/load.js'
import type { ProfileInputParsed, StoredProfile } from './store.js'

const EXPORT_KIND = 'migr8-profiles'

/** The exported fields: the profile without id, timestamps, passwords or demo marker (its SSH section has no secrets). */
export function exportProfiles(profiles: StoredProfile[]): string {
  const shared = profiles.map((profile) => {
    const { id: _id, createdAt: _c, updatedAt: _u, demo: _d, ...rest } = profile
    // "stored" becomes "ask": the password is not in the file, each teammate enters their own.
    return { ...rest, passwordMode: rest.passwordMode === 'none' ? 'none' : 'ask' }
  })
  return stringify({ kind: EXPORT_KIND, version: 1, exportedAt: new Date().toISOString(), profiles: shared })
}

const ImportDocument = z.object({
  kind: z.literal(EXPORT_KIND),
  version: z.literal(1),
  profiles: z.array(
    ProfileInput.omit({
      id: true,
      password: true,
      clearPassword: true,
      sshPassword: true,
      sshPassphrase: true,
      clearSshSecrets: true,
    }).strip(),
  ),
})

export function parseProfileDocument(document: string): ProfileInputParsed[] {
  let raw: unknown
  try {
    raw = parse(document)
  } catch (error) {
    throw new Migr8Error(
      'PROFILE_INVALID',
      `The profile file is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}.`,
      'Choose a file written by "Export profiles".',
    )
  }
  const parsed = ImportDocument.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Migr8Error(
      'PROFILE_INVALID',
      `The profile file is not a Migr8 profile export: ${issue.path.join('.') || '(root)'}: ${issue.message}.`,
      'Choose a file written by "Export profiles" (kind: migr8-profiles).',
    )
  }
  return parsed.data.profiles
}

/** Environment variables that would silently replace the file's connection during an import. */
const CONNECTION_ENV = /^(MIGR8_|DATABASE_URL$)/

/** A profile from a project's migr8.yaml: its connection and its migrations/backups/seeds folders. */
export function profileFromConfigFile(path: string, name?: string): ProfileInputParsed {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !CONNECTION_ENV.test(key)))
  const config = loadConfig({ file: path, env })
  const connection = config.connection
  const ssh = connection.ssh
  const input = ProfileInput.parse({
    name:
      name?.trim() ||
      `${connection.driver === 'sqlite' ? 'SQLite' : connection.database} (${dirname(config.file ?? path)
        .split(/[\\/]/)
        .pop()})`,
    driver: connection.driver,
    host: connection.host || undefined,
    port: connection.port || undefined,
    database: connection.database,
    user: connection.user || undefined,
    schema: connection.schema,
    ssl: { mode: connection.ssl.mode, ca: connection.ssl.ca, cert: connection.ssl.cert, key: connection.ssl.key },
    ssh: ssh && {
      host: ssh.host,
      port: ssh.port,
      user: ssh.user,
      identityFile: ssh.identityFile,
      agent: ssh.agent,
      jump: ssh.jump,
      knownHosts: ssh.knownHosts,
      strictHostKey: ssh.strictHostKey,
    },
    folders: { migrations: config.migrations.dir, backups: config.backups.dir, seeds: config.seeds.dir },
    passwordMode: connection.password ? 'stored' : connection.driver === 'sqlite' ? 'none' : 'ask',
    password: connection.password,
    sshPassword: ssh?.password,
    sshPassphrase: ssh?.passphrase,
  })
  return input
}
