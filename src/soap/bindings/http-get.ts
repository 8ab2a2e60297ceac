// The WSDL's HTTP GET binding: the parameters as a query string, for the calls the WSDL declares on
// GET (what is safe in a URL: never a password or a chunk), and of those the ones that carry a
// ticket only when the user asks for it knowingly (`ticketInUrl`): proxies and server logs keep
// URLs. Every other call goes as HTTP POST does, and the user is told so once per operation. The
// reply is read as HTTP POST's is.
import type { OperationDescriptor } from '../../../generated/srv.js';
import type { Take } from '../payload-cut.js';
import { SECRET_PARAMETERS } from '../redaction.js';
import type { Arguments, BindingRequest } from './binding.js';
import { HttpPostBinding, type ChunkEncoding } from './http-post.js';

export class HttpGetBinding extends HttpPostBinding {
  readonly #told = new Set<string>();

  constructor(
    endpoint: URL,
    chunkEncoding: ChunkEncoding,
    take: Take,
    private readonly notice: (message: string) => void,
    /** Send the calls the WSDL declares on GET by GET even when they carry the ticket. */
    private readonly ticketInUrl: boolean,
  ) {
    super(endpoint, chunkEncoding, take);
  }

  override write(op: OperationDescriptor, args: Arguments): BindingRequest {
    const secret = op.parameters.some(({ name }) => SECRET_PARAMETERS.has(name));
    if (op.http.get !== null && (!secret || this.ticketInUrl)) {
      if (secret) this.tell('ticket', 'the ticket goes in the URLs of the calls sent by HTTP GET, and proxies and server logs keep URLs (ticketInUrl)');
      return this.request(op, 'GET', args);
    }
    const why = op.http.get === null ? 'the WSDL declares on GET only the calls that are safe in a URL (never a password or a chunk)' : 'it carries the ticket, which a URL would show to proxies and server logs (ticketInUrl sends it by GET)';
    this.tell(op.name, `${op.name} goes by HTTP POST, not GET: ${why}`);
    return super.write(op, args);
  }

  /** Says `message` once, under `key`. */
  private tell(key: string, message: string): void {
    if (this.#told.has(key)) return;
    this.#told.add(key);
    this.notice(message);
  }
}
