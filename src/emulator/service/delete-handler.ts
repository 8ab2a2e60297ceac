import { canonicalGuid } from '../guid.js';
import { textParam } from '../params.js';
import { ok, Refusal } from '../result.js';
import { exclusively } from '../staging/handler-table.js';
import type { HandlerTable, StagedHandler } from '../staging/handler-table.js';
import type { OperationHandler, ServiceContext } from './context.js';
import { BAD_REQUEST } from './messages.js';
import { requireSession } from './session.js';

/**
 * DeleteUploadHandler and DeleteDownloadHandler: the GUID is checked before the ticket, only the caller's own
 * handler is deleted, and a handler that is already gone is a success.
 */
function deleteHandler<H extends StagedHandler>(
  handlerParam: string,
  tableOf: (context: ServiceContext) => HandlerTable<H>,
): OperationHandler {
  return async (context, call) => {
    const id = canonicalGuid(textParam(call.params, handlerParam));
    if (id === undefined) throw new Refusal(BAD_REQUEST);
    const session = requireSession(context, call, 'authenticationTicket');
    const table = tableOf(context);
    const handler = table.live(id);
    if (handler !== undefined && table.belongsTo(handler, session)) {
      await exclusively(handler, () => table.remove(handler));
    }
    return ok(['error', '']);
  };
}

export const deleteUploadHandler = deleteHandler('UploadHandler', (context) => context.uploads.table);
export const deleteDownloadHandler = deleteHandler('DownloadHandler', (context) => context.downloads.table);
