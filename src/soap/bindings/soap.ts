// The WSDL's SOAP 1.1 and 1.2 bindings: our code writes the envelope (envelope.ts); node-soap parses
// the reply against the WSDL (reply-parser.ts), and the result element is found by local name
// inside {Op}Result, whatever its own name or namespace, and read with its child elements from
// node-soap's object form. A chunk's base64 is cut out of the reply before node-soap sees the few
// hundred bytes around it.
import type { OperationDescriptor, SoapVersion } from '../../../generated/srv.js';
import { malformedReply, SoapFaultError } from '../../errors.js';
import type { HttpReply } from '../../http/transport.js';
import { envelopeBody, requestEnvelope } from '../envelope.js';
import { redactEnvelope, redact } from '../redaction.js';
import { notAReply, resultOf, unexpected } from '../reply.js';
import type { ReplyParser } from '../reply-parser.js';
import { endOfElement, MAX_DEPTH, nestsTooDeep, xmlTextOf } from '../reply-text.js';
import { MAX_RESULT_DEPTH, type RawElement } from '../result-values.js';
import type { Take } from '../payload-cut.js';
import { payloadCut, replyLimit, replyText, type Arguments, type Binding, type BindingRequest } from './binding.js';

/** node-soap's object form of an element: attributes under `attributes`, text under `$value`. */
type SoapObject = { [key: string]: unknown };

export class SoapBinding implements Binding {
  constructor(
    private readonly version: SoapVersion,
    private readonly endpoint: URL,
    private readonly take: Take,
    private readonly parse: ReplyParser,
  ) {}

  write(op: OperationDescriptor, args: Arguments): BindingRequest {
    const envelope = requestEnvelope(op, this.version, args);
    return {
      method: 'POST',
      url: this.endpoint,
      headers: envelope.headers,
      body: envelopeBody(envelope, this.take),
      maxReplyBytes: replyLimit(op, args),
      cut: payloadCut(op, args, op.resultElement, this.take),
      recorded: (secrets) => redactEnvelope(envelope, secrets),
    };
  }

  read(op: OperationDescriptor, request: BindingRequest, reply: HttpReply, secrets: readonly string[]): Record<string, unknown> {
    const element = resultElement(op, this.response(op, reply, secrets));
    if (!element) throw unexpected(op, reply, `has no ${op.resultElement} element`);
    return resultOf(op, element, secrets, request.cut?.extracted?.payload);
  }

  recorded(request: BindingRequest, reply: HttpReply): string {
    return replyText(request.cut, reply);
  }

  /** The {Op}Response element of the reply's Body, parsed; a reply without one is not this operation's. */
  private response(op: OperationDescriptor, reply: HttpReply, secrets: readonly string[]): unknown {
    const text = xmlTextOf(op, reply);
    if (nestsTooDeep(text)) throw malformedReply(op.name, `elements nest deeper than ${MAX_DEPTH}; it was refused unparsed`);
    const response = childNamed(childNamed(this.envelope(op, reply, text, secrets), 'Body'), `${op.name}Response`);
    if (response === undefined) throw notAReply(op, reply, this.version);
    return response;
  }

  /** The parsed Envelope; what follows it (a proxy's or a debugger's junk) is ignored, once the whole reply would not parse. */
  private envelope(op: OperationDescriptor, reply: HttpReply, text: string, secrets: readonly string[]): unknown {
    const end = endOfElement(text, 'Envelope');
    for (const candidate of end !== undefined && text.slice(end).trim() !== '' ? [text, text.slice(0, end)] : [text]) {
      try {
        return this.parse(candidate);
      } catch (error) {
        const fault = faultOf(error);
        if (fault) throw new SoapFaultError(redact(fault.code, secrets), redact(fault.reason, secrets), reply.status, op.name);
      }
    }
    throw notAReply(op, reply, this.version);
  }
}

function resultElement(op: OperationDescriptor, parsed: unknown): RawElement | undefined {
  const wrapper = childNamed(parsed, op.resultElement);
  if (!isObject(wrapper)) return undefined;
  const name = Object.keys(wrapper).find((key) => key !== 'attributes' && key !== '$value');
  return name === undefined ? undefined : rawElements(name, wrapper[name], 1)[0];
}

/**
 * node-soap's object form of the elements named `name` (a string, null for an empty element, an
 * object, or an array of these when the name repeats) down to MAX_RESULT_DEPTH: deeper ones are
 * part of no result, and are left unread.
 */
function rawElements(name: string, value: unknown, depth: number): RawElement[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown) => (Array.isArray(item) ? [] : rawElements(name, item, depth)));
  if (typeof value === 'string') return [{ name, attributes: {}, text: value, children: [] }];
  if (value === null) return [{ name, attributes: {}, text: '', children: [] }];
  if (!isObject(value)) return [];
  const attributes = isObject(value['attributes']) ? (value['attributes'] as Record<string, string>) : {};
  const text = value['$value'];
  const children = depth >= MAX_RESULT_DEPTH ? [] : Object.entries(value).flatMap(([key, child]) => (key === 'attributes' || key === '$value' ? [] : rawElements(key, child, depth + 1)));
  return [{ name, attributes, text: typeof text === 'string' ? text : '', children }];
}

function childNamed(parent: unknown, name: string): unknown {
  if (!isObject(parent)) return undefined;
  if (name in parent) return parent[name];
  const lower = name.toLowerCase();
  const key = Object.keys(parent).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : parent[key];
}

/** A SOAP 1.1 (faultcode/faultstring) or 1.2 (Code/Value, Reason/Text) fault the runtime parsed. */
function faultOf(error: unknown): { code: string; reason: string } | undefined {
  if (!isObject(error)) return undefined;
  const fault = childNamed(childNamed(childNamed(error['root'], 'Envelope'), 'Body'), 'Fault');
  if (!isObject(fault)) return undefined;
  const code = textOf(childNamed(fault, 'faultcode')) ?? textOf(childNamed(childNamed(fault, 'Code'), 'Value')) ?? '';
  const reason = textOf(childNamed(fault, 'faultstring')) ?? textOf(childNamed(childNamed(fault, 'Reason'), 'Text')) ?? '';
  return { code, reason };
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['$value'] === 'string') return value['$value'];
  return undefined;
}

function isObject(value: unknown): value is SoapObject {
  return typeof value === 'object' && value !== null;
}
