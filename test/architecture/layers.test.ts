// The dependencies of src/ run one way, from the command line down to the ground, type-only
// imports included; generated/ imports nothing; the emulator shares no code with the client.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** From the top: each layer may import its own and lower layers only. */
const LAYERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['the command line', /^src\/cli\//],
  ['the OpenTelemetry entry point', /^src\/otel\//],
  ['the public entry point', /^src\/index\.ts$/],
  ['the session facade', /^src\/session\//],
  ['the transfers', /^src\/transfers\//],
  ['the calls: the port the transfers see, how calls fail, what to do, the retry', /^src\/calls\//],
  ['the SOAP binding', /^src\/soap\//],
  ['HTTP', /^src\/http\//],
  ['errors, integrity, utilities and the diagnostics channels', /^src\/(errors\.ts|package-files\.ts|integrity\/|util\/|tracing\/)/],
  ['generated types and descriptors', /^generated\//],
];

let graph: Record<string, string[]>;
let circular: string[][];
beforeAll(async () => {
  const result = await madge(['src', 'generated'], { baseDir: ROOT, fileExtensions: ['ts'], tsConfig: `${ROOT}tsconfig.json` });
  graph = result.obj();
  circular = result.circular();
});

function layerOf(file: string): number {
  return LAYERS.findIndex(([, pattern]) => pattern.test(file));
}

test('there is no import cycle', () => {
  expect(circular).toEqual([]);
});

test('every client module is in a layer, and imports only its own layer and those below', () => {
  const upward: string[] = [];
  for (const [file, imports] of Object.entries(graph)) {
    if (file.startsWith('src/emulator/')) continue;
    const layer = layerOf(file);
    expect([file, layer >= 0]).toEqual([file, true]);
    for (const target of imports) {
      if (target.startsWith('src/emulator/')) continue;
      if (layerOf(target) < layer) upward.push(`${file} (${LAYERS[layer]?.[0]}) imports ${target} (${LAYERS[layerOf(target)]?.[0]})`);
    }
  }
  expect(upward).toEqual([]);
});

test('the command line imports only the package entry points', () => {
  const deep = Object.entries(graph)
    .filter(([file]) => file.startsWith('src/cli/'))
    .flatMap(([file, imports]) => imports.filter((t) => !t.startsWith('src/cli/') && t !== 'src/index.ts' && t !== 'src/emulator/index.ts').map((t) => `${file} → ${t}`));
  expect(deep).toEqual([]);
});

test('generated/ imports nothing', () => {
  expect(Object.entries(graph).filter(([file, imports]) => file.startsWith('generated/') && imports.length > 0)).toEqual([]);
});

/** The emulator finds the WSDL it serves at ?WSDL where the client does; no other code is shared. */
const SHARED_GROUND = new Set(['src/package-files.ts']);

test('the emulator imports nothing of the client, and the client only its entry point', () => {
  const crossing = Object.entries(graph).flatMap(([file, imports]) =>
    imports
      .filter((target) =>
        file.startsWith('src/emulator/') ? !target.startsWith('src/emulator/') && !SHARED_GROUND.has(target) : target.startsWith('src/emulator/') && target !== 'src/emulator/index.ts',
      )
      .map((target) => `${file} → ${target}`),
  );
  expect(crossing).toEqual([]);
});

const sourceOf = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');
const clientFiles = () => Object.keys(graph).filter((file) => file.startsWith('src/') && !file.startsWith('src/emulator/'));

test('one retry site: p-retry is imported by src/calls/retry.ts alone', () => {
  const importers = clientFiles().filter((file) => /from 'p-retry'/.test(sourceOf(file)));
  expect(importers).toEqual(['src/calls/retry.ts']);
});

/** Error classes whose meaning is what a resend or a restart is decided by: only failures.ts reads them for that. */
const DECIDING_ERRORS = /instanceof (TransportError|TimeoutError|UnexpectedResponseError|ServiceError|ServerError|SoapFaultError|InvalidHandlerError|HandlerNotFoundError|RequestTooLargeError|TicketExpiredError|AuthenticationError|ChecksumMismatchError)\b/;

test('no transfer module decides a resend or a restart outside the decision table', () => {
  const transfers = clientFiles().filter((file) => file.startsWith('src/transfers/'));
  expect(transfers.length).toBeGreaterThan(10);
  const deciding = transfers.flatMap((file) => {
    const text = sourceOf(file);
    const found: string[] = [];
    if (graph[file]?.includes('src/calls/failures.ts')) found.push(`${file} classifies failures itself`);
    if (DECIDING_ERRORS.test(text)) found.push(`${file} tells failures apart by class: ${DECIDING_ERRORS.exec(text)?.[0]}`);
    // A restart is made only from the table's decision (transfer.ts's restartOrThrow carries it out).
    if (file !== 'src/transfers/transfer.ts' && /action: '(restart|restart-keep|halve)'/.test(text)) found.push(`${file} makes up a restart`);
    return found;
  });
  expect(deciding).toEqual([]);
});

test('only the otel entry point imports @opentelemetry/api, and nothing imports that entry point', () => {
  const importers = clientFiles().filter((file) => /from '@opentelemetry\//.test(sourceOf(file)));
  expect(importers).toEqual(['src/otel/index.ts']);
  expect(Object.entries(graph).filter(([, imports]) => imports.includes('src/otel/index.ts'))).toEqual([]);
});

test('the transport imports nothing from soap/', () => {
  const up = Object.entries(graph).flatMap(([file, imports]) => (file.startsWith('src/http/') ? imports.filter((t) => t.startsWith('src/soap/')).map((t) => `${file} → ${t}`) : []));
  expect(up).toEqual([]);
});
