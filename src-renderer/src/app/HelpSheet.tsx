import { Dialog, Kbd, modKey } from './ui.js'

export const SHORTCUTS: Array<[string[], string]> = [
  [[modKey, 'K'], 'Command palette: jump to a profile or action'],
  [['?'], 'This help sheet'],
  [['N'], 'New profile'],
  [['E'], 'Edit the selected profile'],
  [['T'], 'Test the selected profile’s connection'],
  [['J'], 'Next profile'],
  [['K'], 'Previous profile'],
  [['1'], 'Overview tab'],
  [['2'], 'Migrations tab'],
  [['3'], 'Backups tab'],
  [['4'], 'Seeds tab'],
  [['Shift', 'Del'], 'Delete the selected profile'],
  [['Esc'], 'Close a dialog'],
]

export function HelpSheet({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="table shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, description]) => (
            <tr key={description}>
              <td>
                {keys.map((key) => (
                  <Kbd key={key}>{key}</Kbd>
                ))}
              </td>
              <td>{description}</td>
            </tr>
          ))}
          <tr>
            <td>
              <Kbd>Shift</Kbd>
              <Kbd>J</Kbd>
            </td>
            <td>Show or hide the jobs tray</td>
          </tr>
        </tbody>
      </table>
    </Dialog>
  )
}
