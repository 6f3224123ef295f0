import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { Migr8Error } from '../../../src-shared/errors.js'
import { connectionUrl } from '../../config/url.js'
import { CONFIG_TEMPLATE } from '../../config/template.js'
import { action } from '../context.js'

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('create, show and test the configuration')

  const init: Command = config
    .command('init')
    .description('write a commented migr8.yaml in the current folder')
    .option('--force', 'overwrite an existing file')
    .action(
      action(
        () => init,
        async ({ output }) => {
          const file = resolve('migr8.yaml')
          if (existsSync(file) && !init.opts().force) {
            throw new Migr8Error(
              'BAD_USAGE',
              `${file} already exists.`,
              'Edit it, or run `migr8 config init --force` to replace it.',
            )
          }
          writeFileSync(file, CONFIG_TEMPLATE)
          output.result(`wrote ${file}`, { file })
        },
      ),
    )

  const show: Command = config
    .command('show')
    .description('print the resolved configuration (passwords masked)')
    .action(
      action(
        () => show,
        async ({ config, output }) => {
          const connection = {
            ...config.connection,
            password: config.connection.password === undefined ? undefined : '****',
          }
          const resolved = { ...config, connection, url: connectionUrl(config.connection) }
          const lines = [
            `config file:  ${config.file ?? '(none: environment and defaults)'}`,
            `database:     ${resolved.url}`,
            `migrations:   ${config.migrations.dir} (table ${config.migrations.table}, lock ${config.migrations.lock.mode}, out-of-order ${config.migrations.outOfOrder})`,
            `backups:      ${config.backups.dir} (compress ${config.backups.compress}, format ${config.backups.format})`,
            `seeds:        ${config.seeds.dir}`,
          ]
          output.result(lines, resolved)
        },
      ),
    )

  const test: Command = config
    .command('test')
    .description('connect to the database and report its version and latency')
    .action(
      action(
        () => test,
        async (context) => {
          const info = await (await context.adapter()).ping()
          context.output.result(
            `connected to ${connectionUrl(context.config.connection)}: ${info.version}, ${info.latencyMs} ms`,
            { ok: true, ...info },
          )
        },
      ),
    )
}
