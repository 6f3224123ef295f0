/** `migr8 web` end to end (in-process): builds nothing itself, serves out/renderer and the handlers. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runWeb } from '../src-main/cli/commands/web.js'
import type { WebServer } from '../src-main/transport/web.js'
import { ensureBuilt } from './support/app.js'

describe('migr8 web', () => {
  const home = mkdtempSync(join(tmpdir(), 'migr8-e2e-web-home-'))
  const previous = process.env.MIGR8_HOME
  let server: WebServer

  beforeAll(async () => {
    ensureBuilt()
    process.env.MIGR8_HOME = home
    server = await runWeb({})
  })

  afterAll(async () => {
    await server?.close()
    if (previous === undefined) delete process.env.MIGR8_HOME
    else process.env.MIGR8_HOME = previous
    rmSync(home, { recursive: true, force: true })
  })

  it('prints a loopback URL with a fresh token and serves the built app', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{40,}$/)
    const page = await fetch(server.url.replace(/#.*/, ''))
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="root">')
  })

  it('answers calls with the token, keeping profiles in $MIGR8_HOME', async () => {
    const response = await fetch(new URL('/api/call', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ channel: 'app.info' }),
    })
    const result = (await response.json()) as {
      ok: boolean
      value: { dataDir: string; mode: string; secrets: { kind: string } }
    }
    expect(result).toMatchObject({ ok: true, value: { dataDir: home, mode: 'web', secrets: { kind: 'file' } } })
  })

  it('refuses a port that is not a number', async () => {
    await expect(runWeb({ port: 'eighty' })).rejects.toMatchObject({ code: 'BAD_USAGE' })
  })
})
