/**
 * The preload: exposes exactly one object, `window.migr8`, with two functions — `call(channel,
 * input)` and `onJobEvent(listener)`. No ipcRenderer, no Node, nothing else reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { IPC, type Bridge } from '../../src-shared/schemas/bridge.js'

const bridge: Bridge = {
  call: (channel, input) => ipcRenderer.invoke(IPC.call, channel, input),
  onJobEvent: (listener) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(IPC.event, forward)
    return () => {
      ipcRenderer.removeListener(IPC.event, forward)
    }
  },
}

contextBridge.exposeInMainWorld('migr8', Object.freeze(bridge))
