// nock for a test file: no real connection except those a test allows, and node:http unpatched
// once the file is done, since the test files of one jest worker share node:http.
import nock from 'nock';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

export default nock;
