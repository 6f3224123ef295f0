/**
 * Test harness for the app: builds the renderer when it is missing or older than its sources,
 * starts the web transport in-process on a random port with a fresh temporary data dir (never the
 * user's real profiles), and launches Debian's Chromium through playwright-core.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { createApiContext, createDispatcher, type ApiContext } from '../../src-main/api/index.js'
import { FileSecretStore } from '../../src-main/profiles/secrets.js'
import { startWebServer, type WebServer } from '../../src-main/transport/web.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const RENDERER_DIR = join(ROOT, 'out', 'renderer')
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
export const CHROMIUM = process.env.MIGR8_CHROMIUM ?? '/usr/bin/chromium'

function newestMtime(path: string): number {
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stats.mtimeMs)
}

function isFresh(): boolean {
  const index = join(RENDERER_DIR, 'index.html')
  const sources = Math.max(
    newestMtime(join(ROOT, 'src-renderer')),
    newestMtime(join(ROOT, 'src-shared')),
    newestMtime(join(ROOT, 'electron.vite.config.ts')),
  )
  return existsSync(index) && statSync(index).mtimeMs >= sources && existsSync(join(ROOT, 'out', 'main', 'index.js'))
}

/**
 * Runs `electron-vite build` once when out/ is missing or older than its sources. Test files run in
 * parallel workers, so a lock folder makes the others wait for the one that builds.
 */
export function ensureBuilt(): void {
  // MIGR8_E2E_SKIP_BUILD=1: use out/ as it is (e.g. while another change keeps the build red).
  if (isFresh() || process.env.MIGR8_E2E_SKIP_BUILD === '1') return
  const lock = join(ROOT, 'out', '.e2e-build-lock')
  mkdirSync(join(ROOT, 'out'), { recursive: true })
  const deadline = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000)
        rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another build (${lock})`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    }
  }
  try {
    if (isFresh()) return
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
    })
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** Why the browser tests cannot run here, or undefined; under MIGR8_REQUIRE_DBS=1 a missing browser fails. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`
  if (process.env.MIGR8_REQUIRE_DBS === '1') throw new Error(`MIGR8_REQUIRE_DBS=1 but ${reason}`)
  console.warn(`SKIPPED browser e2e: ${reason}.`)
  return reason
}

export interface RunningApp {
  server: WebServer
  context: ApiContext
  dataDir: string
  close(): Promise<void>
}

export async function startApp(): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'migr8-e2e-home-'))
  const context = await createApiContext({ mode: 'web', dataDir, appRoot: ROOT, secrets: new FileSecretStore(dataDir) })
  const server = await startWebServer({
    dispatch: createDispatcher(context),
    events: context.jobs,
    rendererDir: RENDERER_DIR,
  })
  return {
    server,
    context,
    dataDir,
    async close() {
      await context.jobs.shutdown()
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'migr8-e2e-chromium-'))
  mkdirSync(ARTIFACTS, { recursive: true })
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}
