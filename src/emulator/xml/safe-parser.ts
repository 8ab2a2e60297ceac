import { SaxesParser } from 'saxes';

export const DTD_PROHIBITED = 'DTD is prohibited in this XML document.';

export type SafeParser = SaxesParser<{ xmlns: true }>;

/**
 * A namespace-aware parser that refuses any DOCTYPE, so no entity is ever declared, expanded or fetched
 * (XXE and billion-laughs bodies fail at once). Errors are thrown from write() and close().
 */
export function createSafeParser(): SafeParser {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('doctype', () => {
    throw new Error(DTD_PROHIBITED);
  });
  return parser;
}
