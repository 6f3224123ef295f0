/**
 * Where passwords live. Two implementations of one interface: this AES-256-GCM file (browser mode
 * and the CLI, key in a 0600 file of the data dir) and Electron's safeStorage (OS keychain) in
 * src-main/electron. A store that cannot keep secrets safely fails closed: `set` throws
 * SECRET_STORE_UNAVAILABLE and the user is asked for the password each time instead.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import { writeFileAtomic } from './atomic.js'

export interface SecretStoreStatus {
  kind: 'keychain' | 'file' | 'master' | 'none'
  available: boolean
  description: string
  /** Master-password stores: locked until unlocked this session; configured once a master password exists. */
  locked?: boolean
  configured?: boolean
}

export interface SecretStore {
  status(): Promise<SecretStoreStatus>
  has(key: string): Promise<boolean>
  get(key: string): Promise<string | undefined>
  set(key: string, secret: string): Promise<void>
  delete(key: string): Promise<void>
  /** Only stores protected by a master password have these. */
  unlock?(password: string): Promise<void>
  lock?(): Promise<void>
}

export function secretStoreUnavailable(reason: string): Migr8Error {
  return new Migr8Error(
    'SECRET_STORE_UNAVAILABLE',
    `Passwords cannot be stored safely here: ${reason}`,
    'Choose "Ask every time" for this profile\'s password (it is then never written to disk).',
  )
}

interface SealedEntry {
  iv: string
  tag: string
  data: string
}

interface SecretFile {
  version: 1
  entries: Record<string, SealedEntry>
}

/** AES-256-GCM, one random IV per entry, the entry's key as associated data (no swapping entries). */
export class FileSecretStore implements SecretStore {
  readonly file: string
  readonly keyFile: string

  constructor(readonly dir: string) {
    this.file = join(dir, 'secrets.enc.json')
    this.keyFile = join(dir, 'secret.key')
  }

  async status(): Promise<SecretStoreStatus> {
    return {
      kind: 'file',
      available: true,
      description: `AES-256-GCM file in ${this.dir}; key file readable only by you (0600).`,
    }
  }

  private key(create: boolean): Buffer | undefined {
    if (!existsSync(this.keyFile)) {
      if (!create) return undefined
      writeFileAtomic(this.keyFile, randomBytes(32).toString('base64'), 0o600)
    }
    if (process.platform !== 'win32' && (statSync(this.keyFile).mode & 0o077) !== 0) chmodSync(this.keyFile, 0o600)
    const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64')
    if (key.length !== 32) {
      throw new Migr8Error(
        'SECRET_STORE_UNAVAILABLE',
        `The key file ${this.keyFile} is damaged.`,
        'Delete it and secrets.enc.json, then enter the passwords of your profiles again.',
      )
    }
    return key
  }

  private read(): SecretFile {
    if (!existsSync(this.file)) return { version: 1, entries: {} }
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as SecretFile
      return { version: 1, entries: parsed.entries ?? {} }
    } catch {
      throw new Migr8Error(
        'SECRET_STORE_UNAVAILABLE',
        `The secret file ${this.file} is damaged.`,
        'Delete it, then enter the passwords of your profiles again.',
      )
    }
  }

  private write(content: SecretFile): void {
    writeFileAtomic(this.file, JSON.stringify(content, null, 2), 0o600)
  }

  async has(key: string): Promise<boolean> {
    return key in this.read().entries
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.read().entries[key]
    const secretKey = entry && this.key(false)
    if (!entry || !secretKey) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', secretKey, Buffer.from(entry.iv, 'base64'))
      decipher.setAAD(Buffer.from(key, 'utf8'))
      decipher.setAuthTag(Buffer.from(entry.tag, 'base64'))
      return Buffer.concat([decipher.update(Buffer.from(entry.data, 'base64')), decipher.final()]).toString('utf8')
    } catch {
      throw new Migr8Error(
        'SECRET_STORE_UNAVAILABLE',
        'A stored password could not be decrypted (the key file changed or the file was altered).',
        'Enter the password of this profile again.',
      )
    }
  }

  async set(key: string, secret: string): Promise<void> {
    const secretKey = this.key(true)!
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', secretKey, iv)
    cipher.setAAD(Buffer.from(key, 'utf8'))
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
    const content = this.read()
    content.entries[key] = {
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    }
    this.write(content)
  }

  async delete(key: string): Promise<void> {
    const content = this.read()
    if (!(key in content.entries)) return
    delete content.entries[key]
    this.write(content)
  }
}

/** A store that keeps nothing: every password is asked for (the fail-closed choice). */
export class NoSecretStore implements SecretStore {
  constructor(private readonly reason: string) {}
  async status(): Promise<SecretStoreStatus> {
    return { kind: 'none', available: false, description: this.reason }
  }
  async has(): Promise<boolean> {
    return false
  }
  async get(): Promise<string | undefined> {
    return undefined
  }
  async set(): Promise<void> {
    throw secretStoreUnavailable(this.reason)
  }
  async delete(): Promise<void> {}
}
