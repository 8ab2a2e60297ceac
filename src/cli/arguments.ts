// Parsers of option values; a bad value is a usage error that names the option.
import { InvalidArgumentError } from 'commander';
import type { ManualVersion } from '../index.js';

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
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
