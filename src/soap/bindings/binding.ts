// What every binding of the WSDL is to the client: it writes an operation's request (method, URL,
// headers, body) and reads the reply into the operation's typed result or typed error. Each binding
// is an object of its own (soap.ts, http-post.ts, http-get.ts), as python-zeep's are; the transport
// in between only moves bytes.
import type { BindingName, OperationDescriptor, RecordDescriptor, SoapVersion } from '../../../generated/srv.js';
import { InvalidArgumentError } from '../../errors.js';
import type { HttpReply, StreamedBody } from '../../http/transport.js';
import type { ArgumentValue } from '../arguments.js';
import { PayloadCut, type Take } from '../payload-cut.js';
import { payloadText } from '../redaction.js';
import { recordTextOf } from '../reply-text.js';

export type Arguments = Readonly<Record<string, ArgumentValue>>;

/** One call's request as its binding wrote it. */
export interface BindingRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | StreamedBody;
  /** How long the reply may be (replyLimit). */
  readonly maxReplyBytes: number;
  /** For a result of base64 text (a chunk): the sink that cuts it out of the reply as it arrives, and decodes it. */
  readonly cut: PayloadCut | undefined;
  /** The body as the exchange record shows it, with `secrets` removed. */
  recorded(secrets: readonly string[]): string;
}

export interface Binding {
  /** Writes the request of `op`; `args` are checked and complete (arguments.ts encodeArguments). */
  write(op: OperationDescriptor, args: Arguments): BindingRequest;
  /**
   * Reads the reply to `request` into the operation's typed result, or throws its typed error
   * (an SrvError). The reply has been checked for what is refused unparsed (reply.ts refusedUnparsed).
   */
  read(op: OperationDescriptor, request: BindingRequest, reply: HttpReply, secrets: readonly string[]): Record<string, unknown>;
  /** The reply's body as the exchange record shows it, before redaction. */
  recorded(request: BindingRequest, reply: HttpReply): string;
}

/** The bindings a client can go by, SOAP 1.1 (the default) first. */
export const BINDINGS: readonly BindingName[] = ['soap11', 'soap12', 'http-post', 'http-get'];

/** The client's binding: `binding`, else the one of `soapVersion` (SOAP 1.1 by default); the two must agree. */
export function bindingOf(binding: BindingName | undefined, soapVersion: SoapVersion | undefined): BindingName {
  if (soapVersion !== undefined && soapVersion !== '1.1' && soapVersion !== '1.2') throw new InvalidArgumentError('soapVersion', "must be '1.1' or '1.2'");
  const ofVersion = soapVersion === '1.2' ? 'soap12' : 'soap11';
  if (binding === undefined) return ofVersion;
  if (!BINDINGS.includes(binding)) throw new InvalidArgumentError('binding', `must be one of ${BINDINGS.join(', ')}`);
  if (soapVersion !== undefined && binding !== ofVersion) throw new InvalidArgumentError('soapVersion', `contradicts binding '${binding}'; give one of them`);
  return binding;
}

/** Every reply is a few attributes, but for a chunk's base64 text and a listing's records. */
const SMALL_REPLY_BYTES = 1_048_576;
/** A listing: a folder's items, a document's versions, a user's checkouts. */
const LISTING_REPLY_BYTES = 8 * 1_048_576;
/** The largest chunk the service grants, for a chunk request that names no size. */
const LARGEST_CHUNK = 33_554_432;

/** The chunk size a chunk request asks for: the most bytes its reply can carry. */
function chunkSizeOf(args: Arguments): number {
  const requested = args['ChunkSize'];
  return typeof requested === 'number' && requested > 0 ? requested : LARGEST_CHUNK;
}

/**
 * How long the reply of this call can be: a chunk's base64 (4/3 of ChunkSize, line breaks allowed)
 * and an envelope margin; a listing's records; else a small cap, so that a hostile reply never
 * reaches a parser.
 */
export function replyLimit(op: OperationDescriptor, args: Arguments): number {
  if (op.result.text === 'base64Binary') return Math.ceil((Math.ceil(chunkSizeOf(args) / 3) * 4 * 78) / 76) + SMALL_REPLY_BYTES;
  return holdsList(op.result) ? LISTING_REPLY_BYTES : SMALL_REPLY_BYTES;
}

function holdsList(record: RecordDescriptor): boolean {
  return record.children.some((child) => child.shape === 'list' || (child.shape === 'record' && holdsList(child.record)));
}

/** For a result of base64 text: the cut of the text of the element inside `wrapper` (the document element's, without one). */
export function payloadCut(op: OperationDescriptor, args: Arguments, wrapper: string | undefined, take: Take): PayloadCut | undefined {
  return op.result.text === 'base64Binary' ? new PayloadCut(wrapper, take, chunkSizeOf(args)) : undefined;
}

/** The reply's body from `from` on, for its record: a base64 text cut out of it is put back as redact() would leave it. */
export function replyText(cut: PayloadCut | undefined, reply: HttpReply, from = 0): string {
  const extracted = cut?.extracted;
  if (!extracted) return recordTextOf(reply, from);
  const { body } = reply;
  return body.toString('utf8', from, extracted.at) + payloadText(extracted.payload) + body.toString('utf8', extracted.at);
}
