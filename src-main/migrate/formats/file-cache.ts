import { hash } from 'node:crypto'
import { readFileSync, statSync, type Stats } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { writeFileAtomic } from '../../profiles/atomic.js'

/**
 * What Migr8 learnt from each migration file (its checksum, its format), remembered between runs
 * beside the file's identity, so that `migrate status` on 10,000 files stats them instead of
 * reading and hashing them. The same idea as git's index: a file whose size, mtime, ctime and inode
 * are unchanged is not read again.
 *
 * A file changed twice within one tick of the file system clock keeps its timestamps, so a file
 * is only remembered once its timestamps are well in the past at the start of the scan (git calls
 * the other ones "racily clean"): any later write gives it a later ctime, which no user can set back.
 */
/** Bump whenever what is remembered, or how it is computed (format detection, checksums), changes. */
const VERSION = 1
/** How old a file's timestamps must be before it is remembered. */
const SETTLED_MS = 2000

type Identity = [size: number, mtimeMs: number, ctimeMs: number, ino: number]
type Entry<T> = [...Identity, value: T]

interface CacheFile {
  version: number
  folder: string
  entries: Record<string, Entry<unknown>>
}

/** `$MIGR8_HOME/cache`, else `$XDG_CACHE_HOME/migr8`, else `~/.cache/migr8`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MIGR8_HOME) return join(resolve(env.MIGR8_HOME), 'cache')
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), 'migr8')
  return join(homedir(), '.cache', 'migr8')
}

function identity(stats: Stats): Identity {
  return [stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino]
}

function sameIdentity(entry: Entry<unknown>, stats: Stats): boolean {
  return entry[0] === stats.size && entry[1] === stats.mtimeMs && entry[2] === stats.ctimeMs && entry[3] === stats.ino
}

/**
 * One migrations folder's remembered files. Best effort throughout: a cache that cannot be read is
 * empty, one that cannot be written is skipped; either way the files are simply read.
 */
export class FileFactsCache {
  private readonly file: string
  private readonly folder: string
  private readonly previous: Record<string, Entry<unknown>>
  private readonly next: Record<string, Entry<unknown>> = {}
  private changed = false

  /** `scanStart`: when the scan began (tests move it to make fresh files count as settled). */
  constructor(
    folder: string,
    dir: string = cacheDir(),
    private readonly scanStart = Date.now(),
  ) {
    this.folder = resolve(folder)
    this.file = join(dir, `files-${hash('sha256', this.folder, 'hex').slice(0, 24)}.json`)
    this.previous = this.load()
  }

  private load(): Record<string, Entry<unknown>> {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile
      if (parsed.version === VERSION && parsed.folder === this.folder && parsed.entries) return parsed.entries
    } catch {
      // Missing, unreadable or torn by a crash: start empty.
    }
    return {}
  }

  /**
   * The facts of `name` (a file of the folder at `path`): remembered ones while the file is
   * unchanged, else `compute()`'s, remembered for next time once the file has settled.
   */
  facts<T>(name: string, path: string, compute: () => T): T {
    const stats = statSync(path)
    const known = this.previous[name]
    if (known && sameIdentity(known, stats)) {
      this.next[name] = known
      return known[4] as T
    }
    const value = compute()
    if (Math.max(stats.mtimeMs, stats.ctimeMs) < this.scanStart - SETTLED_MS) {
      this.next[name] = [...identity(stats), value]
      this.changed = true
    }
    return value
  }

  /** Writes what this scan learnt, if anything. */
  save(): void {
    const dropped = Object.keys(this.previous).some((name) => !(name in this.next))
    if (!this.changed && !dropped) return
    const contents: CacheFile = { version: VERSION, folder: this.folder, entries: this.next }
    try {
      // Atomic: concurrent runs each leave a whole file.
      writeFileAtomic(this.file, JSON.stringify(contents))
    } catch {
      // A read-only home or a full disk costs the next run its speed, nothing else.
    }
  }
}
