import type { Command } from 'commander'
import { Migr8Error } from '../../src-shared/errors.js'
import type { Migr8Config } from '../config/schema.js'
import { openAdapter, type Adapter } from '../db/index.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Output } from './output.js'

export interface GlobalOptions {
  config?: string
  url?: string
  json?: boolean
  verbose?: boolean
  wait?: string | boolean
}

/** Everything a command's action needs: config, output, cancellation and a lazily opened adapter. */
export interface CommandContext {
  config: Migr8Config
  output: Output
  signal: AbortSignal
  /** Opens the configured database once (honouring --wait) and closes it when the command ends. */
  adapter(): Promise<Adapter>
}

export type CommandAction<A extends unknown[]> = (context: CommandContext, ...args: A) => Promise<number | void>

async function waitMs(wait: GlobalOptions['wait']): Promise<number> {
  if (wait === undefined || wait === false) return 0
  if (wait === true) return 60_000
  const { parseDuration } = await import('../config/schema.js')
  const ms = parseDuration(wait)
  if (ms === undefined)
    throw new Migr8Error(
      'BAD_USAGE',
      `--wait ${wait} is not a duration.`,
      'Write --wait 30s, --wait 2m, or --wait alone for 60 seconds.',
    )
  return ms
}

/** The terminal's first-use SSH host key prompt; the SSH code is loaded only for a tunnelled connection. */
export async function hostKeyPrompt(config: Migr8Config) {
  return config.connection.ssh ? (await import('../db/tunnel.js')).terminalHostKeyPrompt() : undefined
}

/**
 * Wraps a command action: loads the config, opens the database on demand, turns Ctrl-C into a
 * cancellation and every error into the same printed form and exit code.
 */
export function action<A extends unknown[]>(
  command: () => Command,
  fn: CommandAction<A>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const globals = command().optsWithGlobals<GlobalOptions>()
    const output = new Output({ json: !!globals.json, verbose: !!globals.verbose })
    const controller = new AbortController()
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130)
      output.log('warn', 'cancelling… (press Ctrl-C again to quit at once)')
      controller.abort()
    }
    process.on('SIGINT', onSigint)
    let adapter: Promise<Adapter> | undefined
    let code: number
    try {
      const wait = await waitMs(globals.wait)
      // The config loader (and its schema and YAML parser) is imported here rather than at start-up,
      // so `migr8 version` and `--help` do not pay for it.
      const { loadConfig } = await import('../config/load.js')
      let config: Migr8Config | undefined
      // Loaded on first use, so commands such as `version` and `config init` work without a valid config.
      const context: CommandContext = {
        get config() {
          return (config ??= loadConfig({ file: globals.config, url: globals.url }))
        },
        output,
        signal: controller.signal,
        adapter: () =>
          (adapter ??= hostKeyPrompt(context.config).then((confirmHostKey) =>
            openAdapter(context.config.connection, { waitMs: wait, signal: controller.signal, confirmHostKey }),
          )),
      }
      code = (await fn(context, ...args)) ?? EXIT_OK
    } catch (error) {
      const payload = output.error(error)
      code = payload.code === 'BAD_USAGE' ? EXIT_USAGE : EXIT_FAILURE
    } finally {
      process.off('SIGINT', onSigint)
      if (adapter) await adapter.then((a) => a.close()).catch(() => undefined)
    }
    process.exitCode = code
  }
}
