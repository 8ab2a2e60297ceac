/**
 * Interop with .NET's SOAP stack, which nobody here wrote: Mono's `wsdl` (System.Web.Services and
 * XmlSerializer, the code behind .NET Framework's wsdl.exe and "Add Web Reference") generates a proxy
 * from wsdl/srv.wsdl for SOAP 1.1 and for SOAP 1.2; mcs compiles each, unedited, with
 * test/interop/dotnet/Workflow.cs, which runs the whole workflow through it against the emulator. The
 * proxies of the HTTP GET and POST bindings offer the operations each binding declares, and
 * test/interop/dotnet/HttpBindings.cs calls the emulator through both, compiled together.
 * Needs Debian's mono-devel: when wsdl, mcs or mono is missing, scripts/test-prereqs.sh installs it
 * (as root). When it is still missing, the file fails under CI=true and is never skipped there;
 * elsewhere (an ordinary user without root) it skips, saying SKIPPED (test/interop/toolkits.ts).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { PROFILES } from '../helpers/profiles.js';
import { interopSuite } from './toolkits.js';

const { describe, it } = await interopSuite('mono', 'test/interop/mono.test.ts');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WSDL = join(ROOT, 'wsdl', 'srv.wsdl');
const PROGRAM = join(ROOT, 'test', 'interop', 'dotnet', 'Workflow.cs');
const HTTP_PROGRAM = join(ROOT, 'test', 'interop', 'dotnet', 'HttpBindings.cs');
const TEMPURI = 'http://tempuri.org/';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: error !== null && code === -1 ? `${stderr}${error.message}` : stderr });
    });
  });
}

/** Result elements in every name and namespace form the service uses, for DeleteUploadHandler and DownloadFileChunk. */
const FORMS: Record<string, { body: (op: string, attributes: string, text: string) => string; name: string; namespace: string }> = {
  'xmlns-empty': {
    body: (op, attributes, text) => `<${op}Response xmlns="${TEMPURI}"><${op}Result><response xmlns="" ${attributes}>${text}</response></${op}Result></${op}Response>`,
    name: 'response',
    namespace: '',
  },
  inherited: {
    body: (op, attributes, text) => `<${op}Response xmlns="${TEMPURI}"><${op}Result><root ${attributes}>${text}</root></${op}Result></${op}Response>`,
    name: 'root',
    namespace: TEMPURI,
  },
  unqualified: {
    body: (op, attributes, text) => `<t:${op}Response xmlns:t="${TEMPURI}"><t:${op}Result><Response ${attributes}>${text}</Response></t:${op}Result></t:${op}Response>`,
    name: 'Response',
    namespace: '',
  },
  prefixed: {
    body: (op, attributes, text) => `<t:${op}Response xmlns:t="${TEMPURI}"><t:${op}Result><t:response ${attributes}>${text}</t:response></t:${op}Result></t:${op}Response>`,
    name: 'response',
    namespace: TEMPURI,
  },
  'spaced, with an unknown attribute': {
    body: (op, attributes, text) => `<${op}Response xmlns="${TEMPURI}"><${op}Result>\n  <root xmlns="" added="1" ${attributes}>${text}</root>\n</${op}Result></${op}Response>`,
    name: 'root',
    namespace: '',
  },
};

/** The SOAP version of each request the form server got: 1.2 by its Content-Type, 1.1 by its SOAPAction header. */
const formRequests: string[] = [];

/** Answers DeleteUploadHandler and DownloadFileChunk in the form named by ?form=, in the request's SOAP version. */
function startFormServer(): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (data: Buffer) => (body += data.toString()));
    request.on('end', () => {
      const form = FORMS[new URL(request.url ?? '/', 'http://localhost').searchParams.get('form') ?? ''];
      const soap12 = (request.headers['content-type'] ?? '').includes('application/soap+xml');
      formRequests.push(soap12 && request.headers['soapaction'] === undefined ? 'SOAP 1.2' : request.headers['soapaction'] !== undefined ? 'SOAP 1.1' : 'neither');
      const op = /<(?:\w+:)?(DeleteUploadHandler|DownloadFileChunk)\b/.exec(body)?.[1];
      if (!form || !op) {
        response.writeHead(400).end();
        return;
      }
      const [attributes, text] = op === 'DownloadFileChunk'
        ? ['success="true" filelength="3" chunklength="3" lastchunk="true" chunkCRC32="352441c2"', 'YWJj']
        : ['success="true" error=""', ''];
      const envelope = soap12 ? 'http://www.w3.org/2003/05/soap-envelope' : 'http://schemas.xmlsoap.org/soap/envelope/';
      response.writeHead(200, { 'Content-Type': `${soap12 ? 'application/soap+xml' : 'text/xml'}; charset=utf-8` });
      response.end(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${envelope}"><soap:Body>${form.body(op, attributes, text)}</soap:Body></soap:Envelope>`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const WORKFLOW_ACTIONS = [
  'AuthenticateUser', 'CreateUploadHandler', 'UploadFileChunk', 'UploadFileChunk', 'UploadFileChunk', 'UploadDocumentWithHandler',
  'DocumentExists', 'GetDownloadHandler', 'DownloadFileChunk', 'DownloadFileChunk', 'DownloadFileChunk', 'DeleteDownloadHandler',
  'DeleteUploadHandler', 'LogOut',
].map((op) => `POST /srv.asmx ${TEMPURI}${op} 200`);

let dir: string;
let formServer: Server;
const emulators = {} as Record<'empty' | 'inherit', { emulator: RunningEmulator; log: string[] }>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srv-asmx-mono-'));
  formServer = await startFormServer();
  for (const resultXmlns of ['empty', 'inherit'] as const) {
    const log: string[] = [];
    emulators[resultXmlns] = { emulator: await startEmulator({ resultXmlns, log: (line) => log.push(line) }), log };
  }
});

afterAll(async () => {
  await Promise.all(Object.values(emulators).map(({ emulator }) => emulator.close()));
  if (formServer) await new Promise((resolve) => formServer.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What wsdl says besides "Writing file", by protocol. */
const WSDL_WARNINGS: Record<string, string> = {
  // WS-I Basic Profile, which wsdl checks for SOAP 1.1 only, wants a targetNamespace on every schema; the
  // HTTP bindings' bare result elements are unqualified, so theirs has none.
  SOAP: `\nThere were some warnings while generating the code:\n\n  ${WSDL}\n    - This web reference does not conform to WS-I Basic Profile v1.1\n        R2105: HelpGeneratorServiceConformanceR2105\n          * {0} from service description with targetNamespace='{1}'.\n\n`,
  SOAP12: '',
  HttpGet: '',
  // UploadFileChunk's multipart input: the one operation the HTTP POST proxy leaves out.
  HttpPost: `\nThere were some warnings while generating the code:\n\n  ${WSDL}\n    - WARNING: At least one operation is of an unsupported type and has been\n      ignored\n\n`,
};

/** The operations each HTTP proxy offers: on GET the calls safe in a URL, on POST all but UploadFileChunk. */
const HTTP_OPERATIONS: Record<string, string[]> = {
  HttpGet: [
    'ServerInfo', 'DeleteUploadHandler', 'DeleteDownloadHandler', 'DocumentExists', 'DocumentExists1', 'FolderExists',
    'GetDownloadInfo', 'GetDownloadInfoByVersion', 'GetDocumentVersions', 'GetDocumentVersion',
  ],
  HttpPost: [
    'AuthenticateUser', 'AuthenticateUser1', 'RenewTicket', 'isValidTicket', 'LogOut', 'ServerInfo', 'CreateUploadHandler',
    'UploadDocumentWithHandler', 'UploadDocumentWithHandler1', 'UploadDocumentWithHandler2', 'UploadDocumentWithHandler3',
    'UploadNewDocumentWidthHandler', 'DeleteUploadHandler', 'GetDownloadHandler', 'GetDownloadHandlerByVersion',
    'DownloadFileChunk', 'DeleteDownloadHandler', 'DocumentExists', 'DocumentExists1', 'FolderExists', 'CreateFolder',
    'GetDownloadInfo', 'GetDownloadInfoByVersion', 'GetDocumentVersions', 'GetDocumentVersion',
    'DeleteDocument', 'DeleteDocumentVersion',
  ],
};

describe("Mono's wsdl reads wsdl/srv.wsdl", () => {
  it.each(Object.keys(WSDL_WARNINGS))('-protocol:%s: no error, and only the warnings this WSDL explains', async (protocol) => {
    const out = join(dir, `check-${protocol}.cs`);
    const generated = await run('wsdl', ['-nologo', `-protocol:${protocol}`, `-out:${out}`, WSDL]);
    expect(generated).toEqual({ code: 0, stdout: `${WSDL_WARNINGS[protocol]}Writing file '${out}'\n`, stderr: '' });
    const proxy = await readFile(out, 'utf8');
    if (protocol.startsWith('SOAP')) {
      // Every operation (the POST proxy's and UploadFileChunk) hands back its result element as an XmlNode ({Op}Result is an s:any).
      expect(proxy.match(/public System\.Xml\.XmlNode \w+\(/g)).toHaveLength((HTTP_OPERATIONS['HttpPost'] ?? []).length + 1);
      expect(proxy.includes('SoapProtocolVersion.Soap12')).toBe(protocol === 'SOAP12');
    } else {
      // Each call hands back the bare element as the class of its name, root or response.
      const calls = [...proxy.matchAll(/public (BareRoot|BareResponse) (\w+)\(/g)].map((match) => match[2]);
      expect(calls).toEqual(HTTP_OPERATIONS[protocol]);
    }
  });
});

describe.each(PROFILES)('the HTTP GET and POST proxies, compiled together, against a %s emulator', (profile) => {
  let result: Run;
  const log: string[] = [];

  beforeAll(async () => {
    const program = join(dir, 'http-bindings.exe');
    const proxies = await Promise.all(['HttpGet', 'HttpPost'].map(async (protocol) => {
      const proxy = join(dir, `Srv${protocol}.cs`);
      const generated = await run('wsdl', ['-nologo', `-protocol:${protocol}`, `-namespace:${protocol}Proxy`, `-out:${proxy}`, WSDL]);
      if (generated.code !== 0) throw new Error(`wsdl -protocol:${protocol} failed: ${generated.stdout}${generated.stderr}`);
      return proxy;
    }));
    // With a namespace, wsdl's proxies say `using System.EnterpriseServices`, as .NET's wsdl.exe does.
    const references = ['-r:System.Web.Services', '-r:System.Xml', '-r:System.EnterpriseServices'];
    const compiled = await run('mcs', ['-nologo', '-warn:0', ...references, `-out:${program}`, ...proxies, HTTP_PROGRAM]);
    if (compiled.code !== 0) throw new Error(`mcs failed: ${compiled.stdout}${compiled.stderr}`);
    const emulator = await startEmulator({ profile, log: (line) => log.push(line.replace(/ \d+ms$/, '')) });
    try {
      result = await run('mono', [program, emulator.url]);
    } finally {
      await emulator.close();
    }
  }, 120_000);

  it('logs in, reads ServerInfo and FolderExists over POST, and over GET gets "bad Request" for a handler that is no GUID', () => {
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'post AuthenticateUser: success=true ticket is a GUID',
        'post ServerInfo: success=true',
        'post FolderExists /Public: success=true',
        'get FolderExists /Nope: error=Folder not found.',
        'get DeleteUploadHandler not-a-guid: success=false error=bad Request',
        'post LogOut: success=true',
        '',
      ].join('\n'),
    });
    expect(log).toEqual(['POST AuthenticateUser', 'POST ServerInfo', 'POST FolderExists', 'GET FolderExists', 'GET DeleteUploadHandler', 'POST LogOut'].map((call) => {
      const [verb, op] = call.split(' ');
      return `${verb} /srv.asmx/${op} 200`;
    }));
  });
});

describe.each([
  ['SOAP', 'SOAP 1.1'],
  ['SOAP12', 'SOAP 1.2'],
])('a proxy generated with -protocol:%s', (protocol, version) => {
  let result: Run;
  const logs: Record<string, string[]> = {};

  beforeAll(async () => {
    const proxy = join(dir, `Srv${protocol}.cs`);
    const program = join(dir, `workflow-${protocol}.exe`);
    const generated = await run('wsdl', ['-nologo', `-protocol:${protocol}`, `-out:${proxy}`, WSDL]);
    if (generated.code !== 0) throw new Error(`wsdl -protocol:${protocol} failed: ${generated.stdout}${generated.stderr}`);
    const compiled = await run('mcs', ['-nologo', '-warn:0', '-r:System.Web.Services', '-r:System.Xml', `-out:${program}`, proxy, PROGRAM]);
    if (compiled.code !== 0) throw new Error(`mcs failed: ${compiled.stdout}${compiled.stderr}`);
    for (const { log } of Object.values(emulators)) log.length = 0;
    formRequests.length = 0;
    const forms = `http://127.0.0.1:${(formServer.address() as AddressInfo).port}/srv.asmx`;
    result = await run('mono', [
      program, '--schema', WSDL,
      '--workflow', emulators.empty.emulator.url, '--workflow', emulators.inherit.emulator.url,
      '--forms', forms, ...Object.keys(FORMS),
    ]);
    for (const [name, { log }] of Object.entries(emulators)) logs[name] = log.map((line) => line.replace(/ \d+ms$/, ''));
  }, 120_000);

  it(`compiles, constructs and runs the whole workflow, ending "workflow ok (${version})"`, () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    // The SOAP schema's 20 types and 56 elements, and the HTTP bindings' bare root and response, each with its type.
    expect(lines[0]).toBe('schema ok: 22 types, 58 elements, 28 operations');
    expect(lines.at(-1)).toBe(`workflow ok (${version})`);
    expect(lines.filter((line) => line.startsWith('workflow: 600000 bytes up in 3 chunks of 262144 and down in 3'))).toHaveLength(2);
  });

  it('called each step over the wire, against an emulator that writes xmlns="" and one whose result elements inherit tempuri', () => {
    expect(logs).toEqual({ empty: WORKFLOW_ACTIONS, inherit: WORKFLOW_ACTIONS });
    for (const { emulator } of Object.values(emulators)) {
      expect(emulator.state().uploadHandlers).toEqual([]);
      expect(emulator.state().downloadHandlers).toEqual([]);
      expect(emulator.state().documents.filter((d) => d.path.startsWith(`/Public/mono-${version.replace(' ', '-').replace('.', '_')}-`))).toHaveLength(1);
    }
  });

  it('hands back the result element in every name and namespace form, with its attributes and text', () => {
    for (const [form, { name, namespace }] of Object.entries(FORMS)) {
      expect(result.stdout).toContain(
        `form ${form}: ${name} {${namespace}} success=true error=; ${name} {${namespace}} lastchunk=true text=abc\n`,
      );
    }
    expect(formRequests).toEqual(Object.keys(FORMS).flatMap(() => [version, version]));
  });
});
