export type FaultCode = 'Client' | 'Server' | 'VersionMismatch';

/** A request the service cannot read: a SOAP fault, or HTTP 400 over GET/POST. */
export class RequestError extends Error {
  readonly faultCode: FaultCode;

  constructor(message: string, faultCode: FaultCode = 'Client') {
    super(message);
    this.name = 'RequestError';
    this.faultCode = faultCode;
  }
}

/** HTTP 413. */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`The request body exceeds ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** HTTP 415. */
export class UnsupportedMediaTypeError extends Error {
  constructor(contentType: string, expected: string) {
    super(`Cannot process the message because the content type '${contentType}' was not the expected type '${expected}'.`);
    this.name = 'UnsupportedMediaTypeError';
  }
}
