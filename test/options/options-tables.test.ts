// The option tables are where each option is documented: every option interface gives each of its
// options the @default its table has, every table is exported, and the documentation's tables are
// what `npm run docs:options` makes of them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import * as api from '../../src/index.js';
import { optionDefault, type OptionSpec } from '../../src/index.js';
import { documentationFiles, ROOT } from '../../scripts/options-docs/files.js';
import { markers, OPTION_BLOCKS, renderBlock } from '../../scripts/options-docs/render.js';

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

describe('the documentation', () => {
  let texts: Array<{ file: string; text: string }>;
  beforeAll(async () => {
    texts = await Promise.all((await documentationFiles()).map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  });

  test.each(Object.keys(OPTION_BLOCKS))('has the %s options table once, as the library\'s tables make it', (name) => {
    const { start, end } = markers(name);
    const holders = texts.filter(({ text }) => text.includes(start));
    expect({ block: name, files: holders.length }).toEqual({ block: name, files: 1 });
    const { file, text } = holders[0] as { file: string; text: string };
    const block = text.slice(text.indexOf(start) + start.length, text.indexOf(end));
    if (block !== `\n${renderBlock(name)}\n`) throw new Error(`${file}: the ${name} options table is stale; run \`npm run docs:options\` and commit the result`);
  });
});
