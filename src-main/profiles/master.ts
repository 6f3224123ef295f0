/**
 * Passwords under a master password, for when no OS keychain exists (Electron's Linux `basic_text`
 * backend): the key is derived with scrypt from a password only the user knows and lives in memory
 * while unlocked. Locked, it stores and reads nothing (fail closed); profiles can still "ask every time".
 */
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import { writeFileAtomic } from './atomic.js'
import type { SecretStore, SecretStoreStatus } from './secrets.js'

interface Sealed {
  iv: string
  tag: string
  data: string
}

interface MasterFile {
  version: 1
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number }
  /** A known value sealed with the key: proves a typed master password is the right one. */
  check: Sealed
  entries: Record<string, Sealed>
}

const CHECK = 'migr8-master-password-check'
const COST = { N: 1 << 15, r: 8, p: 1 }

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, 32, { ...options, maxmem: 128 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

function seal(key: Buffer, text: string, aad: string): Sealed {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') }
}

function open(key: Buffer, sealed: Sealed, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'))
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8')
}

export class MasterPasswordSecretStore implements SecretStore {
  readonly file: string
  private key: Buffer | undefined

  constructor(
    dir: string,
    private readonly reason = 'no OS keychain is available',
  ) {
    this.file = join(dir, 'secrets.master.json')
  }

  private read(): MasterFile | undefined {
    if (!existsSync(this.file)) return undefined
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as MasterFile
    } catch {
      throw new Migr8Error(
        'SECRET_STORE_UNAVAILABLE',
        `The secret file ${this.file} is damaged.`,
        'Delete it, set a new master password and enter the passwords of your profiles again.',
      )
    }
  }

  async status(): Promise<SecretStoreStatus> {
    const configured = existsSync(this.file)
    if (this.key)
      return {
        kind: 'master',
        available: true,
        locked: false,
        configured,
        description: 'Passwords are encrypted with your master password (unlocked for this session).',
      }
    return {
      kind: 'master',
      available: false,
      locked: true,
      configured,
      description: configured
        ? `Passwords are locked: ${this.reason}, so they are encrypted with your master password. Unlock to use stored passwords, or let profiles ask every time.`
        : `Passwords are not stored: ${this.reason}. Set a master password to store them encrypted, or let profiles ask every time.`,
    }
  }

  /** Unlocks with the master password; the first unlock sets it. */
  async unlock(password: string): Promise<void> {
    if (password.length < 8)
      throw new Migr8Error(
        'BAD_USAGE',
        'The master password is too short.',
        'Use at least 8 characters (a passphrase of a few words is best).',
      )
    const content = this.read()
    if (!content) {
      const salt = randomBytes(16)
      const key = await scrypt(password, salt, COST)
      writeFileAtomic(
        this.file,
        JSON.stringify(
          {
            version: 1,
            kdf: { name: 'scrypt', salt: salt.toString('base64'), ...COST },
            check: seal(key, CHECK, 'check'),
            entries: {},
          } satisfies MasterFile,
          null,
          2,
        ),
        0o600,
      )
      this.key = key
      return
    }
    const key = await scrypt(password, Buffer.from(content.kdf.salt, 'base64'), {
      N: content.kdf.N,
      r: content.kdf.r,
      p: content.kdf.p,
    })
    let check: string
    try {
      check = open(key, content.check, 'check')
    } catch {
      throw new Migr8Error(
        'AUTH_FAILED',
        'The master password is wrong.',
        'Type it again; if it is lost, delete secrets.master.json in the data folder and enter the profile passwords again.',
      )
    }
    if (!timingSafeEqual(Buffer.from(check), Buffer.from(CHECK)))
      throw new Migr8Error('AUTH_FAILED', 'The master password is wrong.', 'Type it again.')
    this.key = key
  }

  async lock(): Promise<void> {
    this.key?.fill(0)
    this.key = undefined
  }

  private locked(): Migr8Error {
    return new Migr8Error(
      'SECRET_STORE_UNAVAILABLE',
      'Stored passwords are locked.',
      'Unlock them with your master password (status bar), or type the password when asked.',
    )
  }

  async has(key: string): Promise<boolean> {
    return !!this.read()?.entries[key]
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.read()?.entries[key]
    if (!entry) return undefined
    if (!this.key) throw this.locked()
    try {
      return open(this.key, entry, key)
    } catch {
      throw new Migr8Error(
        'SECRET_STORE_UNAVAILABLE',
        'A stored password could not be decrypted (the file was altered).',
        'Enter the password of this profile again.',
      )
    }
  }

  async set(key: string, secret: string): Promise<void> {
    const content = this.read()
    if (!this.key || !content) throw this.locked()
    content.entries[key] = seal(this.key, secret, key)
    writeFileAtomic(this.file, JSON.stringify(content, null, 2), 0o600)
  }

  async delete(key: string): Promise<void> {
    const content = this.read()
    if (!content || !(key in content.entries)) return
    delete content.entries[key]
    writeFileAtomic(this.file, JSON.stringify(content, null, 2), 0o600)
  }
}
