import type { Command } from 'commander';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

export function registerLock(program: Command): void {
  addConnectionOptions(program.command('lock'))
    .description('lock (check out) a document: nobody else can store versions of it until it is unlocked')
    .argument('<remotePath>', 'the document path')
    .addHelpText('after', `
Examples:
  $ srv-asmx lock /Public/Reports/q3.pdf && srv-asmx upload q3.pdf /Public/Reports/q3.pdf
  $ srv-asmx unlock /Public/Reports/q3.pdf`)
    .action((remotePath: string, _flags: unknown, command: Command) => runCommand(command, (context) => lock(context, remotePath)));
}

export function registerUnlock(program: Command): void {
  addConnectionOptions(program.command('unlock'))
    .description('release your lock on a document')
    .argument('<remotePath>', 'the document path')
    .option('--force', "release another user's lock too (an administrator's right; their changes in progress are lost)")
    .addHelpText('after', `
Examples:
  $ srv-asmx unlock /Public/Reports/q3.pdf
  $ srv-asmx unlock /Public/Reports/q3.pdf --force --json`)
    .action((remotePath: string, flags: { force?: boolean }, command: Command) => runCommand(command, (context) => unlock(context, remotePath, flags.force === true)));
}

async function lock(context: CommandContext, remotePath: string): Promise<void> {
  await context.withSession((session) => session.lock(remotePath, { signal: context.signal }));
  context.reporter.result(`locked ${remotePath}`, { ok: true, command: 'lock', remotePath });
}

async function unlock(context: CommandContext, remotePath: string, force: boolean): Promise<void> {
  await context.withSession((session) => session.unlock(remotePath, { force, signal: context.signal }));
  context.reporter.result(`unlocked ${remotePath}`, { ok: true, command: 'unlock', remotePath, force });
}
