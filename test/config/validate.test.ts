/**
 * The config validators replace zod in the CLI's start-up path, and config errors quote their
 * messages: each must fail where zod fails, with zod's issues (code, path, message, count) and the
 * same output where it passes. zod stays a dependency of the app, so it is the oracle here.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  array,
  boolean,
  enumOf,
  gte,
  int,
  lte,
  maxLength,
  minLength,
  number,
  optional,
  pipe,
  preprocess,
  record,
  refine,
  regex,
  strictObject,
  string,
  union,
  withDefault,
  type Validator,
} from '../../src-main/config/validate.js'

const VALUES: unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  1,
  2.5,
  65536,
  Number.MAX_SAFE_INTEGER + 2,
  NaN,
  Infinity,
  '',
  'a',
  'ab',
  '42',
  ' 7 ',
  '5s',
  'soon',
  'table_1',
  '1table',
  [],
  ['x'],
  [1],
  {},
  { a: 'b' },
  { a: 1 },
  { length: 0 },
  { mode: 'require', extra: 1 },
  new Date(0),
]

const digits = (value: unknown) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value)
const seconds = (value: string | number) =>
  typeof value === 'number' ? value : /^\d+s$/.test(value) ? parseInt(value) * 1000 : undefined

const PAIRS: Array<[string, Validator<unknown>, z.ZodType]> = [
  ['string', string(), z.string()],
  ['string min 1', string(minLength(1)), z.string().min(1)],
  ['string max 1', string(maxLength(1)), z.string().max(1)],
  ['regex', string(regex(/^[a-z_]+$/, 'expected a name')), z.string().regex(/^[a-z_]+$/, 'expected a name')],
  ['number', number(), z.number()],
  ['number bounds', number(gte(1), lte(100)), z.number().min(1).max(100)],
  ['int', int(), z.number().int()],
  ['boolean', boolean(), z.boolean()],
  ['enum', enumOf(['a', 'ab']), z.enum(['a', 'ab'])],
  ['union', union([string(), number()]), z.union([z.string(), z.number()])],
  ['union with a check', union([boolean(), string(minLength(1))]), z.union([z.boolean(), z.string().min(1)])],
  [
    'integer from digits, bounded',
    pipe(preprocess(digits, int()), (value) => number(gte(1), lte(65535)).run(value)),
    z.preprocess(digits, z.number().int()).pipe(z.number().min(1).max(65535)),
  ],
  [
    'refined',
    refine(union([string(), number()]), seconds, 'expected seconds'),
    z.union([z.string(), z.number()]).transform((value, ctx) => {
      const result = seconds(value)
      if (result === undefined) ctx.addIssue({ code: 'custom', message: 'expected seconds' })
      return result ?? z.NEVER
    }),
  ],
  ['array', array(string()), z.array(z.string())],
  ['record', record(string()), z.record(z.string(), z.string())],
  [
    'strict object',
    strictObject({
      mode: withDefault(enumOf(['require', 'prefer']), 'prefer'),
      name: optional(string(minLength(1))),
      count: withDefault(int(), 3),
      list: withDefault(array(string()), ['x']),
    }),
    z
      .object({
        mode: z.enum(['require', 'prefer']).default('prefer'),
        name: z.string().min(1).optional(),
        count: z.number().int().default(3),
        list: z.array(z.string()).default(['x']),
      })
      .strict(),
  ],
]

function zodOutcome(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input)
  if (result.success) return { data: result.data }
  return {
    issues: result.error.issues.map((issue) => ({
      code: issue.code,
      path: issue.path.map(String),
      message: issue.message,
      ...(issue.code === 'unrecognized_keys' ? { keys: issue.keys } : {}),
    })),
  }
}

function ownOutcome(validator: Validator<unknown>, input: unknown) {
  const result = validator.safeParse(input)
  return result.success ? { data: result.data } : { issues: result.issues }
}

describe('config validators match zod', () => {
  for (const [name, validator, schema] of PAIRS) {
    it(name, () => {
      for (const value of VALUES) {
        for (const input of [value, { mode: 'require', name: value }, { count: value, list: [value] }, { x: value }]) {
          expect(ownOutcome(validator, input), JSON.stringify(input)).toEqual(zodOutcome(schema, input))
        }
      }
    })
  }
})
