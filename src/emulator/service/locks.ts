import type { Session } from '../auth/tickets.js';
import { flagParam, textParam } from '../params.js';
import { logEntry, ok, okWith, Refusal } from '../result.js';
import type { ChildElement, Reply } from '../result.js';
import { pathSegments } from '../store/doc-path.js';
import { VERSION_STEP } from '../store/document-store.js';
import type { DocumentRecord } from '../store/document-store.js';
import { isoUtc, utcDate } from '../time.js';
import { typeDescriptionOf } from './content-type.js';
import type { OperationHandler, ServiceContext } from './context.js';
import { byName, documentName, latestPublishedVersion, latestVersion } from './documents.js';
import { ACCESS_DENIED, ALREADY_CHECKED_OUT_BY_YOU, checkedOutBy, NOT_LOCKED_BY_YOU, PATH_NOT_FOUND } from './messages.js';
import { requireSession } from './session.js';

const sameUser = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The user who holds the document's checkout, when that is not `userName`. */
export function otherHolder(document: DocumentRecord, userName: string): string | undefined {
  const holder = document.checkout?.userName;
  return holder === undefined || sameUser(holder, userName) ? undefined : holder;
}

const heldBy = (document: DocumentRecord, session: Session): boolean =>
  document.checkout !== undefined && sameUser(document.checkout.userName, session.account.name);

/** The document at a full path, or the documents directly inside the folder there (Lock.md's Notes); ~D paths are not named (C49). */
function target(context: ServiceContext, path: string): { document: DocumentRecord } | { folder: DocumentRecord[] } {
  const segments = pathSegments(path);
  const document = segments === undefined ? undefined : context.store.document(segments);
  if (document !== undefined) return { document };
  if (segments === undefined || context.store.folder(segments) === undefined) throw new Refusal(PATH_NOT_FOUND);
  return { folder: context.store.childrenOf(segments).documents };
}

async function lockOne(context: ServiceContext, document: DocumentRecord, session: Session): Promise<void> {
  const holder = document.checkout?.userName;
  if (holder !== undefined) throw new Refusal(sameUser(holder, session.account.name) ? ALREADY_CHECKED_OUT_BY_YOU : checkedOutBy(holder));
  await context.store.setCheckout(document, { userName: session.account.name, at: new Date().toISOString() });
}

/**
 * A document, or every document directly inside a folder, each judged alone: those that can be locked are, and
 * each refusal is a `<log>` entry of a `[log]` failure (C45).
 */
export const lock: OperationHandler = async (context, call) => {
  const session = requireSession(context, call, 'AuthenticationTicket');
  const found = target(context, textParam(call.params, 'Path'));
  if ('document' in found) {
    await lockOne(context, found.document, session);
    return ok(['error', '']);
  }
  const refusals: ChildElement[] = [];
  for (const document of found.folder) {
    await lockOne(context, document, session).catch((error: unknown) => {
      if (!(error instanceof Refusal)) throw error;
      refusals.push(logEntry(documentName(document), error.message));
    });
  }
  if (refusals.length === 0) return ok(['error', '']);
  return { attributes: [['success', 'false'], ['error', '[log]']], children: refusals } satisfies Reply;
};

/**
 * Releases the caller's lock. A document nobody holds is released already (C46: not covered, so it succeeds);
 * another user's lock is refused, with force too, since the emulator has no administrators. A folder releases the
 * caller's locks on the documents directly inside it.
 */
export const unLock: OperationHandler = async (context, call) => {
  const session = requireSession(context, call, 'authenticationTicket');
  const found = target(context, textParam(call.params, 'path'));
  if ('folder' in found) {
    for (const document of found.folder.filter((candidate) => heldBy(candidate, session))) await context.store.setCheckout(document, undefined);
    return ok(['error', '']);
  }
  if (otherHolder(found.document, session.account.name) !== undefined) throw new Refusal(flagParam(call.params, 'force') ? ACCESS_DENIED : NOT_LOCKED_BY_YOU);
  if (found.document.checkout !== undefined) await context.store.setCheckout(found.document, undefined);
  return ok(['error', '']);
};

function checkedOutDocument(document: DocumentRecord): ChildElement {
  const latest = latestVersion(document);
  const holder = document.checkout?.userName ?? '';
  const folder = document.path.split('/').slice(0, -1).join('\\');
  return {
    name: 'document',
    attributes: [
      ['DocumentID', String(document.documentId)],
      ['Name', documentName(document)],
      ['Path', folder],
      ['CheckoutDate', isoUtc(Date.parse(document.checkout?.at ?? latest.createdAt))],
      ['CheckoutBy', holder],
      ['CheckoutByUserName', holder],
      ['Size', String(latest.size)],
      ['Type', typeDescriptionOf(document.path)],
      ['ModificationDate', utcDate(Date.parse(latest.createdAt))],
      ['VersionNumber', String(latest.versionNumber / VERSION_STEP)],
      ['PublishedVersionNumber', String((latestPublishedVersion(document)?.versionNumber ?? 0) / VERSION_STEP)],
      ['VersionCount', String(document.versions.length)],
      ['IsShortcut', 'FALSE'],
      ['UserViewStatus', '2'],
    ],
  };
}

/** The caller's checkouts by name; the emulator keeps no property sets, access lists or owners, so the with* flags add nothing. */
export const getCheckedoutDocuments: OperationHandler = async (context, call) => {
  const session = requireSession(context, call, 'AuthenticationTicket');
  const mine = byName(context.store.documents().filter((document) => heldBy(document, session)));
  return okWith([['error', '']], mine.map(checkedOutDocument));
};
