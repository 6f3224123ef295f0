import type { InputHTMLAttributes } from 'react'

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'className'>

/** A labelled text input of the profile forms: the label above, the value and its changes as plain text. */
export function TextField({
  label,
  className,
  value,
  onChange,
  ...input
}: InputProps & { label: string; className?: string; value: string; onChange: (value: string) => void }) {
  return (
    <label className={className ? `field ${className}` : 'field'}>
      <span>{label}</span>
      <input {...input} value={value} onChange={(event) => onChange(event.target.value)} />
    </label>
  )
}
