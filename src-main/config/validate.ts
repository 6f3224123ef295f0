/**
 * The few validators the config schema needs, with zod 4's semantics and English messages (the
 * config errors quote them, and test/config checks them). zod cost every CLI command ~40 ms of
 * compiling and building schemas before any work (zod/mini ~15 ms); these cost nothing measurable.
 * Only what schema.ts uses is here: a new kind of check belongs here with zod's exact message.
 */

import { Migr8Error } from '../../src-shared/errors.js'

export interface Issue {
  code: 'invalid_type' | 'invalid_value' | 'invalid_union' | 'invalid_format' | 'too_big' | 'too_small' | 'custom'
  path: string[]
  message: string
}

export interface UnrecognizedKeysIssue {
  code: 'unrecognized_keys'
  path: string[]
  message: string
  keys: string[]
}

export type ConfigIssue = Issue | UnrecognizedKeysIssue

/** One run of a validator: its issues (paths relative to it) and whether one stops what follows. */
interface Run<T> {
  value: T
  issues: ConfigIssue[]
  /** A type error (zod "aborts"): later checks and pipes do not run, and a union skips this option. */
  aborted: boolean
}

/** How a validator treats a missing key of an object (zod's optin/optout). */
type Presence = 'required' | 'optional' | 'defaulted'

export interface Validator<T, P extends Presence = Presence> {
  readonly presence: P
  run(input: unknown): Run<T>
  /** The value, or a CONFIG_INVALID error naming the first issue (for settings built by code). */
  parse(input: unknown): T
  safeParse(input: unknown): { success: true; data: T } | { success: false; issues: ConfigIssue[] }
}

export type Output<V> = V extends Validator<infer T> ? T : never

function validator<T, P extends Presence = 'required'>(
  run: (input: unknown) => Run<T>,
  presence: P = 'required' as P,
): Validator<T, P> {
  return {
    presence,
    run,
    parse(input) {
      const result = run(input)
      if (result.issues.length) {
        const [issue] = result.issues
        throw new Migr8Error(
          'CONFIG_INVALID',
          `${issue.path.join('.') || '(root)'}: ${issue.message}.`,
          'Fix that setting; run `migr8 config init` to see every key.',
          { key: issue.path.join('.'), issues: result.issues.length },
        )
      }
      return result.value
    },
    safeParse(input) {
      const result = run(input)
      return result.issues.length ? { success: false, issues: result.issues } : { success: true, data: result.value }
    },
  }
}

const ok = <T>(value: T): Run<T> => ({ value, issues: [], aborted: false })
const failed = <T>(issue: Issue, aborted: boolean): Run<T> => ({
  value: undefined as T,
  issues: [issue],
  aborted,
})

/** zod's name for the type of a value in "received …". */
function typeName(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value)
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') {
    const prototype: unknown = Object.getPrototypeOf(value)
    const constructor = (value as { constructor?: { name: string } }).constructor
    if (prototype !== Object.prototype && 'constructor' in value && constructor) return constructor.name
  }
  return typeof value
}

function typeIssue<T>(expected: string, input: unknown): Run<T> {
  const message = `Invalid input: expected ${expected}, received ${typeName(input)}`
  return failed({ code: 'invalid_type', path: [], message }, true)
}

/** A check on a value of the right type; its failure does not stop the checks after it. */
interface Check<T> {
  (value: T): Issue | undefined
  /** Length checks run even after a type error, on any value with a length (as zod's do). */
  onLength?: true
}

function withChecks<T>(expected: string, is: (input: unknown) => input is T, checks: Array<Check<T>>): Validator<T> {
  return validator((input) => {
    if (is(input)) {
      const issues = checks.map((check) => check(input)).filter((issue): issue is Issue => issue !== undefined)
      return { value: input, issues, aborted: false }
    }
    const run = typeIssue<T>(expected, input)
    const length = input === null || input === undefined ? undefined : (input as { length?: unknown }).length
    if (length !== undefined) {
      for (const check of checks) {
        const issue = check.onLength && check(input as T)
        if (issue) run.issues.push(issue)
      }
    }
    return run
  })
}

const isString = (input: unknown): input is string => typeof input === 'string'
const isNumber = (input: unknown): input is number => typeof input === 'number' && Number.isFinite(input)

export const string = (...checks: Array<Check<string>>) => withChecks('string', isString, checks)
export const number = (...checks: Array<Check<number>>) => withChecks('number', isNumber, checks)
export const boolean = () => withChecks('boolean', (input): input is boolean => typeof input === 'boolean', [])

/** zod's name for what has a length: "Too small: expected array to have >=1 items". */
function lengthIssue(value: unknown, code: 'too_small' | 'too_big', bound: string): Issue {
  const origin = Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : 'unknown'
  const unit = origin === 'array' ? ' items' : origin === 'string' ? ' characters' : ''
  const verb = origin === 'unknown' ? 'to be' : 'to have'
  const size = code === 'too_small' ? 'Too small' : 'Too big'
  return { code, path: [], message: `${size}: expected ${origin} ${verb} ${bound}${unit}` }
}

const lengthOf = (value: unknown) => (value as { length: number }).length

export function minLength(min: number): Check<string> {
  const check: Check<string> = (value) =>
    lengthOf(value) >= min ? undefined : lengthIssue(value, 'too_small', `>=${min}`)
  check.onLength = true
  return check
}

export function maxLength(max: number): Check<string> {
  const check: Check<string> = (value) =>
    lengthOf(value) <= max ? undefined : lengthIssue(value, 'too_big', `<=${max}`)
  check.onLength = true
  return check
}

export const regex =
  (pattern: RegExp, message: string): Check<string> =>
  (value) => {
    pattern.lastIndex = 0
    return pattern.test(value) ? undefined : { code: 'invalid_format', path: [], message }
  }

export const gte =
  (min: number): Check<number> =>
  (value) =>
    value >= min ? undefined : { code: 'too_small', path: [], message: `Too small: expected number to be >=${min}` }

export const lte =
  (max: number): Check<number> =>
  (value) =>
    value <= max ? undefined : { code: 'too_big', path: [], message: `Too big: expected number to be <=${max}` }

/** zod's `z.int()`: a safe integer (a type error otherwise, so checks after it do not run). */
export function int(): Validator<number> {
  return validator((input) => {
    const run = number().run(input)
    if (run.issues.length) return run
    const value = run.value
    if (!Number.isInteger(value)) return typeIssue('int', value)
    if (value > Number.MAX_SAFE_INTEGER)
      return failed(
        { code: 'too_big', path: [], message: `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}` },
        false,
      )
    if (value < Number.MIN_SAFE_INTEGER)
      return failed(
        { code: 'too_small', path: [], message: `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}` },
        false,
      )
    return ok(value)
  })
}

export function enumOf<const T extends readonly string[]>(values: T): Validator<T[number]> {
  const message = `Invalid option: expected one of ${values.map((value) => `"${value}"`).join('|')}`
  return validator((input) =>
    values.includes(input as string)
      ? ok(input as T[number])
      : failed({ code: 'invalid_value', path: [], message }, true),
  )
}

/** The first option that passes; if all fail, the one that failed on a check rather than a type, or "Invalid input". */
export function union<A, B>(options: [Validator<A>, Validator<B>]): Validator<A | B> {
  return validator<A | B>((input) => {
    const runs: Array<Run<A | B>> = []
    for (const option of options) {
      const run = option.run(input)
      if (run.issues.length === 0) return run
      runs.push(run)
    }
    const notAborted = runs.filter((run) => !run.aborted)
    if (notAborted.length === 1) return notAborted[0]
    return failed({ code: 'invalid_union', path: [], message: 'Invalid input' }, false)
  })
}

/** `from`, then `to` on its value unless `from` had issues. */
export function pipe<A, B>(from: Validator<A>, to: (value: A) => Run<B>): Validator<B> {
  return validator((input) => {
    const first = from.run(input)
    if (first.issues.length) return { value: undefined as B, issues: first.issues, aborted: true }
    return to(first.value)
  })
}

/** A transform that may reject its value with a custom message. */
export function refine<A, B>(from: Validator<A>, fn: (value: A) => B | undefined, message: string): Validator<B> {
  return pipe(from, (value) => {
    const result = fn(value)
    return result === undefined ? failed({ code: 'custom', path: [], message }, true) : ok(result)
  })
}

/** Changes the input before validating it (zod's `preprocess`). */
export function preprocess<T>(fn: (input: unknown) => unknown, inner: Validator<T>): Validator<T> {
  return validator((input) => inner.run(fn(input)))
}

export function optional<T>(inner: Validator<T>): Validator<T | undefined, 'optional'> {
  return validator((input) => (input === undefined ? ok(undefined) : inner.run(input)), 'optional')
}

/** A missing value becomes a copy of `fallback`, which is not validated (as in zod). */
export function withDefault<T>(inner: Validator<T>, fallback: NonNullable<T>): Validator<NonNullable<T>, 'defaulted'> {
  return validator((input) => {
    if (input === undefined) return ok(copy(fallback))
    const run = inner.run(input)
    return run.value === undefined && !run.issues.length ? ok(copy(fallback)) : (run as Run<NonNullable<T>>)
  }, 'defaulted')
}

function copy<T>(value: T): T {
  if (Array.isArray(value)) return [...value] as T
  return value !== null && typeof value === 'object' ? { ...value } : value
}

function prefixed(issues: ConfigIssue[], key: string): ConfigIssue[] {
  return issues.map((issue) => ({ ...issue, path: [key, ...issue.path] }))
}

export function array<T>(element: Validator<T>): Validator<T[]> {
  return validator((input) => {
    if (!Array.isArray(input)) return typeIssue('array', input)
    const value: T[] = []
    const issues: ConfigIssue[] = []
    input.forEach((item, index) => {
      const run = element.run(item)
      issues.push(...prefixed(run.issues, String(index)))
      value.push(run.value)
    })
    return { value, issues, aborted: false }
  })
}

const isPlainObject = (input: unknown): input is Record<string, unknown> => {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false
  const prototype: unknown = Object.getPrototypeOf(input)
  return prototype === Object.prototype || prototype === null
}

export function record<T>(valueType: Validator<T>): Validator<Record<string, T>> {
  return validator((input) => {
    if (!isPlainObject(input)) return typeIssue('record', input)
    const value: Record<string, T> = {}
    const issues: ConfigIssue[] = []
    for (const key of Object.keys(input)) {
      if (key === '__proto__') continue
      const run = valueType.run(input[key])
      issues.push(...prefixed(run.issues, key))
      value[key] = run.value
    }
    return { value, issues, aborted: false }
  })
}

type Shape = Record<string, Validator<unknown>>
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends Validator<unknown, 'optional'> ? K : never
}[keyof S]
export type ObjectOutput<S extends Shape> = {
  [K in Exclude<keyof S, OptionalKeys<S>>]: Output<S[K]>
} & { [K in OptionalKeys<S>]?: Output<S[K]> }

/** zod's `strictObject`: every key of the shape in order, then one issue naming all unknown keys. */
export function strictObject<S extends Shape>(shape: S): Validator<ObjectOutput<S>> {
  const known = new Set(Object.keys(shape))
  return validator((input) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return typeIssue('object', input)
    const source = input as Record<string, unknown>
    const value: Record<string, unknown> = {}
    const issues: ConfigIssue[] = []
    for (const [key, field] of Object.entries(shape)) {
      const present = key in source
      if (!present && field.presence === 'optional') continue
      const run = field.run(source[key])
      issues.push(...prefixed(run.issues, key))
      if (run.value !== undefined) value[key] = run.value
      else if (present) value[key] = undefined
    }
    const unknown: string[] = []
    for (const key in source) if (!known.has(key)) unknown.push(key)
    if (unknown.length) {
      const message = `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`
      issues.push({ code: 'unrecognized_keys', path: [], message, keys: unknown })
    }
    return { value: value as ObjectOutput<S>, issues, aborted: false }
  })
}
