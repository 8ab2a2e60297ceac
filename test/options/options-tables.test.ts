// The option tables are where each option is documented: every option interface gives each of its
// options the @default its table has, every table is exported, and the README shows each entry
// point's (whose blocks test/readme/generated-blocks.test.ts keeps current).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as api from '../../src/index.js';
import { optionDefault, type OptionSpec } from '../../src/index.js';
import { BLOCKS } from '../../scripts/docs/blocks.js';
import { OPTION_TABLES } from '../../scripts/docs/options.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Table = Readonly<Record<string, OptionSpec>>;

/** Each option interface, where it is declared, and its table. */
const INTERFACES: ReadonlyArray<readonly [file: string, name: string, table: Table]> = [
  ['src/http/transport-options.ts', 'TlsOptions', api.TLS_OPTIONS],
  ['src/http/transport-options.ts', 'TransportOptions', api.TRANSPORT_OPTIONS],
  ['src/http/auth-options.ts', 'HttpAuthOptions', api.HTTP_AUTH_OPTIONS],
  ['src/soap/client-options.ts', 'SrvClientOptions', api.CLIENT_OPTIONS],
  ['src/calls/retry-options.ts', 'RetryOptions', api.RETRY_OPTIONS],
  ['src/session/session-options.ts', 'SessionOptions', api.SESSION_OPTIONS],
  ['src/session/session-options.ts', 'LoginOptions', api.LOGIN_OPTIONS],
  ['src/session/session-options.ts', 'TicketOptions', api.TICKET_OPTIONS],
  ['src/session/session-options.ts', 'TrustedLoginOptions', api.TRUSTED_LOGIN_OPTIONS],
  ['src/session/session-options.ts', 'WindowsLoginOptions', api.WINDOWS_LOGIN_OPTIONS],
  ['src/transfers/transfer-options.ts', 'TransferOptions', api.TRANSFER_OPTIONS],
  ['src/transfers/upload/upload-options.ts', 'UploadOptions', api.UPLOAD_OPTIONS],
  ['src/transfers/upload/upload-many-options.ts', 'UploadManyOptions', api.UPLOAD_MANY_OPTIONS],
  ['src/transfers/download/download-options.ts', 'DownloadOptions', api.DOWNLOAD_OPTIONS],
];

interface Documented {
  readonly option: string;
  /** The text of its @default tag; undefined without one. */
  readonly default: string | undefined;
}

/** The options an interface declares itself (not those it extends), with their @default. */
async function declaredOptions(file: string, name: string): Promise<Documented[]> {
  const source = ts.createSourceFile(file, await readFile(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!declaration) throw new Error(`${file} declares no interface ${name}`);
  return declaration.members.filter(ts.isPropertySignature).map((member) => {
    const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
    return { option: member.name.getText(source), default: tag === undefined ? undefined : ts.getTextOfJSDocComment(tag.comment)?.trim() };
  });
}

describe.each(INTERFACES)('%s: %s', (file, name, table) => {
  test('each option it declares is in its table, with the @default the table gives (none where the option is required)', async () => {
    const options = await declaredOptions(file, name);
    expect(options.length).toBeGreaterThan(0);
    for (const { option, default: documented } of options) {
      const spec = table[option];
      expect({ option, inTable: spec !== undefined }).toEqual({ option, inTable: true });
      const expected = spec?.required ? undefined : optionDefault(spec as OptionSpec);
      expect({ option, default: documented }).toEqual({ option, default: expected });
    }
  });
});

test('every table the package exports is documented here', () => {
  const exported = Object.entries(api).filter(([key]) => key.endsWith('_OPTIONS')).map(([, value]) => value);
  expect(new Set(exported)).toEqual(new Set(INTERFACES.map(([, , table]) => table)));
});

test('the README shows every option of every table, in the blocks of the entry points', () => {
  const rows = Object.values(OPTION_TABLES).flat();
  const shown = (spec: OptionSpec, option: string) => rows.some(({ table, omit = {} }) => table[option] === spec && !Object.hasOwn(omit, option));
  const missing = INTERFACES.flatMap(([, name, table]) => Object.entries(table).filter(([option, spec]) => !shown(spec, option)).map(([option]) => `${name}.${option}`));
  expect(missing).toEqual([]);
  for (const name of Object.keys(OPTION_TABLES)) expect(BLOCKS[`options-${name}`]?.file).toBe('README.md');
});
