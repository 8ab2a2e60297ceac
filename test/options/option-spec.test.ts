// The one check of an option against its spec, the defaults a table fills in, and the words the
// documentation and the CLI's help give a spec.
import { checkOptions, InvalidArgumentError, optionDefault, optionRange, type OptionSpec } from '../../src/index.js';
import { settle, type OptionTable } from '../../src/util/options.js';

interface Sample {
  size?: number;
  wait?: number;
  mode?: 'fast' | 'safe';
  count?: number;
  name?: string;
}

const SAMPLE = {
  size: { default: 4096, whole: true, min: 1024, max: 65536, unit: 'bytes', summary: 'a size' },
  wait: { default: 100, above: 0, unit: 'ms', summary: 'a time limit' },
  mode: { default: 'safe', choices: ['fast', 'safe'], summary: 'a choice' },
  count: { whole: true, min: 0, summary: 'a count' },
  name: { defaultText: 'the host name', summary: 'a name' },
} as const satisfies OptionTable<Sample>;

function refusal(options: Sample): { argument: string; problem: string } | undefined {
  try {
    checkOptions<Sample>(SAMPLE, options, 'sample.');
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const { argument, problem } = error as InvalidArgumentError;
    return { argument, problem };
  }
}

test.each<[string, Sample, { argument: string; problem: string } | undefined]>([
  ['a whole number in range', { size: 1024 }, undefined],
  ['below the range', { size: 1023 }, { argument: 'sample.size', problem: 'must be a whole number from 1024 to 65536, not 1023' }],
  ['not whole', { size: 2048.5 }, { argument: 'sample.size', problem: 'must be a whole number from 1024 to 65536, not 2048.5' }],
  ['not a number', { size: '2048' as unknown as number }, { argument: 'sample.size', problem: "must be a whole number from 1024 to 65536, not '2048'" }],
  ['below a lower bound alone', { count: -1 }, { argument: 'sample.count', problem: 'must be a whole number ≥ 0, not -1' }],
  ['a time limit of 0', { wait: 0 }, { argument: 'sample.wait', problem: 'must be a positive number of milliseconds, not 0' }],
  ['an endless time limit', { wait: Infinity }, { argument: 'sample.wait', problem: 'must be a positive number of milliseconds, not Infinity' }],
  ['a fraction of a millisecond', { wait: 0.5 }, undefined],
  ['one of the choices', { mode: 'fast' }, undefined],
  ['none of the choices', { mode: 'quick' as 'fast' }, { argument: 'sample.mode', problem: "must be one of fast, safe, not 'quick'" }],
  ['options left out', {}, undefined],
])('%s', (_what, options, expected) => {
  expect(refusal(options)).toEqual(expected);
});

test('settle: the defaults of what was left out, what was given as it was, and the options passed in untouched', () => {
  const given: Sample = { size: 2048, count: 3 };
  expect(settle(SAMPLE, given)).toEqual({ size: 2048, wait: 100, mode: 'safe', count: 3 });
  expect(given).toEqual({ size: 2048, count: 3 });
  const wrong: Sample = { mode: 'quick' as 'fast' };
  expect(() => settle(SAMPLE, wrong)).toThrow(InvalidArgumentError);
});

test.each<[string, OptionSpec, string | undefined, string]>([
  ['a range', SAMPLE.size, '1024..65536', '4096'],
  ['a time limit', SAMPLE.wait, '> 0', '100'],
  ['a lower bound and no default', SAMPLE.count, '≥ 0', 'none'],
  ['choices', SAMPLE.mode, undefined, "'safe'"],
  ['a default in words', SAMPLE.name, undefined, 'the host name'],
  ['a required option', { required: true, summary: 'required' }, undefined, '(required)'],
])('%s: as the documentation gives it', (_what, spec, range, fallback) => {
  expect(optionRange(spec)).toBe(range);
  expect(optionDefault(spec)).toBe(fallback);
});
