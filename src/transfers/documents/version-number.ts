// A version is named by its `Number` as GetDocumentVersions lists it (1000000, 2000000, …), never
// computed (C34, C35): a number below the first is refused before anything is sent, since some
// calls take it for a legacy number and others match nothing with it.
import { InvalidArgumentError } from '../../errors.js';
import { checkNumber } from '../../util/options.js';
import { MAX_INT } from '../transfer.js';

const FIRST_VERSION_NUMBER = 1_000_000;

/** `latest`: whether 0 is taken, as the latest version (GetDownloadInfoByVersion, GetDownloadHandlerByVersion). */
export function versionNumberOf(argument: string, value: unknown, latest: boolean): number {
  const number = checkNumber(argument, { whole: true, min: 0, max: MAX_INT }, value);
  if (number < FIRST_VERSION_NUMBER && (number > 0 || !latest)) {
    const zero = latest ? ' (0 = latest)' : '';
    throw new InvalidArgumentError(argument, `is ${number}: version numbers are 1000000, 2000000, … as GetDocumentVersions lists them${zero}`);
  }
  return number;
}
