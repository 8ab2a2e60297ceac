import { intParam, textParam } from '../params.js';
import { ok, Refusal } from '../result.js';
import type { Reply } from '../result.js';
import type { UploadHandler } from '../staging/uploads.js';
import { isValidName, pathSegments } from '../store/doc-path.js';
import { DocumentExistsError } from '../store/document-store.js';
import type { StagedContent, VersionDetails } from '../store/document-store.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import {
  DOCUMENT_EXISTS,
  FOLDER_NOT_FOUND,
  INVALID_DOCUMENT_NAME,
  INVALID_PATH,
  LAST_CHUNK_MISSING,
} from './messages.js';
import { withUploadHandler } from './upload.js';
import { DEFAULT_DETAILS, versionLabel } from './version-details.js';
import { parseXmlParameters } from './xml-parameters.js';

interface Destination {
  readonly segments: readonly string[];
  readonly details: VersionDetails;
  readonly newDocumentOnly: boolean;
}

/** Library, folders and a valid document name, in a folder that exists. */
function checkedDocumentPath(context: ServiceContext, segments: readonly string[]): readonly string[] {
  if (segments.length < 2) throw new Refusal(INVALID_PATH);
  if (!isValidName(segments.at(-1) ?? '')) throw new Refusal(INVALID_DOCUMENT_NAME);
  if (context.store.folder(segments.slice(0, -1)) === undefined) throw new Refusal(FOLDER_NOT_FOUND);
  return segments;
}

/** What the handler staged, as the disk holds it: the stored size and CRC-32 are those of the staged file. */
async function stagedContent(context: ServiceContext, handler: UploadHandler): Promise<StagedContent> {
  const { size, crc32 } = await context.uploads.measure(handler);
  if (size !== handler.bytes) throw new Error(`the staged file holds ${size} bytes, not the ${handler.bytes} appended`);
  return { file: handler.file, size, crc32 };
}

async function store(context: ServiceContext, handler: UploadHandler, destination: Destination): Promise<Reply> {
  const segments = checkedDocumentPath(context, destination.segments);
  if (destination.newDocumentOnly && context.store.document(segments) !== undefined) throw new Refusal(DOCUMENT_EXISTS);
  const content = await stagedContent(context, handler);
  // Checked again, atomically with the creation: another finalize for the same name may be under way.
  const details = { ...destination.details, author: handler.userName };
  const stored = await context.store
    .addVersion(segments, content, details, { newDocumentOnly: destination.newDocumentOnly })
    .catch((error: unknown) => {
      throw error instanceof DocumentExistsError ? new Refusal(DOCUMENT_EXISTS) : error;
    });
  return ok(['DocumentId', String(stored.document.documentId)], ['VersionId', String(stored.version.versionId)]);
}

/** Every finalizer consumes its handler, whether it succeeds or not (UploadDocumentWithHandler.md). */
function finalizer(destination: (call: OperationCall) => Destination): OperationHandler {
  return async (context, call) =>
    withUploadHandler(context, call, async (handler) => {
      try {
        if (!handler.complete) throw new Refusal(LAST_CHUNK_MISSING);
        return await store(context, handler, destination(call));
      } finally {
        await context.uploads.table.remove(handler);
      }
    });
}

const atPath = (call: OperationCall, details: VersionDetails): Destination => ({
  segments: pathSegments(textParam(call.params, 'path')) ?? [],
  details,
  newDocumentOnly: false,
});

const withComment = (call: OperationCall): VersionDetails => ({
  ...DEFAULT_DETAILS,
  comment: textParam(call.params, 'versionComments'),
});

function manualVersion(call: OperationCall): VersionDetails {
  const component = (name: string) => ({ value: intParam(call.params, name), name });
  const label = versionLabel({
    major: component('mpVersionMajor'),
    minor: component('mpVersionMinor'),
    revision: component('mpVersionRevision'),
  });
  return { ...withComment(call), label };
}

function newDocument(call: OperationCall): Destination {
  const folder = pathSegments(textParam(call.params, 'folderPath')) ?? [];
  const name = textParam(call.params, 'documentName');
  if (!isValidName(name) || /[\\/]/.test(name)) throw new Refusal(INVALID_DOCUMENT_NAME);
  return {
    segments: [...folder, name],
    details: parseXmlParameters(textParam(call.params, 'xmlParameters')),
    newDocumentOnly: true,
  };
}

export const uploadDocumentWithHandler = finalizer((call) => atPath(call, DEFAULT_DETAILS));
export const uploadDocumentWithHandler1 = finalizer((call) => atPath(call, withComment(call)));
export const uploadDocumentWithHandler2 = finalizer((call) => atPath(call, manualVersion(call)));
export const uploadDocumentWithHandler3 = finalizer((call) =>
  atPath(call, parseXmlParameters(textParam(call.params, 'xmlParameters'))),
);
export const uploadNewDocumentWidthHandler = finalizer(newDocument);
