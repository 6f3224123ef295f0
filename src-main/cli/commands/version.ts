import type { Command } from 'commander'
import type { GlobalOptions } from '../context.js'
import { Output } from '../output.js'

declare const MIGR8_VERSION: string | undefined

/** Injected by the CLI bundle; tests running from source fall back to "dev". */
export const VERSION = typeof MIGR8_VERSION === 'string' ? MIGR8_VERSION : 'dev'

export function registerVersionCommand(program: Command): void {
  const command = program
    .command('version')
    .description('print the Migr8 version')
    // Not wrapped in action(): it needs neither the config nor a database, so it loads neither.
    .action(() => {
      const globals = command.optsWithGlobals<GlobalOptions>()
      new Output({ json: !!globals.json, verbose: !!globals.verbose }).result(
        `migr8 ${VERSION} (node ${process.versions.node})`,
        { version: VERSION, node: process.versions.node },
      )
    })
}
