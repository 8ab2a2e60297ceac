import { crcHex } from './crc.js';
import type { ServiceContext } from './service/index.js';
import type { DocumentRecord } from './store/document-store.js';

export interface UploadHandlerState {
  readonly id: string;
  readonly user: string;
  readonly bytes: number;
  readonly complete: boolean;
  readonly chunkSize: number;
}

export interface DownloadHandlerState {
  readonly id: string;
  readonly user: string;
  readonly path: string;
}

export interface VersionState {
  readonly versionId: number;
  readonly versionNumber: number;
  readonly size: number;
  readonly createdAt: string;
  /** Lower-case hex. */
  readonly crc32: string;
  readonly comment: string;
  readonly label: string;
  readonly published: boolean;
  readonly parameters: Readonly<Record<string, string>>;
}

export interface DocumentState {
  readonly path: string;
  readonly documentId: number;
  readonly versions: readonly VersionState[];
}

/** A document in the recycle bin (DeleteDocument). */
export interface RecycledDocumentState extends DocumentState {
  readonly deletedAt: string;
  /** The login name of the user who deleted it. */
  readonly deletedBy: string;
}

/** What the emulator holds, for tests that assert nothing leaked. Never includes tickets or passwords. */
export interface EmulatorState {
  readonly uploadHandlers: readonly UploadHandlerState[];
  readonly downloadHandlers: readonly DownloadHandlerState[];
  readonly documents: readonly DocumentState[];
  readonly recycleBin: readonly RecycledDocumentState[];
  readonly folders: readonly string[];
  /** The number of live tickets. */
  readonly tickets: number;
}

function documentState({ path, documentId, versions }: DocumentRecord): DocumentState {
  return { path, documentId, versions: versions.map((version) => ({ ...version, crc32: crcHex(version.crc32) })) };
}

export function snapshotState(context: ServiceContext): EmulatorState {
  return {
    uploadHandlers: context.uploads.table.list().map(({ id, userName, bytes, complete, chunkSize }) => ({
      id,
      user: userName,
      bytes,
      complete,
      chunkSize,
    })),
    downloadHandlers: context.downloads.table.list().map(({ id, userName, path }) => ({ id, user: userName, path })),
    documents: context.store.documents().map(documentState),
    recycleBin: context.store.recycleBin().map(({ document, deletedAt, deletedBy }) => ({ ...documentState(document), deletedAt, deletedBy })),
    folders: context.store.folders().map((folder) => folder.path),
    tickets: context.tickets.liveCount(),
  };
}
