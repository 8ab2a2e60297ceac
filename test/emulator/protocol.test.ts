import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  createUploadHandler,
  crcHex,
  envelope11,
  envelope12,
  httpGet,
  postForm,
  postMultipart,
  postSoap11,
  postSoap12,
  rawExchange,
  resultOf,
  SOAP11_NS,
  soap,
  stateUrl,
  TEMPURI,
  useEmulator,
} from './helpers.js';

const running = useEmulator();

const faultString = (body: string): string => /<faultstring>([\s\S]*?)<\/faultstring>/.exec(body)?.[1] ?? '';

describe('SOAP 1.1', () => {
  it('wraps the result as {Op}Response/{Op}Result/<element xmlns="">', async () => {
    const response = await postSoap11(running.emulator.url, `${TEMPURI}FolderExists`, envelope11('FolderExists', [['authenticationTicket', running.ticket], ['Path', '/Public']]));
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('text/xml; charset=utf-8');
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>' +
        '<FolderExistsResponse xmlns="http://tempuri.org/"><FolderExistsResult><response xmlns="" success="true" />' +
        '</FolderExistsResult></FolderExistsResponse></soap:Body></soap:Envelope>',
    );
  });

  it("with resultXmlns 'inherit' the element inherits the service namespace, like the ServerInfo sample", async () => {
    const inherit = await startEmulator({ resultXmlns: 'inherit' });
    try {
      const { body } = await soap(inherit.url, 'ServerInfo');
      expect(body).toContain('<ServerInfoResult><root success="true" VersionNumber="8.7.0.0"');
    } finally {
      await inherit.close();
    }
  });

  it('puts DownloadFileChunk base64 in the inner element, and answers in-band errors with HTTP 200', async () => {
    const { status, result } = await soap(running.emulator.url, 'DownloadFileChunk', [['authenticationTicket', running.ticket], ['DownloadHandler', 'x']]);
    expect(status).toBe(200);
    expect(result.attrs).toEqual({ success: 'false', error: 'Invalid download handler. (guid)' });
  });

  it.each([
    [undefined, ''],
    ['', ''],
    ['http://tempuri.org/Nothing', 'http://tempuri.org/Nothing'],
    ['http://tempuri.org/isvalidticket', 'http://tempuri.org/isvalidticket'],
    ['http://example.org/ServerInfo', 'http://example.org/ServerInfo'],
    ['ServerInfo', 'ServerInfo'],
  ])('faults on the SOAPAction %j', async (action, shown) => {
    const response = await postSoap11(running.emulator.url, action, envelope11('ServerInfo', []));
    expect(response.status).toBe(500);
    expect(response.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(faultString(response.body)).toBe(`Server did not recognize the value of HTTP Header SOAPAction: ${shown}.`);
  });

  it('accepts an unquoted SOAPAction header', async () => {
    const response = await fetch(running.emulator.url, { method: 'POST', headers: { 'Content-Type': 'text/xml', SOAPAction: `${TEMPURI}ServerInfo` }, body: envelope11('ServerInfo', []) });
    expect(resultOf(await response.text()).attrs.success).toBe('true');
  });

  it('ignores parameters outside the service namespace: they read as missing', async () => {
    const body = envelope11('AuthenticateUser', []).replace('</AuthenticateUser>', '<UID xmlns="">demo</UID><t:PWD xmlns:t="http://example.org/">demo</t:PWD></AuthenticateUser>');
    const response = await postSoap11(running.emulator.url, `${TEMPURI}AuthenticateUser`, body);
    expect(resultOf(response.body).attrs.error).toBe('[900] Authentication failed');
  });

  it('reads xsi:nil as missing, ignores unknown children and a soap:Header, and takes CDATA text', async () => {
    const body =
      `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header><x:Trace xmlns:x="urn:x">1</x:Trace></soap:Header>` +
      `<soap:Body><AuthenticateUser xmlns="${TEMPURI}"><Extra>1</Extra><UID><![CDATA[demo]]></UID><PWD xsi:nil="true"/></AuthenticateUser></soap:Body></soap:Envelope>`;
    expect(resultOf((await postSoap11(running.emulator.url, `${TEMPURI}AuthenticateUser`, body)).body).attrs.error).toBe('[900] Authentication failed');
    const withPassword = body.replace('<PWD xsi:nil="true"/>', '<PWD>demo</PWD>');
    expect(resultOf((await postSoap11(running.emulator.url, `${TEMPURI}AuthenticateUser`, withPassword)).body).attrs.success).toBe('true');
  });

  it.each([
    ['a non-numeric int', 'CreateUploadHandler', [['PreferedChunkSize', 'big']], 'PreferedChunkSize is not a valid int'],
    ['an int out of range', 'CreateUploadHandler', [['PreferedChunkSize', '99999999999']], 'PreferedChunkSize is not a valid int'],
    ['an invalid boolean', 'UploadFileChunk', [['lastChunk', 'yes']], 'lastChunk is not a valid boolean'],
    ['invalid base64', 'UploadFileChunk', [['fileChunk', 'abc$']], 'fileChunk is not a valid base64'],
    ['a short out of range', 'UploadDocumentWithHandler2', [['mpVersionMajor', '40000']], 'mpVersionMajor is not a valid short'],
  ])('answers %s with a soap:Client fault', async (_case, op, params, message) => {
    const response = await postSoap11(running.emulator.url, `${TEMPURI}${op}`, envelope11(op, [['authenticationTicket', running.ticket], ...(params as [string, string][])]));
    expect(response.status).toBe(500);
    expect(response.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(faultString(response.body)).toContain(message);
  });

  it('decodes fileChunk base64 written with line breaks, character references or CDATA', async () => {
    const chunk = randomBytes(300_000);
    const lines = chunk.toString('base64').replace(/.{76}/g, '$&\r\n');
    const variants = [lines, lines.replace(/\r\n/g, '&#13;&#10;'), `<![CDATA[${lines}]]>`, `\n  ${chunk.toString('base64')}\n`];
    for (const fileChunk of variants) {
      const handler = await createUploadHandler(running.emulator.url, running.ticket, 300_000);
      const body = envelope11('UploadFileChunk', [
        ['authenticationTicket', running.ticket],
        ['uploadHandler', handler],
        ['chunkHEXCRC', crcHex(chunk)],
        ['lastChunk', 'true'],
      ]).replace('</UploadFileChunk>', `<fileChunk>${fileChunk}</fileChunk></UploadFileChunk>`);
      const response = await postSoap11(running.emulator.url, `${TEMPURI}UploadFileChunk`, body);
      expect(resultOf(response.body).attrs).toMatchObject({ success: 'true', tryagain: 'false' });
      expect(running.emulator.state().uploadHandlers.find((h) => h.id === handler)?.bytes).toBe(300_000);
    }
  });

  it.each(['QUJD=RA==', 'QUJDRA=', 'QUJDRA===', 'QU JD R*=='])('faults on the malformed base64 %j', async (fileChunk) => {
    const body = envelope11('UploadFileChunk', [['authenticationTicket', running.ticket], ['fileChunk', fileChunk]]);
    const response = await postSoap11(running.emulator.url, `${TEMPURI}UploadFileChunk`, body);
    expect(response.status).toBe(500);
    expect(faultString(response.body)).toContain('fileChunk is not a valid base64');
  });

  it('faults when the Body element does not match the action', async () => {
    const response = await postSoap11(running.emulator.url, `${TEMPURI}ServerInfo`, envelope11('LogOut', []));
    expect(response.status).toBe(500);
    expect(faultString(response.body)).toContain('is not {http://tempuri.org/}ServerInfo');
  });

  it('faults on an empty Body, a non-envelope root, malformed XML and invalid UTF-8', async () => {
    const bodies: (string | Uint8Array<ArrayBuffer>)[] = [
      `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body/></soap:Envelope>`,
      `<Message xmlns="${SOAP11_NS}"><Body/></Message>`,
      `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><ServerInfo xmlns="${TEMPURI}">`,
      new Uint8Array(Buffer.concat([Buffer.from(envelope11('ServerInfo', []).slice(0, 60)), Buffer.from([0xff, 0xfe]), Buffer.from('</x>')])),
    ];
    for (const body of bodies) {
      const response = await fetch(running.emulator.url, { method: 'POST', headers: { 'Content-Type': 'text/xml', SOAPAction: `"${TEMPURI}ServerInfo"` }, body });
      const text = await response.text();
      expect([response.status, text]).toEqual([500, expect.stringContaining('<faultcode>soap:Client</faultcode>')]);
    }
  });

  it('answers a SOAP 1.2 envelope sent as text/xml with a VersionMismatch fault', async () => {
    const response = await postSoap11(running.emulator.url, `${TEMPURI}ServerInfo`, envelope12('ServerInfo', []));
    expect(response.status).toBe(500);
    expect(response.body).toContain('<faultcode>soap:VersionMismatch</faultcode>');
  });
});

describe('XML attacks', () => {
  it('refuses an XXE body with a fault and never reads the file', async () => {
    const body = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + envelope11('AuthenticateUser', [['UID', '&xxe;'], ['PWD', 'x']]).replace(/^<\?xml[^>]*>/, '').replace('&amp;xxe;', '&xxe;');
    const response = await postSoap11(running.emulator.url, `${TEMPURI}AuthenticateUser`, body);
    expect(response.status).toBe(500);
    expect(faultString(response.body)).toContain('DTD is prohibited');
    expect(response.body).not.toContain('root:');
  });

  it('refuses a billion-laughs body at once', async () => {
    const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const body = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]>` + envelope11('ServerInfo', []).replace(/^<\?xml[^>]*>/, '').replace('<ServerInfo xmlns="http://tempuri.org/">', '<ServerInfo xmlns="http://tempuri.org/">&lol9;');
    const started = Date.now();
    const response = await postSoap11(running.emulator.url, `${TEMPURI}ServerInfo`, body);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(response.status).toBe(500);
    expect(faultString(response.body)).toContain('DTD is prohibited');
  });

  it('refuses an undeclared entity', async () => {
    const body = envelope11('AuthenticateUser', [['UID', 'x'], ['PWD', 'x']]).replace('<UID>x</UID>', '<UID>&undeclared;</UID>');
    const response = await postSoap11(running.emulator.url, `${TEMPURI}AuthenticateUser`, body);
    expect(response.status).toBe(500);
  });
});

describe('SOAP 1.2', () => {
  it('takes the action from the Content-Type and answers a 1.2 envelope', async () => {
    const response = await postSoap12(running.emulator.url, `${TEMPURI}FolderExists`, envelope12('FolderExists', [['authenticationTicket', running.ticket], ['Path', '/Public']]));
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('application/soap+xml; charset=utf-8');
    expect(response.body).toContain('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"');
    expect(response.body).toContain('<FolderExistsResponse xmlns="http://tempuri.org/"><FolderExistsResult><response xmlns="" success="true" />');
  });

  it('answers an unknown action with a 1.2 fault', async () => {
    const response = await postSoap12(running.emulator.url, `${TEMPURI}Nothing`, envelope12('Nothing', []));
    expect(response.status).toBe(500);
    expect(response.body).toContain('<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>');
    expect(response.body).toContain('<soap:Reason><soap:Text xml:lang="en">Server did not recognize the value of HTTP Header SOAPAction: http://tempuri.org/Nothing.</soap:Text></soap:Reason>');
  });

  it('with soap12: false, answers like an endpoint without SOAP 1.2 (HTTP 415)', async () => {
    const without = await startEmulator({ soap12: false });
    try {
      const response = await postSoap12(without.url, `${TEMPURI}ServerInfo`, envelope12('ServerInfo', []));
      expect(response.status).toBe(415);
      expect(response.body).not.toContain('Envelope');
      expect((await soap(without.url, 'ServerInfo')).result.attrs.success).toBe('true');
    } finally {
      await without.close();
    }
  });
});

describe('GET and POST', () => {
  it('route operations and bind parameter names ignoring case', async () => {
    const get = await httpGet(running.emulator.url, 'folderexists', [['AUTHENTICATIONTICKET', running.ticket], ['path', '/Public']]);
    expect(get.body).toBe('<?xml version="1.0" encoding="utf-8"?><response success="true" />');
    const post = await postForm(running.emulator.url, 'CreateUploadHandler', [['AuthenticationTicket', running.ticket], ['preferedchunksize', '300000']]);
    expect(resultOf(post.body).attrs).toMatchObject({ success: 'true', ChunkSize: '300000' });
  });

  it('answer a value that does not convert with HTTP 400', async () => {
    const response = await httpGet(running.emulator.url, 'CreateUploadHandler', [['authenticationTicket', running.ticket], ['PreferedChunkSize', 'abc']]);
    expect(response.status).toBe(400);
  });

  it('take booleans in any case, as bool.Parse does', async () => {
    const handler = await createUploadHandler(running.emulator.url, running.ticket);
    const chunk = Buffer.from('form chunk');
    const response = await postForm(running.emulator.url, 'UploadFileChunk', [
      ['authenticationTicket', running.ticket],
      ['uploadHandler', handler],
      ['fileChunk', chunk.toString('base64')],
      ['chunkHEXCRC', crcHex(chunk)],
      ['lastChunk', 'True'],
    ]);
    expect(resultOf(response.body).attrs).toMatchObject({ success: 'true', tryagain: 'false' });
  });

  it('accept a multipart fileChunk as a raw file part or as a base64 text field', async () => {
    const chunk = randomBytes(5000);
    const fields = (handler: string): [string, string][] => [['authenticationTicket', running.ticket], ['uploadHandler', handler], ['chunkHEXCRC', crcHex(chunk)], ['lastChunk', 'true']];
    const raw = await createUploadHandler(running.emulator.url, running.ticket);
    expect(resultOf((await postMultipart(running.emulator.url, 'UploadFileChunk', fields(raw), { name: 'fileChunk', data: chunk })).body).attrs.tryagain).toBe('false');
    const text = await createUploadHandler(running.emulator.url, running.ticket);
    expect(resultOf((await postMultipart(running.emulator.url, 'UploadFileChunk', [...fields(text), ['fileChunk', chunk.toString('base64')]])).body).attrs.tryagain).toBe('false');
    const sizes = running.emulator.state().uploadHandlers.filter((h) => h.id === raw || h.id === text).map((h) => h.bytes);
    expect(sizes).toEqual([5000, 5000]);
  });

  it('answer 404 for an unknown operation, 415 for an unsupported form type, 405 otherwise', async () => {
    expect((await fetch(`${running.emulator.url}/Nothing`)).status).toBe(404);
    expect((await fetch(`${running.emulator.url}/ServerInfo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(415);
    expect((await fetch(`${running.emulator.url}/ServerInfo`, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(running.emulator.url)).status).toBe(405);
    expect((await fetch(running.emulator.url.replace('/srv.asmx', '/other'))).status).toBe(404);
    expect((await fetch(running.emulator.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(415);
  });
});

describe('?WSDL', () => {
  it('serves the WSDL with both ports addressed to the emulator', async () => {
    for (const query of ['?WSDL', '?wsdl']) {
      const response = await fetch(`${running.emulator.url}${query}`);
      const wsdl = await response.text();
      expect(response.headers.get('content-type')).toBe('text/xml; charset=utf-8');
      expect(wsdl).toContain(`<soap:address location="${running.emulator.url}"/>`);
      expect(wsdl).toContain(`<soap12:address location="${running.emulator.url}"/>`);
      expect(wsdl).toContain('targetNamespace="http://tempuri.org/"');
    }
  });
});

describe('state view', () => {
  it('is served as JSON under /__emulator/state and matches state()', async () => {
    await createUploadHandler(running.emulator.url, running.ticket);
    const response = await fetch(stateUrl(running.emulator.url));
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(running.emulator.state())));
  });
});

describe('limits', () => {
  let limited: RunningEmulator;
  beforeAll(async () => {
    limited = await startEmulator({ maxBodyBytes: 4096, readTimeoutMs: 300 });
  });
  afterAll(() => limited.close());

  it('answers 413 to a declared body over the limit, without processing it', async () => {
    const response = await postSoap11(limited.url, `${TEMPURI}ServerInfo`, envelope11('ServerInfo', []) + ' '.repeat(5000));
    expect(response.status).toBe(413);
    const form = await postForm(limited.url, 'ServerInfo', [['x', 'y'.repeat(5000)]]);
    expect(form.status).toBe(413);
  });

  it('answers 413 to a chunked body that grows over the limit', async () => {
    const { port } = new URL(limited.url);
    const pieces = [envelope11('ServerInfo', []).replace(/<\/ServerInfo>.*/, ''), ...Array.from({ length: 6 }, () => ' '.repeat(1000))];
    const chunks = pieces.map((piece) => `${piece.length.toString(16)}\r\n${piece}\r\n`).join('');
    const reply = await rawExchange(
      limited.url,
      `POST /srv.asmx HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/xml\r\nSOAPAction: "${TEMPURI}ServerInfo"\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
  });

  it('drops a request whose body does not arrive within the read timeout', async () => {
    const { port } = new URL(limited.url);
    const started = Date.now();
    const reply = await rawExchange(limited.url, `POST /srv.asmx HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/xml\r\nSOAPAction: "${TEMPURI}ServerInfo"\r\nContent-Length: 1000\r\n\r\n<soap:Env`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('admits a 32 MiB chunk as base64 in SOAP under the default limit', async () => {
    const chunk = randomBytes(33_554_432);
    const handler = await createUploadHandler(running.emulator.url, running.ticket, 33_554_432);
    const body = envelope11('UploadFileChunk', [
      ['authenticationTicket', running.ticket],
      ['uploadHandler', handler],
      ['fileChunk', chunk.toString('base64')],
      ['chunkHEXCRC', crcHex(chunk)],
      ['lastChunk', 'true'],
    ]);
    const response = await postSoap11(running.emulator.url, `${TEMPURI}UploadFileChunk`, body);
    expect(resultOf(response.body).attrs).toMatchObject({ success: 'true', tryagain: 'false' });
    expect(running.emulator.state().uploadHandlers.find((h) => h.id === handler)?.bytes).toBe(33_554_432);
  });
});
