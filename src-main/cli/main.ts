import { Command, CommanderError } from 'commander'
import { EXIT_USAGE } from './output.js'
import { registerBackupCommands } from './commands/backup.js'
import { registerConfigCommands } from './commands/config.js'
import { registerMigrateCommands } from './commands/migrate.js'
import { registerSeedCommands } from './commands/seed.js'
import { registerVersionCommand } from './commands/version.js'

const program = new Command('migr8')
  .description('Schema migrations, backups and seeds for PostgreSQL, MySQL/MariaDB and SQLite')
  .option('-c, --config <file>', 'config file (default: ./migr8.yaml, or $MIGR8_CONFIG)')
  .option('--url <url>', 'database URL, overrides the config (e.g. postgres://user@host/db)')
  .option('--json', 'print one JSON document on stdout')
  .option('-v, --verbose', 'print progress details and error causes')
  .option('--wait [duration]', 'wait for the database server to come up (default 60s)')
  .showHelpAfterError()
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) })

registerMigrateCommands(program)
registerConfigCommands(program)
registerBackupCommands(program)
registerSeedCommands(program)
registerVersionCommand(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successes; everything else commander rejects is bad usage.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE
  } else {
    throw error
  }
}
