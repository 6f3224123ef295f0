import type { Command } from 'commander'
import { action } from '../context.js'

declare const MIGR8_VERSION: string | undefined

/** Injected by the CLI bundle; tests running from source fall back to "dev". */
export const VERSION = typeof MIGR8_VERSION === 'string' ? MIGR8_VERSION : 'dev'

export function registerVersionCommand(program: Command): void {
  const command = program
    .command('version')
    .description('print the Migr8 version')
    .action(
      action(
        () => command,
        async ({ output }) => {
          output.result(`migr8 ${VERSION} (node ${process.versions.node})`, {
            version: VERSION,
            node: process.versions.node,
          })
        },
      ),
    )
}
