import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HandlerTable } from './context.js'
import { listSeeds, previewSeed, runSeeds, seedDir } from '../seed/index.js'
import { sourceForFile } from '../seed/sources.js'
import { configFor, refuseReadOnly, safetyBackup, withProfile } from './profile-config.js'

type Channels = 'seeds.list' | 'seeds.upload' | 'seeds.preview' | 'seeds.run'

export const seedHandlers: Pick<HandlerTable, Channels> = {
  async 'seeds.list'({ profileId }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    const profile = context.profiles.get(profileId)
    return { dir: seedDir(config), seeds: profile.folders.seeds ? listSeeds(config) : [] }
  },

  async 'seeds.upload'({ profileId, name, text }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    const dir = join(context.dataDir, 'uploads', profileId)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = join(dir, name)
    writeFileSync(file, text, { mode: 0o600 })
    return sourceForFile(file, config.seeds)
  },

  async 'seeds.preview'({ profileId, password, file, rows, table, delimiter, nullValues }, context) {
    return withProfile(context, profileId, password, async ({ adapter, config }) => {
      const started = performance.now()
      const path = resolveSeed(config, file)
      const preview = await previewSeed(adapter, path, {
        rows: rows ?? 200,
        table: table || undefined,
        delimiter: delimiter || undefined,
        nullValues,
        seeds: config.seeds,
      })
      return { ...preview, previewMs: Math.round(performance.now() - started) }
    })
  },

  async 'seeds.run'({ profileId, password, files, truncate, delimiter, nullValues }, context) {
    const profile = context.profiles.get(profileId)
    refuseReadOnly(profile, 'seeding')
    const title = `Seed ${files?.length === 1 ? files[0].split(/[\\/]/).pop() : 'all files'} · ${profile.name}`
    return context.jobs.start('seeds.run', title, (signal, progress, log) =>
      withProfile(
        context,
        profileId,
        password,
        async (opened) => {
          const ctx = { signal, onProgress: progress, onLog: log }
          const safetyBackupId = truncate ? await safetyBackup(opened, 'seed with truncate', ctx) : undefined
          const config = {
            ...opened.config,
            seeds: {
              ...opened.config.seeds,
              ...(delimiter ? { delimiter } : {}),
              ...(nullValues ? { nullValues } : {}),
            },
          }
          const reports = await runSeeds(opened.adapter, config, { files, truncate: truncate ?? false }, ctx)
          return { reports, safetyBackupId }
        },
        signal,
      ),
    )
  },
}

/** A file of the seed folder by name, or an absolute path (an uploaded file). */
function resolveSeed(config: { baseDir: string; seeds: { dir: string } }, file: string): string {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? file : join(seedDir(config as never), file)
}
