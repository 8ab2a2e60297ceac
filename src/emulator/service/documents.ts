import { Refusal } from '../result.js';
import { extensionOf, pathSegments } from '../store/doc-path.js';
import { VERSION_STEP } from '../store/document-store.js';
import type { DocumentRecord, DocumentStore, VersionRecord } from '../store/document-store.js';
import { DOCUMENT_NOT_FOUND, INVALID_DOCUMENT_IDENTIFIER, INVALID_VERSION_NUMBER, VERSION_NOT_FOUND } from './messages.js';

const SHORT_PATH = /^~D(?<id>\d+)(?:\.(?<extension>[^.\\/]+))?$/;

function byShortPath(store: DocumentStore, path: string): DocumentRecord | undefined {
  const groups = SHORT_PATH.exec(path)?.groups;
  if (groups?.id === undefined) throw new Refusal(INVALID_DOCUMENT_IDENTIFIER);
  const document = store.documentById(Number(groups.id));
  const extension = groups.extension?.toLowerCase();
  return extension === undefined || extension === extensionOf(document?.path ?? '') ? document : undefined;
}

function byFullPath(store: DocumentStore, path: string): DocumentRecord | undefined {
  const segments = pathSegments(path);
  return segments === undefined ? undefined : store.document(segments);
}

/** A document named by its full path only, for the operations whose pages name no `~D` form (C49). */
export function resolveFullPath(store: DocumentStore, path: string): DocumentRecord {
  const document = byFullPath(store, path);
  if (document === undefined) throw new Refusal(DOCUMENT_NOT_FOUND);
  return document;
}

/** A document named by its full path (exactly: names are never trimmed), by `~D{id}` or by `~D{id}.{ext}`. */
export function resolveDocument(store: DocumentStore, path: string): DocumentRecord {
  const document = path.startsWith('~') ? byShortPath(store, path) : byFullPath(store, path);
  if (document === undefined) throw new Refusal(DOCUMENT_NOT_FOUND);
  return document;
}

export function latestVersion(document: DocumentRecord): VersionRecord {
  const latest = document.versions.at(-1);
  if (latest === undefined) throw new Error(`document ${document.documentId} has no versions`);
  return latest;
}

/** 0 is the latest version; 1..999999 (and anything negative) cannot be a version number. */
export function versionByNumber(document: DocumentRecord, versionNumber: number): VersionRecord {
  if (versionNumber === 0) return latestVersion(document);
  if (versionNumber < VERSION_STEP) throw new Refusal(INVALID_VERSION_NUMBER);
  const version = document.versions.find((candidate) => candidate.versionNumber === versionNumber);
  if (version === undefined) throw new Refusal(VERSION_NOT_FOUND);
  return version;
}

export const latestPublishedVersion = (document: DocumentRecord): VersionRecord | undefined =>
  document.versions.findLast((version) => version.published);

export const documentName = (document: DocumentRecord): string => document.path.split('/').at(-1) ?? '';
