import { toErrorPayload } from '../../src-shared/errors.js'
import type { ProfileTestResultT } from '../../src-shared/contract.js'
import { openAdapter } from '../db/index.js'
import { exportProfiles, parseProfileDocument, profileFromConfigFile } from '../profiles/share.js'
import type { ProfileStore, StoredProfile } from '../profiles/store.js'
import type { HandlerTable } from './context.js'

/** Connects, asks the server its version and the round-trip time, and reports any failure in plain English. */
export async function testConnection(
  store: ProfileStore,
  profile: StoredProfile,
  password?: string,
  signal?: AbortSignal,
): Promise<ProfileTestResultT> {
  const testedAt = new Date().toISOString()
  try {
    const connection = store.connectionFor(profile, password ?? (await store.passwordFor(profile)))
    const adapter = await openAdapter(connection, { signal })
    try {
      const info = await adapter.ping()
      return { ok: true, version: info.version, latencyMs: Math.round(info.latencyMs * 10) / 10, testedAt }
    } finally {
      await adapter.close()
    }
  } catch (error) {
    const { details: _details, ...payload } = toErrorPayload(error)
    return { ok: false, error: payload, testedAt }
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
    if ('id' in input) return testConnection(profiles, profiles.get(input.id), input.password)
    const existing = input.draft.id ? profiles.get(input.draft.id) : undefined
    const { profile, password } = profiles.build(input.draft, existing)
    // Editing a saved profile without retyping its password: test with the stored one.
    return testConnection(profiles, profile, password ?? (existing ? await profiles.passwordFor(existing) : undefined))
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
        const result = await testConnection(profiles, profile, undefined, signal)
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
    if (input.passwordMode === 'stored' && !(await profiles.secrets.status()).available) input.passwordMode = 'ask'
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
