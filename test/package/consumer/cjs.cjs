// What an ordinary CommonJS user writes: require() of the ESM package (Node 20.19 or later).
// Prints one JSON line for test/package/install.test.ts.
const { readFileSync } = require('node:fs');
const { SrvSession, VERSION, fileCrc32 } = require('srv-asmx-client');
const { startEmulator } = require('srv-asmx-client/emulator');
const manifest = require('srv-asmx-client/package.json');

async function main() {
  // 300 KiB: two chunks at the smallest chunk size.
  const data = Buffer.alloc(300 * 1024, 'cjs consumer ');
  const emulator = await startEmulator();
  try {
    const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
    try {
      await session.ensureFolder('/Public/Package');
      const uploaded = await session.upload(data, '/Public/Package/cjs.bin', { chunkSize: 262144 });
      const downloaded = await session.download('/Public/Package/cjs.bin', 'cjs-copy.bin', { chunkSize: 262144, overwrite: true });
      console.log(JSON.stringify({
        version: VERSION,
        manifestVersion: manifest.version,
        uploaded: { bytes: uploaded.bytes, chunks: uploaded.chunks, crc32: uploaded.crc32 },
        downloaded: { bytes: downloaded.bytes, crc32: downloaded.crc32 },
        fileCrc32: await fileCrc32('cjs-copy.bin'),
        identical: readFileSync('cjs-copy.bin').equals(data),
        stored: (await emulator.readDocument('/Public/Package/cjs.bin')).equals(data),
      }));
    } finally {
      await session.close();
    }
  } finally {
    await emulator.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
