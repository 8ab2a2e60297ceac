import { extensionOf } from '../store/doc-path.js';

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain',
  xml: 'text/xml',
  html: 'text/html',
  csv: 'text/csv',
  json: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

export const contentTypeOf = (path: string): string => CONTENT_TYPES[extensionOf(path)] ?? 'application/octet-stream';

/** How listings describe a document's type (`dformat`, `Type`): `PDF File`, or `File` without an extension. */
export function typeDescriptionOf(path: string): string {
  const extension = extensionOf(path);
  return extension === '' ? 'File' : `${extension.toUpperCase()} File`;
}
