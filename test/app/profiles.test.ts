import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ensureDemoProfile,
  FileSecretStore,
  MasterPasswordSecretStore,
  NoSecretStore,
  ProfileStore,
} from '../../src-main/profiles/index.js'
import { SafeStorageSecretStore } from '../../src-main/electron/secrets.js'
import { makeApi, tempDir } from './support.js'

const base = { ssl: { mode: 'disable' as const }, environment: 'development' as const, folders: {}, readOnly: false }

describe('profile store', () => {
  it('creates, lists, updates and deletes profiles in an atomically written profiles.json', async () => {
    const { dispatch, dir } = await makeApi()
    const created = await dispatch('profiles.save', {
      name: 'Orders',
      driver: 'postgres',
      host: 'db',
      database: 'orders',
      user: 'app',
      password: 'pw-1',
      passwordMode: 'stored',
      folder: 'Billing',
      environment: 'production',
    })
    expect(created.ok).toBe(true)
    if (!created.ok) return
    const view = created.value as Record<string, unknown>
    expect(view).toMatchObject({ name: 'Orders', hasPassword: true, environment: 'production', folder: 'Billing' })
    expect(view).not.toHaveProperty('password')

    const updated = await dispatch('profiles.save', {
      id: view.id,
      name: 'Orders v2',
      driver: 'postgres',
      host: 'db',
      database: 'orders',
      user: 'app',
      passwordMode: 'stored',
    })
    expect(updated.ok && updated.value).toMatchObject({
      name: 'Orders v2',
      hasPassword: true,
      createdAt: view.createdAt,
    })

    const list = await dispatch('profiles.list', undefined)
    expect(list.ok && list.value).toHaveLength(1)
    const file = readFileSync(join(dir, 'profiles.json'), 'utf8')
    expect(file).toContain('Orders v2')
    expect(file).not.toContain('pw-1')
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([])
    if (process.platform !== 'win32') expect(statSync(join(dir, 'profiles.json')).mode & 0o777).toBe(0o600)

    expect(await dispatch('profiles.delete', { id: view.id })).toEqual({ ok: true, value: { deleted: true } })
    expect(await dispatch('profiles.delete', { id: view.id })).toEqual({ ok: true, value: { deleted: false } })
    const gone = await dispatch('profiles.get', { id: view.id })
    expect(!gone.ok && gone.error.code).toBe('PROFILE_NOT_FOUND')
  })

  it('moves a URL password to the secret store and masks nothing else', async () => {
    const { context } = await makeApi()
    const saved = await context.profiles.save({
      name: 'u',
      driver: 'postgres',
      url: 'postgres://app:s3cr%40t@db:5433/shop?sslmode=require',
      passwordMode: 'stored',
      ...base,
    })
    expect(saved.url).toBe('postgres://app@db:5433/shop?sslmode=require')
    expect(await context.profiles.passwordFor(saved)).toBe('s3cr@t')
    const connection = context.profiles.connectionFor(saved, 'x')
    expect(connection).toMatchObject({
      driver: 'postgres',
      host: 'db',
      port: 5433,
      database: 'shop',
      user: 'app',
      ssl: { mode: 'require' },
    })
  })

  it('forgets the password when the mode changes to "ask" or on request', async () => {
    const { context } = await makeApi()
    const saved = await context.profiles.save({
      name: 'p',
      driver: 'mysql',
      database: 'd',
      password: 'pw',
      passwordMode: 'stored',
      ...base,
    })
    expect((await context.profiles.view(saved)).hasPassword).toBe(true)
    const cleared = await context.profiles.save({
      id: saved.id,
      name: 'p',
      driver: 'mysql',
      database: 'd',
      passwordMode: 'stored',
      clearPassword: true,
      ...base,
    })
    expect((await context.profiles.view(cleared)).hasPassword).toBe(false)
    await context.profiles.save({
      id: saved.id,
      name: 'p',
      driver: 'mysql',
      database: 'd',
      password: 'pw2',
      passwordMode: 'stored',
      ...base,
    })
    const asked = await context.profiles.save({
      id: saved.id,
      name: 'p',
      driver: 'mysql',
      database: 'd',
      passwordMode: 'ask',
      ...base,
    })
    expect((await context.profiles.view(asked)).hasPassword).toBe(false)
    expect(await context.profiles.secrets.get(saved.id)).toBeUndefined()
  })

  it('fails closed when passwords cannot be stored safely', async () => {
    const { dispatch } = await makeApi({ secrets: () => new NoSecretStore('no keychain') })
    const result = await dispatch('profiles.save', {
      name: 'p',
      driver: 'postgres',
      database: 'd',
      password: 'pw',
      passwordMode: 'stored',
    })
    expect(!result.ok && result.error.code).toBe('SECRET_STORE_UNAVAILABLE')
    const asked = await dispatch('profiles.save', { name: 'p', driver: 'postgres', database: 'd', passwordMode: 'ask' })
    expect(asked.ok).toBe(true)
  })

  it('rejects profiles that cannot connect anywhere', async () => {
    const { dispatch } = await makeApi()
    const noDb = await dispatch('profiles.save', { name: 'p', driver: 'postgres', host: 'h' })
    expect(!noDb.ok && noDb.error.code).toBe('PROFILE_INVALID')
    const badUrl = await dispatch('profiles.save', { name: 'p', driver: 'postgres', url: 'oracle://x' })
    expect(!badUrl.ok && badUrl.error.code).toBe('CONFIG_INVALID')
  })

  it('reports a damaged profile file instead of losing it', async () => {
    const { dispatch, dir } = await makeApi()
    writeFileSync(join(dir, 'profiles.json'), '{ not json')
    const result = await dispatch('profiles.list', undefined)
    expect(!result.ok && result.error.code).toBe('CONFIG_INVALID')
    expect(readFileSync(join(dir, 'profiles.json'), 'utf8')).toBe('{ not json')
  })

  it('adds the SQLite demo profile on first start only', async () => {
    const dir = tempDir()
    const store = new ProfileStore(dir, new FileSecretStore(dir))
    await ensureDemoProfile(store, '/app')
    const [demo] = store.list()
    expect(demo).toMatchObject({
      name: 'Demo (SQLite)',
      driver: 'sqlite',
      demo: true,
      database: join(dir, 'demo.sqlite'),
      folders: { migrations: '/app/examples/migrations', seeds: '/app/examples/seeds' },
    })
    await store.delete(demo.id)
    await ensureDemoProfile(store, '/app')
    expect(store.list()).toEqual([])
  })
})

describe('sharing profiles', () => {
  it('exports without passwords or ids and imports the set back', async () => {
    const { dispatch } = await makeApi()
    await dispatch('profiles.save', {
      name: 'A',
      driver: 'postgres',
      host: 'h',
      database: 'a',
      password: 'pw-secret',
      passwordMode: 'stored',
      folder: 'Team',
    })
    await dispatch('profiles.save', { name: 'B', driver: 'sqlite', database: '/tmp/b.sqlite' })
    const exported = await dispatch('profiles.export', undefined)
    expect(exported.ok).toBe(true)
    if (!exported.ok) return
    const { document, count } = exported.value as { document: string; count: number }
    expect(count).toBe(2)
    expect(document).not.toContain('pw-secret')
    expect(document).not.toMatch(/\bid:/)
    expect(document).toContain('passwordMode: ask')

    const other = await makeApi()
    const imported = await other.dispatch('profiles.import', { document })
    expect(imported.ok && (imported.value as { imported: unknown[] }).imported).toHaveLength(2)
    const list = await other.dispatch('profiles.list', undefined)
    expect(
      list.ok &&
        (list.value as Array<{ name: string; hasPassword: boolean; folder?: string }>).map((p) => [
          p.name,
          p.hasPassword,
          p.folder,
        ]),
    ).toEqual([
      ['A', false, 'Team'],
      ['B', false, undefined],
    ])
  })

  it('refuses a document that is not a profile export', async () => {
    const { dispatch } = await makeApi()
    for (const document of [
      'just text',
      'kind: other\nversion: 1\nprofiles: []',
      '{"kind":"migr8-profiles","version":1,"profiles":[{"name":"x"}]}',
    ]) {
      const result = await dispatch('profiles.import', { document })
      expect(!result.ok && result.error.code).toBe('PROFILE_INVALID')
    }
  })

  it('imports a profile from a project migr8.yaml with its folders', async () => {
    const { dispatch } = await makeApi()
    const project = tempDir('migr8-project-')
    writeFileSync(
      join(project, 'migr8.yaml'),
      'database:\n  url: postgres://app:pw-from-yaml@db.internal:6543/shop\nmigrations:\n  dir: db/migrations\nseeds:\n  dir: db/seeds\n',
    )
    const result = await dispatch('profiles.importYaml', { path: join(project, 'migr8.yaml') })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value).toMatchObject({
      driver: 'postgres',
      host: 'db.internal',
      port: 6543,
      database: 'shop',
      user: 'app',
      hasPassword: true,
      folders: { migrations: join(project, 'db/migrations'), seeds: join(project, 'db/seeds') },
    })
    expect(JSON.stringify(result.value)).not.toContain('pw-from-yaml')
    const missing = await dispatch('profiles.importYaml', { path: join(project, 'nope.yaml') })
    expect(!missing.ok && missing.error.code).toBe('CONFIG_NOT_FOUND')
  })
})

describe('file secret store', () => {
  it('encrypts with AES-256-GCM under a 0600 key file', async () => {
    const dir = tempDir()
    const store = new FileSecretStore(dir)
    await store.set('p1', 'correct horse battery staple')
    expect(await store.get('p1')).toBe('correct horse battery staple')
    expect(await store.has('p1')).toBe(true)
    expect(readFileSync(store.file, 'utf8')).not.toContain('correct horse')
    if (process.platform !== 'win32') {
      expect(statSync(store.keyFile).mode & 0o777).toBe(0o600)
      expect(statSync(store.file).mode & 0o777).toBe(0o600)
    }
    await store.delete('p1')
    expect(await store.get('p1')).toBeUndefined()
  })

  it('detects tampering and entries swapped between profiles', async () => {
    const store = new FileSecretStore(tempDir())
    await store.set('a', 'alpha')
    await store.set('b', 'beta')
    const content = JSON.parse(readFileSync(store.file, 'utf8'))
    content.entries.a = content.entries.b
    writeFileSync(store.file, JSON.stringify(content))
    await expect(store.get('a')).rejects.toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' })
  })

  it('has nothing to read before a key exists', async () => {
    const store = new FileSecretStore(tempDir())
    expect(await store.get('x')).toBeUndefined()
    expect(existsSync(store.keyFile)).toBe(false)
  })
})

describe('Electron safeStorage secret store', () => {
  const fakeSafeStorage = (backend: string, options: { reEncrypt?: boolean } = {}) => {
    const calls: string[] = []
    return {
      calls,
      api: {
        getSelectedStorageBackend: () => backend as 'gnome_libsecret',
        isAsyncEncryptionAvailable: async () => true,
        encryptStringAsync: async (text: string) => (calls.push(`encrypt`), Buffer.from(`enc:${text}`)),
        decryptStringAsync: async (buffer: Buffer) => (
          calls.push('decrypt'),
          { result: buffer.toString().replace(/^enc:/, ''), shouldReEncrypt: !!options.reEncrypt }
        ),
      },
    }
  }

  it('fails closed on the Linux basic_text backend (a hard-coded key)', async () => {
    const store = new SafeStorageSecretStore(tempDir(), fakeSafeStorage('basic_text').api, 'linux')
    expect(await store.status()).toMatchObject({ kind: 'none', available: false })
    await expect(store.set('p', 'pw')).rejects.toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' })
  })

  it('uses the keychain backend and re-encrypts when asked to', async () => {
    const fake = fakeSafeStorage('gnome_libsecret', { reEncrypt: true })
    const store = new SafeStorageSecretStore(tempDir(), fake.api, 'linux')
    expect(await store.status()).toMatchObject({ kind: 'keychain', available: true })
    await store.set('p', 'pw')
    expect(readFileSync(store.file, 'utf8')).not.toContain('"pw"')
    expect(await store.get('p')).toBe('pw')
    expect(fake.calls).toEqual(['encrypt', 'decrypt', 'encrypt'])
  })
})

describe('master password secret store', () => {
  it('stores nothing while locked, sets the master password on first unlock, and rejects a wrong one', async () => {
    const { dispatch, context, dir } = await makeApi({ secrets: (home) => new MasterPasswordSecretStore(home) })
    const info = await dispatch('app.info', undefined)
    expect(info.ok && info.value).toMatchObject({
      secrets: { kind: 'master', available: false, locked: true, configured: false },
    })
    const locked = await dispatch('profiles.save', {
      name: 'p',
      driver: 'postgres',
      database: 'd',
      password: 'pw-master-test',
      passwordMode: 'stored',
    })
    expect(!locked.ok && locked.error.code).toBe('SECRET_STORE_UNAVAILABLE')

    const short = await dispatch('secrets.unlock', { password: 'short' })
    expect(!short.ok && short.error.code).toBe('BAD_USAGE')
    expect(await dispatch('secrets.unlock', { password: 'correct horse battery' })).toMatchObject({
      ok: true,
      value: { available: true, locked: false, configured: true },
    })
    const saved = await dispatch('profiles.save', {
      name: 'p',
      driver: 'postgres',
      database: 'd',
      password: 'pw-master-test',
      passwordMode: 'stored',
    })
    expect(saved.ok && saved.value).toMatchObject({ hasPassword: true })
    expect(readFileSync(join(dir, 'secrets.master.json'), 'utf8')).not.toContain('pw-master-test')
    const id = saved.ok ? (saved.value as { id: string }).id : ''
    expect(await context.profiles.secrets.get(id)).toBe('pw-master-test')

    expect(await dispatch('secrets.lock', undefined)).toMatchObject({
      ok: true,
      value: { locked: true, configured: true },
    })
    await expect(context.profiles.secrets.get(id)).rejects.toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' })
    const wrong = await dispatch('secrets.unlock', { password: 'wrong horse battery' })
    expect(!wrong.ok && wrong.error.code).toBe('AUTH_FAILED')

    // A new session (a new store object) needs the master password again, and it still works.
    const again = new MasterPasswordSecretStore(dir)
    expect(await again.has(id)).toBe(true)
    await again.unlock('correct horse battery')
    expect(await again.get(id)).toBe('pw-master-test')
  })

  it('is refused where the store has no master password', async () => {
    const { dispatch } = await makeApi()
    const result = await dispatch('secrets.unlock', { password: 'correct horse battery' })
    expect(!result.ok && result.error.code).toBe('BAD_USAGE')
  })
})
