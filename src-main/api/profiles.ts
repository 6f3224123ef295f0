import { toErrorPayload } from '../../src-shared/errors.js'
import type { ProfileTestResultT } from '../../src-shared/contract.js'
import { diagnoseConnection } from '../db/diagnose.js'
import { exportProfiles, parseProfileDocument, profileFromConfigFile } from '../profiles/share.js'
import type { ProfileStore, SshSecrets, StoredProfile } from '../profiles/store.js'
import type { HandlerTable } from './context.js'

export interface TestSecrets {
  /** Typed now (ask every time, or a draft); absent: the stored one. */
  password?: string
  sshPassword?: string
  sshPassphrase?: string
}

/**
 * "Test connection", hop by hop (SSH host reachable and authenticated, forward, TLS, authentication,
 * server): the version and round-trip time, or the hop that failed with its error and remedy. An unknown
 * SSH host key fails with CONFIRMATION_REQUIRED whose details carry the fingerprint; the renderer retests
 * with `acceptHostKeys: [fingerprint]` once the user trusts it.
 */
export async function testConnection(
  store: ProfileStore,
  profile: StoredProfile,
  secrets: TestSecrets = {},
  options: {
    signal?: AbortSignal
    acceptHostKeys?: readonly string[]
    /** A draft: the password is as given, the SSH secrets not typed come from this saved profile (null: none). */
    draftOf?: StoredProfile | null
  } = {},
): Promise<ProfileTestResultT> {
  const testedAt = new Date().toISOString()
  try {
    const draft = options.draftOf !== undefined
    const stored: SshSecrets = draft
      ? options.draftOf
        ? await store.sshSecretsFor(options.draftOf)
        : {}
      : await store.sshSecretsFor(profile)
    const password = draft ? secrets.password : (secrets.password ?? (await store.passwordFor(profile)))
    const connection = store.connectionFor(profile, password, {
      password: secrets.sshPassword || stored.password,
      passphrase: secrets.sshPassphrase || stored.passphrase,
    })
    const result = await diagnoseConnection(connection, {
      signal: options.signal,
      acceptHostKeys: options.acceptHostKeys,
    })
    if (result.ok) {
      return {
        ok: true,
        version: result.version ?? '?',
        latencyMs: Math.round((result.latencyMs ?? 0) * 10) / 10,
        hops: result.hops,
        tls: result.tls,
        testedAt,
      }
    }
    const error = result.error ?? toErrorPayload(new Error('The connection test failed without a reason.'))
    return { ok: false, error, failedHop: result.failedHop, hops: result.hops, testedAt }
  } catch (error) {
    const { details: _details, ...payload } = toErrorPayload(error)
    return { ok: false, error: payload, hops: [], testedAt }
  }
}

export const profileHandlers: Pick<
  HandlerTable,
  | 'profiles.list'
  | 'profiles.get'
  | 'profiles.save'
  | 'profiles.delete'
  | 'profiles.test'
  | 'profiles.testAll'
  | 'profiles.importYaml'
  | 'profiles.export'
  | 'profiles.import'
> = {
  async 'profiles.list'(_input, { profiles }) {
    return Promise.all(profiles.list().map((profile) => profiles.view(profile)))
  },

  async 'profiles.get'({ id }, { profiles }) {
    return profiles.view(profiles.get(id))
  },

  async 'profiles.save'(input, { profiles }) {
    return profiles.view(await profiles.save(input))
  },

  async 'profiles.delete'({ id }, { profiles }) {
    return { deleted: await profiles.delete(id) }
  },

  async 'profiles.test'(input, { profiles }) {
    const acceptHostKeys = input.acceptHostKeys
    if ('id' in input) {
      const { password, sshPassword, sshPassphrase } = input
      return testConnection(
        profiles,
        profiles.get(input.id),
        { password, sshPassword, sshPassphrase },
        { acceptHostKeys },
      )
    }
    const existing = input.draft.id ? profiles.get(input.draft.id) : undefined
    const { profile, password } = profiles.build(input.draft, existing)
    // Editing a saved profile without retyping its secrets: test with the stored ones (unless told to forget them).
    const secrets = { password, sshPassword: input.draft.sshPassword, sshPassphrase: input.draft.sshPassphrase }
    if (password === undefined && existing && !input.draft.clearPassword)
      secrets.password = await profiles.passwordFor(existing)
    const draftOf = existing && !input.draft.clearSshSecrets ? existing : null
    return testConnection(profiles, profile, secrets, { acceptHostKeys, draftOf })
  },

  async 'profiles.testAll'(_input, { profiles, jobs }) {
    return jobs.start('profiles.testAll', 'Test all connections', async (signal, progress, log) => {
      const all = profiles.list()
      const results: Array<{ id: string; name: string; ok: boolean; code?: string }> = []
      for (const [index, profile] of all.entries()) {
        if (signal.aborted) break
        progress({ phase: 'testing', done: index, total: all.length, message: profile.name })
        if (profile.passwordMode === 'ask') {
          log('warn', `${profile.name}: skipped (asks for its password each time)`)
          continue
        }
        const result = await testConnection(profiles, profile, {}, { signal })
        results.push({
          id: profile.id,
          name: profile.name,
          ok: result.ok,
          code: result.ok ? undefined : result.error.code,
        })
        log(
          result.ok ? 'info' : 'error',
          result.ok
            ? `${profile.name}: ${result.version} in ${result.latencyMs} ms`
            : `${profile.name}: ${result.error.message}`,
        )
      }
      progress({ phase: 'done', done: all.length, total: all.length })
      return results
    })
  },

  async 'profiles.importYaml'({ path, name }, { profiles }) {
    const input = profileFromConfigFile(path, name)
    if (!(await profiles.secrets.status()).available) {
      if (input.passwordMode === 'stored') input.passwordMode = 'ask'
      // Nowhere safe to keep them: SSH secrets are typed when asked, like the password.
      if (input.passwordMode === 'none' && (input.sshPassword || input.sshPassphrase)) input.passwordMode = 'ask'
    }
    return profiles.view(await profiles.save(input))
  },

  async 'profiles.export'(input, { profiles }) {
    const ids = input?.ids
    const chosen = profiles.list().filter((profile) => !profile.demo && (!ids || ids.includes(profile.id)))
    return { document: exportProfiles(chosen), count: chosen.length }
  },

  async 'profiles.import'({ document }, { profiles }) {
    const imported = []
    for (const input of parseProfileDocument(document)) imported.push(await profiles.view(await profiles.save(input)))
    return { imported }
  },
}
