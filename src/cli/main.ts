#!/usr/bin/env node
// The srv-asmx command line.
import { Command, CommanderError } from 'commander';
import { SERVE_SUMMARY } from './commands/serve-summary.js';
import { EXIT } from './exit-codes.js';
import { usageHint } from './messages.js';
import { stderr, stdout } from './output.js';
import { VERSION } from '../index.js';

const HELP_WIDTH = 100;

const program = new Command('srv-asmx')
  .description('Move documents in and out of a /srv.asmx document-management service, or run a local emulator of it.')
  .version(VERSION, '-V, --version', 'print the version of srv-asmx')
  // A usage error is one line and where to look, not the whole help (each command says its own).
  .showHelpAfterError(usageHint('srv-asmx'))
  // The list of commands shows each one's usage, which says [options] also of serve's listing (that has none loaded).
  // Help wraps at 100 columns at most: at the 80 of a pipe, commander leaves the descriptions
  // beside a long option unwrapped.
  .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}`, helpWidth: Math.min(process.stdout.columns || HELP_WIDTH, HELP_WIDTH) })
  .exitOverride()
  .configureOutput({ writeOut: stdout.write, writeErr: stderr.write })
  .addHelpText('after', `
Exit codes: 0 success, 1 failure, 2 usage error, 3 authentication (the service's or HTTP's),
4 integrity (a checksum that never matched), 129/130/143 cancelled by SIGHUP/SIGINT/SIGTERM,
141 cancelled because the reader of standard output went away; exists: ${EXIT.absent} absent, ${EXIT.different} different;
check: ${EXIT.differ} the trees differ.
Connection: --url or SRV_ASMX_URL, --user or SRV_ASMX_USER, the password from SRV_ASMX_PASSWORD or a
prompt, --ticket or SRV_ASMX_TICKET to reuse a ticket (srv-asmx login prints one).`);

type Register = (program: Command) => void;

/** Each command's module, in the order of the list of commands; only the ones a command line needs are loaded. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  upload: async () => (await import('./commands/upload.js')).registerUpload,
  download: async () => (await import('./commands/download.js')).registerDownload,
  exists: async () => (await import('./commands/exists.js')).registerExists,
  sync: async () => (await import('./commands/sync.js')).registerSync,
  check: async () => (await import('./commands/check.js')).registerCheck,
  ls: async () => (await import('./commands/ls.js')).registerLs,
  versions: async () => (await import('./commands/versions.js')).registerVersions,
  info: async () => (await import('./commands/info.js')).registerInfo,
  rm: async () => (await import('./commands/rm.js')).registerRm,
  lock: async () => (await import('./commands/lock.js')).registerLock,
  unlock: async () => (await import('./commands/lock.js')).registerUnlock,
  limits: async () => (await import('./commands/limits.js')).registerLimits,
  login: async () => (await import('./commands/login.js')).registerLogin,
  logout: async () => (await import('./commands/logout.js')).registerLogout,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
};

/** The command a command line runs, or asks help for (`help <command>`); options come before it only at the top level, which has none with a value. */
function commandOf(args: readonly string[]): string | undefined {
  const [first, second] = args.filter((arg) => !arg.startsWith('-'));
  const name = first === 'help' ? second : first;
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/** Serve's module loads the emulator: the list of commands names serve without it. */
const listServe: Register = (parent) => void parent.command('serve').description(SERVE_SUMMARY);

const named = commandOf(process.argv.slice(2));
const registers = await Promise.all(
  Object.entries(COMMANDS)
    .filter(([name]) => named === undefined || name === named)
    .map(([name, load]) => (named === undefined && name === 'serve' ? listServe : load())),
);
for (const register of registers) register(program);
for (const command of program.commands) command.exitOverride().showHelpAfterError(usageHint(`srv-asmx ${command.name()}`));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Help and version end with exit code 0; every other commander error is a usage error.
  process.exitCode = error.exitCode === 0 ? EXIT.success : EXIT.usage;
  if (process.exitCode !== EXIT.success && process.argv.includes('--json')) {
    stdout.write(`${JSON.stringify({ ok: false, exitCode: EXIT.usage, error: { name: 'UsageError', code: error.code, message: error.message.replace(/^error: /, '') } })}\n`);
  }
}
