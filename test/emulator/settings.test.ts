// getApplicationParameters and GetGeneralAppSettings over raw HTTP, the limits they report enforced
// by the emulator's finalize (C42), and the options that set them (startEmulator, serve).
import { startEmulator } from '../../src/emulator/index.js';
import { httpGet, login, soap, stage, useEmulator } from './helpers.js';

const env = useEmulator({ uploadLimit: 2_000_000, documentMaxSize: 1_500_000, defaultChunkSize: 524_288, zipMaxTotalSize: 5_000_000, zipMaxTotalCount: 7 });

const childText = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

describe('getApplicationParameters', () => {
  it('answers the public parameters as upper-case children, FILEUPLOADLIMIT the configured limit, booleans TRUE/FALSE', async () => {
    const { result } = await soap(env.emulator.url, 'getApplicationParameters', [['AuthenticationTicket', env.ticket]]);
    expect(result.attrs).toEqual({ success: 'true', error: '' });
    expect(result.xml).toMatch(/^<response xmlns="" success="true" error=""><PARAMETERS><WEBDAV>FALSE<\/WEBDAV>/);
    expect(childText(result.xml, 'FILEUPLOADLIMIT')).toBe('2000000');
    expect(childText(result.xml, 'SEARCHPAGESIZE')).toBe('20');
    expect(result.xml).not.toContain('FILEUPLOADTIMEOUT');
  });

  it('refuses an anonymous caller with [2730] and a dead ticket with [901] written without a space (C39, C41)', async () => {
    const call = (ticket: string) => soap(env.emulator.url, 'getApplicationParameters', [['AuthenticationTicket', ticket]]).then((r) => r.result.attrs);
    expect(await call('')).toEqual({ success: 'false', error: '[2730]Insufficient rights. Anonymous users cannot perform this action' });
    expect(await call('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toEqual({ success: 'false', error: '[901]Session expired or Invalid ticket' });
  });

  it('binds its capital AuthenticationTicket exactly over SOAP, its lower-case g over GET too', async () => {
    expect((await soap(env.emulator.url, 'getApplicationParameters', [['authenticationTicket', env.ticket]])).result.attrs.error).toMatch(/^\[2730\]/);
    const reply = await httpGet(env.emulator.url, 'getApplicationParameters', [['AuthenticationTicket', env.ticket]]);
    expect(childText(reply.body, 'FILEUPLOADLIMIT')).toBe('2000000');
  });
});

describe('GetGeneralAppSettings', () => {
  it('answers DocumentMaxSize, the default chunk size and the ZIP limits as configured, booleans true/false, no error attribute', async () => {
    const { result } = await soap(env.emulator.url, 'GetGeneralAppSettings', [['authenticationTicket', env.ticket]]);
    expect(result.attrs).toEqual({ success: 'true' });
    expect(result.xml).toContain('<UploadSettings><DocumentMaxSize>1500000</DocumentMaxSize><FileUploadTimeOut>900</FileUploadTimeOut><DefaultUploadFileChunkSize>524288</DefaultUploadFileChunkSize></UploadSettings>');
    expect(result.xml).toContain('<ZipDownloadSetting><Enabled>true</Enabled><MaxTotalSize>5000000</MaxTotalSize><MaxTotalCount>7</MaxTotalCount></ZipDownloadSetting>');
    expect(childText(result.xml, 'WebDav')).toBe('false');
  });
});

describe('the limits', () => {
  const finalize = async (size: number) => {
    const handler = await stage(env.emulator.url, env.ticket, Buffer.alloc(size, 7), 524_288);
    const { result } = await soap(env.emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', env.ticket], ['path', `/Public/limit-${size}.bin`], ['uploadHandler', handler]]);
    return result.attrs;
  };

  it('refuse a finalize past DocumentMaxSize, consuming the handler; one at the limit is stored', async () => {
    expect(await finalize(1_500_001)).toEqual({ success: 'false', error: 'The document is larger than the maximum document size (1500000 bytes).' });
    expect(env.emulator.state().uploadHandlers).toEqual([]);
    expect((await finalize(1_500_000)).success).toBe('true');
  });

  it('refuse a finalize past FILEUPLOADLIMIT when it is the smaller', async () => {
    const emulator = await startEmulator({ uploadLimit: 1_100_000 });
    try {
      const ticket = await login(emulator.url);
      const handler = await stage(emulator.url, ticket, Buffer.alloc(1_100_001, 1));
      const { result } = await soap(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/big.bin'], ['uploadHandler', handler]]);
      expect(result.attrs).toEqual({ success: 'false', error: 'The file is larger than the file upload limit (1100000 bytes).' });
    } finally {
      await emulator.close();
    }
  });

  it('take DocumentMaxSize below 1 MiB as 1 MiB, as the service does, and refuse one above 1 GiB', async () => {
    const emulator = await startEmulator({ documentMaxSize: 1000 });
    try {
      const { result } = await soap(emulator.url, 'GetGeneralAppSettings', [['authenticationTicket', await login(emulator.url)]]);
      expect(childText(result.xml, 'DocumentMaxSize')).toBe('1048576');
    } finally {
      await emulator.close();
    }
    await expect(startEmulator({ documentMaxSize: 1_073_741_825 })).rejects.toThrow(/documentMaxSize must be a whole number of bytes from 1 to 1073741824/);
    await expect(startEmulator({ uploadLimit: 0 })).rejects.toThrow(/uploadLimit must be a positive whole number/);
  });

  it('default to the documented FILEUPLOADLIMIT and the largest DocumentMaxSize', async () => {
    const emulator = await startEmulator();
    try {
      const ticket = await login(emulator.url);
      const parameters = await soap(emulator.url, 'getApplicationParameters', [['AuthenticationTicket', ticket]]);
      const settings = await soap(emulator.url, 'GetGeneralAppSettings', [['authenticationTicket', ticket]]);
      expect([childText(parameters.result.xml, 'FILEUPLOADLIMIT'), childText(settings.result.xml, 'DocumentMaxSize')]).toEqual(['1072693248', '1073741824']);
      expect(childText(settings.result.xml, 'MaxTotalSize')).toBe('78643200');
    } finally {
      await emulator.close();
    }
  });
});
