// Logs out a ticket that `login` printed (from SRV_ASMX_TICKET or --ticket), so that it is no
// longer valid; one that has already expired or been logged out is no failure: it is gone either way.
import type { Command } from 'commander';
import { TicketExpiredError } from '../../index.js';
import { addConnectionOptions } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { runCommand, type CommandContext } from '../run.js';

export function registerLogout(program: Command): void {
  addConnectionOptions(program.command('logout'))
    .description('log out the ticket of SRV_ASMX_TICKET (or --ticket) that login printed')
    .addHelpText('after', `
Examples:
  $ export SRV_ASMX_TICKET=$(srv-asmx login)
  $ srv-asmx upload q3.pdf /Public/Reports/q3.pdf
  $ srv-asmx logout && unset SRV_ASMX_TICKET`)
    .action((flags: { ticket?: string }, command: Command) => runCommand(command, (context) => logout(context, flags.ticket ?? process.env['SRV_ASMX_TICKET'])));
}

async function logout(context: CommandContext, ticket: string | undefined): Promise<void> {
  // Without a ticket the session would log in only to log out at once: nothing to do, and a mistake.
  if (ticket === undefined || ticket === '') throw new UsageError('missing the ticket to log out: set SRV_ASMX_TICKET (or --ticket)');
  const expired = await context.withSession(async (session) => {
    try {
      await session.client.LogOut({ AuthenticationTicket: session.ticket }, { signal: context.signal });
      return false;
    } catch (error) {
      if (error instanceof TicketExpiredError) return true;
      throw error;
    }
  });
  context.reporter.result(expired ? 'the ticket had already expired or been logged out' : 'logged out', { ok: true, command: 'logout', alreadyExpired: expired });
}
