import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { JobRunner } from '../jobs/index.js'
import { ensureDemoProfile } from '../profiles/demo.js'
import type { SecretStore } from '../profiles/secrets.js'
import { ProfileStore } from '../profiles/store.js'
import type { ApiContext } from './context.js'

export interface ApiContextOptions {
  mode: ApiContext['mode']
  dataDir: string
  appRoot: string
  secrets: SecretStore
  version?: string
  openExternal?: ApiContext['openExternal']
  platform?: ApiContext['platform']
  /** Add the SQLite demo profile on first start (default true). */
  demo?: boolean
}

function packageVersion(appRoot: string): string {
  const file = join(appRoot, 'package.json')
  if (!existsSync(file)) return '0.0.0'
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** Everything the handlers need, the same for the Electron window and the web server. */
export async function createApiContext(options: ApiContextOptions): Promise<ApiContext> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const profiles = new ProfileStore(options.dataDir, options.secrets)
  if (options.demo !== false) await ensureDemoProfile(profiles, options.appRoot)
  return {
    mode: options.mode,
    version: options.version ?? packageVersion(options.appRoot),
    dataDir: options.dataDir,
    appRoot: options.appRoot,
    profiles,
    jobs: new JobRunner(),
    openExternal: options.openExternal,
    platform: options.platform,
  }
}
