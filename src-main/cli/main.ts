import { Command, CommanderError } from 'commander'
import { EXIT_USAGE } from './output.js'

type Register = (program: Command) => void

/**
 * Each command group's module, imported only when that group runs: `migr8 migrate status` never
 * loads the backup and seed engines (and the drivers and parsers they import). Help, an unknown
 * command or no command at all load every group, so commander can list and suggest them.
 */
const COMMAND_GROUPS: Record<string, () => Promise<Register>> = {
  migrate: async () => (await import('./commands/migrate.js')).registerMigrateCommands,
  config: async () => (await import('./commands/config.js')).registerConfigCommands,
  backup: async () => (await import('./commands/backup.js')).registerBackupCommands,
  seed: async () => (await import('./commands/seed.js')).registerSeedCommands,
  adopt: async () => (await import('./commands/adopt.js')).registerAdoptCommand,
  web: async () => (await import('./commands/web.js')).registerWebCommand,
  version: async () => (await import('./commands/version.js')).registerVersionCommand,
}

/** Global options that take a value; `--wait` takes one only if the next word is not a flag, as in commander. */
const GLOBAL_WITH_VALUE = new Set(['-c', '--config', '--url'])
const GLOBAL_WITH_OPTIONAL_VALUE = new Set(['--wait'])

/** The command group named on the command line (the first word that is not a global option or its value). */
function commandGroup(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]
    if (word === '--') return argv[i + 1]
    if (!word.startsWith('-')) return word
    if (word.includes('=')) continue
    if (GLOBAL_WITH_VALUE.has(word)) i++
    else if (GLOBAL_WITH_OPTIONAL_VALUE.has(word) && argv[i + 1] !== undefined && !argv[i + 1].startsWith('-')) {
      // `--wait migrate` would be read by commander as a wait of "migrate": load everything and let it report.
      return undefined
    }
  }
  return undefined
}

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

/** Loads the command groups the command line needs, then runs it (the bundle is CommonJS: no top-level await). */
async function main(): Promise<void> {
  const group = commandGroup(process.argv.slice(2))
  const wanted = group !== undefined && Object.hasOwn(COMMAND_GROUPS, group) ? [group] : Object.keys(COMMAND_GROUPS)
  for (const register of await Promise.all(wanted.map((name) => COMMAND_GROUPS[name]()))) register(program)

  try {
    await program.parseAsync(process.argv)
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is bad usage.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE
      if (error.exitCode !== 0 && process.argv.includes('--json')) {
        const message = error.message.replace(/^error: /, '')
        const payload = {
          code: 'BAD_USAGE',
          message: `${message[0].toUpperCase()}${message.slice(1)}.`,
          remedy: 'Run `migr8 --help` (or `migr8 COMMAND --help`) for the usage.',
        }
        process.stdout.write(`${JSON.stringify({ error: payload }, null, 2)}\n`)
      }
    } else {
      throw error
    }
  }
}

void main()
