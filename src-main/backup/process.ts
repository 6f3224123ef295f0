import { spawn, type ChildProcess } from 'node:child_process'
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
  /** A Readable backed by a pipe (another tool's stdout) is handed over as the child's stdin. */
  stdin?: 'pipe' | 'ignore' | Readable
  stdout?: 'pipe' | 'ignore'
  signal?: AbortSignal
  /** Error code when the tool fails (BACKUP_FAILED, RESTORE_FAILED, BACKUP_CORRUPT). */
  failure: ErrorCode
  /** What the tool was doing, for the message: "pg_dump of shop". */
  what: string
  remedy: string
}

const STDERR_KEEP = 8 * 1024

/** Spawns a tool with its arguments (never a shell), keeps the tail of stderr, kills it on abort. */
export function spawnTool(tool: Tool, args: string[], options: SpawnToolOptions): RunningTool {
  const child = spawn(tool.path, args, {
    env: options.env,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
    windowsHide: true,
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP)
  })
  let killed = false
  const kill = () => {
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
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort)
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
  if (/No space left on device|disk full|errno: 28/i.test(tail)) {
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
