// Parsers of option values; a bad value is a usage error that names the option. They turn text
// into values; the library's tables say which values an option takes, and check them.
import { InvalidArgumentError } from 'commander';
import type { ManualVersion, OptionSpec } from '../index.js';

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

/** The multiples of --bwlimit's suffixes, binary as rclone's: 10M is 10 MiB a second. */
const RATE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Bytes a second, as rclone's --bwlimit writes them: `512K`, `10M`, `1.5G` (K, M, G are 1024, 1024², 1024³; a trailing B or iB is allowed), or plain bytes. */
export function byteRate(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)(?:i?B)?$/i.exec(value.trim());
  const bytes = match ? Number(match[1]) * (RATE_UNITS[(match[2] ?? '').toUpperCase()] ?? 1) : Number.NaN;
  if (!(bytes >= 1)) throw new InvalidArgumentError('expected bytes a second, e.g. 512K, 10M or 1G (K, M, G: 1024, 1024², 1024³).');
  return Math.floor(bytes);
}

/** A positive number of something a second, e.g. 5 or 0.5. */
export function perSecond(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a positive number a second, e.g. 5 or 0.5.');
  return number;
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
