import { intParam, textParam } from '../params.js';
import { ok, Refusal } from '../result.js';
import { pathSegments } from '../store/doc-path.js';
import { VERSION_STEP } from '../store/document-store.js';
import type { OperationHandler } from './context.js';
import { resolveFullPath } from './documents.js';
import { DOCUMENT_NOT_FOUND, INVALID_VERSION_NUMBER, ONLY_VERSION, VERSION_NOT_FOUND_BARE } from './messages.js';
import { requireSession } from './session.js';

const TICKET = 'authenticationTicket';

/** Moves the document to the recycle bin, content and versions kept; its path is free for a new document. */
export const deleteDocument: OperationHandler = async (context, call) => {
  const session = requireSession(context, call, TICKET);
  const segments = pathSegments(textParam(call.params, 'Path'));
  const recycled = segments === undefined ? undefined : await context.store.recycle(segments, session.account.name);
  if (recycled === undefined) throw new Refusal(DOCUMENT_NOT_FOUND);
  return ok();
};

/** A number below 1000000 fails at once, before the ticket is looked at; the only version is never deleted. */
export const deleteDocumentVersion: OperationHandler = async (context, call) => {
  const number = intParam(call.params, 'VersionNumber');
  if (number < VERSION_STEP) throw new Refusal(INVALID_VERSION_NUMBER);
  requireSession(context, call, TICKET);
  const document = resolveFullPath(context.store, textParam(call.params, 'DocumentPath'));
  const version = document.versions.find((candidate) => candidate.versionNumber === number);
  if (version === undefined) throw new Refusal(VERSION_NOT_FOUND_BARE);
  if (document.versions.length === 1) throw new Refusal(ONLY_VERSION);
  await context.store.deleteVersion(document, version);
  return ok();
};
