// Parsers of option values; a bad value is a usage error that names the option. They turn text
// into values; the library's tables say which values an option takes, and check them.
import { InvalidArgumentError } from 'commander';
import type { ManualVersion, OptionSpec } from '../index.js';

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

/** `auto`, or a whole number. */
export function autoOrWholeNumber(value: string): number | 'auto' {
  if (value === 'auto') return value;
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected auto or a whole number.');
  return Number(value);
}

/** One of the option's choices in the library's table, e.g. "expected 1.1 or 1.2." otherwise. */
export function choiceOf<T extends string>(spec: OptionSpec<T> & { readonly choices: readonly T[] }): (value: string) => T {
  return (value) => {
    if (!(spec.choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${spec.choices.join(', ').replace(/, ([^,]*)$/, ' or $1')}.`);
    return value as T;
  };
}

/** MAJOR.MINOR.REVISION, e.g. 2.0.1. */
export function manualVersion(value: string): ManualVersion {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected MAJOR.MINOR.REVISION, e.g. 2.0.1.');
  return { major: Number(match[1]), minor: Number(match[2]), revision: Number(match[3]) };
}

/** A comma-separated list, e.g. "finance,quarterly report". */
export function commaList(value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return items;
}
