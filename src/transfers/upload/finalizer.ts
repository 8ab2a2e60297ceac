// Chooses the operation that turns a complete handler into a document, from the destination and
// the metadata: a new document in a folder (UploadNewDocumentWidthHandler), or a full path (new
// document or new version) with metadata (…3), a manual version (…2), a comment (…1), or none.
import type { OperationName, StoredDocument } from '../../../generated/srv.js';
import { InvalidArgumentError } from '../../errors.js';
import { remotePath } from '../transfer.js';
import type { ServicePort, StepCallOptions } from '../../calls/port.js';
import type { CallOutcome } from '../../calls/retry.js';
import { needsXmlParameters, validateMetadata, xmlParametersOf, type DocumentMetadata } from './metadata.js';

/** A full document path (a new document or a new version), or a folder and a name for a document that must be new. */
export type UploadDestination = string | { folder: string; name: string };

export interface Finalizer {
  /** The document's full path. */
  readonly path: string;
  /** The folder the document goes into. */
  readonly folder: string;
  readonly operation: string;
  /** The finalize call, tried as the decision table says; its outcome, not thrown. */
  finalize(port: ServicePort, handler: string, options: FinalizeOptions): Promise<CallOutcome<StoredDocument>>;
}

export type FinalizeOptions = Omit<StepCallOptions<OperationName, StoredDocument>, 'accept'>;

export function finalizerFor(destination: UploadDestination, metadata: DocumentMetadata = {}): Finalizer {
  validateMetadata(metadata);
  if (typeof destination === 'object' && destination !== null) return newDocumentIn(destination, metadata);
  const path = documentPath(destination);
  const { versionComment: versionComments, version } = metadata;
  if (needsXmlParameters(metadata)) {
    const xmlParameters = xmlParametersOf(metadata);
    return finalizer(path, 'UploadDocumentWithHandler3', (s, uploadHandler, o) => s.attempt('UploadDocumentWithHandler3', { path, uploadHandler, xmlParameters }, o));
  }
  if (version) {
    const manual = { mpVersionMajor: version.major, mpVersionMinor: version.minor, mpVersionRevision: version.revision };
    return finalizer(path, 'UploadDocumentWithHandler2', (s, uploadHandler, o) => s.attempt('UploadDocumentWithHandler2', { path, uploadHandler, versionComments, ...manual }, o));
  }
  if (versionComments !== undefined) {
    return finalizer(path, 'UploadDocumentWithHandler1', (s, uploadHandler, o) => s.attempt('UploadDocumentWithHandler1', { path, uploadHandler, versionComments }, o));
  }
  return finalizer(path, 'UploadDocumentWithHandler', (s, uploadHandler, o) => s.attempt('UploadDocumentWithHandler', { path, uploadHandler }, o));
}

function newDocumentIn(destination: { folder: string; name: string }, metadata: DocumentMetadata): Finalizer {
  const folderPath = remotePath(destination.folder, 'destination.folder', 'a non-empty folder path');
  const documentName = remotePath(destination.name, 'destination.name', 'a file name without slashes');
  if (/[/\\]/.test(documentName)) throw new InvalidArgumentError('destination.name', 'must be a file name without slashes');
  const xmlParameters = xmlParametersOf(metadata);
  const path = `${folderPath.replace(/[/\\]+$/, '')}/${documentName}`;
  return finalizer(path, 'UploadNewDocumentWidthHandler', (s, uploadHandler, o) =>
    s.attempt('UploadNewDocumentWidthHandler', { folderPath, documentName, uploadHandler, xmlParameters }, o));
}

function documentPath(value: unknown): string {
  const destination = remotePath(value, 'destination', 'a document path or { folder, name }');
  const segments = destination.split(/[/\\]/).filter((s) => s !== '');
  if (segments.length < 2 || /[/\\]$/.test(destination)) {
    throw new InvalidArgumentError('destination', `must be a full document path such as /Library/Folder/name.ext: ${JSON.stringify(destination)}`);
  }
  return destination;
}

function finalizer(path: string, operation: string, finalize: Finalizer['finalize']): Finalizer {
  return { path, folder: path.replace(/[/\\][^/\\]*$/, '') || '/', operation, finalize };
}
