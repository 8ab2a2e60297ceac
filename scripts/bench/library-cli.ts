// The library's own whole `upload` or `download`, as a process of its own: SrvSession.login, then
// session.upload or session.download of a file, then close; nothing of the CLI (commander, option
// tables, progress). cli-cpu.ts runs it as JavaScript against the built library in dist/.
//   library-cli.js upload <file> <remotePath> <chunkSize>
//   library-cli.js download <remotePath> <file> <chunkSize>
// with SRV_ASMX_URL, SRV_ASMX_USER and SRV_ASMX_PASSWORD, as the CLI takes them.
import { SrvSession } from '../../src/index.js';

const [direction, from = '', to = '', chunkSize] = process.argv.slice(2);
const { SRV_ASMX_URL: url = '', SRV_ASMX_USER: user = '', SRV_ASMX_PASSWORD: password = '' } = process.env;
const session = await SrvSession.login({ url, user, password });
try {
  if (direction === 'upload') await session.upload(from, to, { chunkSize: Number(chunkSize) });
  else await session.download(from, to, { chunkSize: Number(chunkSize), overwrite: true });
} finally {
  await session.close();
}
