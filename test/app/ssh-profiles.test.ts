/**
 * Profiles with an SSH tunnel and TLS files: the contract (no secret in a view or an export), the store
 * (SSH password and key passphrase encrypted at rest, forgotten on request) and "Test connection" hop by
 * hop through a real sshd (test/connectivity/support) to real PostgreSQL and MariaDB.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { HOPS } from '../../src-main/db/diagnose.js'
import { sshSecretKeys } from '../../src-main/profiles/index.js'
import {
  CONNECTION_HOPS,
  ProfileInput,
  ProfileView,
  contract,
  type Channel,
  type Input,
  type Output,
} from '../../src-shared/contract.js'
import type { ErrorPayload } from '../../src-shared/errors.js'
import { missing, startSshd, type Sshd } from '../connectivity/support/servers.js'
import { SERVER_DEFAULTS, availableDialects } from '../support/databases.js'
import { makeApi, tempDir } from './support.js'

type Result<K extends Channel> = { ok: true; value: Output<K> } | { ok: false; error: ErrorPayload }

/** makeApi with a dispatch typed from the contract. */
async function typedApi() {
  const made = await makeApi()
  const dispatch = <K extends Channel>(channel: K, input: Input<K>) =>
    made.dispatch(channel, input) as Promise<Result<K>>
  return { ...made, dispatch }
}

const base = { ssl: { mode: 'disable' as const }, environment: 'development' as const, folders: {}, readOnly: false }
const ssh = { host: 'bastion.example.com', port: 2222, user: 'deploy', identityFile: '~/.ssh/id_ed25519' }

describe('SSH profiles: contract', () => {
  it('declares the same hops as the engine and keeps secrets out of views', () => {
    expect([...CONNECTION_HOPS]).toEqual([...HOPS])
    const view = ProfileView.parse({
      id: 'x',
      name: 'n',
      driver: 'postgres',
      database: 'd',
      ssh,
      hasPassword: false,
      hasSshPassword: true,
      hasSshPassphrase: true,
      demo: false,
      createdAt: 'now',
      updatedAt: 'now',
      sshPassword: 'leak-1',
      sshPassphrase: 'leak-2',
      password: 'leak-3',
    })
    expect(JSON.stringify(view)).not.toMatch(/leak-/)
    expect(view.ssh).toEqual(ssh)
    // The SSH section itself refuses secrets: they only travel as sshPassword / sshPassphrase.
    expect(ProfileInput.safeParse({ name: 'n', driver: 'postgres', ssh: { ...ssh, password: 'x' } }).success).toBe(
      false,
    )
    expect(
      contract['profiles.test'].input.safeParse({ id: 'x', acceptHostKeys: ['SHA256:abc'], sshPassphrase: 'p' })
        .success,
    ).toBe(true)
  })
})

describe('SSH profiles: store', () => {
  it('stores the SSH password and passphrase encrypted, reports them as badges, never returns them', async () => {
    const { dispatch, context, dir } = await typedApi()
    const saved = await dispatch('profiles.save', {
      name: 'Behind bastion',
      driver: 'postgres',
      host: 'db.internal',
      database: 'app',
      passwordMode: 'stored',
      password: 'db-secret-1',
      ssh,
      sshPassword: 'ssh-secret-2',
      sshPassphrase: 'key-secret-3',
      ssl: { mode: 'verify-full', ca: '/certs/ca.pem', cert: '/certs/client.crt', key: '/certs/client.key' },
    })
    expect(saved.ok).toBe(true)
    if (!saved.ok) return
    const view = saved.value
    expect(view).toMatchObject({ hasPassword: true, hasSshPassword: true, hasSshPassphrase: true, ssh })
    expect(view.ssl).toEqual({
      mode: 'verify-full',
      ca: '/certs/ca.pem',
      cert: '/certs/client.crt',
      key: '/certs/client.key',
    })
    const listed = await dispatch('profiles.list', undefined)
    for (const text of [JSON.stringify(view), JSON.stringify(listed)]) expect(text).not.toMatch(/secret-\d/)

    // At rest: encrypted under their own keys, nothing in clear in any file of the data dir.
    const files = ['profiles.json', 'secrets.enc.json'].map((name) => readFileSync(join(dir, name), 'utf8'))
    for (const text of files) expect(text).not.toMatch(/secret-\d/)
    const sealed = JSON.parse(files[1]) as { entries: Record<string, unknown> }
    const keys = sshSecretKeys(view.id)
    expect(Object.keys(sealed.entries).sort()).toEqual([view.id, keys.password, keys.passphrase].sort())
    expect(await context.profiles.sshSecretsFor(context.profiles.get(view.id))).toEqual({
      password: 'ssh-secret-2',
      passphrase: 'key-secret-3',
    })

    // The connection carries them (in memory), with ~ expanded and the TLS files.
    const stored = context.profiles.get(view.id)
    const connection = context.profiles.connectionFor(stored, 'db-secret-1', {
      password: 'ssh-secret-2',
      passphrase: 'key-secret-3',
    })
    expect(connection.ssh).toMatchObject({
      host: 'bastion.example.com',
      port: 2222,
      user: 'deploy',
      password: 'ssh-secret-2',
      passphrase: 'key-secret-3',
    })
    expect(connection.ssh?.identityFile).not.toContain('~')
    expect(connection.ssl).toEqual({
      mode: 'verify-full',
      ca: '/certs/ca.pem',
      cert: '/certs/client.crt',
      key: '/certs/client.key',
    })

    // Saving again without secrets keeps them; clearSshSecrets forgets both.
    const again = await dispatch('profiles.save', {
      id: view.id,
      name: 'Behind bastion',
      driver: 'postgres',
      host: 'db.internal',
      database: 'app',
      passwordMode: 'stored',
      ssh,
    })
    expect(again.ok && again.value).toMatchObject({ hasSshPassword: true, hasSshPassphrase: true })
    const cleared = await dispatch('profiles.save', {
      id: view.id,
      name: 'Behind bastion',
      driver: 'postgres',
      host: 'db.internal',
      database: 'app',
      passwordMode: 'stored',
      ssh,
      clearSshSecrets: true,
    })
    expect(cleared.ok && cleared.value).toMatchObject({
      hasPassword: true,
      hasSshPassword: false,
      hasSshPassphrase: false,
    })
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'secrets.enc.json'), 'utf8')).entries)).toEqual([view.id])
  })

  it('keeps no SSH secret for "ask every time", a removed tunnel or a deleted profile', async () => {
    const { context, dir } = await typedApi()
    const input = {
      name: 'p',
      driver: 'postgres' as const,
      database: 'd',
      passwordMode: 'stored' as const,
      ssh,
      sshPassword: 'ssh-secret-4',
      ...base,
    }
    const file = join(dir, 'secrets.enc.json')
    const secretKeys = () => (existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries) : [])
    const asking = await context.profiles.save({ ...input, passwordMode: 'ask' })
    expect(await context.profiles.view(asking)).toMatchObject({ hasSshPassword: false })
    expect(secretKeys()).toEqual([])

    const stored = await context.profiles.save({ ...input, id: asking.id })
    expect(secretKeys()).toEqual([sshSecretKeys(stored.id).password])
    const withoutTunnel = await context.profiles.save({
      ...input,
      id: asking.id,
      ssh: undefined,
      sshPassword: undefined,
    })
    expect(withoutTunnel.ssh).toBeUndefined()
    expect(secretKeys()).toEqual([])

    const again = await context.profiles.save({ ...input, id: asking.id })
    expect(secretKeys()).toHaveLength(1)
    await context.profiles.delete(again.id)
    expect(secretKeys()).toEqual([])
  })

  it('exports the SSH section without secrets and imports it back', async () => {
    const { dispatch } = await typedApi()
    await dispatch('profiles.save', {
      name: 'Shared',
      driver: 'mysql',
      host: 'db.internal',
      database: 'shop',
      passwordMode: 'stored',
      password: 'db-secret-5',
      ssh: { ...ssh, jump: 'ops@jump:2200', strictHostKey: 'accept-new' },
      sshPassword: 'ssh-secret-6',
      sshPassphrase: 'key-secret-7',
      ssl: { mode: 'require' },
    })
    const exported = await dispatch('profiles.export', undefined)
    expect(exported.ok).toBe(true)
    if (!exported.ok) return
    const document = exported.value.document
    expect(document).not.toMatch(/secret-\d/)
    expect(document).toContain('bastion.example.com')
    expect(document).toContain('ops@jump:2200')

    // A hand-edited file with secrets: they are dropped, not stored (and refused inside the ssh section).
    const parsed = parse(document) as { profiles: Array<Record<string, unknown>> }
    parsed.profiles[0].sshPassword = 'nope-1'
    parsed.profiles[0].sshPassphrase = 'nope-2'
    const tampered = stringify(parsed)
    const inside = stringify({ ...parsed, profiles: [{ ...parsed.profiles[0], ssh: { ...ssh, password: 'nope-3' } }] })
    const refused = await dispatch('profiles.import', { document: inside })
    expect(!refused.ok && refused.error.code).toBe('PROFILE_INVALID')
    const imported = await dispatch('profiles.import', { document: tampered })
    expect(imported.ok).toBe(true)
    if (!imported.ok) return
    expect(imported.value.imported[0]).toMatchObject({
      ssh: { ...ssh, jump: 'ops@jump:2200', strictHostKey: 'accept-new' },
      passwordMode: 'ask',
      hasSshPassword: false,
      hasSshPassphrase: false,
    })
  })
})

describe('SSH profiles: import from migr8.yaml', () => {
  it('takes the ssh section, its passphrase to the secret store, and the TLS files', async () => {
    const { dispatch } = await typedApi()
    const project = tempDir('migr8-ssh-yaml-')
    writeFileSync(
      join(project, 'migr8.yaml'),
      [
        'database:',
        '  driver: postgres',
        '  host: db.internal',
        '  name: app',
        '  user: migr8',
        '  password: db-secret-9',
        '  ssl: { mode: verify-full, ca: ./certs/ca.pem, cert: ./certs/client.crt, key: ./certs/client.key }',
        '  ssh:',
        '    host: bastion.example.com',
        '    user: deploy',
        '    identityFile: ./keys/id_ed25519',
        '    passphrase: key-secret-8',
        '    jump: ops@jump',
        '    strictHostKey: accept-new',
        '',
      ].join('\n'),
    )
    const imported = await dispatch('profiles.importYaml', { path: join(project, 'migr8.yaml') })
    if (!imported.ok) throw new Error(imported.error.message)
    const view = imported.value
    expect(view.ssh).toMatchObject({
      host: 'bastion.example.com',
      user: 'deploy',
      identityFile: join(project, 'keys', 'id_ed25519'),
      jump: 'ops@jump',
      strictHostKey: 'accept-new',
    })
    expect(view.ssl).toMatchObject({ mode: 'verify-full', cert: join(project, 'certs', 'client.crt') })
    expect(view).toMatchObject({ hasSshPassphrase: true, hasSshPassword: false })
    expect(JSON.stringify(view)).not.toMatch(/secret-[89]/)
  })
})

const skip = missing(['/usr/sbin/sshd', '/usr/bin/ssh-keygen'], 'SSH profile tests')
const dialects = (skip ? [] : await availableDialects(['postgres', 'mysql'])) as Array<'postgres' | 'mysql'>

describe.skipIf(!!skip || dialects.length === 0)('SSH profiles: Test connection through a real sshd', () => {
  let sshd: Sshd
  beforeAll(async () => {
    sshd = await startSshd(['127.0.0.1:5432', '127.0.0.1:3306'])
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  const profileInput = (driver: 'postgres' | 'mysql', extra: Record<string, unknown> = {}) => {
    const server = SERVER_DEFAULTS[driver]
    return {
      name: `${driver} via bastion`,
      driver,
      host: server.host,
      port: server.port,
      database: driver === 'postgres' ? 'postgres' : 'mysql',
      user: server.user,
      password: server.password,
      passwordMode: 'stored' as const,
      ssl: { mode: 'disable' as const },
      ssh: {
        host: '127.0.0.1',
        port: sshd.port,
        user: 'root',
        identityFile: sshd.encryptedKey,
        knownHosts: sshd.knownHosts,
        strictHostKey: 'yes' as const,
      },
      sshPassphrase: sshd.passphrase,
      ...extra,
    }
  }

  it.each(dialects)('%s: every hop ok, with the stored key passphrase', async (driver) => {
    const { dispatch } = await typedApi()
    const saved = await dispatch('profiles.save', profileInput(driver))
    expect(saved.ok).toBe(true)
    if (!saved.ok) return
    expect(saved.value.hasSshPassphrase).toBe(true)
    const result = await dispatch('profiles.test', { id: saved.value.id })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const tested = result.value
    expect(tested.ok).toBe(true)
    if (!tested.ok) return
    expect(tested.version).toMatch(driver === 'postgres' ? /PostgreSQL/ : /MariaDB|MySQL/i)
    const statuses = Object.fromEntries(tested.hops.map((hop) => [hop.hop, hop.status]))
    expect(statuses).toMatchObject({
      'ssh-reachable': 'ok',
      'ssh-authenticated': 'ok',
      'ssh-forward': 'ok',
      authenticated: 'ok',
      server: 'ok',
    })
    expect(tested.hops.find((hop) => hop.hop === 'ssh-authenticated')?.detail).toContain('root')
    expect(JSON.stringify(tested)).not.toContain(sshd.passphrase)
  })

  it('names the failed hop and its remedy: a key the server does not accept', async () => {
    const driver = dialects[0]
    const dir = tempDir('migr8-ssh-wrong-key-')
    const wrongKey = join(dir, 'wrong_key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey])
    const { dispatch } = await typedApi()
    const result = await dispatch('profiles.test', {
      draft: profileInput(driver, {
        ssh: { ...profileInput(driver).ssh, identityFile: wrongKey },
        sshPassphrase: undefined,
      }),
    })
    expect(result.ok).toBe(true)
    if (!result.ok || result.value.ok) throw new Error('expected a failed test')
    const failed = result.value
    expect(failed.failedHop).toBe('ssh-authenticated')
    expect(failed.error.code).toBe('AUTH_FAILED')
    expect(failed.error.remedy).not.toBe('')
    const hop = failed.hops.find((candidate) => candidate.status === 'failed')
    expect(hop).toMatchObject({ hop: 'ssh-authenticated', error: { code: 'AUTH_FAILED' } })
    expect(failed.hops.find((candidate) => candidate.hop === 'ssh-reachable')?.status).toBe('ok')
    expect(
      failed.hops.filter((candidate) => candidate.status === 'skipped').map((candidate) => candidate.hop),
    ).toContain('server')
  })

  it('an unknown host key: the fingerprint to confirm, then "Trust and connect" records it', async () => {
    const driver = dialects[0]
    const knownHosts = join(tempDir('migr8-ssh-known-'), 'known_hosts')
    writeFileSync(knownHosts, '')
    const { dispatch } = await typedApi()
    const saved = await dispatch(
      'profiles.save',
      profileInput(driver, { ssh: { ...profileInput(driver).ssh, knownHosts } }),
    )
    if (!saved.ok) throw new Error(saved.error.message)
    const first = await dispatch('profiles.test', { id: saved.value.id })
    if (!first.ok || first.value.ok) throw new Error('expected a host key question')
    expect(first.value.failedHop).toBe('ssh-reachable')
    expect(first.value.error.code).toBe('CONFIRMATION_REQUIRED')
    expect(first.value.error.details).toMatchObject({ fingerprint: sshd.hostKeyFingerprint, knownHosts })

    const trusted = await dispatch('profiles.test', { id: saved.value.id, acceptHostKeys: [sshd.hostKeyFingerprint] })
    expect(trusted.ok && trusted.value.ok).toBe(true)
    expect(readFileSync(knownHosts, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519`)
  })
})
