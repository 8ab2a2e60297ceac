// The option tables of the docs, made from the library's own tables (src/**/*-options.ts): one
// Markdown table per entry point, a generated block of blocks.ts each (`options-NAME`).
import {
  CLIENT_OPTIONS,
  DOWNLOAD_OPTIONS,
  HTTP_AUTH_OPTIONS,
  LOGIN_OPTIONS,
  optionDefault,
  optionRange,
  RETRY_OPTIONS,
  SESSION_OPTIONS,
  TICKET_OPTIONS,
  TLS_OPTIONS,
  TRUSTED_LOGIN_OPTIONS,
  UPLOAD_MANY_OPTIONS,
  UPLOAD_OPTIONS,
  WINDOWS_LOGIN_OPTIONS,
  type OptionSpec,
} from '../../src/index.js';

type Table = Readonly<Record<string, OptionSpec>>;

/** Rows of a documentation table: a table's options, named with `prefix`, but for those `omit` has. */
interface Rows {
  readonly table: Table;
  readonly prefix?: string;
  readonly omit?: Table;
}

/** Each options table of the docs, and the rows it shows. */
export const OPTION_TABLES: Readonly<Record<string, readonly Rows[]>> = {
  client: [{ table: CLIENT_OPTIONS }, { table: TLS_OPTIONS, prefix: 'tls.' }],
  'http-auth': [{ table: HTTP_AUTH_OPTIONS, prefix: 'auth.' }],
  session: [
    { table: LOGIN_OPTIONS, omit: SESSION_OPTIONS },
    { table: TICKET_OPTIONS, omit: SESSION_OPTIONS },
    // loginTrusted and loginWindows share user, language and signal with login: only what is new.
    { table: TRUSTED_LOGIN_OPTIONS, omit: { ...SESSION_OPTIONS, ...LOGIN_OPTIONS } },
    { table: WINDOWS_LOGIN_OPTIONS, omit: { ...SESSION_OPTIONS, ...LOGIN_OPTIONS } },
    { table: SESSION_OPTIONS, omit: CLIENT_OPTIONS },
    { table: RETRY_OPTIONS, prefix: 'retry.' },
  ],
  upload: [{ table: UPLOAD_OPTIONS }],
  'upload-many': [{ table: UPLOAD_MANY_OPTIONS }],
  download: [{ table: DOWNLOAD_OPTIONS }],
};

const UNITS = { bytes: 'bytes', ms: 'ms' } as const;

/** The Markdown table of one entry point's options. */
export function optionsTable(rows: readonly Rows[]): string {
  const lines = rows.flatMap(({ table, prefix = '', omit = {} }) =>
    Object.entries(table)
      .filter(([option]) => !Object.hasOwn(omit, option))
      .map(([option, spec]) => row(`${prefix}${option}`, spec)),
  );
  return ['| option | default | range | meaning | CLI |', '|---|---|---|---|---|', ...lines].join('\n');
}

function row(option: string, spec: OptionSpec): string {
  const cells = [code(option), defaultCell(spec), rangeCell(spec), spec.summary, spec.cli === undefined ? '' : code(spec.cli)];
  return `| ${cells.map(markdownCell).join(' | ')} |`;
}

/** A table cell: pipes escaped everywhere, angle brackets outside code spans (`<version>` is no HTML tag). */
function markdownCell(text: string): string {
  const parts = text.split('`').map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')));
  return parts.join('`').replace(/\|/g, '\\|');
}

function defaultCell(spec: OptionSpec): string {
  if (spec.default === undefined) return optionDefault(spec);
  return `${code(optionDefault(spec))}${spec.unit === undefined ? '' : ` ${UNITS[spec.unit]}`}`;
}

function rangeCell(spec: OptionSpec): string {
  const range = optionRange(spec);
  const choices = (spec.choices ?? []).map((choice) => code(`'${String(choice)}'`));
  return [...choices, ...(range === undefined ? [] : [code(range)])].join(', ');
}

const code = (text: string) => `\`${text}\``;
