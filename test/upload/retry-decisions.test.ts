// Which chunk failures are resent, which restart the upload with a new handler, and which give up;
// and that an append that may have happened is never resent unless filehexcrc can prove the result.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  ChecksumMismatchError,
  SoapFaultError,
  SrvSession,
  TicketExpiredError,
  type UploadResult,
} from '../../src/index.js';
import { fail, ok, serviceWith, type FakeSrv, type RawReply, type SrvRequest } from '../helpers/fake-srv.js';

const BASE = 'http://srv.test';
const CHUNK = 262_144;
const SOURCE = randomBytes(CHUNK * 3 + 1000);
const BAD_GATEWAY: RawReply = { body: '<html><body>502 Bad Gateway</body></html>', status: 502 };
const FAST_RETRY = { retries: 5, minDelayMs: 1, maxDelayMs: 2 };


async function uploadWith(options: { fromTicket?: boolean; maxRestarts?: number; chunkSize?: number; times?: number } = {}): Promise<UploadResult> {
  const session = options.fromTicket
    ? await SrvSession.fromTicket({ url: `${BASE}/srv.asmx`, ticket: '00000000-0000-4000-8000-000000000009', retry: FAST_RETRY })
    : await SrvSession.login({ url: `${BASE}/srv.asmx`, user: 'demo', password: 'demo', retry: FAST_RETRY });
  try {
    let result: UploadResult | undefined;
    for (let n = 0; n < (options.times ?? 1); n++) {
      result = await session.upload(SOURCE, '/Public/report.bin', { chunkSize: options.chunkSize ?? CHUNK, maxRestarts: options.maxRestarts ?? 3 });
    }
    return result as UploadResult;
  } finally {
    session.client.close();
  }
}

/** The (handler number / chunk index) of every chunk the client sent, in order. */
function chunksSent(service: FakeSrv): string[] {
  return service.calls('UploadFileChunk').map((call) => {
    const handlerNumber = Number((call.params['uploadHandler'] as string).slice(-12));
    const bytes = Buffer.from(call.params['fileChunk'] ?? '', 'base64');
    return `h${handlerNumber}/${SOURCE.indexOf(bytes.subarray(0, 64)) / CHUNK}`;
  });
}

const chunkCall = (call: SrvRequest, n: number) => call.op === 'UploadFileChunk' && call.n === n;

test('tryagain resends the same bytes on the same handler, without a restart', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 2) || chunkCall(call, 3) ? ok({ tryagain: 'true' }) : undefined));
  const result = await uploadWith();
  expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/1', 'h1/2', 'h1/3']);
  expect(result).toMatchObject({ restarts: 0, retries: 2, documentId: 42, bytes: SOURCE.length });
  expect(service.calls('DeleteUploadHandler')).toHaveLength(0);
});

test('a lost chunk reply is resent when the final filehexcrc proves the staged bytes', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 2) ? BAD_GATEWAY : undefined));
  const result = await uploadWith();
  expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/2', 'h1/3']);
  expect(result).toMatchObject({ restarts: 0, retries: 1 });
});

test('a lost reply whose chunk was in fact appended is caught by filehexcrc and the upload starts over', async () => {
  const service = serviceWith({}, (call) => {
      if (!chunkCall(call, 2)) return undefined;
      const handler = call.params['uploadHandler'] as string;
      service.staged.set(handler, Buffer.concat([service.staged.get(handler) as Buffer, Buffer.from(call.params['fileChunk'] as string, 'base64')]));
      return BAD_GATEWAY;
    });
  const result = await uploadWith();
  expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/2', 'h1/3', 'h2/0', 'h2/1', 'h2/2', 'h2/3']);
  expect(service.calls('DeleteUploadHandler').map((c) => c.params['UploadHandler'])).toEqual(['11111111-1111-4111-8111-000000000001']);
  expect(service.calls('UploadDocumentWithHandler').map((c) => c.params['uploadHandler'])).toEqual(['11111111-1111-4111-8111-000000000002']);
  expect(result).toMatchObject({ restarts: 1, documentId: 42 });
  expect(service.storedCrc).toBe(Number.parseInt(result.crc32, 16));
});

test('without filehexcrc a lost reply is never finalized: the upload starts over, and later lost replies restart at once', async () => {
  const service = serviceWith({ fileHexCrc: false }, (call) => (chunkCall(call, 2) || chunkCall(call, 7) ? BAD_GATEWAY : undefined));
  const result = await uploadWith();
  // Handler 1: chunk 1 resent, nothing proves it, so no finalize. Handler 2 learnt the server has no
  // filehexcrc: its lost reply (call 7, chunk 1) is not resent; handler 3 completes.
  expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/2', 'h1/3', 'h2/0', 'h2/1', 'h3/0', 'h3/1', 'h3/2', 'h3/3']);
  expect(service.calls('UploadDocumentWithHandler').map((c) => c.params['uploadHandler'])).toEqual(['11111111-1111-4111-8111-000000000003']);
  expect(service.calls('DeleteUploadHandler')).toHaveLength(2);
  expect(result).toMatchObject({ restarts: 2 });
});

const TOO_LARGE: RawReply = { body: 'Request Entity Too Large', status: 413, contentType: 'text/plain' };

test('HTTP 413 restarts with half the chunk size', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 1) ? TOO_LARGE : undefined));
  const result = await uploadWith({ chunkSize: CHUNK * 4 });
  expect(service.calls('CreateUploadHandler').map((c) => c.params['PreferedChunkSize'])).toEqual([String(CHUNK * 4), String(CHUNK * 2)]);
  expect(result).toMatchObject({ restarts: 1, chunks: 2 });
});

test('HTTP 413 at the smallest chunk size is final', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 1) ? TOO_LARGE : undefined));
  await expect(uploadWith()).rejects.toMatchObject({ httpStatus: 413 });
  expect(service.calls('CreateUploadHandler')).toHaveLength(1);
  expect(service.calls('DeleteUploadHandler')).toHaveLength(1);
});

/** What System.Web.Services answers for an unhandled exception: a soap:Server fault with HTTP 500 and a stack trace. */
function classicFault(text: string, code = 'soap:Server'): RawReply {
  const faultstring = `System.Web.Services.Protocols.SoapException: Server was unable to process request. ---&gt; ${text}\n   at Srv.Upload(String authenticationTicket) in C:\\Srv\\Srv.asmx.cs:line 412\n   --- End of inner exception stack trace ---`;
  return { body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>${code}</faultcode><faultstring>${faultstring}</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>`, status: 500, contentType: 'text/xml; charset=utf-8' };
}

describe('classic ASMX: server faults with HTTP 500', () => {
  test('on a chunk: the append may have happened, so it is resent only under the proof rule', async () => {
    const service = serviceWith({}, (call) => (chunkCall(call, 2) ? classicFault('System.IO.IOException: The disk is busy.') : undefined));
    const result = await uploadWith();
    expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/2', 'h1/3']);
    expect(result).toMatchObject({ restarts: 0, retries: 1 });
  });

  test('on a chunk, without filehexcrc: the upload starts over instead of finalizing unproven bytes', async () => {
    const service = serviceWith({ fileHexCrc: false }, (call) => (chunkCall(call, 2) ? classicFault('System.IO.IOException: The disk is busy.') : undefined));
    const result = await uploadWith();
    expect(service.calls('UploadDocumentWithHandler').map((c) => c.params['uploadHandler'])).toEqual(['11111111-1111-4111-8111-000000000002']);
    expect(result.restarts).toBe(1);
  });

  test('on CreateUploadHandler: retried', async () => {
    const service = serviceWith({}, (call) => (call.op === 'CreateUploadHandler' && call.n === 1 ? classicFault('System.TimeoutException: timed out') : undefined));
    const result = await uploadWith();
    expect(service.calls('CreateUploadHandler')).toHaveLength(2);
    expect(result).toMatchObject({ documentId: 42, retries: 1 });
  });

  test('on the finalizer: settled like a lost reply, with the same handler', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadDocumentWithHandler' && call.n === 1 ? classicFault('System.Data.SqlClient.SqlException: deadlock') : undefined));
    const result = await uploadWith();
    expect(result).toMatchObject({ documentId: 42, restarts: 0 });
    expect(service.calls('UploadDocumentWithHandler')).toHaveLength(2);
  });
});

describe('the chunk size is learnt from the server', () => {
  test.each([
    ['a 500 fault "Maximum request length exceeded"', classicFault('System.Web.HttpException: Maximum request length exceeded.')],
    ['an in-band "Upload size exceeds httpRuntime limit"', fail('SystemError: Upload size exceeds httpRuntime limit')],
    ['IIS 404.13', { body: '<html><body>HTTP Error 404.13 - Not Found. The request filtering module is configured to deny a request that exceeds the request content length.</body></html>', status: 404 } as RawReply],
  ])('%s halves the chunk, and the next upload of the session starts there', async (_what, tooLarge) => {
    const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' && Buffer.from(call.params['fileChunk'] ?? '', 'base64').length > CHUNK * 2 ? tooLarge : undefined));
    const result = await uploadWith({ chunkSize: CHUNK * 8, times: 2 });
    expect(service.calls('CreateUploadHandler').map((c) => Number(c.params['PreferedChunkSize']))).toEqual([CHUNK * 8, CHUNK * 4, CHUNK * 2, CHUNK * 2]);
    expect(service.calls('DeleteUploadHandler')).toHaveLength(2);
    expect(result).toMatchObject({ restarts: 0, chunks: 2 });
  });

  test('halving does not use up maxRestarts, and ends at the smallest size', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' ? classicFault('System.Web.HttpException: Maximum request length exceeded.') : undefined));
    const error = await uploadWith({ chunkSize: CHUNK * 4, maxRestarts: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SoapFaultError', side: 'server' });
    expect(service.calls('CreateUploadHandler').map((c) => Number(c.params['PreferedChunkSize']))).toEqual([CHUNK * 4, CHUNK * 2, CHUNK]);
    expect(service.calls('DeleteUploadHandler')).toHaveLength(3);
  });
});

test('an invalid or expired handler restarts the upload with a new one', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 3) ? fail('Invalid upload handler.') : undefined));
  const result = await uploadWith();
  expect(result.restarts).toBe(1);
  expect(service.calls('CreateUploadHandler')).toHaveLength(2);
});

test('a SOAP fault gives up at once, and the handler is deleted', async () => {
  const fault = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Server was unable to read request.</faultstring></soap:Fault></soap:Body></soap:Envelope>';
  const service = serviceWith({}, (call) => (chunkCall(call, 2) ? { body: fault, status: 500, contentType: 'text/xml' } : undefined));
  await expect(uploadWith()).rejects.toBeInstanceOf(SoapFaultError);
  expect(service.calls('UploadFileChunk')).toHaveLength(2);
  expect(service.calls('DeleteUploadHandler').map((c) => c.params['UploadHandler'])).toEqual(['11111111-1111-4111-8111-000000000001']);
});

test('a ticket that dies mid-upload: a new login, and the chunk is sent again with the same handler, which this server kept', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 2) ? fail('[901] Session expired or Invalid ticket') : undefined));
  const result = await uploadWith();
  expect(service.calls('AuthenticateUser')).toHaveLength(2);
  const ticketsOf = (op: string) => service.calls(op).map((c) => c.params['authenticationTicket']);
  expect(ticketsOf('CreateUploadHandler')).toEqual(['ticket-1']);
  expect(ticketsOf('UploadFileChunk').slice(1)).toEqual(['ticket-1', 'ticket-2', 'ticket-2', 'ticket-2']);
  expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/2', 'h1/3']);
  expect(result.restarts).toBe(0);
});

test('after a new login, a handler the server bound to the old session is refused once, and the upload starts over', async () => {
  const service = serviceWith({}, (call) => {
      if (chunkCall(call, 2)) return fail('[901] Session expired or Invalid ticket');
      if (chunkCall(call, 3)) return fail('Invalid upload handler.');
      return undefined;
    });
  const result = await uploadWith();
  const ticketsOf = (op: string) => service.calls(op).map((c) => c.params['authenticationTicket']);
  expect(ticketsOf('CreateUploadHandler')).toEqual(['ticket-1', 'ticket-2']);
  expect(result.restarts).toBe(1);
});

test('without credentials a dead ticket ends the upload with TicketExpiredError', async () => {
  const service = serviceWith({}, (call) => (chunkCall(call, 2) ? fail('[901] Session expired or Invalid ticket') : undefined));
  await expect(uploadWith({ fromTicket: true })).rejects.toBeInstanceOf(TicketExpiredError);
  expect(service.calls('CreateUploadHandler')).toHaveLength(1);
});

test('a staged file that never matches the source ends with ChecksumMismatchError after the allowed restarts', async () => {
  const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' && call.params['lastChunk'] === 'true' ? ok({ tryagain: 'false', filehexcrc: 'DEADBEEF' }) : undefined));
  const error = await uploadWith({ maxRestarts: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ChecksumMismatchError);
  expect(service.calls('CreateUploadHandler')).toHaveLength(3);
  expect(service.calls('DeleteUploadHandler')).toHaveLength(3);
  expect(service.requests.some((c) => c.op.startsWith('UploadDocument'))).toBe(false);
});

test('a lost finalize reply that did store the document: the stored CRC-32, another before the finalize, confirms it, with no second finalize and no second upload', async () => {
  const service = serviceWith({}, (call) => {
      if (call.op !== 'UploadDocumentWithHandler') return undefined;
      if (call.n > 1) return fail('Invalid upload handler.');
      service.storedCrc = crc32(service.staged.get(call.params['uploadHandler'] as string) as Buffer);
      return BAD_GATEWAY;
    });
  const result = await uploadWith();
  expect(result).toMatchObject({ documentId: undefined, versionId: undefined, restarts: 0, confirmation: 'stored-crc' });
  expect(service.calls('UploadDocumentWithHandler')).toHaveLength(1);
  // One before the finalize, one after it.
  expect(service.calls('DocumentExists')).toHaveLength(2);
});

test('a finalize whose reply was lost before it was applied, as the stored document shows, succeeds when sent again with the same handler', async () => {
  const service = serviceWith({}, (call) => (call.op === 'UploadDocumentWithHandler' && call.n === 1 ? BAD_GATEWAY : undefined));
  const result = await uploadWith();
  expect(result).toMatchObject({ documentId: 42, restarts: 0 });
  expect(service.calls('UploadDocumentWithHandler').map((c) => c.params['uploadHandler'])).toEqual(['11111111-1111-4111-8111-000000000001', '11111111-1111-4111-8111-000000000001']);
  // One before the finalize, one after the lost reply: no document yet, so the finalize is sent again.
  expect(service.calls('DocumentExists')).toHaveLength(2);
});

test('a finalize that keeps failing after its handler was consumed, with other content stored, starts over', async () => {
  const service = serviceWith({}, (call) => {
      if (call.op !== 'UploadDocumentWithHandler') return undefined;
      return call.n === 1 ? BAD_GATEWAY : call.n === 2 ? fail('Invalid upload handler.') : undefined;
    });
  const result = await uploadWith();
  expect(result).toMatchObject({ documentId: 42, restarts: 1 });
  expect(service.calls('CreateUploadHandler')).toHaveLength(2);
});

describe('the attempts a failure that never passes is given (docs/protocol.md, the decision table)', () => {
  /** The index of the chunk a call sends, in the source. */
  const chunkIndex = (call: SrvRequest) => SOURCE.indexOf(Buffer.from(call.params['fileChunk'] ?? '', 'base64').subarray(0, 64)) / CHUNK;

  test('a chunk whose reply is always lost is sent 1 + retries times, on one handler; then the upload fails and the handler is deleted', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' && chunkIndex(call) === 1 ? BAD_GATEWAY : undefined));
    const error = await uploadWith().catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 502 });
    expect(chunksSent(service)).toEqual(['h1/0', 'h1/1', 'h1/1', 'h1/1', 'h1/1', 'h1/1', 'h1/1']);
    expect(service.calls('DeleteUploadHandler')).toHaveLength(1);
    expect(service.requests.some((c) => c.op.startsWith('UploadDocument'))).toBe(false);
  });

  test('where the server is known to omit filehexcrc, each lost reply starts over instead: the chunk is sent 1 + maxRestarts times', async () => {
    // The first upload of the session teaches it that the server sends no filehexcrc (4 chunk calls).
    const service = serviceWith({ fileHexCrc: false }, (call) => (call.op === 'UploadFileChunk' && call.n > 4 && chunkIndex(call) === 1 ? BAD_GATEWAY : undefined));
    const error = await uploadWith({ times: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ httpStatus: 502 });
    expect(chunksSent(service).slice(4)).toEqual(['h2/0', 'h2/1', 'h3/0', 'h3/1', 'h4/0', 'h4/1', 'h5/0', 'h5/1']);
    expect(service.calls('DeleteUploadHandler')).toHaveLength(4);
  });

  test('a finalize that is always refused is sent once; the handler is deleted', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadDocumentWithHandler' ? fail('Access denied to /Public') : undefined));
    await expect(uploadWith()).rejects.toMatchObject({ name: 'AccessDeniedError', serverMessage: 'Access denied to /Public' });
    expect(service.calls('UploadDocumentWithHandler')).toHaveLength(1);
    expect(service.calls('DeleteUploadHandler')).toHaveLength(1);
  });

  test('a finalize whose reply is always lost is sent 1 + retries times, each loss settled by the stored document: not stored, the upload fails, its handler deleted', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadDocumentWithHandler' ? BAD_GATEWAY : undefined));
    const error = await uploadWith().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SrvError', message: expect.stringMatching(/^\/Public\/report\.bin was not stored: .*502.*no version of the upload's bytes was stored/) });
    expect(service.calls('UploadDocumentWithHandler')).toHaveLength(6);
    // One before the finalize, and one after each lost reply.
    expect(service.calls('DocumentExists')).toHaveLength(7);
    expect(service.calls('CreateUploadHandler')).toHaveLength(1);
    expect(service.calls('DeleteUploadHandler')).toHaveLength(1);
  });
});

describe('a size limit learnt from the shape of the refusal, whatever its words', () => {
  /** What spyne answers for a request over its limit: a client fault no wording list knows. */
  const SPYNE_TOO_LONG: RawReply = {
    body: '<soap11env:Envelope xmlns:soap11env="http://schemas.xmlsoap.org/soap/envelope/"><soap11env:Body><soap11env:Fault><faultcode>soap11env:Client.RequestTooLong</faultcode><faultstring>Request too long</faultstring></soap11env:Fault></soap11env:Body></soap11env:Envelope>',
    status: 500,
    contentType: 'text/xml; charset=utf-8',
  };
  const chunkBytes = (call: SrvRequest) => Buffer.from(call.params['fileChunk'] ?? '', 'base64').length;
  const grantsAsked = (service: FakeSrv) => service.calls('CreateUploadHandler').map((c) => Number(c.params['PreferedChunkSize']) / CHUNK);

  test('chunks over the limit refused with Client.RequestTooLong: halved until one passes, and the session starts there next time', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' && chunkBytes(call) > CHUNK * 2 ? SPYNE_TOO_LONG : undefined));
    const result = await uploadWith({ chunkSize: CHUNK * 8, times: 2 });
    expect(grantsAsked(service)).toEqual([8, 4, 2, 2]);
    expect(result).toMatchObject({ restarts: 0, chunks: 2 });
  });

  test('a client fault that the smallest chunk gets too was not about size: the upload fails with it, and no limit is learnt', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' ? SPYNE_TOO_LONG : undefined));
    const session = await SrvSession.login({ url: `${BASE}/srv.asmx`, user: 'demo', password: 'demo', retry: FAST_RETRY });
    try {
      const error = await session.upload(SOURCE, '/Public/report.bin', { chunkSize: CHUNK * 4 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'SoapFaultError', side: 'sender', faultCode: 'soap11env:Client.RequestTooLong' });
      expect(grantsAsked(service)).toEqual([4, 2, 1]);
      expect(service.calls('DeleteUploadHandler')).toHaveLength(3);
      expect(session.learned.uploadChunkLimit).toBeUndefined();
    } finally {
      session.client.close();
    }
  });

  test('a chunk that is not the first, refused with a client fault, is no size limit: the upload fails at once', async () => {
    const service = serviceWith({}, (call) => (call.op === 'UploadFileChunk' && call.n === 2 ? SPYNE_TOO_LONG : undefined));
    await expect(uploadWith({ chunkSize: CHUNK * 2 })).rejects.toMatchObject({ name: 'SoapFaultError' });
    expect(grantsAsked(service)).toEqual([2]);
  });
});

describe('a grant that says it failed but names a handler (issue 20, item 14)', () => {
  const named = (n: number) => `99999999-9999-4999-8999-00000000000${n}`;

  test('a failing grant retried: every handler a failed reply named is deleted, and the upload goes on', async () => {
    const service = serviceWith({}, (call) =>
      call.op === 'CreateUploadHandler' && call.n <= 2 ? { attributes: { success: 'false', error: 'SystemError: the staging disk is busy', UploadHandler: named(call.n), ChunkSize: String(CHUNK) } } : undefined,
    );
    const result = await uploadWith();
    expect(result).toMatchObject({ documentId: 42, retries: 2 });
    expect(service.calls('DeleteUploadHandler').map((c) => c.params['UploadHandler'])).toEqual([named(1), named(2)]);
  });

  test('a refused grant that names a handler: the upload fails, and the handler is deleted', async () => {
    const service = serviceWith({}, (call) => (call.op === 'CreateUploadHandler' ? { attributes: { success: 'false', error: 'Quota exceeded', UploadHandler: named(3) } } : undefined));
    await expect(uploadWith()).rejects.toMatchObject({ name: 'ServiceError', handler: named(3) });
    expect(service.calls('DeleteUploadHandler').map((c) => c.params['UploadHandler'])).toEqual([named(3)]);
  });
});
