/** Migr8's own per-script switches, written as full-line comments anywhere in a script. */
export function readDirectives(sql: string): { noTransaction: boolean; envsub: boolean } {
  // Nearly no script has a directive: one scan for the prefix spares two line-by-line searches.
  if (!/migr8:/i.test(sql)) return { noTransaction: false, envsub: false }
  return {
    noTransaction: /^\s*--\s*migr8:no-transaction\s*$/im.test(sql),
    envsub: /^\s*--\s*migr8:envsub\s+on\s*$/im.test(sql),
  }
}
