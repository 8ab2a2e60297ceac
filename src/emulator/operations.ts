/** The service's operations as the emulator binds them: exact parameter names, types and order, as the service documents them. */

export type ParamType = 'string' | 'int' | 'short' | 'boolean' | 'base64';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
}

export type ResultElementName = 'root' | 'response';

export interface OperationSpec {
  readonly name: OperationName;
  readonly params: readonly ParamSpec[];
  readonly resultElement: ResultElementName;
  /** The parameter carrying the caller's ticket, when the operation takes one. */
  readonly ticketParam?: string;
}

export const OPERATION_NAMES = [
  'AuthenticateUser',
  'AuthenticateUser1',
  'RenewTicket',
  'isValidTicket',
  'LogOut',
  'ServerInfo',
  'CreateUploadHandler',
  'UploadFileChunk',
  'UploadDocumentWithHandler',
  'UploadDocumentWithHandler1',
  'UploadDocumentWithHandler2',
  'UploadDocumentWithHandler3',
  'UploadNewDocumentWidthHandler',
  'DeleteUploadHandler',
  'GetDownloadHandler',
  'GetDownloadHandlerByVersion',
  'DownloadFileChunk',
  'DeleteDownloadHandler',
  'DocumentExists',
  'DocumentExists1',
  'FolderExists',
  'CreateFolder',
  'GetDownloadInfo',
  'GetDownloadInfoByVersion',
  'GetDocumentVersions',
  'GetDocumentVersion',
  'DeleteDocument',
  'DeleteDocumentVersion',
] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];

const str = (name: string): ParamSpec => ({ name, type: 'string' });
const int = (name: string): ParamSpec => ({ name, type: 'int' });
const short = (name: string): ParamSpec => ({ name, type: 'short' });
const bool = (name: string): ParamSpec => ({ name, type: 'boolean' });
const base64 = (name: string): ParamSpec => ({ name, type: 'base64' });

const TICKET = 'authenticationTicket';
const CAPITAL_TICKET = 'AuthenticationTicket';

function op(
  name: OperationName,
  resultElement: ResultElementName,
  params: ParamSpec[],
  ticketParam?: string,
): OperationSpec {
  return ticketParam === undefined ? { name, resultElement, params } : { name, resultElement, params, ticketParam };
}

const ticketed = (name: OperationName, resultElement: ResultElementName, rest: ParamSpec[]): OperationSpec =>
  op(name, resultElement, [str(TICKET), ...rest], TICKET);

const capitalTicketed = (name: OperationName, resultElement: ResultElementName, rest: ParamSpec[]): OperationSpec =>
  op(name, resultElement, [str(CAPITAL_TICKET), ...rest], CAPITAL_TICKET);

const SPECS: readonly OperationSpec[] = [
  op('AuthenticateUser', 'root', [str('UID'), str('PWD')]),
  op('AuthenticateUser1', 'root', [str('UID'), str('PWD'), str('Lang')]),
  op('RenewTicket', 'root', [str('UID'), str('PWD'), str('Lang'), str('OldTicket')], 'OldTicket'),
  op('isValidTicket', 'root', [str(CAPITAL_TICKET)], CAPITAL_TICKET),
  op('LogOut', 'root', [str(CAPITAL_TICKET)], CAPITAL_TICKET),
  op('ServerInfo', 'root', []),
  ticketed('CreateUploadHandler', 'response', [int('PreferedChunkSize')]),
  ticketed('UploadFileChunk', 'root', [
    str('uploadHandler'),
    base64('fileChunk'),
    str('chunkHEXCRC'),
    bool('lastChunk'),
  ]),
  ticketed('UploadDocumentWithHandler', 'root', [str('path'), str('uploadHandler')]),
  ticketed('UploadDocumentWithHandler1', 'root', [str('path'), str('uploadHandler'), str('versionComments')]),
  ticketed('UploadDocumentWithHandler2', 'root', [
    str('path'),
    str('uploadHandler'),
    str('versionComments'),
    short('mpVersionMajor'),
    short('mpVersionMinor'),
    short('mpVersionRevision'),
  ]),
  ticketed('UploadDocumentWithHandler3', 'root', [str('path'), str('uploadHandler'), str('xmlParameters')]),
  ticketed('UploadNewDocumentWidthHandler', 'root', [
    str('folderPath'),
    str('documentName'),
    str('uploadHandler'),
    str('xmlParameters'),
  ]),
  ticketed('DeleteUploadHandler', 'response', [str('UploadHandler')]),
  op(
    'GetDownloadHandler',
    'response',
    [str(CAPITAL_TICKET), str('Path'), int('PreferedChunkSize')],
    CAPITAL_TICKET,
  ),
  op(
    'GetDownloadHandlerByVersion',
    'response',
    [str(CAPITAL_TICKET), str('Path'), int('VersionNumber'), int('PreferedChunkSize')],
    CAPITAL_TICKET,
  ),
  ticketed('DownloadFileChunk', 'response', [str('DownloadHandler'), int('StartOffset'), int('ChunkSize')]),
  ticketed('DeleteDownloadHandler', 'response', [str('DownloadHandler')]),
  ticketed('DocumentExists', 'response', [str('Path')]),
  ticketed('DocumentExists1', 'response', [str('FolderPath'), str('DocumentName')]),
  ticketed('FolderExists', 'response', [str('Path')]),
  ticketed('CreateFolder', 'response', [str('Path')]),
  capitalTicketed('GetDownloadInfo', 'response', [str('Path')]),
  capitalTicketed('GetDownloadInfoByVersion', 'response', [str('Path'), int('VersionNumber')]),
  capitalTicketed('GetDocumentVersions', 'response', [str('Path')]),
  ticketed('GetDocumentVersion', 'response', [str('path'), int('versionNumber')]),
  ticketed('DeleteDocument', 'root', [str('Path')]),
  ticketed('DeleteDocumentVersion', 'root', [str('DocumentPath'), int('VersionNumber')]),
];

const BY_NAME = new Map(SPECS.map((spec) => [spec.name, spec]));
const BY_LOWER_NAME = new Map(SPECS.map((spec) => [spec.name.toLowerCase(), spec]));

export function operationSpec(name: OperationName): OperationSpec {
  const spec = BY_NAME.get(name);
  if (spec === undefined) throw new Error(`unknown operation ${name}`);
  return spec;
}

/** SOAP dispatch: names are case-sensitive. */
export function findOperation(name: string): OperationSpec | undefined {
  return BY_NAME.get(name as OperationName);
}

/** GET/POST routing: ASP.NET Core routes ignore case. */
export function findOperationIgnoringCase(name: string): OperationSpec | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

export function isOperationName(name: string): name is OperationName {
  return BY_NAME.has(name as OperationName);
}
