/** Error strings. The documented ones are exact (docs/protocol.md); the others are the emulator's own wording. */

export const AUTH_FAILED = '[900] Authentication failed';
export const SESSION_EXPIRED = '[901] Session expired or Invalid ticket';
export const TICKETS_NOT_ALLOWED = '[902] Ticket generation not allowed';
export const RENEWAL_NOT_ALLOWED = '[902] Ticket generation are not allowed for this user.';
export const INVALID_TICKET_FORMAT = 'invalid ticket format';
export const INVALID_UPLOAD_HANDLER = 'Invalid upload handler.';
export const INVALID_DOWNLOAD_HANDLER = 'Invalid download handler. (guid)';
export const BAD_REQUEST = 'bad Request';
export const FOLDER_NOT_FOUND = 'Folder not found.';
export const FOLDER_NOT_FOUND_BARE = 'Folder not found';
export const DOCUMENT_NOT_FOUND = 'Document not found';
/** GetDocumentVersions' example (C39). */
export const DOCUMENT_NOT_FOUND_STOP = 'Document not found.';
/** GetDocumentVersion's example. */
export const VERSION_CANNOT_BE_FOUND = 'Specified version cannot be found.';
export const INVALID_DOCUMENT_IDENTIFIER = 'InvalidDocumentIdentifer';

// Another session's handler is not an active handler of the caller, so it gets the documented refusal.
export const UPLOAD_HANDLER_ERRORS = {
  missing: 'Upload handler not found or expired.',
  foreign: INVALID_UPLOAD_HANDLER,
};
export const DOWNLOAD_HANDLER_ERRORS = {
  missing: 'Download handler not found or expired.',
  foreign: 'Download handler not found or expired.',
};
export const INVALID_CHUNK_CRC = 'Invalid chunkHEXCRC: expected a hexadecimal CRC-32.';
export const CHUNK_AFTER_LAST = 'The upload handler already received its last chunk.';
export const LAST_CHUNK_MISSING = 'The upload handler has not received its last chunk (lastChunk=true).';
export const INVALID_PATH = 'Invalid path.';
export const INVALID_DOCUMENT_NAME = 'Invalid document name.';
export const DOCUMENT_EXISTS = 'Document already exists.';
export const ROOT_FOLDER_REFUSED = 'Root-level folders cannot be created.';
export const INVALID_VERSION_NUMBER = 'Invalid version number.';
export const VERSION_NOT_FOUND = 'Version not found.';
/** DeleteDocumentVersion's table. */
export const VERSION_NOT_FOUND_BARE = 'Version not found';
/** The docs leave deleting a document's only version open (C53): the emulator refuses it. */
export const ONLY_VERSION = 'The only version of a document cannot be deleted; delete the document instead.';
export const INVALID_START_OFFSET = 'Invalid StartOffset.';
export const INVALID_CHUNK_SIZE = 'Invalid ChunkSize.';
export const INJECTED_SYSTEM_ERROR = 'injected fault';
/** The malformedGrant fault: a ChunkSize that does not parse as an int (a required attribute of the upload grant). */
export const MALFORMED_UPLOAD_CHUNK_SIZE = 'abc';
/** The malformedGrant fault: a ChunkSize out of the service's range (an advisory one that does not parse would read as missing). */
export const MALFORMED_DOWNLOAD_CHUNK_SIZE = '0';

/** Where the emulated server would stage a download handler's copy; the message names no path of the emulator's own. */
const STAGING_DIRECTORY = 'C:\\inetpub\\wwwroot\\srv\\App_Data\\Staging';

/** The IOException of a second read of a handler's one FileStream while the first is still under way. */
export const fileInUse = (handlerId: string): string =>
  `The process cannot access the file '${STAGING_DIRECTORY}\\${handlerId}.download' because it is being used by another process.`;

export const chunkTooLarge = (chunkSize: number): string =>
  `The chunk is larger than the handler's ChunkSize (${chunkSize}).`;
export const chunkTooShort = (chunkSize: number): string =>
  `Only the last chunk may differ from the handler's ChunkSize (${chunkSize}).`;
export const invalidParameterValue = (name: string): string => `Invalid parameter value: ${name}.`;
export const invalidVersionComponent = (name: string, min: number, max: number): string =>
  `Invalid version component: ${name} must be between ${min} and ${max}.`;
