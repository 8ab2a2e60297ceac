// The decision table, row by row: for each row, a failure of the kind it names, in a situation it
// matches, is decided by that row and no earlier one; every row has its case. The behaviour each
// action leads to is tested end to end in test/upload/retry-decisions.test.ts, test/download/ and
// test/session/.
import {
  AbortError,
  AuthenticationError,
  ChecksumMismatchError,
  EndpointError,
  InvalidHandlerError,
  NotFoundError,
  RequestTooLargeError,
  ServerError,
  ServiceError,
  SoapFaultError,
  SourceChangedError,
  TicketExpiredError,
  TimeoutError,
  TransportError,
} from '../../src/errors.js';
import { decide, decideCheck, DECISION_TABLE, smallerChunk, type Action, type Situation, type Step } from '../../src/calls/decisions.js';
import { classify } from '../../src/calls/failures.js';

const lost = () => new TransportError('socket hang up', { mayHaveReachedServer: true, code: 'ECONNRESET', httpStatus: 502 });
const notSent = () => new TransportError('connect ECONNREFUSED', { mayHaveReachedServer: false, code: 'ECONNREFUSED' });
const reset = () => new TransportError('write EPIPE', { mayHaveReachedServer: true, code: 'EPIPE' });
const gone = () => new InvalidHandlerError('Invalid upload handler.');
const serverFault = () => new SoapFaultError('soap:Server', 'System.IO.IOException: The disk is busy.', 500, 'DownloadFileChunk');
const mismatch = () => new ChecksumMismatchError('the CRC-32 does not match', '0000beef', 'deadbeef');
const timedOut = () => new TimeoutError('no complete reply within 120000 ms', { mayHaveReachedServer: true });

const base: Situation = { earlier: [], canResend: true, canRelogin: true, idempotent: false, server: {} };

interface Case {
  readonly name: string;
  readonly step: Step;
  readonly error: () => unknown;
  readonly situation?: Partial<Situation>;
  readonly action: Action;
  /** The row that decides it, from 1. */
  readonly row: number;
}

/** Finds the row whose `why` starts with `text`, so that a case names its row by what it says, not by a number that shifts. */
function rowSaying(text: string): number {
  const index = DECISION_TABLE.findIndex((row) => row.why.startsWith(text));
  if (index < 0) throw new Error(`no row says "${text}"`);
  return index + 1;
}

const CASES: readonly Case[] = [
  { name: 'a cancel ends any step', step: 'chunk', error: () => new AbortError('stop'), action: 'fail', row: rowSaying('the caller cancelled') },
  { name: 'a dead ticket: one new login', step: 'finalize', error: () => new TicketExpiredError('[901] Session expired'), action: 'relogin', row: rowSaying('a dead ticket refused') },
  { name: '[900] on a call with a ticket is a dead ticket too', step: 'call', error: () => new AuthenticationError('[900] Authentication failed'), action: 'relogin', row: rowSaying('a dead ticket refused') },
  {
    name: 'a ticket that dies again later in the same call, after a resend',
    step: 'read', error: () => new TicketExpiredError('[901]'), situation: { earlier: ['ticket-dead', 'maybe-applied'] }, action: 'relogin', row: rowSaying('a dead ticket refused'),
  },
  {
    name: 'a ticket dead again right after the new login',
    step: 'read', error: () => new TicketExpiredError('[901]'), situation: { earlier: ['ticket-dead'] }, action: 'fail', row: rowSaying('the session has no credentials'),
  },
  { name: 'HTTP 413 on a chunk above the smallest size', step: 'chunk', error: () => new RequestTooLargeError('413', { mayHaveReachedServer: false, httpStatus: 413 }), situation: { chunkAboveMinimum: true }, action: 'halve', row: rowSaying('the server refuses requests this large') },
  {
    name: 'a fault that says too large, on a chunk above the smallest size',
    step: 'chunk', error: () => new SoapFaultError('soap:Server', 'System.Web.HttpException: Maximum request length exceeded.', 500), situation: { chunkAboveMinimum: true }, action: 'halve', row: rowSaying('the server refuses requests this large'),
  },
  { name: 'a reset while the first chunk was sent', step: 'chunk', error: reset, situation: { firstChunk: true, chunkAboveMinimum: true }, action: 'halve', row: rowSaying('a server that will not read a body') },
  {
    name: 'a client fault on the first chunk above the smallest size (spyne\'s Client.RequestTooLong)',
    step: 'chunk', error: () => new SoapFaultError('soap11env:Client.RequestTooLong', 'Request too long', 500), situation: { firstChunk: true, chunkAboveMinimum: true }, action: 'halve', row: rowSaying('a refusal of the first chunk may be a size limit'),
  },
  {
    name: 'a server exception on every try of the first chunk above the smallest size',
    step: 'chunk', error: serverFault, situation: { firstChunk: true, chunkAboveMinimum: true, canResend: false }, action: 'halve', row: rowSaying('a server that fails on every body this large'),
  },
  { name: 'a client fault on the first chunk at the smallest size', step: 'chunk', error: () => new SoapFaultError('soap:Client', 'Request too long', 500), situation: { firstChunk: true, chunkAboveMinimum: false }, action: 'fail', row: rowSaying('nothing makes another try safe') },
  { name: 'too large at the smallest chunk size', step: 'chunk', error: () => new RequestTooLargeError('413', { mayHaveReachedServer: false, httpStatus: 413 }), situation: { chunkAboveMinimum: false }, action: 'fail', row: rowSaying('the same request meets the same failure') },
  { name: 'a wrong URL', step: 'call', error: () => new EndpointError('404', { mayHaveReachedServer: false, httpStatus: 404 }), situation: { idempotent: true }, action: 'fail', row: rowSaying('the same request meets the same failure') },
  {
    name: 'a second tryagain of an unpadded CRC-32: resent padded',
    step: 'chunk', error: mismatch, situation: { unpaddedCrc: true, earlier: ['integrity'] }, action: 'resend', row: rowSaying('a server that wants 8 hex digits'),
  },
  { name: 'tryagain', step: 'chunk', error: mismatch, action: 'resend', row: rowSaying('the server asked for the chunk again') },
  { name: 'a chunk request that cannot have been sent', step: 'chunk', error: notSent, action: 'resend', row: rowSaying('the request cannot have reached the server') },
  { name: 'a lost chunk reply, filehexcrc expected', step: 'chunk', error: lost, action: 'resend', row: rowSaying('the append may have happened') },
  { name: 'a lost chunk reply, no filehexcrc', step: 'chunk', error: lost, situation: { server: { reportsFileCrc: false } }, action: 'restart', row: rowSaying('nothing could prove the staged bytes') },
  { name: 'a chunk to a handler that is gone', step: 'chunk', error: gone, action: 'restart', row: rowSaying('the handler expired, was deleted or belongs to an old session') },
  {
    name: 'a refusal after a lost chunk reply',
    step: 'chunk', error: () => new ServiceError('Upload failed'), situation: { earlier: ['maybe-applied'] }, action: 'restart', row: rowSaying('after a lost reply, a refusal'),
  },
  { name: 'a changed source, restart asked for', step: 'source', error: () => new SourceChangedError('a.bin', 'its size changed'), situation: { restartOnSourceChange: true }, action: 'restart', row: rowSaying('the file changed while it was read') },
  { name: 'a mismatching filehexcrc', step: 'prove', error: mismatch, action: 'restart', row: rowSaying('the staged bytes are not the source') },
  { name: 'a finalize that cannot have been sent, a retry left', step: 'finalize', error: notSent, action: 'resend', row: rowSaying('the finalize cannot have reached the server') },
  { name: 'a finalize whose reply was lost: never a second finalize first', step: 'finalize', error: lost, action: 'confirm', row: rowSaying('the finalize may have stored the document') },
  { name: 'a finalize that timed out', step: 'finalize', error: timedOut, action: 'confirm', row: rowSaying('the finalize may have stored the document') },
  { name: 'a finalize that finds its handler gone after a lost reply', step: 'finalize', error: gone, situation: { earlier: ['maybe-applied'] }, action: 'confirm', row: rowSaying('the lost finalize may have consumed the handler') },
  { name: 'a finalize whose handler is gone', step: 'finalize', error: gone, action: 'restart', row: rowSaying('no finalize reply was lost') },
  { name: 'a lost finalize the stored versions cannot settle', step: 'confirm', error: lost, situation: { settled: 'unknown' }, action: 'fail', row: rowSaying('nothing tells whether the finalize stored') },
  { name: 'a consumed handler, and no version of the upload stored', step: 'confirm', error: gone, situation: { settled: 'absent' }, action: 'restart', row: rowSaying('the handler was consumed, but no version') },
  { name: 'a finalize that timed out, and no version appeared while waiting', step: 'confirm', error: timedOut, situation: { settled: 'absent' }, action: 'fail', row: rowSaying('the finalize may still be running') },
  { name: 'a finalize answered with a failure, and nothing stored', step: 'confirm', error: lost, situation: { settled: 'absent' }, action: 'resend', row: rowSaying('the finalize was answered and stored nothing') },
  { name: 'every finalize failed, and nothing stored', step: 'confirm', error: lost, situation: { settled: 'absent', canResend: false }, action: 'fail', row: rowSaying('every finalize failed') },
  { name: 'a wrong stored document that had to be new', step: 'check-stored', error: mismatch, situation: { mustBeNew: true }, action: 'fail', row: rowSaying('the stored document is wrong and cannot be replaced') },
  { name: 'a wrong stored document', step: 'check-stored', error: mismatch, action: 'restart', row: rowSaying('the stored document is wrong: it is uploaded again') },
  { name: 'a server exception while reads overlap', step: 'read', error: serverFault, situation: { readsInFlight: 3 }, action: 'serialize', row: rowSaying('a server whose handler holds one file stream') },
  { name: 'an in-band SystemError while reads overlap', step: 'read', error: () => new ServerError('SystemError: file in use'), situation: { readsInFlight: 2 }, action: 'serialize', row: rowSaying('a server whose handler holds one file stream') },
  { name: 'a lost chunk read', step: 'read', error: lost, situation: { readsInFlight: 1 }, action: 'resend', row: rowSaying('a chunk is addressed by its offset') },
  { name: 'a chunk that fails its CRC-32', step: 'read', error: mismatch, action: 'resend', row: rowSaying('a chunk is addressed by its offset') },
  { name: 'a read of a handler that is gone', step: 'read', error: () => new InvalidHandlerError('bad Request'), action: 'restart-keep', row: rowSaying('the handler expired or belongs to an old session') },
  { name: 'a downloaded file that fails its CRC-32', step: 'verify', error: mismatch, action: 'restart', row: rowSaying('the file received is not the file staged') },
  { name: 'a lost reply of an idempotent call', step: 'call', error: lost, situation: { idempotent: true }, action: 'resend', row: rowSaying('repeating the call has the effect') },
  { name: 'a lost grant', step: 'grant', error: serverFault, situation: { idempotent: true }, action: 'resend', row: rowSaying('repeating the call has the effect') },
  { name: 'a lost reply of a call that is not idempotent', step: 'call', error: lost, action: 'fail', row: rowSaying('nothing makes another try safe') },
  { name: 'a refusal', step: 'call', error: () => new NotFoundError('Document not found'), situation: { idempotent: true }, action: 'fail', row: rowSaying('nothing makes another try safe') },
  { name: 'a lost chunk reply with no retry left', step: 'chunk', error: lost, situation: { canResend: false }, action: 'fail', row: rowSaying('nothing makes another try safe') },
];

test.each(CASES)('$name: row $row, $action', ({ step, error, situation, action, row }) => {
  const decision = decide(step, classify(error()), { ...base, ...situation });
  expect({ action: decision.action, row: decision.row }).toEqual({ action, row });
});

test('every row of the table has its case', () => {
  const covered = new Set(CASES.map((c) => c.row));
  const missing = DECISION_TABLE.flatMap((row, index) => (covered.has(index + 1) ? [] : [`${index + 1}: ${row.why}`]));
  expect(missing).toEqual([]);
});

test('a start-over the transfer cannot make fails instead, saying why', () => {
  const decision = decide('chunk', classify(lost()), { ...base, server: { reportsFileCrc: false }, canStartOver: false });
  expect(decision).toMatchObject({ action: 'fail', why: expect.stringMatching(/cannot start over/) });
  expect(decide('chunk', classify(lost()), { ...base, canStartOver: false }).action).toBe('resend');
});

test('the lessons a decision teaches: padded CRC-32s, reads one at a time', () => {
  expect(decide('chunk', classify(mismatch()), { ...base, unpaddedCrc: true, earlier: ['integrity'] }).learn).toEqual({ padsCrc: true });
  expect(decide('read', classify(serverFault()), { ...base, readsInFlight: 2 }).learn).toEqual({ serialChunkReads: true });
  expect(decide('chunk', classify(mismatch()), base)).toMatchObject({ quiet: true });
  expect(decide('read', classify(lost()), base)).toMatchObject({ quiet: false });
});

test('a check settles with what its step saw, and says where the outcome is unknown', () => {
  expect(decideCheck('finalize', lost(), {}, {}).decision.action).toBe('confirm');
  expect(decideCheck('confirm', gone(), { settled: 'absent' }, {}, ['maybe-applied', 'handler-gone']).decision.action).toBe('restart');
  expect(decideCheck('confirm', lost(), { settled: 'absent' }, {}, ['maybe-applied'], true).decision.action).toBe('resend');
  expect(decideCheck('confirm', timedOut(), { settled: 'absent' }, {}, ['maybe-applied'], true).decision).toMatchObject({ action: 'fail', unknown: true });
  expect(decideCheck('confirm', lost(), { settled: 'absent' }, {}, ['maybe-applied']).decision).toMatchObject({ action: 'fail', unknown: false });
});

test('what went wrong, by the shape of the failure', () => {
  expect(classify(lost())).toMatchObject({ kind: 'maybe-applied', resetWhileSending: false, slow: false });
  expect(classify(timedOut())).toMatchObject({ kind: 'maybe-applied', slow: true });
  expect(classify(new TransportError('504 Gateway Timeout', { mayHaveReachedServer: true, httpStatus: 504 })).slow).toBe(true);
  expect(classify(reset())).toMatchObject({ kind: 'maybe-applied', resetWhileSending: true });
  expect(classify(notSent()).kind).toBe('not-sent');
  expect(classify(serverFault())).toMatchObject({ kind: 'maybe-applied', serverFailure: true });
  expect(classify(new SoapFaultError('soap:Client', 'Server was unable to read request.', 500)).kind).toBe('refused');
  expect(classify(new ServiceError('Upload size exceeds httpRuntime limit')).kind).toBe('too-large');
  expect(classify(new TypeError('a bug')).kind).toBe('permanent');
});

describe('smallerChunk: the chunk size a halving goes on with', () => {
  const MIB = 1_048_576;
  const MIN = 262_144;
  /** A refusal for size of a request of `requestBytes`, as the client notes it. */
  function refused(requestBytes: number | undefined): RequestTooLargeError {
    const error = new RequestTooLargeError('413', { mayHaveReachedServer: false, httpStatus: 413 });
    error.requestBytes = requestBytes;
    return error;
  }

  it('over 30,000,000 bytes (ASP.NET Core’s and IIS’s default): the largest chunk, in whole 256 KiB, whose request fits under it', () => {
    // A 32 MiB chunk in a SOAP envelope: its base64 and a few hundred bytes.
    const soap = smallerChunk(refused(Math.ceil((32 * MIB) / 3) * 4 + 600), 32 * MIB, 32 * MIB, MIN);
    expect(soap).toEqual({ chunkSize: 22_282_240, requestLimit: 30_000_000, requestBytes: 44_739_844 });
    expect(Math.ceil(soap.chunkSize / 3) * 4 + 600).toBeLessThan(30_000_000);
    // Far over it: under it at once, where half would still be over; a shorter last chunk is judged by its own request.
    expect(smallerChunk(refused(100_000_000), 32 * MIB, 32 * MIB, MIN).chunkSize).toBe(9_961_472);
    expect(smallerChunk(refused(40_000_000), 32 * MIB, 30 * MIB, MIN).chunkSize).toBe(23_330_816);
  });

  it('at or under 30,000,000 bytes, of unknown size, or a refusal that is no HTTP exchange: half, never under the smallest chunk', () => {
    expect(smallerChunk(refused(30_000_000), 32 * MIB, 32 * MIB, MIN)).toEqual({ chunkSize: 16 * MIB, requestLimit: undefined, requestBytes: 30_000_000 });
    expect(smallerChunk(refused(5_600_000), 4 * MIB, 4 * MIB, MIN).chunkSize).toBe(2 * MIB);
    expect(smallerChunk(refused(undefined), 4 * MIB, 4 * MIB, MIN)).toEqual({ chunkSize: 2 * MIB, requestLimit: undefined, requestBytes: undefined });
    expect(smallerChunk(new SoapFaultError('soap:Server', 'Maximum request length exceeded.', 500), 4 * MIB, 4 * MIB, MIN).chunkSize).toBe(2 * MIB);
    expect(smallerChunk(refused(400_000), 300_000, 300_000, MIN).chunkSize).toBe(MIN);
  });
});
