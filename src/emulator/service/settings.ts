import { textParam } from '../params.js';
import { okWith, Refusal, textElement } from '../result.js';
import type { ChildElement } from '../result.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import { ANONYMOUS_REFUSED, SESSION_EXPIRED_UNSPACED } from './messages.js';

/** The search page size both calls report: the same setting (their examples disagree, C43). */
const SEARCH_PAGE_SIZE = '20';
const UPLOAD_TIMEOUT_SECONDS = '900';

/** No ticket is an anonymous caller, whom the emulator (without anonymous access) refuses with [2730] (C41). */
function requireUser(context: ServiceContext, call: OperationCall, ticketParam: string): void {
  const ticket = textParam(call.params, ticketParam);
  if (ticket === '') throw new Refusal(ANONYMOUS_REFUSED);
  if (context.tickets.use(ticket) === undefined) throw new Refusal(SESSION_EXPIRED_UNSPACED);
}

const upperFlag = (value: boolean): string => (value ? 'TRUE' : 'FALSE');

/** The public parameters (upper-case names, TRUE/FALSE); the emulator has no administrators, so never more. */
export const getApplicationParameters: OperationHandler = async (context, call) => {
  requireUser(context, call, 'AuthenticationTicket');
  const parameters: ChildElement = {
    name: 'PARAMETERS',
    children: [
      textElement('WEBDAV', upperFlag(false)),
      textElement('ALLOWEMAILATTACHMENTS', upperFlag(false)),
      textElement('ATTACHMENTSIZELIMIT', '0'),
      textElement('APPLICATIONURL', ''),
      textElement('SYSTEMEMAILADDRESS', ''),
      textElement('INDEXSRV', upperFlag(false)),
      textElement('SEARCHPAGESIZE', SEARCH_PAGE_SIZE),
      textElement('FILEUPLOADLIMIT', String(context.config.uploadLimit)),
      textElement('ALLOWPARTIALEMAILUPLOADS', upperFlag(false)),
    ],
  };
  return okWith([['error', '']], [parameters]);
};

/** PascalCase names, true/false; no `error` attribute on success, as the example shows. */
export const getGeneralAppSettings: OperationHandler = async (context, call) => {
  requireUser(context, call, 'authenticationTicket');
  const { documentMaxSize, defaultChunkSize, zipMaxTotalSize, zipMaxTotalCount } = context.config;
  const settings: ChildElement = {
    name: 'GeneralSettings',
    children: [
      {
        name: 'UploadSettings',
        children: [
          textElement('DocumentMaxSize', String(documentMaxSize)),
          textElement('FileUploadTimeOut', UPLOAD_TIMEOUT_SECONDS),
          textElement('DefaultUploadFileChunkSize', String(defaultChunkSize)),
        ],
      },
      textElement('AllowOwnershipTransfer', 'false'),
      textElement('WebDav', 'false'),
      {
        name: 'ZipDownloadSetting',
        children: [textElement('Enabled', 'true'), textElement('MaxTotalSize', String(zipMaxTotalSize)), textElement('MaxTotalCount', String(zipMaxTotalCount))],
      },
      textElement('SearchPageSize', SEARCH_PAGE_SIZE),
    ],
  };
  return okWith([], [settings]);
};
