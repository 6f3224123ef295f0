import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const CLI = `${REPO_ROOT}bin/migr8.mjs`

let built = false
/** Builds the CLI bundle from the current sources once per test file. */
export function buildCli(): void {
  // `npm test` builds once before vitest starts: rebuilding while other test files' CLI processes
  // import the bundle's lazily loaded chunks would make them fail at random.
  if (built || process.env.MIGR8_CLI_BUILT === '1') return
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' })
  built = true
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `migr8 …` as a user would, in `cwd`, with a bounded time. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
