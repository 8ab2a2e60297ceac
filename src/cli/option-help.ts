// Help text for an option that has a range or a default: both come from the library's table.
import { optionDefault, optionRange, UPLOAD_OPTIONS, type OptionSpec } from '../index.js';

export interface HelpFacts {
  /** The environment variable that sets the option too. */
  env?: string;
  /** The default in the command line's unit, where it differs from the table's (seconds for milliseconds). */
  default?: string;
}

/** `text (env X; 262144..33554432, default 4194304)`: what the option does, then what the table says of it. */
export function helpOf(text: string, spec: OptionSpec, facts: HelpFacts = {}): string {
  const hasDefault = spec.default !== undefined || spec.defaultText !== undefined;
  const shown = facts.default ?? (hasDefault ? optionDefault(spec) : undefined);
  const values = [optionRange(spec), shown && `default ${shown}`].filter(Boolean).join(', ');
  const notes = [facts.env && `env ${facts.env}`, values].filter(Boolean).join('; ');
  return notes === '' ? text : `${text} (${notes})`;
}

/** --bwlimit's help: upload, download and sync take it. */
export const BWLIMIT_HELP = helpOf('bytes a second at most, on average, e.g. 512K or 10M (K, M, G: 1024, 1024², 1024³, as rclone)', UPLOAD_OPTIONS.rateLimit, { default: 'none' });
