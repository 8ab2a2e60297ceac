import { createHash } from 'node:crypto';
import { intParam, textParam } from '../params.js';
import { okWith, Refusal, textElement } from '../result.js';
import type { ChildElement } from '../result.js';
import { VERSION_STEP } from '../store/document-store.js';
import type { DocumentRecord, VersionRecord } from '../store/document-store.js';
import type { OperationHandler, ServiceContext } from './context.js';
import { latestPublishedVersion, resolveDocument } from './documents.js';
import { DOCUMENT_NOT_FOUND, DOCUMENT_NOT_FOUND_STOP, VERSION_CANNOT_BE_FOUND } from './messages.js';
import { requireSession } from './session.js';

/**
 * An opaque checksum of the version (C37): a digest of its CRC-32 and size, longer than a CRC-32 and not one, so
 * that a client comparing it with a CRC-32 is caught.
 */
const checksumOf = (version: VersionRecord): string =>
  createHash('sha256').update(`${version.crc32}:${version.size}`).digest('hex').slice(0, 32);

/** A `<Version Number=…>` with every documented child, empty where the emulator has nothing (no workflow: no approval). */
function versionElement(context: ServiceContext, version: VersionRecord): ChildElement {
  const author = version.author ?? '';
  const authorId = context.accounts.byName(author)?.id;
  return {
    name: 'Version',
    attributes: [['Number', String(version.versionNumber)]],
    children: [
      textElement('VersionAuthor', author),
      textElement('VersionAuthorId', authorId === undefined ? '' : String(authorId)),
      textElement('VersionSize', String(version.size)),
      textElement('CheckSum', checksumOf(version)),
      textElement('DateCreated', version.createdAt),
      textElement('DatePublished', version.published ? version.createdAt : ''),
      textElement('Comment', version.comment),
      textElement('ApprovalStatus', ''),
      textElement('ApprovalDate', ''),
    ],
  };
}

/** The docs' example ends this operation's not-found error with a full stop, its table does not (C39). */
function documentAt(context: ServiceContext, path: string): DocumentRecord {
  try {
    return resolveDocument(context.store, path);
  } catch (error) {
    throw error instanceof Refusal && error.message === DOCUMENT_NOT_FOUND ? new Refusal(DOCUMENT_NOT_FOUND_STOP) : error;
  }
}

/** Every version, newest first: the order is "as stored", never promised (C56), and a client must sort by Number. */
export const getDocumentVersions: OperationHandler = async (context, call) => {
  requireSession(context, call, 'AuthenticationTicket');
  const document = documentAt(context, textParam(call.params, 'Path'));
  const versions = [...document.versions].reverse().map((version) => versionElement(context, version));
  return okWith([['error', '']], [{ name: 'Versions', children: versions }]);
};

/**
 * One version by its Number. 0 is the published version, not the latest (C34); 1..999999 never match (C35); a
 * document with no published version has no version 0.
 */
export const getDocumentVersion: OperationHandler = async (context, call) => {
  requireSession(context, call, 'authenticationTicket');
  const document = resolveDocument(context.store, textParam(call.params, 'path'));
  const number = intParam(call.params, 'versionNumber');
  const version =
    number === 0 ? latestPublishedVersion(document) : number >= VERSION_STEP ? document.versions.find((v) => v.versionNumber === number) : undefined;
  if (version === undefined) throw new Refusal(VERSION_CANNOT_BE_FOUND);
  return okWith([['error', '']], [versionElement(context, version)]);
};
