// The soak's emulator, in a process of its own so that its memory is measured apart from the
// client's. It reports its URL, answers requests for its RSS and fault count, and closes on 'stop'.
import { parseFaultSpec, startEmulator } from '../../src/emulator/index.js';
import type { EmulatorChildOptions, FromEmulator, ToEmulator } from './messages.js';

const send = (message: FromEmulator): void => void process.send?.(message);
const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorChildOptions;

const emulator = await startEmulator({
  users: [{ user: options.user, password: options.password }],
  faults: parseFaultSpec(options.faults),
  seed: options.seed,
});
process.on('message', (message: ToEmulator) => {
  if (message.type === 'sample') send({ type: 'sample', rss: process.memoryUsage().rss, faultsInjected: emulator.faults.injected().length });
  else void emulator.close().then(() => process.exit(0));
});
send({ type: 'ready', url: emulator.url });
