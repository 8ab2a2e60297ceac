// node-soap's reply parser for the package's WSDL. Only node-soap's WSDL module is loaded, and only
// once a client is made: its client, server, WS-Security and HTTP modules are never needed, since
// our code writes the requests and our transport carries them.
import { readFile } from 'node:fs/promises';
import { createRequire, Module } from 'node:module';
import type { WSDL } from 'soap/lib/wsdl/index.js';
import { WSDL_PATH } from '../package-files.js';

/** Parses a reply against the WSDL: the Envelope as an object, or throws (a SOAP Fault throws with its parsed `root`). */
export type ReplyParser = (xml: string) => unknown;

type WsdlModule = typeof import('soap/lib/wsdl/index.js');

const require = createRequire(import.meta.url);

/** Parsing keeps no state of a client's, so every client of the process shares one parsed WSDL. */
let parser: Promise<ReplyParser> | undefined;

export function replyParser(): Promise<ReplyParser> {
  parser ??= parseWsdl().then((wsdl) => (xml: string) => wsdl.xmlToObject(xml) as unknown);
  parser.catch(() => (parser = undefined));
  return parser;
}

/** The WSDL from its text, as node-soap's createClient reads it from the file. */
async function parseWsdl(): Promise<WSDL> {
  const text = await readFile(WSDL_PATH, 'utf8');
  const { WSDL } = wsdlModule();
  return new Promise((resolve, reject) => {
    const wsdl = new WSDL(text, WSDL_PATH, {});
    wsdl.onReady((error) => {
      if (error) return reject(error);
      // What node-soap's Client sets on the WSDL it is given: an element's attributes go under `attributes`.
      wsdl.options.attributesKey = 'attributes';
      resolve(wsdl);
    });
  });
}

/**
 * node-soap's WSDL module requires its HTTP client (axios and a score of packages: most of
 * node-soap's load time) only to fetch a WSDL from a URL, which we never do. For this one load an
 * empty module stands in for it; neither stays in the require cache, so whatever else requires
 * node-soap gets it whole. A node-soap laid out otherwise is loaded whole.
 */
function wsdlModule(): WsdlModule {
  try {
    return withoutHttpClient();
  } catch {
    return require('soap') as WsdlModule;
  }
}

function withoutHttpClient(): WsdlModule {
  const http = require.resolve('soap/lib/http.js');
  const wsdl = require.resolve('soap/lib/wsdl/index.js');
  if (require.cache[http] !== undefined || require.cache[wsdl] !== undefined) return require(wsdl) as WsdlModule;
  const standIn = new Module(http);
  standIn.loaded = true;
  require.cache[http] = standIn;
  try {
    return require(wsdl) as WsdlModule;
  } finally {
    delete require.cache[http];
    delete require.cache[wsdl];
  }
}
