// node-soap's reply parser is made without node-soap's HTTP client, and that leaves node-soap whole
// for anything else in the process that uses it. Run in a process of its own, outside jest's
// module registry, as an application would load it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const SCRIPT = `
import { createRequire } from 'node:module';
import { replyParser } from './src/soap/reply-parser.ts';
import { WSDL_PATH } from './src/package-files.ts';
const require = createRequire(process.cwd() + '/');
const parse = await replyParser();
const reply = parse('<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><LogOutResponse xmlns="http://tempuri.org/"><LogOutResult><root xmlns="" success="true" /></LogOutResult></LogOutResponse></soap:Body></soap:Envelope>');
const loadedBefore = Object.keys(require.cache).some((path) => /node_modules[\\\\/]axios[\\\\/]/.test(path));
const soap = require('soap');
const client = await soap.createClientAsync(WSDL_PATH);
console.log(JSON.stringify({ reply, loadedBefore, httpClient: typeof soap.HttpClient, methods: typeof client.LogOutAsync }));
`;

test('the parser loads no HTTP client, and node-soap loaded after it is whole', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: ROOT });
  expect(JSON.parse(stdout)).toEqual({
    reply: { Body: { LogOutResponse: { LogOutResult: { root: { attributes: { success: 'true' } } } } } },
    loadedBefore: false,
    httpClient: 'function',
    methods: 'function',
  });
});
