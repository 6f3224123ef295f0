import { Migr8Error } from '../../src-shared/errors.js'

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/** Replaces `${VAR}` / `${VAR:-default}`; `missing` decides what an unset variable without default does. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, missing: (name: string) => never): string {
  return text.replace(reference, (_match, name: string, fallback: string | undefined) => {
    const found = env[name]
    if (found !== undefined && found !== '') return found
    if (fallback !== undefined) return fallback
    return missing(name)
  })
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a parsed YAML document. Expansion runs
 * after parsing so that a value holding quotes or colons cannot change the document's structure.
 */
export function expandEnvReferences(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string[] = [],
  source = 'migr8.yaml',
): unknown {
  if (typeof value === 'string') {
    return substituteEnv(value, env, (name) => {
      throw new Migr8Error(
        'CONFIG_INVALID',
        `${source}: ${path.join('.') || '(root)'} refers to \${${name}}, but the environment variable ${name} is not set (or is empty).`,
        `Set ${name} in the environment, or write \${${name}:-default} to give a default.`,
        { key: path.join('.'), variable: name },
      )
    })
  }
  if (Array.isArray(value))
    return value.map((item, index) => expandEnvReferences(item, env, [...path, String(index)], source))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandEnvReferences(item, env, [...path, key], source)]),
    )
  }
  return value
}
