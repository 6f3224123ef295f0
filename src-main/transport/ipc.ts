/**
 * The Electron transport: the only module of the main process that touches ipcMain and
 * webContents.send. Calls from a frame that is not the app's own page are refused before they
 * reach the dispatcher.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import type { JobEventT } from '../../src-shared/contract.js'
import { IPC, type CallResult } from '../../src-shared/schemas/bridge.js'
import type { EventSource } from './web.js'

export interface IpcTransportOptions {
  dispatch: (channel: unknown, input: unknown) => Promise<CallResult>
  events: EventSource
  /** Whether a call comes from the app's own page (main frame of our window, our URL). */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean
  /** The windows that receive job events. */
  targets: () => WebContents[]
}

export function registerIpcTransport(options: IpcTransportOptions): () => void {
  ipcMain.handle(IPC.call, async (event, channel: unknown, input: unknown): Promise<CallResult> => {
    if (!options.isTrustedSender(event)) {
      return {
        ok: false,
        error: {
          code: 'IPC_INVALID',
          message: 'Call refused: it did not come from the Migr8 window.',
          remedy: "Only the app's own page may call the main process.",
        },
      }
    }
    return options.dispatch(channel, input)
  })
  const unsubscribe = options.events.subscribe((event: JobEventT) => {
    for (const contents of options.targets()) {
      if (!contents.isDestroyed()) contents.send(IPC.event, event)
    }
  })
  return () => {
    ipcMain.removeHandler(IPC.call)
    unsubscribe()
  }
}
