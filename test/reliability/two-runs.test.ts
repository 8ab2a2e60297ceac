// Two runs to one destination, against every server profile: rounds of two downloads of the same
// document to the same file, the second started a random moment after the first, in-process and as
// `srv-asmx download` processes; some rounds begin with what a killed run left (a lock naming a
// process that is gone, and its temporary file). No run may report success over a file that
// differs from the document; at most one wins a round, the other is refused with
// InvalidArgumentError (the destination is being downloaded, or exists by then); nothing partial
// stays. TWO_RUNS_SEED replays or varies a run.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type ProfileName, type RunningEmulator } from '../../src/emulator/index.js';
import { InvalidArgumentError, SrvError, SrvSession } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { PROFILES } from '../helpers/profiles.js';
import { runCli } from '../helpers/run-cli.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';

const SEED = Number(process.env['TWO_RUNS_SEED'] ?? 20_260_120);
const ROUNDS = 20;
const CLI_ROUNDS = 3;
const CHUNK = 262_144;
const PATH = '/Public/contested.bin';
const PASSWORD = 'two-runs-password';
/** A pid no process has: what a killed run's lock names. */
const GONE_PID = 2 ** 22 + 11;

type Ending = 'succeeded' | 'refused as busy' | 'refused as existing' | 'failed';

interface Round {
  readonly endings: readonly Ending[];
  /** Runs that reported success over a file that is not the document. */
  readonly wrongSuccesses: number;
  /** Temporary, state or lock files left in the directory. */
  readonly leftovers: readonly string[];
  readonly failures: readonly string[];
}

interface Figures {
  rounds: number;
  /** Rounds that began with what a killed run left. */
  afterKilledRuns: number;
  runs: number;
  successes: number;
  /** Refused: the destination is being downloaded by the other run. */
  refusedAsBusy: number;
  /** Refused: the other run had delivered the file by then. */
  refusedAsExisting: number;
  otherFailures: number;
  wrongSuccesses: number;
  leftovers: number;
}

/** The runs' endings, and what the round left in its own directory. */
async function judge(dir: string, target: string, document: Buffer, results: readonly PromiseSettledResult<'ok'>[]): Promise<Round> {
  const endings = results.map(endingOf);
  const delivered = await readFile(target).catch(() => undefined);
  const wrongSuccesses = endings.includes('succeeded') && !delivered?.equals(document) ? endings.filter((ending) => ending === 'succeeded').length : 0;
  const leftovers = (await readdir(dir)).filter((name) => name.includes('.srv-asmx.part'));
  const failures = results.flatMap((result) => (result.status === 'rejected' && !isRefusal(result.reason) ? [named(result.reason)] : []));
  return { endings, wrongSuccesses, leftovers, failures };
}

function endingOf(result: PromiseSettledResult<'ok'>): Ending {
  if (result.status === 'fulfilled') return 'succeeded';
  if (!isRefusal(result.reason)) return 'failed';
  return /being downloaded by another process/.test((result.reason as Error).message) ? 'refused as busy' : 'refused as existing';
}

const isRefusal = (error: unknown): boolean => error instanceof InvalidArgumentError && error.argument === 'destination';
const named = (error: unknown): string => (error instanceof SrvError ? `${error.name}: ${error.message}` : `untyped ${String(error)}`);

/** What a run killed mid-download leaves: its lock, naming a process that is gone, and its temporary file. */
async function killedRunLeft(dir: string, name: string, random: SeededRandom): Promise<void> {
  await writeFile(join(dir, `.${name}.srv-asmx.part.lock`), JSON.stringify({ pid: GONE_PID, host: hostname() }));
  await writeFile(join(dir, `.${name}.srv-asmx.part`), random.bytes(CHUNK));
}

class Arena {
  readonly figures: Figures = { rounds: 0, afterKilledRuns: 0, runs: 0, successes: 0, refusedAsBusy: 0, refusedAsExisting: 0, otherFailures: 0, wrongSuccesses: 0, leftovers: 0 };
  readonly broken: string[] = [];

  private constructor(
    private readonly profile: ProfileName,
    private readonly emulator: RunningEmulator,
    private readonly sessions: readonly [SrvSession, SrvSession],
    private readonly document: Buffer,
    private readonly random: SeededRandom,
  ) {}

  static async open(profile: ProfileName, random: SeededRandom): Promise<Arena> {
    const emulator = await startEmulator({ profile, users: [{ user: 'demo', password: PASSWORD }] });
    const login = () => SrvSession.login({ url: emulator.url, user: 'demo', password: PASSWORD, retry: FAST_RETRY });
    const sessions = [await login(), await login()] as const;
    const document = random.bytes(5 * CHUNK + random.int(1, CHUNK - 1));
    await sessions[0].upload(document, PATH, { chunkSize: CHUNK });
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 8 });
    return new Arena(profile, emulator, sessions, document, random);
  }

  /** Two in-process downloads, the second `random` ms after the first, each with or without resume. */
  async inProcess(round: number): Promise<void> {
    await this.round(`in-process ${round}`, async (target) => {
      const run = async (session: SrvSession, after: number) => {
        await delay(after);
        await session.download(PATH, target, { chunkSize: CHUNK, concurrency: this.random.int(1, 3), resume: this.random.chance(0.5) });
        return 'ok' as const;
      };
      return Promise.allSettled([run(this.sessions[0], 0), run(this.sessions[1], this.random.int(0, 40))]);
    });
  }

  /** Two `srv-asmx download` processes started together. */
  async asProcesses(round: number): Promise<void> {
    const env = { SRV_ASMX_URL: this.emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: PASSWORD };
    await this.round(`cli ${round}`, async (target) => {
      const run = async (extra: readonly string[]) => {
        const { code, stderr } = await runCli(['download', PATH, target, '--chunk-size', String(CHUNK), '--concurrency', '1', ...extra], { env });
        if (code === 0) return 'ok' as const;
        // Exit 2 is the CLI's word for InvalidArgumentError; its message must say which.
        throw code === 2 && /<file> .* exists|destination already exists|being downloaded by another process/.test(stderr) ? new InvalidArgumentError('destination', stderr.trim()) : new Error(`exit ${code}: ${stderr.trim()}`);
      };
      return Promise.allSettled([run([]), run(this.random.chance(0.5) ? ['--resume'] : [])]);
    });
  }

  async close(): Promise<void> {
    for (const session of this.sessions) await session.close();
    await this.emulator.close();
  }

  private async round(label: string, race: (target: string) => Promise<PromiseSettledResult<'ok'>[]>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), `srv-two-runs-${this.profile}-`));
    try {
      const target = join(dir, 'contested.bin');
      const afterKilledRun = this.random.chance(1 / 3);
      if (afterKilledRun) await killedRunLeft(dir, 'contested.bin', this.random);
      this.count(label, afterKilledRun, await judge(dir, target, this.document, await race(target)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private count(label: string, afterKilledRun: boolean, round: Round): void {
    const { figures } = this;
    const ended = (ending: Ending) => round.endings.filter((each) => each === ending).length;
    const wins = ended('succeeded');
    figures.rounds += 1;
    figures.afterKilledRuns += afterKilledRun ? 1 : 0;
    figures.runs += round.endings.length;
    figures.successes += wins;
    figures.refusedAsBusy += ended('refused as busy');
    figures.refusedAsExisting += ended('refused as existing');
    figures.otherFailures += round.failures.length;
    figures.wrongSuccesses += round.wrongSuccesses;
    figures.leftovers += round.leftovers.length;
    const problems = [
      ...(wins > 1 ? [`${wins} runs won`] : []),
      ...(round.wrongSuccesses > 0 ? [`${round.wrongSuccesses} reported success over a file that is not the document`] : []),
      ...(round.leftovers.length > 0 ? [`left ${round.leftovers.join(', ')}`] : []),
      ...round.failures,
    ];
    if (problems.length > 0) this.broken.push(`${this.profile} ${label} [${round.endings.join(', ')}]: ${problems.join('; ')}`);
  }
}

describe.each(PROFILES)('two runs to one destination, against a %s server', (profile) => {
  test(`${ROUNDS} in-process rounds and ${CLI_ROUNDS} as processes: no success over a wrong file, at most one winner, nothing partial`, async () => {
    const random = seededRandom(SEED + PROFILES.indexOf(profile));
    const arena = await Arena.open(profile, random);
    try {
      for (let round = 0; round < ROUNDS; round += 1) await arena.inProcess(round);
      for (let round = 0; round < CLI_ROUNDS; round += 1) await arena.asProcesses(round);
    } finally {
      await arena.close();
    }
    console.log(`two runs to one destination (${profile}, seed ${SEED}): ${JSON.stringify(arena.figures)}`);
    expect(arena.broken).toEqual([]);
    expect(arena.figures).toMatchObject({ rounds: ROUNDS + CLI_ROUNDS, wrongSuccesses: 0, leftovers: 0, otherFailures: 0 });
    expect(arena.figures.successes).toBeGreaterThan(0);
    expect(arena.figures.refusedAsBusy).toBeGreaterThan(0);
  }, 120_000);
});
