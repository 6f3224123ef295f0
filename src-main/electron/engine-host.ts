/**
 * The main process's handle on the engine host (a utility process): forwards calls, relays job
 * events, serves the host's keychain and link requests, and restarts the host on the next call if
 * it ever exits.
 */
import { fork as forkNode } from 'node:child_process'
import type { ForkOptions, UtilityProcess } from 'electron'
import type { CallResult, JobEventT } from '../../src-shared/contract.js'
import { connectApi, serveRequests, type MessageChannelLike } from '../api/remote.js'
import type { SecretStore } from '../profiles/secrets.js'
import type { HostInit } from './api-host.js'

export interface EngineHostOptions {
  modulePath: string
  init: Omit<HostInit, 't'>
  secrets: SecretStore
  openExternal: (url: string) => Promise<boolean>
  reveal?: (path: string) => Promise<boolean>
  openPath?: (path: string) => Promise<boolean>
  fork: (modulePath: string, args?: string[], options?: ForkOptions) => UtilityProcess
}

interface Running {
  child: UtilityProcess
  api: ReturnType<typeof connectApi>
  ready: Promise<void>
  exited: Promise<void>
}

export class EngineHost {
  private running: Running | undefined
  private readonly listeners = new Set<(event: JobEventT) => void>()

  constructor(private readonly options: EngineHostOptions) {}

  private ensure(): Running {
    if (this.running) return this.running
    const child = this.options.fork(this.options.modulePath, [], { serviceName: 'Migr8 engines', stdio: 'inherit' })
    const channel: MessageChannelLike = {
      post: (message) => child.postMessage(message),
      onMessage: (listener) => {
        child.on('message', listener)
        return () => child.off('message', listener)
      },
    }
    const api = connectApi(channel)
    api.events.subscribe((event) => {
      for (const listener of this.listeners) listener(event)
    })
    serveRequests(channel, {
      secrets: this.options.secrets,
      openExternal: this.options.openExternal,
      reveal: this.options.reveal,
      openPath: this.options.openPath,
    })
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('it did not answer within 30 s')), 30_000)
      timer.unref?.()
      channel.onMessage((message) => {
        const type = (message as { t?: unknown } | undefined)?.t
        if (type === 'ready') resolve()
        if (type === 'failed') reject(new Error((message as { message?: string }).message))
        if (type === 'ready' || type === 'failed') clearTimeout(timer)
      })
    })
    ready.catch(() => undefined)
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        api.failPending()
        api.close()
        if (this.running?.child === child) this.running = undefined
        resolve()
      }),
    )
    // The host says hello once it listens; init before that could be lost while its modules load.
    const stopHello = channel.onMessage((message) => {
      if ((message as { t?: unknown } | undefined)?.t !== 'hello') return
      stopHello()
      child.postMessage({ t: 'init', ...this.options.init } satisfies HostInit)
    })
    this.running = { child, api, ready, exited }
    return this.running
  }

  /** Starts the host now (it creates the demo profile on first start). */
  start(): void {
    this.ensure()
  }

  dispatch = async (channel: unknown, input: unknown): Promise<CallResult> => {
    const running = this.ensure()
    try {
      await running.ready
    } catch (error) {
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: `The engine process failed to start: ${(error as Error).message}`,
          remedy: 'Restart Migr8; if it persists, report it.',
        },
      }
    }
    return running.api.dispatch(channel, input)
  }

  events = {
    subscribe: (listener: (event: JobEventT) => void) => {
      this.listeners.add(listener)
      return () => this.listeners.delete(listener)
    },
  }

  /** Lets running jobs cancel cleanly, then stops the host (killed after the timeout). */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    const running = this.running
    if (!running) return
    running.child.postMessage({ t: 'shutdown' })
    const stopped = new Promise<void>((resolve) =>
      running.child.on(
        'message',
        (message: unknown) => (message as { t?: unknown } | undefined)?.t === 'stopped' && resolve(),
      ),
    )
    await Promise.race([stopped, running.exited, new Promise((resolve) => setTimeout(resolve, timeoutMs))])
    running.child.kill()
  }
}

/**
 * Runs the engine host under plain Node instead of Electron's utility process. Used in development:
 * native modules (better-sqlite3) are built for Node there and rebuilt for Electron only when
 * packaging. The child process looks like a UtilityProcess to EngineHost.
 */
export function nodeFork(nodePath: string): EngineHostOptions['fork'] {
  return (modulePath) => {
    const child = forkNode(modulePath, [], {
      execPath: nodePath,
      serialization: 'advanced',
      stdio: 'inherit',
      env: { ...process.env, MIGR8_ENGINE_HOST: 'node', ELECTRON_RUN_AS_NODE: undefined },
    })
    return Object.assign(child, {
      postMessage: (message: unknown) => child.send(message as object),
    }) as unknown as UtilityProcess
  }
}
