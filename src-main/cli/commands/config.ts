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
          const { ssh } = config.connection
          const connection = {
            ...config.connection,
            password: config.connection.password === undefined ? undefined : '****',
            ssh: ssh && {
              ...ssh,
              password: ssh.password === undefined ? undefined : '****',
              passphrase: ssh.passphrase === undefined ? undefined : '****',
            },
          }
          const resolved = { ...config, connection, url: connectionUrl(config.connection) }
          const lines = [
            `config file:  ${config.file ?? '(none: environment and defaults)'}`,
            `database:     ${resolved.url}`,
            ...(ssh
              ? [
                  `ssh tunnel:   ${ssh.user ? `${ssh.user}@` : ''}${ssh.host}${ssh.port ? `:${ssh.port}` : ''}${ssh.jump ? ` via ${ssh.jump}` : ''} (host key check ${ssh.strictHostKey ?? 'yes'})`,
                ]
              : []),
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
    .description('connect hop by hop (SSH, TLS, authentication) and report the version and latency')
    .action(
      action(
        () => test,
        async ({ config, output, signal }) => {
          const { diagnoseConnection, formatHops } = await import('../../db/diagnose.js')
          const { hostKeyPrompt } = await import('../context.js')
          const result = await diagnoseConnection(config.connection, {
            signal,
            confirmHostKey: await hostKeyPrompt(config),
          })
          const url = connectionUrl(config.connection)
          if (!result.ok) {
            // The hops go to stdout as on success; the error line and its remedy follow on stderr.
            if (!output.options.json) output.result([`testing ${url}`, ...formatHops(result)], undefined)
            const error = result.error!
            throw new Migr8Error(error.code, `${result.failedHop} failed: ${error.message}`, error.remedy, {
              ...error.details,
              failedHop: result.failedHop,
              hops: result.hops,
            })
          }
          output.result(
            [`testing ${url}`, ...formatHops(result), `connected: ${result.version}, ${result.latencyMs} ms`],
            { ...result, version: result.version, latencyMs: result.latencyMs },
          )
        },
      ),
    )
}
