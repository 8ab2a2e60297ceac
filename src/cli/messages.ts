// The library's errors in the command line's terms: an option by its flag (the tables' `cli`), a
// local file by the argument that named it, in the words the command line has always used.
import { dirname, resolve } from 'node:path';
import {
  DOWNLOAD_OPTIONS,
  HTTP_AUTH_OPTIONS,
  InvalidArgumentError,
  LOGIN_OPTIONS,
  TICKET_OPTIONS,
  TLS_OPTIONS,
  UPLOAD_MANY_OPTIONS,
  UPLOAD_OPTIONS,
  type LocalPath,
  type OptionSpec,
} from '../index.js';

/** Each option's flag, by the name the library gives it in an error. */
const OPTION_FLAGS: ReadonlyMap<string, string> = new Map([
  ...flagsOf(LOGIN_OPTIONS),
  ...flagsOf(TICKET_OPTIONS),
  ...flagsOf(TLS_OPTIONS, 'tls.'),
  ...flagsOf(HTTP_AUTH_OPTIONS, 'auth.'),
  ...flagsOf(UPLOAD_OPTIONS),
  ...flagsOf(UPLOAD_MANY_OPTIONS),
  ...flagsOf(DOWNLOAD_OPTIONS),
]);

/** Arguments that are not options, as the command line calls them. */
const ARGUMENT_NAMES: Readonly<Record<string, string>> = {
  source: 'the source',
  destination: 'the destination',
  'destination.folder': 'the folder of <remotePath>',
  'destination.name': 'the name in <remotePath>',
  'metadata.description': '--description',
  'metadata.keywords': '--keywords',
  'metadata.versionComment': '--comment',
  'metadata.version.major': '--version-label',
  'metadata.version.minor': '--version-label',
  'metadata.version.revision': '--version-label',
  'source.versionNumber': '--version-number',
};

/** The command line's argument for each local file the library checks: upload's and download's <file>, exists --file (fileCrc32). */
const LOCAL_FILES: Readonly<Record<string, string>> = { source: '<file>', destination: '<file>', path: '--file' };

/** Rules of the library the command line says in its own terms. */
const REWORDED: Readonly<Record<string, string>> = {
  'auth.allowHttp': '--http-auth basic over plain http: would send the password readable by anyone on the way; use an https: URL, or add --allow-http-basic',
  resume: '--resume needs a file: what standard output was given cannot be taken back',
};

/** Library options that the messages of other errors name as the fix, and the command line's flag for each. */
const LIBRARY_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcreateFolders: true\b/g, '--parents'],
  [/\bthe auth option\b/g, '--http-auth'],
  [/\btls\.ca\b/g, '--ca'],
];

/** The argument the library names, as the command line calls it. */
export function cliName({ argument, localPath }: InvalidArgumentError): string {
  const header = /^headers\[(".*")\]$/.exec(argument)?.[1];
  if (header !== undefined) return `--header ${JSON.parse(header) as string}`;
  return (localPath && LOCAL_FILES[argument]) ?? OPTION_FLAGS.get(argument) ?? ARGUMENT_NAMES[argument] ?? argument;
}

/** An error's message in the command line's terms. */
export function cliMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error instanceof InvalidArgumentError)) return LIBRARY_WORDS.reduce((message, [words, flag]) => message.replace(words, flag), error.message);
  const name = cliName(error);
  if (error.localPath) return localFileMessage(name, error.localPath, error.problem);
  return REWORDED[error.argument] ?? `${name} ${error.problem}`;
}

/** `words`: the library's, for a file that cannot be read for another reason (EACCES, …). */
function localFileMessage(name: string, { path, problem }: LocalPath, words: string): string {
  switch (problem) {
    case 'missing':
      return `${name} ${path} does not exist`;
    case 'not-a-file':
      return `${name} ${path} is not a regular file`;
    case 'no-directory':
      return `${name} ${path}: ${dirname(resolve(path))} is not an existing directory`;
    case 'directory':
      return `${name} ${path} is a directory`;
    case 'exists':
      return `${name} ${path} exists; use --force to replace it`;
    default:
      return `${name} ${words}`;
  }
}

function flagsOf(table: Readonly<Record<string, OptionSpec>>, prefix = ''): Array<[string, string]> {
  return Object.entries(table).flatMap(([name, spec]) => (spec.cli === undefined ? [] : [[`${prefix}${name}`, spec.cli]]));
}

/** Where a usage error points to: the command's own help. */
export function usageHint(command: string): string {
  return `see '${command} --help'`;
}
