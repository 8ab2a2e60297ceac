import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts } from './auth/accounts.js';
import { TicketStore } from './auth/tickets.js';
import { FaultInjector } from './faults.js';
import type { FaultController } from './faults.js';
import { createEmulatorServer } from './http/server.js';
import { resolveOptions } from './options.js';
import type { EmulatorConfig, EmulatorOptions } from './options.js';
import { resolveDocument, versionByNumber } from './service/documents.js';
import type { ServiceContext } from './service/index.js';
import { DownloadStaging } from './staging/downloads.js';
import { UploadStaging } from './staging/uploads.js';
import { EmulatorStartError, reasonOf } from './start-errors.js';
import { snapshotState } from './state.js';
import { errnoCode } from './storage-errors.js';
import type { EmulatorState } from './state.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { DocumentStore } from './store/document-store.js';

export type { EmulatorOptions, EmulatorTls, EmulatorUser, ProfileName } from './options.js';
export { PROFILE_NAMES } from './options.js';
export type { FaultController, FaultKind, FaultRule, InjectedFault } from './faults.js';
export { FAULT_KINDS } from './faults.js';
export { FAULT_SPEC_HELP, parseFaultSpec } from './fault-spec.js';
export type { OperationName } from './operations.js';
export { OPERATION_NAMES } from './operations.js';
export { HEALTH_PATH, RESET_PATH, STATE_PATH } from './http/server.js';
export { DataDirLockedError, EmulatorStartError } from './start-errors.js';
export type { EmulatorStartErrorCode } from './start-errors.js';
export { LOCK_FILE } from './store/data-dir-lock.js';
export type {
  DocumentState,
  DownloadHandlerState,
  EmulatorState,
  RecycledDocumentState,
  UploadHandlerState,
  VersionState,
} from './state.js';

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT/srv.asmx` */
  readonly url: string;
  /** Where documents, versions, folders and staged handlers live. */
  readonly dataDir: string;
  state(): EmulatorState;
  readonly faults: FaultController;
  /** The stored bytes of a document (full path or `~D{id}`); versionNumber 0 or omitted = the latest. */
  readDocument(path: string, versionNumber?: number): Promise<Buffer>;
  /** Forgets every document, folder (but the libraries), staged handler and fault rule; sessions stay logged in. */
  reset(): Promise<void>;
  /** Stops the server, dropping open connections, releases the data directory's lock, and removes the data directory if it was a temporary one. */
  close(): Promise<void>;
  /** `await using emulator = await startEmulator()` closes it when the scope ends. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** An I/O failure while the data directory is opened, as a start error that names it. */
function unusable(dataDir: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof EmulatorStartError || errnoCode(error) === undefined) throw error;
    throw new EmulatorStartError(`cannot use the data directory ${dataDir}: ${reasonOf(error)}`, 'DATA_DIR_UNUSABLE', { cause: error });
  };
}

async function createService(config: EmulatorConfig, dataDir: string): Promise<ServiceContext> {
  const stagingDir = join(dataDir, 'staging');
  await rm(stagingDir, { recursive: true, force: true }).catch(unusable(dataDir));
  await mkdir(stagingDir, { recursive: true }).catch(unusable(dataDir));
  const store = await DocumentStore.open(dataDir, config.libraries).catch(unusable(dataDir));
  const tickets = new TicketStore(config.ticketTtlMs);
  const sessionAlive = (ticket: string): boolean => tickets.peek(ticket) !== undefined;
  return {
    config,
    accounts: new Accounts(config.users, config.sysadminAccount),
    tickets,
    store,
    uploads: new UploadStaging(stagingDir, config.handlerTtlMs, config.handlerBinding, sessionAlive),
    downloads: new DownloadStaging(stagingDir, config.handlerTtlMs, config.handlerBinding, sessionAlive, config.concurrentChunkReads),
  };
}

function listenFailure(error: unknown, host: string, port: number): EmulatorStartError {
  const code = errnoCode(error);
  const address = `${urlHost(host)}:${port}`;
  if (code === 'EADDRINUSE') return new EmulatorStartError(`cannot listen on ${address}: the address is already in use (EADDRINUSE)`, 'EADDRINUSE', { cause: error });
  return new EmulatorStartError(`cannot listen on ${address}: ${reasonOf(error)}`, 'LISTEN_FAILED', { cause: error });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(listenFailure(error, host, port));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Creates the configured data directory if need be; it must be a directory. */
async function prepareDataDir(dataDir: string): Promise<void> {
  const found = await stat(dataDir).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new EmulatorStartError(`cannot use the data directory ${dataDir}: ${reasonOf(error)}`, 'DATA_DIR_UNUSABLE', { cause: error });
  });
  if (found !== undefined && !found.isDirectory()) {
    throw new EmulatorStartError(`${dataDir} is not a directory`, 'DATA_DIR_NOT_A_DIRECTORY');
  }
  await mkdir(dataDir, { recursive: true }).catch((error: unknown) => {
    const code = errnoCode(error);
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new EmulatorStartError(`${dataDir} is not a directory (a parent of it is a file)`, 'DATA_DIR_NOT_A_DIRECTORY', { cause: error });
    throw new EmulatorStartError(`cannot create the data directory ${dataDir}: ${reasonOf(error)}`, 'DATA_DIR_UNUSABLE', { cause: error });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}

/** A wildcard address is reached through the loopback; an IPv6 literal needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function readDocument(store: DocumentStore, path: string, versionNumber = 0): Promise<Buffer> {
  const version = versionByNumber(resolveDocument(store, path), versionNumber);
  return readFile(store.contentFile(version.versionId));
}

/**
 * Starts an emulator of the /srv.asmx service on a real HTTP port. A failure to start is an EmulatorStartError
 * (DataDirLockedError when another emulator uses `dataDir`), with a one-line message.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveOptions(options);
  const faults = new FaultInjector(config.faults, config.seed);
  if (config.dataDir !== undefined) await prepareDataDir(config.dataDir);
  const dataDir = config.dataDir ?? (await mkdtemp(join(tmpdir(), 'srv-asmx-emulator-')));
  // A temporary directory is this emulator's alone; a configured one is locked against a second emulator.
  const lock = config.dataDir === undefined ? undefined : await lockDataDir(dataDir);
  const removeTemporaryData = async (): Promise<void> => {
    await lock?.release();
    if (config.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const service = await createService(config, dataDir);
    const state = () => snapshotState(service);
    const reset = async (): Promise<void> => {
      await service.store.reset(config.libraries);
      await Promise.all([service.uploads.table.clear(), service.downloads.table.clear()]);
      faults.clear();
    };
    const server = createEmulatorServer({ config, service, faults, state, reset });
    const port = await listen(server, config.port, config.host);
    const close = async (): Promise<void> => {
      await closeServer(server);
      await Promise.all([service.uploads.table.settle(), service.downloads.table.settle()]);
      await removeTemporaryData();
    };
    return {
      url: `${config.tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}/srv.asmx`,
      dataDir,
      state,
      faults,
      readDocument: (path, versionNumber) => readDocument(service.store, path, versionNumber),
      reset,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await removeTemporaryData();
    throw error;
  }
}
