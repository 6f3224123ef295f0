import type { AppInfoT } from '../../../src-shared/contract.js'

const TITLES: Record<string, string> = { migrations: 'Migrations', backups: 'Backups', seeds: 'Seeds' }

/** Until a screen exists, the command-line equivalents of its actions. */
export function CliCommands({ area, info }: { area: string; info?: AppInfoT }) {
  const commands = info?.cliCommands.filter((command) => command.area === area) ?? []
  return (
    <section className="card placeholder">
      <h3>{TITLES[area]} actions — on the command line for now</h3>
      <p className="muted">
        The {TITLES[area].toLowerCase()} screen arrives in a later version. Run these in the project folder (or add{' '}
        <code>--url</code>):
      </p>
      <table className="table">
        <tbody>
          {commands.map((command) => (
            <tr key={command.command}>
              <td>
                <code>{command.command}</code>
              </td>
              <td className="muted">{command.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
