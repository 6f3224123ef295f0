import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import type { ApiContext } from './context.js'
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

  async 'seeds.upload'({ profileId, name, text, append }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    const dir = uploadDir(context, profileId)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = join(dir, name)
    if (append) appendFileSync(file, text)
    else writeFileSync(file, text, { mode: 0o600 })
    return sourceForFile(file, config.seeds)
  },

  async 'seeds.preview'({ profileId, password, file, rows, table, delimiter, nullValues }, context) {
    return withProfile(context, profileId, password, async ({ adapter, config }) => {
      const started = performance.now()
      const path = resolveSeed(context, profileId, config, file)
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
          const paths = files?.map((file) => resolveSeed(context, profileId, config, file))
          const reports = await runSeeds(opened.adapter, config, { files: paths, truncate: truncate ?? false }, ctx)
          return { reports, safetyBackupId }
        },
        signal,
      ),
    )
  },
}

function uploadDir(context: ApiContext, profileId: string): string {
  return join(context.dataDir, 'uploads', profileId)
}

/**
 * A file of the profile's seed folder (by name or path) or one uploaded for this profile; nothing else, so
 * the window cannot read arbitrary files through a preview.
 */
function resolveSeed(
  context: ApiContext,
  profileId: string,
  config: Parameters<typeof seedDir>[0],
  file: string,
): string {
  const folders = [seedDir(config), uploadDir(context, profileId)]
  const path = isAbsolute(file) ? resolve(file) : resolve(folders[0], file)
  const inside = folders.some((folder) => {
    const rel = relative(folder, path)
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  })
  if (!inside)
    throw new Migr8Error(
      'PATH_INVALID',
      `${file} is not in the profile's seeds folder.`,
      'Put the file in the seeds folder, or drop it on the Seeds tab to upload it.',
    )
  return path
}
