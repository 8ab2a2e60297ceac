// A finalize whose reply was lost, settled against a server that lists no versions: a CRC-32 that
// DocumentExists gives but that does not parse proves nothing either way, so the outcome is
// unknown, never "not stored" (which would invite storing the document a second time).
import '../helpers/nock.js';
import { UnknownOutcomeError } from '../../src/errors.js';
import { FakeSrv, ok } from '../helpers/fake-srv.js';

test('an unparsable CRC32LASTVERSION around a lost finalize reply: the outcome is unknown', async () => {
  const srv = new FakeSrv();
  srv.intercept((request) => {
    if (request.op === 'DocumentExists') return ok({ CRC32LASTVERSION: 'not-hex', CRC32: '' });
    if (request.op.startsWith('UploadDocument')) return { status: 502, body: '<html>Bad Gateway</html>' };
    return undefined;
  });
  const session = await srv.login();
  try {
    const error = await session.upload(Buffer.from('figures'), '/Public/figures.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(srv.calls('UploadDocumentWithHandler')).toHaveLength(1);
  } finally {
    session.client.close();
  }
});
