import type { Accounts } from '../auth/accounts.js';
import type { TicketStore } from '../auth/tickets.js';
import type { FaultKind } from '../faults.js';
import type { EmulatorConfig } from '../options.js';
import type { Params } from '../params.js';
import type { Reply } from '../result.js';
import type { DownloadStaging } from '../staging/downloads.js';
import type { UploadStaging } from '../staging/uploads.js';
import type { DocumentStore } from '../store/document-store.js';

/** Everything the operations work on; no protocol details. */
export interface ServiceContext {
  readonly config: EmulatorConfig;
  readonly accounts: Accounts;
  readonly tickets: TicketStore;
  readonly store: DocumentStore;
  readonly uploads: UploadStaging;
  readonly downloads: DownloadStaging;
}

export interface OperationCall {
  readonly params: Params;
  /** The `ticket` cookie, which isValidTicket, LogOut and RenewTicket read when their ticket parameter is empty. */
  readonly cookieTicket: string | undefined;
  /** Injected faults the operation itself carries out (tryagain, corrupt). */
  readonly faults: ReadonlySet<FaultKind>;
}

export type OperationHandler = (context: ServiceContext, call: OperationCall) => Promise<Reply>;
