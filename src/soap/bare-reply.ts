// The reply of the HTTP GET and POST bindings is the bare result element, with no envelope; a BOM,
// an XML declaration, comments and white space may come before it. It is read as a SOAP reply is: collected
// inside the envelope this operation's SOAP reply has, so that node-soap parses it, a chunk's
// base64 is cut out of it as it arrives (payload-cut.ts), and reply.ts classifies it, with no
// reading code of its own.
import { TARGET_NAMESPACE, type OperationDescriptor } from '../../generated/srv.js';
import type { ReplyCollector } from '../http/reply-bytes.js';
import type { HttpReply } from '../http/transport.js';
import { notAReply, refusedUnparsed } from './reply.js';
import { prologueOf } from './xml-prologue.js';

const SOAP_11 = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Past this, a reply whose element has not started is no result element. */
const MAX_PROLOGUE_BYTES = 4096;

/** Passes the bare element to `inner` inside the operation's envelope, once it is known to be one. */
export class BareReply implements ReplyCollector {
  readonly #head: Buffer;
  readonly #tail: Buffer;
  /** What came before the element's start is known. */
  #prologue: Buffer[] | undefined = [];
  #isElement = false;

  private readonly inner: ReplyCollector;

  /** `inner(declared)` collects the envelope, whose length is the reply's declared one and the envelope's. */
  constructor(op: OperationDescriptor, declaredLength: number | undefined, inner: (declaredLength: number | undefined) => ReplyCollector) {
    this.#head = Buffer.from(`<soap:Envelope xmlns:soap="${SOAP_11}"><soap:Body><${op.name}Response xmlns="${TARGET_NAMESPACE}"><${op.resultElement}>`);
    this.#tail = Buffer.from(`</${op.resultElement}></${op.name}Response></soap:Body></soap:Envelope>`);
    this.inner = inner(declaredLength === undefined ? undefined : declaredLength + this.#head.length + this.#tail.length);
  }

  add(bytes: Buffer): void {
    if (!this.#prologue) return this.inner.add(bytes);
    this.#prologue.push(bytes);
    this.start(false);
  }

  /** The envelope, or (for a body that is no element) the body as it came. */
  bytes(): Buffer {
    if (this.#prologue) this.start(true);
    const body = this.inner.bytes();
    return this.#isElement ? Buffer.concat([body, this.#tail]) : body;
  }

  /** The reply is a result element (else the transport error `check` throws). */
  get isElement(): boolean {
    return this.#isElement;
  }

  /**
   * The reply as it came, for its exchange record: the body without the envelope. (A BOM, an XML
   * declaration and comments before the element are not kept.)
   */
  bare(text: string): string {
    if (!this.#isElement) return text;
    return text.slice(this.#head.toString().length, text.length - this.#tail.toString().length);
  }

  /** Refuses what SOAP refuses unparsed, and a body that is no XML element (an error page, a .NET exception's text). */
  check(op: OperationDescriptor, reply: HttpReply, secrets: readonly string[]): void {
    const refused = refusedUnparsed(op, reply);
    if (refused) throw refused;
    if (!this.#isElement) throw notAReply(op, reply, 'http', secrets);
  }

  private start(ended: boolean): void {
    const head = Buffer.concat(this.#prologue as Buffer[]);
    const prologue = prologueOf(head);
    if (!prologue && !ended && head.length <= MAX_PROLOGUE_BYTES) return;
    this.#prologue = undefined;
    this.#isElement = prologue?.next === 'element';
    if (!prologue || !this.#isElement) return this.inner.add(head);
    this.inner.add(this.#head);
    this.inner.add(head.subarray(prologue.end));
  }
}
