// Reads wsdl/srv.wsdl into the model the renderer needs: operations with their SOAP actions, HTTP
// GET and POST locations, ordered parameters and result records. Only the WSDL 1.1 / XSD constructs the file uses are
// understood; anything else is an error rather than a silent guess.
import { DOMParser } from '@xmldom/xmldom';

const NS = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap11: 'http://schemas.xmlsoap.org/wsdl/soap/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  http: 'http://schemas.xmlsoap.org/wsdl/http/',
  mime: 'http://schemas.xmlsoap.org/wsdl/mime/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  /** The annotations only this codegen reads (gen:result in an {Op}Result's s:appinfo). */
  codegen: 'urn:srv-asmx-client:codegen',
} as const;

/** How a value travels and which TypeScript type it gets. */
export type ValueKind = 'string' | 'int' | 'long' | 'short' | 'decimal' | 'boolean' | 'flag' | 'base64Binary';

export interface ParameterModel {
  name: string;
  kind: ValueKind;
  required: boolean;
}

export interface AttributeModel {
  name: string;
  kind: ValueKind;
  required: boolean;
}

/**
 * A child element of a record: `value`, an element whose text is a value; `record`, one element of a
 * record type; `list`, a list of records, either repeated in place (`item` null) or the `item`
 * elements inside a wrapper element `name` (a complexType holding nothing but one repeated element).
 */
export type ChildModel =
  | { shape: 'value'; name: string; required: boolean; kind: ValueKind }
  | { shape: 'record'; name: string; required: boolean; type: string }
  | { shape: 'list'; name: string; required: boolean; type: string; item: string | null };

/** What an element carries: attributes, text content, child elements. */
export interface RecordModel {
  name: string;
  attributes: AttributeModel[];
  /** The kind of the element's text content, when it has one (DownloadFileChunk's base64). */
  text: ValueKind | null;
  children: ChildModel[];
}

/** An operation's HTTP GET and POST bindings. */
export interface HttpModel {
  /** The location below the endpoint (/{Op}); null when the WSDL does not declare the operation on GET. */
  get: string | null;
  post: string;
  /** The parameter POST sends as a raw application/octet-stream part of a multipart body, or null: a urlencoded form. */
  filePart: string | null;
}

export interface OperationModel {
  name: string;
  documentation: string;
  soapAction: string;
  http: HttpModel;
  parameters: ParameterModel[];
  resultElement: string;
  resultType: string;
}

export type BindingName = 'soap11' | 'soap12' | 'http-get' | 'http-post';

export interface ServiceModel {
  name: string;
  /** The port name of each binding. */
  ports: Record<BindingName, string>;
}

export interface WsdlModel {
  targetNamespace: string;
  service: ServiceModel;
  operations: OperationModel[];
  /** The result types and every record they hold, each after the records it holds. */
  records: RecordModel[];
}

type Element = globalThis.Element;

export function readWsdl(xml: string): WsdlModel {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m) => errors.push(m), fatalError: (m) => errors.push(m) },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0) throw new Error(`wsdl/srv.wsdl is not well-formed XML: ${errors.join('; ')}`);
  const definitions = doc.documentElement as unknown as Element;
  const targetNamespace = required(definitions.getAttribute('targetNamespace'), 'definitions/@targetNamespace');
  const schema = serviceSchema(definitions, targetNamespace);
  const xsd = new SchemaIndex(schema, targetNamespace);
  const actions11 = bindingActions(definitions, NS.soap11);
  const actions12 = bindingActions(definitions, NS.soap12);
  const portType = portTypeOf(definitions, NS.soap11);
  const messages = new Map(children(definitions, NS.wsdl, 'message').map((m) => [m.getAttribute('name') ?? '', m]));
  const gets = httpOperations(definitions, 'GET');
  const posts = httpOperations(definitions, 'POST');

  const operations = children(portType, NS.wsdl, 'operation').map((op): OperationModel => {
    const name = required(op.getAttribute('name'), 'portType operation/@name');
    const soapAction = required(actions11.get(name), `SOAP 1.1 binding of ${name}`);
    if (actions12.get(name) !== soapAction) throw new Error(`${name}: the SOAP 1.2 binding's action differs from SOAP 1.1's`);
    const input = messageElement(op, 'input', messages, xsd);
    const output = messageElement(op, 'output', messages, xsd);
    const result = xsd.resultOf(output, name);
    const parameters = xsd.parametersOf(input);
    return {
      name,
      documentation: textOf(children(op, NS.wsdl, 'documentation')[0]),
      soapAction,
      http: httpOf(name, parameters, gets, posts, messages),
      parameters,
      resultElement: result.element,
      resultType: result.type,
    };
  });
  const usedTypes = [...new Set(operations.map((o) => o.resultType))].sort();
  return {
    targetNamespace,
    service: readService(definitions),
    operations,
    records: xsd.recordsOf(usedTypes),
  };
}

function readService(definitions: Element): ServiceModel {
  const service = onlyChild(definitions, NS.wsdl, 'service');
  const portFor = (kind: BindingKind): string => {
    const port = children(service, NS.wsdl, 'port').find((p) => {
      const [, bindingName] = splitQName(p.getAttribute('binding') ?? '');
      return bindingsOf(definitions, kind).some((b) => b.getAttribute('name') === bindingName);
    });
    return required(port?.getAttribute('name'), `a port of a ${kind} binding`);
  };
  return {
    name: required(service.getAttribute('name'), 'service/@name'),
    ports: { soap11: portFor(NS.soap11), soap12: portFor(NS.soap12), 'http-get': portFor('GET'), 'http-post': portFor('POST') },
  };
}

/** The schema of the service namespace; the WSDL's other schema declares the HTTP bindings' bare result elements. */
function serviceSchema(definitions: Element, targetNamespace: string): Element {
  const schemas = children(children(definitions, NS.wsdl, 'types')[0], NS.xsd, 'schema').filter((s) => s.getAttribute('targetNamespace') === targetNamespace);
  if (schemas.length !== 1) throw new Error(`expected one schema of ${targetNamespace}, found ${schemas.length}`);
  return schemas[0] as Element;
}

/** A SOAP binding by its extension's namespace, an HTTP binding by its verb. */
type BindingKind = typeof NS.soap11 | typeof NS.soap12 | 'GET' | 'POST';

function bindingsOf(definitions: Element, kind: BindingKind): Element[] {
  return children(definitions, NS.wsdl, 'binding').filter((binding) => {
    if (kind !== 'GET' && kind !== 'POST') return children(binding, kind, 'binding').length === 1;
    return children(binding, NS.http, 'binding').some((b) => b.getAttribute('verb') === kind);
  });
}

/** The portType of the (one) binding of `kind`: SOAP 1.1's holds the operations, their documentation and messages. */
function portTypeOf(definitions: Element, kind: BindingKind): Element {
  const bindings = bindingsOf(definitions, kind);
  if (bindings.length !== 1) throw new Error(`expected one ${kind} binding, found ${bindings.length}`);
  const [, name] = splitQName(required((bindings[0] as Element).getAttribute('type'), 'binding/@type'));
  return required(children(definitions, NS.wsdl, 'portType').find((p) => p.getAttribute('name') === name), `portType ${name}`);
}

interface HttpOperation {
  location: string;
  input: Element;
  /** The portType operation's input message. */
  message: string;
}

/** The operations of the HTTP binding of `verb`, by name. */
function httpOperations(definitions: Element, verb: 'GET' | 'POST'): Map<string, HttpOperation> {
  const operations = new Map<string, HttpOperation>();
  const abstract = new Map(children(portTypeOf(definitions, verb), NS.wsdl, 'operation').map((op) => [op.getAttribute('name') ?? '', op]));
  for (const binding of bindingsOf(definitions, verb)) {
    for (const op of children(binding, NS.wsdl, 'operation')) {
      const name = required(op.getAttribute('name'), `${verb} operation/@name`);
      const location = required(onlyChild(op, NS.http, 'operation').getAttribute('location'), `${verb} ${name}'s http:operation/@location`);
      if (children(onlyChild(op, NS.wsdl, 'output'), NS.mime, 'mimeXml').length !== 1) throw new Error(`${name}: the HTTP ${verb} output must be one mime:mimeXml`);
      const input = onlyChild(abstract.get(name), NS.wsdl, 'input');
      const [, message] = splitQName(required(input.getAttribute('message'), `${verb} ${name}'s input/@message`));
      operations.set(name, { location, input: onlyChild(op, NS.wsdl, 'input'), message });
    }
  }
  return operations;
}

/**
 * Where the operation is bound over HTTP. Every operation has a POST binding; its HTTP messages must
 * name the SOAP parameters, in order. A POST input that is a mime:multipartRelated names the part it
 * sends as raw bytes by that part's application/octet-stream content; any other POST input is a form.
 */
function httpOf(name: string, parameters: ParameterModel[], gets: Map<string, HttpOperation>, posts: Map<string, HttpOperation>, messages: Map<string, Element>): HttpModel {
  const post = required(posts.get(name), `the HTTP POST binding of ${name}`);
  const get = gets.get(name);
  for (const [verb, bound] of [['GET', get], ['POST', post]] as const) {
    if (!bound) continue;
    if (bound.location !== `/${name}`) throw new Error(`${name}: the HTTP ${verb} location is ${bound.location}, not /${name}`);
    const parts = children(messages.get(bound.message), NS.wsdl, 'part').map((p) => p.getAttribute('name'));
    if (parts.join() !== parameters.map((p) => p.name).join()) throw new Error(`${name}: the HTTP ${verb} message's parts differ from the SOAP parameters`);
  }
  if (get && children(get.input, NS.http, 'urlEncoded').length !== 1) throw new Error(`${name}: the HTTP GET input must be http:urlEncoded`);
  return { get: get?.location ?? null, post: post.location, filePart: filePartOf(name, post.input) };
}

function filePartOf(name: string, input: Element): string | null {
  const multipart = children(input, NS.mime, 'multipartRelated')[0];
  if (!multipart) {
    const form = onlyChild(input, NS.mime, 'content');
    if (form.getAttribute('type') !== 'application/x-www-form-urlencoded') throw new Error(`${name}: the HTTP POST input must be a form or a mime:multipartRelated`);
    return null;
  }
  const raw = children(multipart, NS.mime, 'part')
    .map((part) => onlyChild(part, NS.mime, 'content'))
    .filter((content) => content.getAttribute('type') === 'application/octet-stream');
  if (raw.length !== 1) throw new Error(`${name}: the HTTP POST multipart input must name one application/octet-stream part`);
  return required((raw[0] as Element).getAttribute('part'), `${name}'s octet-stream mime:content/@part`);
}

class SchemaIndex {
  private readonly elements = new Map<string, Element>();
  private readonly complexTypes = new Map<string, Element>();
  private readonly attributeGroups = new Map<string, Element>();
  private readonly simpleTypes = new Map<string, Element>();

  constructor(schema: Element, private readonly targetNamespace: string) {
    const index: Array<[string, Map<string, Element>]> = [
      ['element', this.elements],
      ['complexType', this.complexTypes],
      ['attributeGroup', this.attributeGroups],
      ['simpleType', this.simpleTypes],
    ];
    for (const [tag, map] of index) {
      for (const node of children(schema, NS.xsd, tag)) map.set(required(node.getAttribute('name'), `xsd:${tag}/@name`), node);
    }
  }

  element(qname: string, context: Element): Element {
    return required(this.elements.get(this.localInTarget(qname, context)), `element ${qname}`);
  }

  parametersOf(operationElement: Element): ParameterModel[] {
    const type = onlyChild(operationElement, NS.xsd, 'complexType');
    const sequence = children(type, NS.xsd, 'sequence')[0];
    if (!sequence) return [];
    return children(sequence, NS.xsd, 'element').map((el) => ({
      name: required(el.getAttribute('name'), 'parameter/@name'),
      kind: this.kindOf(required(el.getAttribute('type'), 'parameter/@type'), el),
      required: el.getAttribute('minOccurs') !== '0',
    }));
  }

  /**
   * The {Op}Result element of a response and the type of the element it holds. {Op}Result must be
   * declared as the WSDL's header says: mixed content holding one s:any, with the element's type
   * named by gen:result in its s:annotation/s:appinfo.
   */
  resultOf(responseElement: Element, operation: string): { element: string; type: string } {
    const sequence = onlyChild(onlyChild(responseElement, NS.xsd, 'complexType'), NS.xsd, 'sequence');
    const resultElement = onlyChild(sequence, NS.xsd, 'element');
    const element = required(resultElement.getAttribute('name'), 'result element/@name');
    const content = onlyChild(resultElement, NS.xsd, 'complexType');
    const inner = children(content, NS.xsd, 'sequence')[0];
    if (content.getAttribute('mixed') !== 'true' || elementChildren(content).length !== 1 || !inner || elementChildren(inner).length !== 1 || children(inner, NS.xsd, 'any').length !== 1) {
      throw new Error(`${operation}: ${element} must hold mixed content with one s:any and nothing else (see the WSDL's header)`);
    }
    const appinfo = onlyChild(onlyChild(resultElement, NS.xsd, 'annotation'), NS.xsd, 'appinfo');
    const link = onlyChild(appinfo, NS.codegen, 'result');
    const type = this.localInTarget(required(link.getAttribute('type'), `${element}'s gen:result/@type`), link);
    if (!this.complexTypes.has(type)) throw new Error(`${operation}: gen:result names ${type}, which is no complexType`);
    return { element, type };
  }

  /** The records named and every record they hold, each after the records it holds. */
  recordsOf(names: readonly string[]): RecordModel[] {
    const records = new Map<string, RecordModel>();
    const visit = (name: string, path: readonly string[]): void => {
      if (path.includes(name)) throw new Error(`record ${name} holds itself (${[...path, name].join(' > ')})`);
      if (records.has(name)) return;
      const record = this.record(name);
      for (const child of record.children) if (child.shape !== 'value') visit(child.type, [...path, name]);
      records.set(name, record);
    };
    for (const name of names) visit(name, []);
    return [...records.values()];
  }

  private record(name: string): RecordModel {
    const type = required(this.complexTypes.get(name), `complexType ${name}`);
    const simpleContent = children(type, NS.xsd, 'simpleContent')[0];
    if (simpleContent) {
      const extension = onlyChild(simpleContent, NS.xsd, 'extension');
      const text = this.kindOf(required(extension.getAttribute('base'), 'extension/@base'), extension);
      return { name, attributes: this.attributesOf(extension), text, children: [] };
    }
    const record = { name, attributes: this.attributesOf(type), text: null, children: this.childrenOf(type) };
    const attributeNames = new Set(record.attributes.map((a) => a.name));
    const clash = record.children.find((c) => attributeNames.has(c.name));
    if (clash) throw new Error(`${name}: ${clash.name} is both an attribute and a child element`);
    return record;
  }

  /** The child elements of a complexType: an s:sequence of elements, or an s:choice of elements repeated without bound. */
  private childrenOf(type: Element): ChildModel[] {
    const sequence = children(type, NS.xsd, 'sequence')[0];
    const choice = children(type, NS.xsd, 'choice')[0];
    if (sequence && choice) throw new Error(`${type.getAttribute('name')}: a sequence and a choice`);
    if (sequence) return children(sequence, NS.xsd, 'element').map((el) => this.child(el, el.getAttribute('maxOccurs') === 'unbounded'));
    if (!choice) return [];
    if (choice.getAttribute('maxOccurs') !== 'unbounded') throw new Error(`${type.getAttribute('name')}: a choice must repeat without bound`);
    return children(choice, NS.xsd, 'element').map((el) => this.child(el, true));
  }

  private child(element: Element, repeated: boolean): ChildModel {
    const name = required(element.getAttribute('name'), 'child element/@name');
    const mandatory = element.getAttribute('minOccurs') !== '0';
    const typeName = required(element.getAttribute('type'), `${name}/@type`);
    const [prefix, local] = splitQName(typeName);
    const complex = element.lookupNamespaceURI(prefix) === this.targetNamespace ? this.complexTypes.get(local) : undefined;
    if (!complex) {
      if (repeated) throw new Error(`${name}: a repeated element must be of a record type`);
      return { shape: 'value', name, required: mandatory, kind: this.kindOf(typeName, element) };
    }
    if (repeated) return { shape: 'list', name, required: false, type: local, item: null };
    const wrapped = this.wrappedItem(complex);
    if (wrapped) return { shape: 'list', name, required: mandatory, type: wrapped.type, item: wrapped.item };
    return { shape: 'record', name, required: mandatory, type: local };
  }

  /** A complexType that holds nothing but one element repeated without bound, of a record type: a wrapper of a list. */
  private wrappedItem(type: Element): { item: string; type: string } | undefined {
    const content = elementChildren(type);
    const sequence = children(type, NS.xsd, 'sequence')[0];
    if (content.length !== 1 || !sequence) return undefined;
    const items = elementChildren(sequence);
    const item = items[0];
    if (items.length !== 1 || !item || item.localName !== 'element' || item.getAttribute('maxOccurs') !== 'unbounded') return undefined;
    const child = this.child(item, true);
    return child.shape === 'list' ? { item: child.name, type: child.type } : undefined;
  }

  private attributesOf(holder: Element): AttributeModel[] {
    return elementChildren(holder).flatMap((node): AttributeModel[] => {
      if (node.namespaceURI !== NS.xsd) return [];
      if (node.localName === 'attributeGroup') {
        const group = this.attributeGroups.get(this.localInTarget(node.getAttribute('ref') ?? '', node));
        return this.attributesOf(required(group, `attributeGroup ${node.getAttribute('ref')}`));
      }
      if (node.localName !== 'attribute') return [];
      return [{
        name: required(node.getAttribute('name'), 'attribute/@name'),
        kind: this.kindOf(required(node.getAttribute('type'), 'attribute/@type'), node),
        required: node.getAttribute('use') === 'required',
      }];
    });
  }

  private kindOf(qname: string, context: Element): ValueKind {
    const [prefix, local] = splitQName(qname);
    const namespace = context.lookupNamespaceURI(prefix);
    if (namespace === NS.xsd) {
      if (isBuiltInKind(local)) return local;
      throw new Error(`unsupported XSD type ${qname}`);
    }
    if (namespace === this.targetNamespace && local === 'flag') return 'flag';
    if (namespace === this.targetNamespace && this.simpleTypes.has(local)) {
      const restriction = onlyChild(required(this.simpleTypes.get(local), local), NS.xsd, 'restriction');
      return this.kindOf(required(restriction.getAttribute('base'), 'restriction/@base'), restriction);
    }
    throw new Error(`unknown type ${qname}`);
  }

  private localInTarget(qname: string, context: Element): string {
    const [prefix, local] = splitQName(qname);
    if (context.lookupNamespaceURI(prefix) !== this.targetNamespace) throw new Error(`${qname} is not in ${this.targetNamespace}`);
    return local;
  }
}

const BUILT_IN_KINDS = ['string', 'int', 'long', 'short', 'decimal', 'boolean', 'base64Binary'] as const;
function isBuiltInKind(local: string): local is (typeof BUILT_IN_KINDS)[number] {
  return (BUILT_IN_KINDS as readonly string[]).includes(local);
}

function bindingActions(definitions: Element, soapNamespace: string): Map<string, string> {
  const actions = new Map<string, string>();
  for (const binding of children(definitions, NS.wsdl, 'binding')) {
    if (children(binding, soapNamespace, 'binding').length === 0) continue;
    for (const op of children(binding, NS.wsdl, 'operation')) {
      const soapOperation = onlyChild(op, soapNamespace, 'operation');
      actions.set(op.getAttribute('name') ?? '', required(soapOperation.getAttribute('soapAction'), 'soapAction'));
    }
  }
  return actions;
}

function messageElement(op: Element, direction: 'input' | 'output', messages: Map<string, Element>, xsd: SchemaIndex): Element {
  const io = onlyChild(op, NS.wsdl, direction);
  const [, messageName] = splitQName(required(io.getAttribute('message'), `${direction}/@message`));
  const part = onlyChild(required(messages.get(messageName), `message ${messageName}`), NS.wsdl, 'part');
  return xsd.element(required(part.getAttribute('element'), 'part/@element'), part);
}

function splitQName(qname: string): [string | null, string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? [null, qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function elementChildren(parent: Element): Element[] {
  const result: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) result.push(node as Element);
  }
  return result;
}

function children(parent: Element | undefined, namespace: string, localName: string): Element[] {
  if (!parent) return [];
  return elementChildren(parent).filter((e) => e.namespaceURI === namespace && e.localName === localName);
}

function onlyChild(parent: Element | undefined, namespace: string, localName: string): Element {
  const found = children(parent, namespace, localName);
  if (found.length !== 1) throw new Error(`expected one ${localName} in ${parent?.getAttribute('name') ?? parent?.localName}, found ${found.length}`);
  return found[0] as Element;
}

function textOf(node: Element | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined || value === '') throw new Error(`wsdl/srv.wsdl: missing ${what}`);
  return value;
}
