import type { OperationName, OperationSpec } from '../operations.js';
import { Refusal, refusalReply, systemErrorReply } from '../result.js';
import type { ResultElement } from '../result.js';
import { asStorageFailure } from '../storage-errors.js';
import { authenticateUser, isValidTicket, logOut, renewTicket } from './auth.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import { deleteDownloadHandler, deleteUploadHandler } from './delete-handler.js';
import { deleteDocument, deleteDocumentVersion } from './deletion.js';
import { downloadFileChunk, getDownloadHandler, getDownloadHandlerByVersion, getDownloadInfo, getDownloadInfoByVersion } from './download.js';
import {
  uploadDocumentWithHandler,
  uploadDocumentWithHandler1,
  uploadDocumentWithHandler2,
  uploadDocumentWithHandler3,
  uploadNewDocumentWidthHandler,
} from './finalize.js';
import { createFolder, documentExists, documentExists1, folderExists } from './lookup.js';
import { INJECTED_SYSTEM_ERROR } from './messages.js';
import { serverInfo } from './server-info.js';
import { createUploadHandler, uploadFileChunk } from './upload.js';
import { getDocumentVersion, getDocumentVersions } from './versions.js';

export type { OperationCall, ServiceContext } from './context.js';

const HANDLERS: Record<OperationName, OperationHandler> = {
  AuthenticateUser: authenticateUser,
  AuthenticateUser1: authenticateUser,
  RenewTicket: renewTicket,
  isValidTicket,
  LogOut: logOut,
  ServerInfo: serverInfo,
  CreateUploadHandler: createUploadHandler,
  UploadFileChunk: uploadFileChunk,
  UploadDocumentWithHandler: uploadDocumentWithHandler,
  UploadDocumentWithHandler1: uploadDocumentWithHandler1,
  UploadDocumentWithHandler2: uploadDocumentWithHandler2,
  UploadDocumentWithHandler3: uploadDocumentWithHandler3,
  UploadNewDocumentWidthHandler: uploadNewDocumentWidthHandler,
  DeleteUploadHandler: deleteUploadHandler,
  GetDownloadHandler: getDownloadHandler,
  GetDownloadHandlerByVersion: getDownloadHandlerByVersion,
  DownloadFileChunk: downloadFileChunk,
  DeleteDownloadHandler: deleteDownloadHandler,
  DocumentExists: documentExists,
  DocumentExists1: documentExists1,
  FolderExists: folderExists,
  CreateFolder: createFolder,
  GetDownloadInfo: getDownloadInfo,
  GetDownloadInfoByVersion: getDownloadInfoByVersion,
  GetDocumentVersions: getDocumentVersions,
  GetDocumentVersion: getDocumentVersion,
  DeleteDocument: deleteDocument,
  DeleteDocumentVersion: deleteDocumentVersion,
};

/** What an operation produced: its result (a refusal is a `success="false"` one), or an error it did not handle. */
export type OperationOutcome = { readonly element: ResultElement } | { readonly unhandled: unknown };

/** Runs one operation; an unexpected error is left to the caller, as an ASMX web method leaves it to ASP.NET. */
export async function performOperation(
  context: ServiceContext,
  spec: OperationSpec,
  call: OperationCall,
): Promise<OperationOutcome> {
  try {
    return { element: { name: spec.resultElement, ...(await HANDLERS[spec.name](context, call)) } };
  } catch (error) {
    if (error instanceof Refusal) return { element: { name: spec.resultElement, ...refusalReply(error) } };
    return { unhandled: asStorageFailure(error) };
  }
}

/** Runs one operation: refusals become `success="false"` replies, unexpected errors `SystemError:` ones. */
export async function callOperation(
  context: ServiceContext,
  spec: OperationSpec,
  call: OperationCall,
): Promise<ResultElement> {
  const outcome = await performOperation(context, spec, call);
  if ('element' in outcome) return outcome.element;
  // Duck-typed: errors of node:fs may come from another realm (a test runner's VM context).
  const { unhandled } = outcome;
  const text = typeof unhandled === 'object' && unhandled !== null ? (unhandled as { message?: unknown }).message : undefined;
  const message = typeof text === 'string' ? text : String(unhandled);
  return { name: spec.resultElement, ...systemErrorReply(message) };
}

export const injectedSystemError = (spec: OperationSpec): ResultElement => ({
  name: spec.resultElement,
  ...systemErrorReply(INJECTED_SYSTEM_ERROR),
});
