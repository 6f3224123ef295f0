/**
 * The built engine host bundle (out/main/api-host.js) in a real separate process, driven by the same
 * EngineHost the Electron main process uses, through the plain-Node fork the desktop app uses in
 * development (the packaged app uses Electron's utility process with the same messages).
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineHost, nodeFork } from '../src-main/electron/engine-host.js'
import { FileSecretStore } from '../src-main/profiles/secrets.js'
import { ensureBuilt, ROOT } from './support/app.js'

describe('engine host process (built bundle)', () => {
  const home = mkdtempSync(join(tmpdir(), 'migr8-e2e-host-'))
  const children: ChildProcess[] = []
  let host: EngineHost

  beforeAll(() => {
    ensureBuilt()
    host = new EngineHost({
      modulePath: join(ROOT, 'out', 'main', 'api-host.js'),
      init: { dataDir: home, appRoot: ROOT, version: '0.0.0-test' },
      secrets: new FileSecretStore(home),
      openExternal: async () => false,
      // The development path of the desktop app: the built host under plain Node.
      fork: (modulePath, args, options) => {
        const child = nodeFork(process.execPath)(modulePath, args, options)
        children.push(child as unknown as ChildProcess)
        return child
      },
    })
    host.start()
  })

  afterAll(async () => {
    await host.shutdown(2_000)
    for (const child of children) child.kill()
    rmSync(home, { recursive: true, force: true })
  })

  it('answers calls from another process, with the demo profile created there', async () => {
    expect(await host.dispatch('app.info', undefined)).toMatchObject({
      ok: true,
      value: { mode: 'electron', version: '0.0.0-test', dataDir: home },
    })
    const list = await host.dispatch('profiles.list', undefined)
    expect(list.ok && (list.value as Array<{ name: string }>).map((profile) => profile.name)).toEqual(['Demo (SQLite)'])
  })

  it('runs the engines there: migration status of the demo and a job with events', async () => {
    const list = await host.dispatch('profiles.list', undefined)
    const demo = list.ok ? (list.value as Array<{ id: string }>)[0] : undefined
    const status = await host.dispatch('migrations.status', { profileId: demo?.id })
    expect(status).toMatchObject({ ok: true, value: { pending: 3 } })
    const events: string[] = []
    const done = new Promise<void>((resolve) =>
      host.events.subscribe((event) => {
        events.push(event.type)
        if (event.type === 'done') resolve()
      }),
    )
    expect(await host.dispatch('profiles.testAll', undefined)).toMatchObject({ ok: true })
    await done
    expect(events).toEqual(expect.arrayContaining(['started', 'progress', 'log', 'done']))
  })

  it('keeps secrets in the main process and rejects malformed calls in the host', async () => {
    const saved = await host.dispatch('profiles.save', {
      name: 'p',
      driver: 'postgres',
      database: 'd',
      password: 'pw-host',
      passwordMode: 'stored',
    })
    expect(saved).toMatchObject({ ok: true, value: { hasPassword: true } })
    expect(JSON.stringify(saved)).not.toContain('pw-host')
    expect(await host.dispatch('profiles.save', { name: 7 })).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID' },
    })
  })

  it('survives the host dying: the next call starts a new one', async () => {
    children.at(-1)!.kill('SIGKILL')
    await new Promise((resolve) => children.at(-1)!.once('exit', resolve))
    expect(await host.dispatch('jobs.list', undefined)).toEqual({ ok: true, value: [] })
    expect(children).toHaveLength(2)
  })
})
