// The server's upload limits: FILEUPLOADLIMIT (getApplicationParameters) and DocumentMaxSize
// (GetGeneralAppSettings), read once per session and kept with what it learnt of its server.
// Nothing says which call enforces which (C42), so the smaller known one is the ceiling. A call the
// server cannot answer (a fault, an unknown operation, a malformed reply, a refusal) leaves its
// limit unknown, which is no reason to fail: the check is then skipped, and the server judges.
import type { ServicePort, UploadLimits } from '../../calls/port.js';
import { AbortError, SrvError, UploadTooLargeError } from '../../errors.js';
import type { LookupOptions } from '../lookups.js';

export type { UploadLimits } from '../../calls/port.js';

/** The limits, asked for once per session; concurrent callers share one asking. */
export function uploadLimits(port: ServicePort, options: LookupOptions = {}): Promise<UploadLimits> {
  const { learned } = port;
  learned.uploadLimits ??= readLimits(port, options).catch((error: unknown) => {
    learned.uploadLimits = undefined;
    throw error;
  });
  return learned.uploadLimits;
}

/** Refuses a source of known size larger than the smaller known limit. */
export async function checkUploadSize(port: ServicePort, path: string, size: number, options: LookupOptions = {}): Promise<void> {
  const limits = await uploadLimits(port, options);
  const { maxUploadSize } = limits;
  if (maxUploadSize === undefined || size <= maxUploadSize) return;
  throw new UploadTooLargeError(path, size, maxUploadSize, limits.fileUploadLimit === maxUploadSize ? 'FILEUPLOADLIMIT' : 'DocumentMaxSize');
}

async function readLimits(port: ServicePort, options: LookupOptions): Promise<UploadLimits> {
  // One after the other, on the one connection a session's calls in turn keep using.
  const parameters = await unlessUnanswered(port.call('getApplicationParameters', {}, options));
  const settings = await unlessUnanswered(port.call('GetGeneralAppSettings', {}, options));
  const fileUploadLimit = positive(parameters?.PARAMETERS?.FILEUPLOADLIMIT);
  const documentMaxSize = positive(settings?.GeneralSettings?.UploadSettings?.DocumentMaxSize);
  const known = [fileUploadLimit, documentMaxSize].filter((limit) => limit !== undefined);
  return { fileUploadLimit, documentMaxSize, maxUploadSize: known.length === 0 ? undefined : Math.min(...known) };
}

/** A call's result, or undefined when the server could not answer it; a cancel is still a cancel. */
async function unlessUnanswered<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AbortError || !(error instanceof SrvError)) throw error;
    return undefined;
  }
}

/** A limit of 0 or less limits nothing that can be told (C42: unknown, never 0). */
function positive(limit: number | undefined): number | undefined {
  return limit !== undefined && limit > 0 ? limit : undefined;
}
