// The WSDL's HTTP GET binding: the parameters as a query string, for the calls the WSDL declares on
// GET (what is safe in a URL: never a password or a chunk). Every other call goes as HTTP POST does,
// and the user is told so once per operation. The reply is read as HTTP POST's is.
import type { OperationDescriptor } from '../../../generated/srv.js';
import type { Take } from '../payload-cut.js';
import type { Arguments, BindingRequest } from './binding.js';
import { HttpPostBinding, type ChunkEncoding } from './http-post.js';

export class HttpGetBinding extends HttpPostBinding {
  readonly #told = new Set<string>();

  constructor(
    endpoint: URL,
    chunkEncoding: ChunkEncoding,
    take: Take,
    private readonly notice: (message: string) => void,
  ) {
    super(endpoint, chunkEncoding, take);
  }

  override write(op: OperationDescriptor, args: Arguments): BindingRequest {
    if (op.http.get !== null) return this.request(op, 'GET', args);
    if (!this.#told.has(op.name)) {
      this.#told.add(op.name);
      this.notice(`${op.name} goes by HTTP POST, not GET: the WSDL declares on GET only the calls that are safe in a URL (never a password or a chunk)`);
    }
    return super.write(op, args);
  }
}
