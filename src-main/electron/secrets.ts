/**
 * Passwords in the OS keychain through Electron's safeStorage (async API, re-encrypting when
 * Electron says the key rotated). On Linux the `basic_text` backend encrypts with a hard-coded
 * key: that is storing in clear, so the store fails closed and the user is asked each time.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SafeStorage } from 'electron'
import { writeFileAtomic } from '../profiles/atomic.js'
import { secretStoreUnavailable, type SecretStore, type SecretStoreStatus } from '../profiles/secrets.js'

type SafeStorageApi = Pick<
  SafeStorage,
  'encryptStringAsync' | 'decryptStringAsync' | 'isAsyncEncryptionAvailable' | 'getSelectedStorageBackend'
>

export class SafeStorageSecretStore implements SecretStore {
  readonly file: string

  constructor(
    dir: string,
    private readonly safeStorage: SafeStorageApi,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.file = join(dir, 'secrets.keychain.json')
  }

  async status(): Promise<SecretStoreStatus> {
    if (this.platform === 'linux') {
      const backend = this.safeStorage.getSelectedStorageBackend()
      if (backend === 'basic_text' || backend === 'unknown') {
        return {
          kind: 'none',
          available: false,
          description: `No OS keychain was found (safeStorage backend "${backend}" uses a hard-coded key), so passwords are not stored: they are asked for each time.`,
        }
      }
    }
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      return {
        kind: 'none',
        available: false,
        description: 'The OS keychain is not available, so passwords are asked for each time.',
      }
    }
    return { kind: 'keychain', available: true, description: 'Passwords are encrypted with the OS keychain.' }
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {}
    try {
      return (JSON.parse(readFileSync(this.file, 'utf8')) as { entries?: Record<string, string> }).entries ?? {}
    } catch {
      return {}
    }
  }

  private write(entries: Record<string, string>): void {
    writeFileAtomic(this.file, JSON.stringify({ version: 1, entries }, null, 2), 0o600)
  }

  async has(key: string): Promise<boolean> {
    return key in this.read()
  }

  async get(key: string): Promise<string | undefined> {
    const sealed = this.read()[key]
    if (!sealed) return undefined
    const status = await this.status()
    if (!status.available) return undefined
    const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(Buffer.from(sealed, 'base64'))
    if (shouldReEncrypt) await this.set(key, result)
    return result
  }

  async set(key: string, secret: string): Promise<void> {
    const status = await this.status()
    if (!status.available) throw secretStoreUnavailable(status.description)
    const sealed = await this.safeStorage.encryptStringAsync(secret)
    this.write({ ...this.read(), [key]: sealed.toString('base64') })
  }

  async delete(key: string): Promise<void> {
    const entries = this.read()
    if (!(key in entries)) return
    delete entries[key]
    this.write(entries)
  }
}
