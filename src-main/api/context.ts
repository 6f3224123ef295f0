import type { Channel, Output, ParsedInput } from '../../src-shared/contract.js'
import type { JobRunner } from '../jobs/index.js'
import type { ProfileStore } from '../profiles/store.js'

/** What every handler may use; built once by the Electron main process or the web server. */
export interface ApiContext {
  mode: 'electron' | 'web'
  version: string
  dataDir: string
  /** The folder holding examples/ (the repository, or the packaged app's resources). */
  appRoot: string
  profiles: ProfileStore
  jobs: JobRunner
  /** Opens an http(s) link in the user's browser (Electron only; the web renderer opens links itself). */
  openExternal?: (url: string) => Promise<boolean>
  /** The OS shell (Electron): show a file in the file manager, open a file in its default app. */
  platform?: { reveal(path: string): Promise<boolean>; openPath(path: string): Promise<boolean> }
}

export type Handler<K extends Channel> = (input: ParsedInput<K>, context: ApiContext) => Promise<Output<K>>

/** One handler per channel: TypeScript refuses a table that misses a call or gets a type wrong. */
export type HandlerTable = { [K in Channel]: Handler<K> }
