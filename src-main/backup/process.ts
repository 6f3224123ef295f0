import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { Migr8Error, cancelled, type ErrorCode } from '../../src-shared/errors.js'
import type { Tool } from './tools.js'

/** A running external tool whose exit is awaited separately from its streams. */
export interface RunningTool {
  child: ChildProcess
  /** Resolves when the tool exits with 0; rejects with a typed error otherwise. */
  exited: Promise<void>
  /** Last lines the tool wrote on stderr. */
  stderr(): string
  kill(): void
}

export interface SpawnToolOptions {
  env: NodeJS.ProcessEnv
  /**
   * A Readable backed by a pipe (another tool's stdout) is handed over as the child's stdin; a
   * number is an open file descriptor it reads.
   */
  stdin?: 'pipe' | 'ignore' | Readable | number
  /** A number is an open file descriptor the tool writes into directly (as `tool > file` does). */
  stdout?: 'pipe' | 'ignore' | number
  signal?: AbortSignal
  /** Error code when the tool fails (BACKUP_FAILED, RESTORE_FAILED, BACKUP_CORRUPT). */
  failure: ErrorCode
  /** What the tool was doing, for the message: "pg_dump of shop". */
  what: string
  remedy: string
  /**
   * Run the tool in a process group of its own and treat the group as the tool: `kill` signals every
   * process in it and `exited` settles only once they are all gone. For tools that fork workers
   * (pg_dump -j), which a kill of the leader alone (SIGKILL is not forwarded) would leave running.
   */
  processGroup?: boolean
}

/** How long a tool's group may take to end after its leader exited before Migr8 stops waiting. */
const GROUP_EXIT_WAIT_MS = 5_000

const STDERR_KEEP = 8 * 1024

/** Spawns a tool with its arguments (never a shell), keeps the tail of stderr, kills it on abort. */
export function spawnTool(tool: Tool, args: string[], options: SpawnToolOptions): RunningTool {
  // Windows has no process groups to signal; there the leader alone is killed.
  const group = !!options.processGroup && process.platform !== 'win32'
  const child = spawn(tool.path, args, {
    env: options.env,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
    windowsHide: true,
    detached: group,
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP)
  })
  let killed = false
  const kill = () => {
    if (group) {
      // The leader may be gone while its workers still run: signal the group whatever the leader did.
      if (killed) return
      killed = true
      signalGroup(child, 'SIGTERM')
      setTimeout(() => signalGroup(child, 'SIGKILL'), 2_000).unref()
      return
    }
    if (killed || child.exitCode !== null || child.signalCode !== null) return
    killed = true
    child.kill('SIGTERM')
    // A tool stuck in a write to a full pipe may ignore TERM until drained; make sure it ends.
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 2_000).unref()
  }
  const onAbort = () => kill()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort)
      reject(
        error.code === 'ENOENT'
          ? new Migr8Error(
              'TOOL_MISSING',
              `${tool.path} could not be started.`,
              `Check that ${tool.name} is installed.`,
              undefined,
              error,
            )
          : new Migr8Error(
              options.failure,
              `${tool.name} could not be started: ${error.message}.`,
              options.remedy,
              undefined,
              error,
            ),
      )
    })
    // Workers share the leader's stderr, so 'close' waits for them: stop them as soon as the leader fails.
    if (group) child.once('exit', (code) => code !== 0 && signalGroup(child, 'SIGKILL'))
    child.once('close', async (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort)
      if (group && (code !== 0 || options.signal?.aborted)) {
        signalGroup(child, 'SIGKILL')
        await groupGone(child)
      }
      if (options.signal?.aborted) return reject(cancelled())
      if (code === 0) return resolve()
      const tail = lastLines(stderr)
      reject(
        toolError(tool, tail, options, signal ? `was killed by ${signal}` : `exited with code ${code}`, {
          exitCode: code,
          signal,
          stderr: tail,
        }),
      )
    })
  })
  // The exit promise is always awaited by the caller, but maybe after a stream error; avoid an unhandled rejection.
  exited.catch(() => undefined)
  return { child, exited, stderr: () => lastLines(stderr), kill }
}

/** Signals every process of the child's group; a group already gone is fine. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/**
 * Whether a process of the group is still alive. On Linux, zombies do not count: killed workers
 * whose leader is gone are reaped by init, which in some containers takes seconds, yet they are
 * already dead and write nothing.
 */
async function groupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0)
  } catch {
    return false
  }
  if (process.platform !== 'linux') return true
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name))
  for (const pid of pids) {
    // /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(group) === pgid && state !== 'Z') return true
  }
  return false
}

/** Waits (bounded) until no process of the child's group is left, e.g. workers the leader forked. */
async function groupGone(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return
  const deadline = performance.now() + GROUP_EXIT_WAIT_MS
  while (performance.now() < deadline && (await groupAlive(child.pid))) {
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

function lastLines(text: string, count = 12): string {
  return text.trim().split('\n').slice(-count).join('\n')
}

/** What dump and client tools print when the server goes away under them. */
const CONNECTION_LOST_PATTERN =
  /server closed the connection|terminating connection|Lost connection to (MySQL|MariaDB|server)|could not connect to server|Can't connect to/i

function toolError(
  tool: Tool,
  tail: string,
  options: SpawnToolOptions,
  how: string,
  details: Record<string, unknown>,
): Migr8Error {
  if (/password authentication failed|Access denied for user/i.test(tail)) {
    return new Migr8Error(
      'AUTH_FAILED',
      `${tool.name} could not log in: ${tail.split('\n').pop()}`,
      'Check the user and password of this profile.',
      details,
    )
  }
  if (/server version mismatch|aborting because of server version mismatch/i.test(tail)) {
    return new Migr8Error(
      'TOOL_MISSING',
      `${tool.name} ${tool.version} is older than the server: ${tail.split('\n').pop()}`,
      `Install ${tool.name} of the same or a newer major version than the server (or put it first on PATH / in MIGR8_TOOLS_DIR).`,
      details,
    )
  }
  const lostLine = tail.split('\n').find((line) => CONNECTION_LOST_PATTERN.test(line))
  if (lostLine) {
    return new Migr8Error(
      'CONNECTION_LOST',
      `${options.what}: the connection to the database server was lost (${lostLine.trim()}).`,
      'Check the server is running (it may have restarted) and run the command again; nothing was kept from this attempt.',
      details,
    )
  }
  if (/No space left on device|disk full|errno:? 28/i.test(tail)) {
    return new Migr8Error(
      'DISK_FULL',
      `${options.what}: the disk is full (${tail.split('\n').pop()}).`,
      'Free some space and run again.',
      details,
    )
  }
  const summary = tail ? `:\n${tail}` : '.'
  return new Migr8Error(
    options.failure,
    `${options.what} failed (${tool.name} ${how})${summary}`,
    options.remedy,
    details,
  )
}
