// One definition of an option: its default, its range or choices, what it means and its flag on
// the command line. Each entry point has a table of these beside its code (…-options.ts); the
// code takes its defaults and checks from it, and the README's option tables and the CLI's help
// are made from it.
import { InvalidArgumentError } from '../errors.js';

/** The numbers a numeric option takes. */
export interface NumberRange {
  /** Only whole numbers. */
  readonly whole?: boolean;
  /** The least value allowed. */
  readonly min?: number;
  /** The greatest value allowed. */
  readonly max?: number;
  /** Every value must be greater than this one (a time limit must be more than 0). */
  readonly above?: number;
}

export interface OptionSpec<T = unknown> extends NumberRange {
  /** What is used when the option is left out; absent when nothing is. */
  readonly default?: T;
  /** The default in words, where it is not one value (e.g. "the client's timeoutMs"). */
  readonly defaultText?: string;
  /** The option must be given; it has no default. */
  readonly required?: boolean;
  /** The only values allowed. */
  readonly choices?: readonly T[];
  readonly unit?: 'bytes' | 'ms';
  /** What the option does, in one line. */
  readonly summary: string;
  /** The command line's flag for it. */
  readonly cli?: `--${string}`;
}

/** One spec for each option of T, inherited ones included. */
export type OptionTable<T> = { readonly [K in keyof T]-?: OptionSpec<Exclude<T[K], undefined>> };

/** The options of a table that have a default. */
type DefaultedKeys<Table> = { [K in keyof Table]: Table[K] extends { readonly default: unknown } ? K : never }[keyof Table];

/** Options with the table's defaults filled in: an option with a default is never undefined. */
export type Settled<T, Table> = T & { readonly [K in keyof T & DefaultedKeys<Table>]-?: Exclude<T[K], undefined> };

/** Throws an InvalidArgumentError naming `name` unless `value` is left out or fits `spec`. */
export function checkOption(name: string, spec: OptionSpec, value: unknown): void {
  if (value === undefined || spec.choices?.includes(value)) return;
  if (!isNumeric(spec)) {
    if (spec.choices !== undefined) throw new InvalidArgumentError(name, `must be one of ${spec.choices.join(', ')}, not ${literal(value)}`);
    return;
  }
  // A number option with choices besides (concurrency: 'auto' or a count) names both.
  const choices = spec.choices === undefined ? '' : `${spec.choices.map(literal).join(', ')} or `;
  if (!fitsNumber(spec, value)) throw new InvalidArgumentError(name, `must be ${choices}${numberWords(spec)}, not ${literal(value)}`);
}

/** Checks `value` against a numeric range, naming `name`: whole numbers, bounds, a unit. */
export function checkNumber(name: string, range: NumberRange & Pick<OptionSpec, 'unit'>, value: unknown): number {
  if (!fitsNumber(range, value)) throw new InvalidArgumentError(name, `must be ${numberWords(range)}, not ${literal(value)}`);
  return value;
}

function fitsNumber(range: NumberRange, value: unknown): value is number {
  const { whole = false, min = -Infinity, max = Infinity, above = -Infinity } = range;
  return typeof value === 'number' && (whole ? Number.isInteger(value) : Number.isFinite(value)) && value >= min && value <= max && value > above;
}

/** Checks every option given against its spec; `prefix` names options nested in another (`retry.`). */
export function checkOptions<T extends object>(table: OptionTable<T>, options: T | undefined, prefix = ''): void {
  // Options that are not an object are their code's to refuse, with its own words.
  if (typeof options !== 'object' || options === null) return;
  for (const [name, spec] of Object.entries<OptionSpec>(table)) checkOption(`${prefix}${name}`, spec, (options as Record<string, unknown>)[name]);
}

/** The options, checked, with the table's default for each one left out. */
export function settle<T extends object, Table extends OptionTable<T>>(table: Table, options: T, prefix = ''): Settled<T, Table> {
  checkOptions<T>(table, options, prefix);
  const settled: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [name, spec] of Object.entries<OptionSpec>(table)) {
    if (settled[name] === undefined && spec.default !== undefined) settled[name] = spec.default;
  }
  return settled as Settled<T, Table>;
}

/** The values an option takes, e.g. `262144..33554432`, `≥ 1`, `> 0`; undefined for one that is not a number. */
export function optionRange(spec: OptionSpec): string | undefined {
  if (!isNumeric(spec)) return undefined;
  const { min, max, above } = spec;
  if (min !== undefined && max !== undefined) return `${min}..${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return `> ${above}`;
}

/** The default as the documentation gives it: a value as code would write it, or words. */
export function optionDefault(spec: OptionSpec): string {
  if (spec.default !== undefined) return literal(spec.default);
  return spec.defaultText ?? (spec.required ? '(required)' : 'none');
}

function isNumeric(spec: NumberRange): boolean {
  return spec.whole === true || spec.min !== undefined || spec.max !== undefined || spec.above !== undefined;
}

/** "a whole number from 1 to 16", "a whole number ≥ 0", "a positive number of milliseconds". */
function numberWords(range: NumberRange & Pick<OptionSpec, 'unit'>): string {
  const { whole, min, max, above, unit } = range;
  // A size's name says it counts bytes; a time limit's unit is worth saying.
  const noun = `${above === 0 ? 'positive ' : ''}${whole ? 'whole number' : 'number'}${unit === 'ms' ? ' of milliseconds' : ''}`;
  if (min !== undefined && max !== undefined) return `a ${noun} from ${min} to ${max}`;
  if (min !== undefined) return `a ${noun} ≥ ${min}`;
  if (max !== undefined) return `a ${noun} ≤ ${max}`;
  return above === undefined || above === 0 ? `a ${noun}` : `a ${noun} > ${above}`;
}

/** A value as code writes it: strings quoted, the rest as they print. */
function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
