/**
 * The handlers in another process or thread. In the desktop app the engines run in an Electron
 * utility process so that CPU-heavy work (parsing, checksums, CSV) never blocks the main process
 * that moves windows and answers IPC. This module is the wire between the two, over any
 * message channel (Electron's parentPort/UtilityProcess, worker_threads ports):
 *
 *   main ──call──▶ host        host ──result/event──▶ main
 *   host ──req (secrets, openExternal)──▶ main ──res──▶ host
 *
 * The OS keychain (safeStorage) and shell.openExternal exist only in the main process, so the host
 * reaches them through `req`. Nothing here imports electron.
 */
import { Migr8Error, toErrorPayload, type ErrorPayload } from '../../src-shared/errors.js'
import type { CallResult, JobEventT } from '../../src-shared/contract.js'
import type { SecretStore, SecretStoreStatus } from '../profiles/secrets.js'
import type { Dispatch } from './dispatch.js'

export interface MessageChannelLike {
  post(message: unknown): void
  onMessage(listener: (message: unknown) => void): () => void
}

type Message =
  | { t: 'call'; id: number; channel: unknown; input: unknown }
  | { t: 'result'; id: number; result: CallResult }
  | { t: 'event'; event: JobEventT }
  | { t: 'req'; id: number; op: RequestOp; args: unknown[] }
  | { t: 'res'; id: number; ok: true; value: unknown }
  | { t: 'res'; id: number; ok: false; error: ErrorPayload }

export type RequestOp =
  | 'secrets.status'
  | 'secrets.has'
  | 'secrets.get'
  | 'secrets.set'
  | 'secrets.delete'
  | 'secrets.unlock'
  | 'secrets.lock'
  | 'openExternal'
  | 'reveal'
  | 'openPath'

function isMessage(value: unknown): value is Message {
  return !!value && typeof value === 'object' && typeof (value as { t?: unknown }).t === 'string'
}

const stopped = (): CallResult => ({
  ok: false,
  error: {
    code: 'INTERNAL',
    message: 'The engine process stopped before answering.',
    remedy: 'Try again; it restarts on the next call.',
  },
})

/** Host side: answers calls with the real dispatcher and forwards every job event. */
export function serveApi(
  channel: MessageChannelLike,
  dispatch: Dispatch,
  events: { subscribe(listener: (event: JobEventT) => void): () => void },
): () => void {
  const unsubscribe = events.subscribe((event) => channel.post({ t: 'event', event } satisfies Message))
  const stop = channel.onMessage((message) => {
    if (!isMessage(message) || message.t !== 'call') return
    void dispatch(message.channel, message.input).then((result) =>
      channel.post({ t: 'result', id: message.id, result } satisfies Message),
    )
  })
  return () => {
    unsubscribe()
    stop()
  }
}

/** Main side: a dispatcher and an event source that talk to a host. */
export function connectApi(channel: MessageChannelLike) {
  let nextId = 1
  const pending = new Map<number, (result: CallResult) => void>()
  const listeners = new Set<(event: JobEventT) => void>()
  const stop = channel.onMessage((message) => {
    if (!isMessage(message)) return
    if (message.t === 'result') {
      pending.get(message.id)?.(message.result)
      pending.delete(message.id)
    } else if (message.t === 'event') {
      for (const listener of listeners) listener(message.event)
    }
  })
  let closed = false
  const dispatch: Dispatch = (channelName, input) =>
    new Promise<CallResult>((resolve) => {
      if (closed) return resolve(stopped())
      const id = nextId++
      pending.set(id, resolve)
      try {
        channel.post({ t: 'call', id, channel: channelName, input } satisfies Message)
      } catch (error) {
        pending.delete(id)
        resolve({ ok: false, error: toErrorPayload(error) })
      }
    })
  return {
    dispatch,
    events: {
      subscribe(listener: (event: JobEventT) => void) {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    },
    /** Answers every pending call with an error (the host exited). */
    failPending(): void {
      for (const resolve of pending.values()) resolve(stopped())
      pending.clear()
    },
    /** Stops listening; calls made afterwards (and any still pending) get an error at once. */
    close(): void {
      closed = true
      stop()
      for (const resolve of pending.values()) resolve(stopped())
      pending.clear()
    },
  }
}

/** Main side: serves the host's requests for the keychain and for opening links. */
export function serveRequests(
  channel: MessageChannelLike,
  services: {
    secrets: SecretStore
    openExternal: (url: string) => Promise<boolean>
    /** Show a file in the OS file manager / open it in its default app (absent: answered false). */
    reveal?: (path: string) => Promise<boolean>
    openPath?: (path: string) => Promise<boolean>
  },
): () => void {
  const { secrets } = services
  const operations: Record<RequestOp, (...args: string[]) => Promise<unknown>> = {
    'secrets.status': () => secrets.status(),
    'secrets.has': (key) => secrets.has(key),
    'secrets.get': (key) => secrets.get(key),
    'secrets.set': (key, value) => secrets.set(key, value),
    'secrets.delete': (key) => secrets.delete(key),
    'secrets.unlock': async (password) => {
      if (!secrets.unlock)
        throw new Migr8Error(
          'BAD_USAGE',
          'This password store has no master password.',
          (await secrets.status()).description,
        )
      return secrets.unlock(password)
    },
    'secrets.lock': async () => secrets.lock?.(),
    openExternal: (url) => services.openExternal(url),
    reveal: async (path) => (services.reveal ? services.reveal(path) : false),
    openPath: async (path) => (services.openPath ? services.openPath(path) : false),
  }
  return channel.onMessage((message) => {
    if (!isMessage(message) || message.t !== 'req') return
    const operation = Object.prototype.hasOwnProperty.call(operations, message.op) ? operations[message.op] : undefined
    const args = Array.isArray(message.args) ? message.args.map(String) : []
    const reply = (response: Message) => channel.post(response)
    if (!operation)
      return reply({
        t: 'res',
        id: message.id,
        ok: false,
        error: {
          code: 'IPC_INVALID',
          message: `Unknown request ${String(message.op)}.`,
          remedy: 'Report this as a bug.',
        },
      })
    operation(...args).then(
      (value) => reply({ t: 'res', id: message.id, ok: true, value }),
      (error: unknown) => reply({ t: 'res', id: message.id, ok: false, error: toErrorPayload(error) }),
    )
  })
}

/** Host side: requests to the main process, with typed errors rebuilt as Migr8Error. */
export function requester(channel: MessageChannelLike) {
  let nextId = 1
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Migr8Error) => void }>()
  channel.onMessage((message) => {
    if (!isMessage(message) || message.t !== 'res') return
    const waiter = pending.get(message.id)
    pending.delete(message.id)
    if (!waiter) return
    if (message.ok) waiter.resolve(message.value)
    else
      waiter.reject(
        new Migr8Error(message.error.code, message.error.message, message.error.remedy, message.error.details),
      )
  })
  return <T>(op: RequestOp, ...args: string[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      channel.post({ t: 'req', id, op, args } satisfies Message)
    })
}

/** Host side: the main process's secret store, used through requests. */
export class RemoteSecretStore implements SecretStore {
  constructor(private readonly request: ReturnType<typeof requester>) {}
  status(): Promise<SecretStoreStatus> {
    return this.request('secrets.status')
  }
  has(key: string): Promise<boolean> {
    return this.request('secrets.has', key)
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.request<string | null | undefined>('secrets.get', key)) ?? undefined
  }
  async set(key: string, secret: string): Promise<void> {
    await this.request('secrets.set', key, secret)
  }
  async delete(key: string): Promise<void> {
    await this.request('secrets.delete', key)
  }
  async unlock(password: string): Promise<void> {
    await this.request('secrets.unlock', password)
  }
  async lock(): Promise<void> {
    await this.request('secrets.lock')
  }
}
