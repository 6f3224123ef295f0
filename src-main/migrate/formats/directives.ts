/** Migr8's own per-script switches, written as full-line comments anywhere in a script. */
export function readDirectives(sql: string): { noTransaction: boolean; envsub: boolean } {
  return {
    noTransaction: /^\s*--\s*migr8:no-transaction\s*$/im.test(sql),
    envsub: /^\s*--\s*migr8:envsub\s+on\s*$/im.test(sql),
  }
}
