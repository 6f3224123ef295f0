/**
 * The engine host: the entry of the Electron utility process that runs every handler and engine,
 * so CPU-heavy work never blocks the main process. It talks to the main process through
 * src-main/api/remote.ts; the OS keychain and link opening stay in the main process.
 */
import type { ParentPort } from 'electron'
import { createApiContext, createDispatcher } from '../api/index.js'
import { RemoteSecretStore, requester, serveApi, type MessageChannelLike } from '../api/remote.js'

export interface HostInit {
  t: 'init'
  dataDir: string
  appRoot: string
  version: string
}

export function startApiHost(channel: MessageChannelLike): void {
  const stopInit = channel.onMessage((message) => {
    if ((message as { t?: unknown } | undefined)?.t !== 'init') return
    stopInit()
    const init = message as HostInit
    const request = requester(channel)
    void createApiContext({
      mode: 'electron',
      dataDir: init.dataDir,
      appRoot: init.appRoot,
      version: init.version,
      secrets: new RemoteSecretStore(request),
      openExternal: (url) => request<boolean>('openExternal', url),
      platform: {
        reveal: (path) => request<boolean>('reveal', path),
        openPath: (path) => request<boolean>('openPath', path),
      },
    }).then(
      (context) => {
        serveApi(channel, createDispatcher(context), context.jobs)
        channel.onMessage((next) => {
          if ((next as { t?: unknown } | undefined)?.t === 'shutdown')
            void context.jobs.shutdown().finally(() => channel.post({ t: 'stopped' }))
        })
        channel.post({ t: 'ready' })
      },
      (error: unknown) =>
        channel.post({ t: 'failed', message: error instanceof Error ? error.message : String(error) }),
    )
  })
  // Tell the main process the host listens: it sends `init` only then, so nothing is lost while
  // the host's modules load.
  channel.post({ t: 'hello' })
}

// Started by utilityProcess.fork (packaged app): the parent is reached through process.parentPort.
// Started by child_process.fork under plain Node (development, see nodeFork): through Node's IPC.
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort
if (!parentPort && process.send && process.env.MIGR8_ENGINE_HOST === 'node') {
  startApiHost({
    post: (message) => process.send!(message),
    onMessage: (listener) => {
      process.on('message', listener)
      return () => process.off('message', listener)
    },
  })
  process.on('disconnect', () => process.exit(0))
} else if (parentPort) {
  startApiHost({
    post: (message) => parentPort.postMessage(message),
    onMessage: (listener) => {
      const forward = (event: { data: unknown }) => listener(event.data)
      parentPort.on('message', forward)
      return () => parentPort.off('message', forward)
    },
  })
}
