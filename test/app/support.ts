import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createApiContext, createDispatcher, type ApiContext } from '../../src-main/api/index.js'
import { FileSecretStore, type SecretStore } from '../../src-main/profiles/secrets.js'

const ROOT = join(import.meta.dirname, '..', '..')
const made: string[] = []

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh data dir, removed after the test. */
export function tempDir(prefix = 'migr8-app-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

export async function makeApi(
  options: { secrets?: (dir: string) => SecretStore; demo?: boolean } = {},
): Promise<{ context: ApiContext; dispatch: ReturnType<typeof createDispatcher>; dir: string }> {
  const dir = tempDir()
  const context = await createApiContext({
    mode: 'web',
    dataDir: dir,
    appRoot: ROOT,
    secrets: options.secrets?.(dir) ?? new FileSecretStore(dir),
    demo: options.demo ?? false,
  })
  return { context, dispatch: createDispatcher(context), dir }
}
