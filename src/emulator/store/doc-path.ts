/**
 * Document and folder paths are logical names: they are matched case-insensitively and never name a file
 * (content files are named by version id), so no path can reach outside the data directory.
 */

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const FORBIDDEN_IN_NAMES = /[<>:"|?*]/g;

/**
 * The segments of `/Library/Folder/name`, with `/` or `\` as separators, each exactly as given (a name may start
 * with a space); undefined for an empty or unsafe path, or one with a segment of spaces alone.
 */
export function pathSegments(raw: string): string[] | undefined {
  if (CONTROL_CHARACTERS.test(raw)) return undefined;
  const segments = raw.split(/[\\/]/).filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment.trim() === '' || segment === '.' || segment === '..')) return undefined;
  return segments;
}

export const pathKey = (segments: readonly string[]): string => segments.join('/').toLowerCase();

export const displayPath = (segments: readonly string[]): string => `/${segments.join('/')}`;

/** Folder names are sanitized on creation, as the service does. */
export function sanitizeName(name: string): string {
  return name.replace(FORBIDDEN_IN_NAMES, '_').replace(/[. ]+$/, '');
}

/**
 * A name that can be stored as it is: not blank, no control character, and nothing sanitizing would change (so no
 * trailing space or dot). A leading space is kept: names are never trimmed.
 */
export const isValidName = (name: string): boolean =>
  name.trim() !== '' && !CONTROL_CHARACTERS.test(name) && sanitizeName(name) === name;

/** The lower-case extension of a path's last segment, '' when it has none. */
export const extensionOf = (path: string): string => /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
