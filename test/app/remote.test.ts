import { EventEmitter } from 'node:events'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { UtilityProcess } from 'electron'
import { afterEach, describe, expect, it } from 'vitest'
import { connectApi, serveRequests, type MessageChannelLike } from '../../src-main/api/remote.js'
import { startApiHost } from '../../src-main/electron/api-host.js'
import { EngineHost } from '../../src-main/electron/engine-host.js'
import {
  FileSecretStore,
  MasterPasswordSecretStore,
  NoSecretStore,
  type SecretStore,
} from '../../src-main/profiles/index.js'
import { tempDir } from './support.js'

const ports: MessagePort[] = []
afterEach(() => {
  for (const port of ports.splice(0)) port.close()
})

function wrap(port: MessagePort): MessageChannelLike {
  ports.push(port)
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', listener)
      return () => port.off('message', listener)
    },
  }
}

/** A host on one end of a real MessageChannel (structured clone, like the utility process). */
async function hostPair(secrets: SecretStore) {
  const { port1, port2 } = new MessageChannel()
  const main = wrap(port1)
  startApiHost(wrap(port2))
  const opened: string[] = []
  serveRequests(main, { secrets, openExternal: async (url) => (opened.push(url), true) })
  const ready = new Promise<void>((resolve) =>
    main.onMessage((message) => (message as { t?: string }).t === 'ready' && resolve()),
  )
  const dir = tempDir()
  main.post({ t: 'init', dataDir: dir, appRoot: '/app', version: '1.2.3' })
  await ready
  return { api: connectApi(main), opened, dir }
}

describe('engine host over a message channel', () => {
  it('answers calls and validates them on the host side', async () => {
    const { api } = await hostPair(new FileSecretStore(tempDir()))
    const info = await api.dispatch('app.info', undefined)
    expect(info).toMatchObject({ ok: true, value: { version: '1.2.3', mode: 'electron', secrets: { kind: 'file' } } })
    const list = await api.dispatch('profiles.list', undefined)
    expect(list.ok && (list.value as Array<{ name: string }>).map((p) => p.name)).toEqual(['Demo (SQLite)'])
    expect(await api.dispatch('nope', {})).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } })
  })

  it('keeps passwords in the main process store, with typed errors across the wire', async () => {
    const mainStore = new FileSecretStore(tempDir())
    const { api, dir } = await hostPair(mainStore)
    const saved = await api.dispatch('profiles.save', {
      name: 'p',
      driver: 'postgres',
      database: 'd',
      password: 'pw-remote',
      passwordMode: 'stored',
    })
    expect(saved).toMatchObject({ ok: true, value: { hasPassword: true } })
    const id = saved.ok ? (saved.value as { id: string }).id : ''
    expect(await mainStore.get(id)).toBe('pw-remote')
    expect(JSON.stringify(saved)).not.toContain('pw-remote')
    expect(dir).toBeTruthy()

    const closed = await hostPair(new NoSecretStore('no keychain'))
    const refused = await closed.api.dispatch('profiles.save', {
      name: 'p',
      driver: 'postgres',
      database: 'd',
      password: 'x',
      passwordMode: 'stored',
    })
    expect(refused).toMatchObject({ ok: false, error: { code: 'SECRET_STORE_UNAVAILABLE' } })
    const noMaster = await closed.api.dispatch('secrets.unlock', { password: 'long enough password' })
    expect(noMaster).toMatchObject({ ok: false, error: { code: 'BAD_USAGE' } })
  })

  it('unlocks a master-password store held by the main process', async () => {
    const { api } = await hostPair(new MasterPasswordSecretStore(tempDir()))
    expect(await api.dispatch('secrets.unlock', { password: 'correct horse battery' })).toMatchObject({
      ok: true,
      value: { kind: 'master', locked: false },
    })
    const wrongLock = await api.dispatch('secrets.lock', undefined)
    expect(wrongLock).toMatchObject({ ok: true, value: { locked: true } })
    expect(await api.dispatch('secrets.unlock', { password: 'wrong horse battery' })).toMatchObject({
      ok: false,
      error: { code: 'AUTH_FAILED' },
    })
  })

  it('relays job events and opens links through the main process', async () => {
    const { api, opened } = await hostPair(new FileSecretStore(tempDir()))
    const events: string[] = []
    const done = new Promise<void>((resolve) =>
      api.events.subscribe((event) => {
        events.push(event.type)
        if (event.type === 'done') resolve()
      }),
    )
    expect(await api.dispatch('profiles.testAll', undefined)).toMatchObject({
      ok: true,
      value: { jobId: expect.any(String) },
    })
    await done
    expect(events).toEqual(expect.arrayContaining(['started', 'progress', 'done']))
    expect(await api.dispatch('app.openExternal', { url: 'https://example.com/docs' })).toEqual({
      ok: true,
      value: { opened: true },
    })
    expect(opened).toEqual(['https://example.com/docs'])
  })
})

describe('EngineHost', () => {
  it('fails pending calls when the host exits and starts a new one on the next call', async () => {
    const children: Array<EventEmitter & { kill(): void }> = []
    const fork = () => {
      const { port1, port2 } = new MessageChannel()
      ports.push(port1, port2)
      startApiHost(wrap(port2))
      const child = Object.assign(new EventEmitter(), {
        postMessage: (message: unknown) => port1.postMessage(message),
        kill: () => child.emit('exit', 0),
      })
      port1.on('message', (message) => child.emit('message', message))
      children.push(child)
      return child as unknown as UtilityProcess
    }
    const host = new EngineHost({
      modulePath: 'api-host.js',
      init: { dataDir: tempDir(), appRoot: '/app', version: '1' },
      secrets: new FileSecretStore(tempDir()),
      openExternal: async () => true,
      fork,
    })
    host.start()
    expect(await host.dispatch('jobs.list', undefined)).toEqual({ ok: true, value: [] })
    const pending = host.dispatch('profiles.list', undefined)
    children[0].emit('exit', 1)
    const answer = await pending
    // Either the answer raced in first or the call failed cleanly; never a hang.
    if (!answer.ok) expect(answer.error.code).toBe('INTERNAL')
    expect(await host.dispatch('jobs.list', undefined)).toEqual({ ok: true, value: [] })
    expect(children).toHaveLength(2)
    await host.shutdown(200)
  })
})
