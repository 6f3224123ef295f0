/** Flyway: `V{version}__{description}.sql` (up) and optional `U{version}__{description}.sql` (undo). */
export const FLYWAY_NAME = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/
/** Flyway's repeatable migrations have no version; Migr8 names them in the error rather than skip them. */
export const FLYWAY_REPEATABLE_NAME = /^R__(.+)\.sql$/

/** Flyway writes `1_2` and `1.2` for the same version. */
export function flywayVersion(raw: string): string {
  return raw.replace(/_/g, '.')
}
