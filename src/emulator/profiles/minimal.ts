/**
 * The `minimal` profile: a server that sends, on a successful result, only what a client workflow cannot do
 * without. One table, keyed by operation, filters the attributes and child elements of the result element, and a
 * second what stays inside those child elements; failures pass through unchanged (`success="false" error="…"`, or
 * `error` alone where that is documented).
 */
import type { OperationName } from '../operations.js';
import type { Attribute, ChildElement, ResultElement } from '../result.js';

/** An attribute kept always, or only when it has the given value. */
type Keep = string | readonly [name: string, onlyWhen: string];

const TICKET: readonly Keep[] = ['success', 'ticket'];
const STORED: readonly Keep[] = ['success', 'DocumentId', 'VersionId'];
const STAGED_DOWNLOAD: readonly Keep[] = ['success', 'downloadhandler', 'Size', 'ChunkSize', 'CRC32'];
const CHECKSUM: readonly Keep[] = ['success', 'CRC32LASTVERSION'];
const BARE: readonly Keep[] = ['success'];

/**
 * What stays on a successful result, attributes and child elements by name; everything else (`error=""`, profiles,
 * `filehexcrc`, dates, a version's author and size, …) is dropped.
 */
export const MINIMAL_ATTRIBUTES: Readonly<Record<OperationName, readonly Keep[]>> = {
  AuthenticateUser: TICKET,
  AuthenticateUser1: TICKET,
  RenewTicket: TICKET,
  isValidTicket: ['success', 'isAuthenticated'],
  LogOut: BARE,
  ServerInfo: ['success', 'VersionNumber'],
  CreateUploadHandler: ['success', 'UploadHandler', 'ChunkSize'],
  UploadFileChunk: ['success', ['tryagain', 'true']],
  UploadDocumentWithHandler: STORED,
  UploadDocumentWithHandler1: STORED,
  UploadDocumentWithHandler2: STORED,
  UploadDocumentWithHandler3: STORED,
  UploadNewDocumentWidthHandler: STORED,
  DeleteUploadHandler: BARE,
  GetDownloadHandler: STAGED_DOWNLOAD,
  GetDownloadHandlerByVersion: STAGED_DOWNLOAD,
  // The base64 text stays: it is the chunk.
  DownloadFileChunk: ['success', 'chunklength', 'lastchunk'],
  DeleteDownloadHandler: BARE,
  DocumentExists: CHECKSUM,
  DocumentExists1: CHECKSUM,
  FolderExists: BARE,
  CreateFolder: BARE,
  GetDownloadInfo: ['success', 'Size', 'CRC32'],
  GetDownloadInfoByVersion: ['success', 'Size', 'CRC32'],
  GetDocumentVersions: ['success', 'Versions'],
  GetDocumentVersion: ['success', 'Version'],
  DeleteDocument: BARE,
  DeleteDocumentVersion: BARE,
};

/** By element name: the attributes and child elements that stay on a child element the result keeps (its text stays). */
type ChildRules = Readonly<Record<string, readonly string[]>>;

const VERSION_NUMBERS: ChildRules = { Versions: ['Version'], Version: ['Number'] };

export const MINIMAL_CHILDREN: Partial<Readonly<Record<OperationName, ChildRules>>> = {
  GetDocumentVersions: VERSION_NUMBERS,
  GetDocumentVersion: VERSION_NUMBERS,
};

const succeeded = (attributes: readonly Attribute[]): boolean =>
  attributes.some(([name, value]) => name === 'success' && value === 'true');

function kept(rules: readonly Keep[], [name, value]: Attribute): boolean {
  return rules.some((rule) => (typeof rule === 'string' ? rule === name : rule[0] === name && rule[1] === value));
}

function minimalChild(element: ChildElement, rules: ChildRules): ChildElement {
  const names = rules[element.name] ?? [];
  return {
    ...element,
    attributes: (element.attributes ?? []).filter(([name]) => names.includes(name)),
    children: (element.children ?? []).filter((child) => names.includes(child.name)).map((child) => minimalChild(child, rules)),
  };
}

/** The result as a `minimal` server writes it. */
export function minimalResult(op: OperationName, element: ResultElement): ResultElement {
  if (!succeeded(element.attributes)) return element;
  const rules = MINIMAL_ATTRIBUTES[op];
  const children = (element.children ?? [])
    .filter((child) => rules.includes(child.name))
    .map((child) => minimalChild(child, MINIMAL_CHILDREN[op] ?? {}));
  return { ...element, attributes: element.attributes.filter((attribute) => kept(rules, attribute)), children };
}
