/**
 * `migr8 web`: the desktop app's screens in your browser, served on 127.0.0.1 with a per-run token.
 * Same handlers as the Electron window; passwords go to an AES-256-GCM file keyed by a 0600 key
 * file in the data dir ($MIGR8_HOME, default ~/.config/migr8).
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { Migr8Error } from '../../../src-shared/errors.js'
import { createApiContext, createDispatcher } from '../../api/index.js'
import { dataDir } from '../../profiles/paths.js'
import { FileSecretStore } from '../../profiles/secrets.js'
import { startWebServer, type WebServer } from '../../transport/web.js'
import { EXIT_FAILURE, Output } from '../output.js'

/** The repository (or installed package) root: the folder holding package.json, out/ and examples/. */
function findAppRoot(start: string): string {
  let dir = start
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir
    dir = dirname(dir)
  }
  return resolve(start, '../..')
}

export interface WebOptions {
  port?: string
}

export async function runWeb(options: WebOptions & { json?: boolean }): Promise<WebServer> {
  const appRoot = findAppRoot(dirname(fileURLToPath(import.meta.url)))
  const rendererDir = join(appRoot, 'out', 'renderer')
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Migr8Error(
      'NOT_FOUND',
      `The app's pages are not built (${rendererDir} is missing).`,
      'Run `npm run web` (it builds them), or `npm run build` then `migr8 web`.',
    )
  }
  const port = Number(options.port ?? 0)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Migr8Error(
      'BAD_USAGE',
      `--port ${options.port} is not a port number.`,
      'Give a number between 1 and 65535, or leave it out for a free port.',
    )
  const home = dataDir()
  const context = await createApiContext({ mode: 'web', dataDir: home, appRoot, secrets: new FileSecretStore(home) })
  const server = await startWebServer({ dispatch: createDispatcher(context), events: context.jobs, rendererDir, port })
  const close = server.close
  server.close = async () => {
    await context.jobs.shutdown()
    await close()
  }
  return server
}

export function registerWebCommand(program: Command): void {
  program
    .command('web')
    .description('open the Migr8 app in your browser (served on 127.0.0.1 only, with a per-run token)')
    .option('--port <port>', 'port to listen on (default: a free one)')
    .action(async (options: WebOptions) => {
      const globals = program.opts<{ json?: boolean; verbose?: boolean }>()
      const output = new Output({ json: !!globals.json, verbose: !!globals.verbose })
      let server: WebServer
      try {
        server = await runWeb(options)
      } catch (error) {
        output.error(error)
        process.exitCode = EXIT_FAILURE
        return
      }
      output.result(
        [
          `Migr8 is running at ${server.url}`,
          `Profiles and secrets: ${dataDir()}`,
          "Open that address in your browser (it carries this run's access token). Press Ctrl-C to stop.",
        ],
        { url: server.url, port: server.port },
      )
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          void server.close().finally(resolveStop)
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
    })
}
