import { readFile } from 'node:fs/promises';
import { WSDL_PATH } from '../../package-files.js';
import { escapeAttribute } from '../xml/writer.js';

const ADDRESS = /(<(?:[\w.-]+:)?address\b[^>]*?\blocation=")[^"]*(")/g;

/** The package's WSDL with every port's address pointing at `serviceUrl`. Read on each request, so edits show at once. */
export async function wsdlFor(serviceUrl: string): Promise<string> {
  const wsdl = await readFile(WSDL_PATH, 'utf8');
  const location = escapeAttribute(serviceUrl);
  return wsdl.replace(ADDRESS, (_match, before: string, after: string) => `${before}${location}${after}`);
}
