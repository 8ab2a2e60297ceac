// `await using session = …` (TypeScript 5.2+) calls session[Symbol.asyncDispose]() when the scope
// ends: in a Node process of its own, since jest's module realm has no Symbol.asyncDispose.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

const DIST = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));
const lines: string[] = [];
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ log: (line) => void lines.push(line) });
});
afterAll(() => emulator.close());

test('await using a session logs it out at the end of its scope', async () => {
  // Plain JavaScript, no transpiler: the shape `await using` gives is a Symbol.asyncDispose call on scope exit.
  const script = `
    import { SrvSession } from ${JSON.stringify(DIST)};
    const session = await SrvSession.login({ url: process.argv[1], user: 'demo', password: 'demo' });
    await session.folderExists('/Public');
    await session[Symbol.asyncDispose]();
    console.log(typeof session[Symbol.asyncDispose]);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, emulator.url]);
  expect(stdout.trim()).toBe('function');
  expect(lines.some((line) => /LogOut/.test(line))).toBe(true);
});
