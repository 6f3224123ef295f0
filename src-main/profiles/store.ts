/**
 * Connection profiles: a JSON file (profiles.json, written atomically) of everything but the
 * passwords, which live in a SecretStore keyed by profile id. Nothing here returns a password to a
 * caller outside src-main: views carry `hasPassword` only.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import { Migr8Error } from '../../src-shared/errors.js'
import {
  DRIVERS,
  ENVIRONMENTS,
  PASSWORD_MODES,
  ProfileFolders,
  ProfileSsh,
  ProfileSsl,
  type ProfileViewT,
} from '../../src-shared/contract.js'
import type { ProfileInput } from '../../src-shared/contract.js'
import type { ConnectionConfig } from '../config/schema.js'
import { DEFAULT_PORTS, parseDatabaseUrl } from '../config/url.js'
import { writeFileAtomic } from './atomic.js'
import type { SecretStore } from './secrets.js'

export const StoredProfile = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.enum(DRIVERS),
  url: z.string().optional(),
  host: z.string().optional(),
  port: z.number().optional(),
  database: z.string().optional(),
  user: z.string().optional(),
  schema: z.string().optional(),
  ssl: ProfileSsl,
  ssh: ProfileSsh.optional(),
  folder: z.string().optional(),
  environment: z.enum(ENVIRONMENTS),
  folders: ProfileFolders,
  readOnly: z.boolean(),
  passwordMode: z.enum(PASSWORD_MODES),
  safetyBackups: z.boolean().default(true),
  demo: z.boolean().default(false),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type StoredProfile = z.output<typeof StoredProfile>

const ProfilesFile = z.object({ version: z.literal(1), profiles: z.array(StoredProfile) })

export type ProfileInputParsed = z.output<typeof ProfileInput>

/** The SSH secrets of a profile, only ever in memory on their way to the tunnel. */
export interface SshSecrets {
  password?: string
  passphrase?: string
}

/** Secret-store keys: the database password under the profile id, the SSH secrets beside it. */
export const sshSecretKeys = (id: string) => ({ password: `${id}:ssh-password`, passphrase: `${id}:ssh-passphrase` })

const expandHome = (path: string | undefined) => path?.replace(/^~(?=$|[\\/])/, homedir())

/** The profile's SSH section with blanks dropped; undefined without an SSH host. */
function cleanSsh(ssh: ProfileInputParsed['ssh']): StoredProfile['ssh'] {
  const host = ssh?.host.trim()
  if (!ssh || !host) return undefined
  const trimmed = (value: string | undefined) => value?.trim() || undefined
  return {
    host,
    port: ssh.port,
    user: trimmed(ssh.user),
    identityFile: trimmed(ssh.identityFile),
    agent: typeof ssh.agent === 'string' ? trimmed(ssh.agent) : ssh.agent || undefined,
    jump: trimmed(ssh.jump),
    knownHosts: trimmed(ssh.knownHosts),
    strictHostKey: ssh.strictHostKey,
  }
}

/** Removes the password from a URL (it goes to the secret store instead). */
export function stripUrlPassword(url: string): { url: string; password?: string } {
  const match = /^([a-z0-9+]+:\/\/[^:/@]*):([^@]*)@/i.exec(url)
  if (!match) return { url }
  return { url: url.replace(match[0], `${match[1]}@`), password: decodeURIComponent(match[2]) }
}

function invalid(message: string, remedy: string): Migr8Error {
  return new Migr8Error('PROFILE_INVALID', message, remedy)
}

export class ProfileStore {
  readonly file: string

  constructor(
    readonly dir: string,
    readonly secrets: SecretStore,
  ) {
    this.file = join(dir, 'profiles.json')
  }

  exists(): boolean {
    return existsSync(this.file)
  }

  private read(): StoredProfile[] {
    if (!existsSync(this.file)) return []
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'))
    } catch (error) {
      throw new Migr8Error(
        'CONFIG_INVALID',
        `The profile file ${this.file} is not valid JSON: ${(error as Error).message}.`,
        'Restore it from a backup, or move it away to start with no profiles.',
      )
    }
    const parsed = ProfilesFile.safeParse(raw)
    if (!parsed.success) {
      throw new Migr8Error(
        'CONFIG_INVALID',
        `The profile file ${this.file} is damaged: ${parsed.error.issues[0].message} at ${parsed.error.issues[0].path.join('.')}.`,
        'Restore it from a backup, or move it away to start with no profiles.',
      )
    }
    return parsed.data.profiles
  }

  private write(profiles: StoredProfile[]): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`, 0o600)
  }

  list(): StoredProfile[] {
    return this.read()
  }

  get(id: string): StoredProfile {
    const profile = this.read().find((candidate) => candidate.id === id)
    if (!profile)
      throw new Migr8Error(
        'PROFILE_NOT_FOUND',
        `No profile with id ${id}.`,
        'It may have been deleted in another window; reload the profile list.',
      )
    return profile
  }

  /** Builds the stored form of an input (URL password moved out, defaults applied) without saving it. */
  build(
    input: ProfileInputParsed,
    existing?: StoredProfile,
    demo = false,
  ): { profile: StoredProfile; password?: string } {
    const now = new Date().toISOString()
    let password = input.password
    let url = input.url?.trim() || undefined
    let driver = input.driver
    if (url) {
      const stripped = stripUrlPassword(url)
      url = stripped.url
      password ??= stripped.password
      driver = parseDatabaseUrl(url).driver
    }
    const profile: StoredProfile = {
      id: existing?.id ?? randomUUID(),
      name: input.name.trim(),
      driver,
      url,
      host: url ? undefined : input.host?.trim() || undefined,
      port: url ? undefined : input.port,
      database: url ? undefined : input.database?.trim() || undefined,
      user: url ? undefined : input.user?.trim() || undefined,
      schema: input.schema?.trim() || undefined,
      ssl: {
        mode: input.ssl.mode,
        ca: input.ssl.ca?.trim() || undefined,
        cert: input.ssl.cert?.trim() || undefined,
        key: input.ssl.key?.trim() || undefined,
      },
      ssh: driver === 'sqlite' ? undefined : cleanSsh(input.ssh),
      folder: input.folder?.trim() || undefined,
      environment: input.environment,
      folders: input.folders,
      readOnly: input.readOnly,
      passwordMode: driver === 'sqlite' ? 'none' : input.passwordMode,
      safetyBackups: input.safetyBackups ?? existing?.safetyBackups ?? true,
      demo: demo || (existing?.demo ?? false),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    }
    if (!url && !profile.database) {
      throw invalid(
        profile.driver === 'sqlite'
          ? 'A SQLite profile needs the database file.'
          : 'The profile needs a database name (or a URL).',
        profile.driver === 'sqlite'
          ? 'Give the path of the .sqlite file (it is created if missing).'
          : 'Fill in the database field, or paste a URL like postgres://user@host:5432/db.',
      )
    }
    // Prove the connection can be built before saving (a bad URL fails here, not at first use).
    this.connectionFor(profile)
    return { profile, password: password === '' ? undefined : password }
  }

  /** Creates (no id) or updates a profile; a password is stored only in "stored" mode. */
  async save(input: ProfileInputParsed, options: { demo?: boolean } = {}): Promise<StoredProfile> {
    const profiles = this.read()
    const existing = input.id ? profiles.find((candidate) => candidate.id === input.id) : undefined
    if (input.id && !existing)
      throw new Migr8Error(
        'PROFILE_NOT_FOUND',
        `No profile with id ${input.id}.`,
        'It may have been deleted in another window; reload the profile list.',
      )
    const { profile, password } = this.build(input, existing, options.demo)
    if (profile.passwordMode === 'stored' && password !== undefined) {
      await this.secrets.set(profile.id, password)
    } else if (profile.passwordMode !== 'stored' || input.clearPassword) {
      await this.secrets.delete(profile.id)
    }
    await this.saveSshSecrets(profile, input)
    this.write(
      existing
        ? profiles.map((candidate) => (candidate.id === profile.id ? profile : candidate))
        : [...profiles, profile],
    )
    return profile
  }

  async delete(id: string): Promise<boolean> {
    const profiles = this.read()
    const remaining = profiles.filter((candidate) => candidate.id !== id)
    if (remaining.length === profiles.length) return false
    this.write(remaining)
    await this.secrets.delete(id)
    await this.deleteSshSecrets(id)
    return true
  }

  /**
   * SSH password and key passphrase: stored (encrypted, like the database password) unless the profile
   * asks every time or has no tunnel; a blank keeps the stored one, `clearSshSecrets` forgets both.
   */
  private async saveSshSecrets(profile: StoredProfile, input: ProfileInputParsed): Promise<void> {
    if (!profile.ssh || profile.passwordMode === 'ask' || input.clearSshSecrets) {
      await this.deleteSshSecrets(profile.id)
      if (!profile.ssh || profile.passwordMode === 'ask') return
    }
    const keys = sshSecretKeys(profile.id)
    if (input.sshPassword) await this.secrets.set(keys.password, input.sshPassword)
    if (input.sshPassphrase) await this.secrets.set(keys.passphrase, input.sshPassphrase)
  }

  private async deleteSshSecrets(id: string): Promise<void> {
    const keys = sshSecretKeys(id)
    await this.secrets.delete(keys.password)
    await this.secrets.delete(keys.passphrase)
  }

  async view(profile: StoredProfile): Promise<ProfileViewT> {
    const hasPassword = profile.passwordMode === 'stored' && (await this.secrets.has(profile.id))
    const keys = sshSecretKeys(profile.id)
    const hasSsh = async (key: string) => !!profile.ssh && profile.passwordMode !== 'ask' && this.secrets.has(key)
    return {
      ...profile,
      hasPassword,
      hasSshPassword: await hasSsh(keys.password),
      hasSshPassphrase: await hasSsh(keys.passphrase),
    }
  }

  /** The stored SSH secrets of a profile (none when it asks every time or has no tunnel). */
  async sshSecretsFor(profile: StoredProfile): Promise<SshSecrets> {
    if (!profile.ssh || profile.passwordMode === 'ask') return {}
    const keys = sshSecretKeys(profile.id)
    return { password: await this.secrets.get(keys.password), passphrase: await this.secrets.get(keys.passphrase) }
  }

  /** The connection the adapters take, with the password and SSH secrets given (fetched by the caller). */
  connectionFor(profile: StoredProfile, password?: string, sshSecrets: SshSecrets = {}): ConnectionConfig {
    const parts = profile.url ? parseDatabaseUrl(profile.url) : undefined
    const driver = parts?.driver ?? profile.driver
    const database = parts?.name ?? profile.database ?? ''
    const resolvedDatabase =
      driver === 'sqlite' && database !== ':memory:' && !isAbsolute(database) ? resolve(this.dir, database) : database
    return {
      driver,
      host: driver === 'sqlite' ? '' : parts?.host || profile.host || 'localhost',
      port: driver === 'sqlite' ? 0 : (parts?.port ?? profile.port ?? DEFAULT_PORTS[driver]),
      database: resolvedDatabase,
      user: parts?.user ?? profile.user ?? (driver === 'postgres' ? 'postgres' : driver === 'mysql' ? 'root' : ''),
      password,
      schema: profile.schema ?? parts?.schema,
      ssl: {
        mode: parts?.ssl?.mode ?? profile.ssl.mode,
        ca: expandHome(profile.ssl.ca || undefined),
        cert: expandHome(profile.ssl.cert || undefined),
        key: expandHome(profile.ssl.key || undefined),
      },
      ssh: profile.ssh && driver !== 'sqlite' ? this.tunnelFor(profile.ssh, sshSecrets) : undefined,
      connectTimeoutMs: 8_000,
      poolMax: 2,
    }
  }

  private tunnelFor(ssh: NonNullable<StoredProfile['ssh']>, secrets: SshSecrets): NonNullable<ConnectionConfig['ssh']> {
    return {
      ...ssh,
      identityFile: expandHome(ssh.identityFile),
      knownHosts: expandHome(ssh.knownHosts),
      agent: typeof ssh.agent === 'string' ? expandHome(ssh.agent) : ssh.agent,
      password: secrets.password || undefined,
      passphrase: secrets.passphrase || undefined,
    }
  }

  async passwordFor(profile: StoredProfile): Promise<string | undefined> {
    return profile.passwordMode === 'stored' ? this.secrets.get(profile.id) : undefined
  }
}
