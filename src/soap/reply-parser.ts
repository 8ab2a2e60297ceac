// node-soap's reply parser for the package's WSDL. Only node-soap's WSDL module is loaded, and only
// once a client is made: its client, server and WS-Security modules are never needed, since our
// code writes the requests and our transport carries them.
import { readFile } from 'node:fs/promises';
import type { WSDL } from 'soap/lib/wsdl/index.js';
import { WSDL_PATH } from '../package-files.js';

/** Parses a reply against the WSDL: the Envelope as an object, or throws (a SOAP Fault throws with its parsed `root`). */
export type ReplyParser = (xml: string) => unknown;

/** Parsing keeps no state of a client's, so every client of the process shares one parsed WSDL. */
let parser: Promise<ReplyParser> | undefined;

export function replyParser(): Promise<ReplyParser> {
  parser ??= parseWsdl().then((wsdl) => (xml: string) => wsdl.xmlToObject(xml) as unknown);
  parser.catch(() => (parser = undefined));
  return parser;
}

/** The WSDL from its text, as node-soap's createClient reads it from the file. */
async function parseWsdl(): Promise<WSDL> {
  const [soapWsdl, text] = await Promise.all([import('soap/lib/wsdl/index.js'), readFile(WSDL_PATH, 'utf8')]);
  return new Promise((resolve, reject) => {
    const wsdl = new soapWsdl.WSDL(text, WSDL_PATH, {});
    wsdl.onReady((error) => {
      if (error) return reject(error);
      // What node-soap's Client sets on the WSDL it is given: an element's attributes go under `attributes`.
      wsdl.options.attributesKey = 'attributes';
      resolve(wsdl);
    });
  });
}
