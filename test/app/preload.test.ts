import { describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => {
  const exposed: Array<[string, unknown]> = []
  return {
    exposed,
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]) },
    ipcRenderer: {
      invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 'pong' })),
      on: vi.fn(),
      removeListener: vi.fn(),
      send: vi.fn(),
      sendSync: vi.fn(),
    },
  }
})
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }))

describe('preload bridge', () => {
  it('exposes exactly one frozen object with call and onJobEvent, and nothing else', async () => {
    await import('../../src-main/preload/index.js')
    expect(electron.exposed).toHaveLength(1)
    const [key, bridge] = electron.exposed[0] as [string, Record<string, unknown>]
    expect(key).toBe('migr8')
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onJobEvent'])
    expect(Object.isFrozen(bridge)).toBe(true)
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function')
    // No raw ipcRenderer, no send/sendSync, no Node objects are reachable from the bridge.
    expect(JSON.stringify(Object.getOwnPropertyNames(bridge))).not.toMatch(/ipc|send|require|process/i)
  })

  it('forwards calls to the one call channel only', async () => {
    const [, bridge] = electron.exposed[0] as [string, { call: (channel: string, input: unknown) => Promise<unknown> }]
    expect(await bridge.call('profiles.list', undefined)).toEqual({ ok: true, value: 'pong' })
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('migr8:call', 'profiles.list', undefined)
    await bridge.call('anything', { x: 1 })
    expect(electron.ipcRenderer.invoke.mock.calls.every((args) => args[0] === 'migr8:call')).toBe(true)
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled()
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled()
  })

  it('delivers job events without exposing the IPC event object, and unsubscribes', async () => {
    const [, bridge] = electron.exposed[0] as [
      string,
      { onJobEvent: (listener: (event: unknown) => void) => () => void },
    ]
    const received: unknown[] = []
    const unsubscribe = bridge.onJobEvent((event) => received.push(event))
    const [channel, forward] = electron.ipcRenderer.on.mock.calls[0] as [
      string,
      (event: unknown, payload: unknown) => void,
    ]
    expect(channel).toBe('migr8:job-event')
    forward({ sender: 'ipc internals' }, { type: 'done', jobId: 'j' })
    expect(received).toEqual([{ type: 'done', jobId: 'j' }])
    unsubscribe()
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith('migr8:job-event', forward)
  })
})
