// The library's diagnostics channels (node:diagnostics_channel), which any tool can subscribe to
// without depending on this package: a TracingChannel per transfer and per logical call, and a
// plain channel for every retry, restart and new login. Nothing is published, and no context is
// built, while a channel has no subscriber. No context ever holds a password, a ticket or an
// Authorization or Cookie header. The names and fields are public API (README, "Tracing").
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics_channel from 'node:diagnostics_channel';

export const TRANSFER_CHANNEL = 'srv-asmx:transfer';
export const CALL_CHANNEL = 'srv-asmx:call';
export const RETRY_CHANNEL = 'srv-asmx:retry';

/** The context of `srv-asmx:transfer`: one upload or download. */
export interface TransferTraceContext {
  readonly kind: 'upload' | 'download';
  /** The document's remote path. */
  readonly path: string;
  /** The chunk size asked for. */
  readonly chunkSize: number;
  /** Set by Node at the end of a transfer that succeeded: its UploadResult or DownloadResult. */
  result?: TransferTraceResult;
  /** Set by Node when the transfer failed. */
  error?: unknown;
}

/** What every transfer's result has; an UploadResult or a DownloadResult has more. */
export interface TransferTraceResult {
  readonly bytes: number;
  readonly crc32: string;
  readonly retries: number;
  readonly restarts: number;
}

/** The context of `srv-asmx:call`: one logical call, all its attempts. */
export interface CallTraceContext {
  readonly operation: string;
  /** 'soap11', 'soap12', 'http-post' or 'http-get'. */
  readonly binding: string;
  /** The service's URL, without credentials, query or fragment. */
  readonly url: string;
  /** The upload or download handler the call names or is granted, if any. */
  handler?: string | undefined;
  /** DownloadFileChunk: the offset asked for. */
  readonly offset?: number | undefined;
  /** DownloadFileChunk: the length asked for; UploadFileChunk: the chunk's length. */
  readonly length?: number | undefined;
  /** The bytes of content moved: the chunk sent, or the chunk received. */
  bytes?: number | undefined;
  /** Attempts made so far; at the end, how many the call took. */
  attempts: number;
  /** The HTTP status of the last reply, if one came. */
  status?: number | undefined;
  /** Set by Node when the call failed (its result is never put in the context: it may hold a ticket). */
  error?: unknown;
}

/** A message of `srv-asmx:retry`. */
export interface RetryTraceEvent {
  /** A call sent again, a transfer started over with a new handler, or a new login after the ticket died. */
  readonly kind: 'retry' | 'restart' | 'relogin';
  /** What failed, in the terms retries are decided by (e.g. 'maybe-applied', 'handler-gone', 'ticket-dead'). */
  readonly reason: string;
  /** The error's message (redacted, as every error of the library is). */
  readonly message: string;
  /** The call that is repeated or that met the dead ticket. */
  readonly operation?: string | undefined;
  /** A retry: its number, from 1. */
  readonly attempt?: number | undefined;
  /** A restart: the transfer's remote path. */
  readonly path?: string | undefined;
}

const transfer = diagnostics_channel.tracingChannel<unknown, TransferTraceContext>(TRANSFER_CHANNEL);
const call = diagnostics_channel.tracingChannel<unknown, CallTraceContext>(CALL_CHANNEL);
const retry = diagnostics_channel.channel(RETRY_CHANNEL);
/** The call under way, so that the client can note its status and ask for its headers; entered only while someone traces calls. */
const currentCall = new AsyncLocalStorage<CallTraceContext>();

/** Runs a transfer inside `srv-asmx:transfer`, the context built only when there are subscribers. */
export function traceTransfer<T extends TransferTraceResult>(context: () => TransferTraceContext, fn: () => Promise<T>): Promise<T> {
  if (!transfer.hasSubscribers) return fn();
  return transfer.tracePromise(fn, context());
}

/**
 * Runs a logical call inside `srv-asmx:call`. `failure` says whether a settled value is a failed
 * call (an outcome that carries its error rather than throwing it); the value itself never
 * reaches the context.
 */
export async function traceCall<T>(context: () => CallTraceContext, fn: (call: CallTraceContext | undefined) => Promise<T>, failure?: (value: T) => unknown): Promise<T> {
  if (!call.hasSubscribers) return fn(undefined);
  const traced = context();
  let settled: { value: T } | undefined;
  try {
    await call.tracePromise(async () => {
      settled = { value: await currentCall.run(traced, () => fn(traced)) };
      const error = failure?.(settled.value);
      if (error !== undefined) throw error;
    }, traced);
  } catch (error) {
    if (settled === undefined) throw error;
  }
  return (settled as { value: T }).value;
}

/** The context of a call of `operation`: the handler, offset and length its request names, if any. */
export function callContext(operation: string, binding: string, url: string, request: object): CallTraceContext {
  const fields = request as Readonly<Record<string, unknown>>;
  const chunk = fields['fileChunk'];
  const size = fields['ChunkSize'];
  return {
    operation,
    binding,
    url: tracedUrl(url),
    handler: [fields['uploadHandler'], fields['UploadHandler'], fields['DownloadHandler']].find((value) => typeof value === 'string'),
    offset: operation === 'DownloadFileChunk' && typeof fields['StartOffset'] === 'number' ? fields['StartOffset'] : undefined,
    length: Buffer.isBuffer(chunk) ? chunk.length : operation === 'DownloadFileChunk' && typeof size === 'number' ? size : undefined,
    bytes: Buffer.isBuffer(chunk) ? chunk.length : undefined,
    attempts: 0,
  };
}

/** Notes what a call's result says that its context shows: the handler granted, the bytes received. */
export function noteResult(call: CallTraceContext, result: unknown): void {
  if (typeof result !== 'object' || result === null) return;
  const fields = result as Readonly<Record<string, unknown>>;
  const granted = fields['UploadHandler'] ?? fields['downloadhandler'];
  if (call.handler === undefined && typeof granted === 'string') call.handler = granted;
  if (Buffer.isBuffer(fields['content'])) call.bytes = fields['content'].length;
}

export function publishRetry(event: () => RetryTraceEvent): void {
  if (retry.hasSubscribers) retry.publish(event());
}

/** What the tracing adds to every HTTP request of a call (the otel module's traceparent). */
export type RequestHeaderProvider = (call: CallTraceContext) => Readonly<Record<string, string>> | undefined;
let requestHeaders: RequestHeaderProvider | undefined;

/** Sets, or with undefined removes, the one provider of tracing headers. */
export function provideRequestHeaders(provider: RequestHeaderProvider | undefined): void {
  requestHeaders = provider;
}

/** The headers for a request of the call under way, if anyone traces it. */
export function tracingHeaders(): Readonly<Record<string, string>> | undefined {
  if (requestHeaders === undefined) return undefined;
  const traced = currentCall.getStore();
  return traced && requestHeaders(traced);
}

/** Notes the HTTP status of a reply on the call under way. */
export function noteStatus(status: number): void {
  const traced = currentCall.getStore();
  if (traced) traced.status = status;
}

/** The URL as a trace may show it: no user, password, query or fragment. */
export function tracedUrl(url: string): string {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  shown.hash = '';
  return shown.href;
}
