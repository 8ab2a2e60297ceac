import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
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
import { snapshotState } from './state.js';
import type { EmulatorState } from './state.js';
import { DocumentStore } from './store/document-store.js';

export type { EmulatorOptions, EmulatorTls, EmulatorUser, ProfileName } from './options.js';
export { PROFILE_NAMES } from './options.js';
export type { FaultController, FaultKind, FaultRule, InjectedFault } from './faults.js';
export { FAULT_KINDS } from './faults.js';
export { FAULT_SPEC_HELP, parseFaultSpec } from './fault-spec.js';
export type { OperationName } from './operations.js';
export { OPERATION_NAMES } from './operations.js';
export { STATE_PATH } from './http/server.js';
export type {
  DocumentState,
  DownloadHandlerState,
  EmulatorState,
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
  /** Stops the server, dropping open connections, and removes the data directory if it was a temporary one. */
  close(): Promise<void>;
}

async function createService(config: EmulatorConfig, dataDir: string): Promise<ServiceContext> {
  const stagingDir = join(dataDir, 'staging');
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  const tickets = new TicketStore(config.ticketTtlMs);
  const sessionAlive = (ticket: string): boolean => tickets.peek(ticket) !== undefined;
  return {
    config,
    accounts: new Accounts(config.users, config.sysadminAccount),
    tickets,
    store: await DocumentStore.open(dataDir, config.libraries),
    uploads: new UploadStaging(stagingDir, config.handlerTtlMs, config.handlerBinding, sessionAlive),
    downloads: new DownloadStaging(stagingDir, config.handlerTtlMs, config.handlerBinding, sessionAlive),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
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

/** Starts an emulator of the /srv.asmx service on a real HTTP port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveOptions(options);
  const faults = new FaultInjector(config.faults, config.seed);
  const dataDir = config.dataDir ?? (await mkdtemp(join(tmpdir(), 'srv-asmx-emulator-')));
  const removeTemporaryData = async (): Promise<void> => {
    if (config.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const service = await createService(config, dataDir);
    const state = () => snapshotState(service);
    const server = createEmulatorServer({ config, service, faults, state });
    const port = await listen(server, config.port, config.host);
    return {
      url: `${config.tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}/srv.asmx`,
      dataDir,
      state,
      faults,
      readDocument: (path, versionNumber) => readDocument(service.store, path, versionNumber),
      close: async () => {
        await closeServer(server);
        await Promise.all([service.uploads.table.settle(), service.downloads.table.settle()]);
        await removeTemporaryData();
      },
    };
  } catch (error) {
    await removeTemporaryData();
    throw error;
  }
}
