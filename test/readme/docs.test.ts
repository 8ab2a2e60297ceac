// The README and docs/*.md stay true to the repository they describe: every relative link leads to
// a file, and to one of its headings where it names one, and so does every README.md or docs/ file
// that a comment in the code cites; each docs/ file is listed in the README's Documentation section
// and links back from its first paragraph; every npm script they name exists; and every srv-asmx
// command line in their sh blocks uses a command and options that the built CLI has.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { promisify } from 'node:util';
import { anchors, codeBlocks, documentationFiles, links, read, ROOT } from '../helpers/markdown.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'dist/src/cli/main.js');
const MARKDOWN = [...documentationFiles(), 'CHANGELOG.md'];

/** What is wrong with a relative target seen from `from` (a path from the root), or undefined. */
function brokenTarget(from: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? from : normalize(join(dirname(from), decodeURI(path)));
  if (file.startsWith('..') || !existsSync(join(ROOT, file))) return `${file} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!file.endsWith('.md') || statSync(join(ROOT, file)).isDirectory()) return `#${anchor} in a file that has no headings`;
  return anchors(read(file)).has(anchor) ? undefined : `${file} has no heading #${anchor}`;
}

describe('links', () => {
  it.each(MARKDOWN)('every relative link in %s leads to a file and, where it names one, a heading of it', (file) => {
    const relativeLinks = links(read(file)).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    const broken = relativeLinks.flatMap((target) => {
      const problem = brokenTarget(file, target);
      return problem === undefined ? [] : [`${target}: ${problem}`];
    });
    expect(broken).toEqual([]);
  });

  it('every README.md or docs/ file that a comment in src/, scripts/, test/ or .ci/ cites exists, with the heading it names', () => {
    const sources = ['src', 'scripts', 'test', '.ci'].flatMap((top) => walk(join(ROOT, top))).filter((path) => /\.(ts|js|sh|py|cs)$|\/run$/.test(path));
    const cited: string[] = [];
    const broken: string[] = [];
    for (const path of sources) {
      for (const m of readFileSync(path, 'utf8').matchAll(/(?<![\w./-])(README\.md|docs\/[\w.-]+\.md)(#[\w-]+)?/g)) {
        const target = `${m[1] ?? ''}${m[2] ?? ''}`;
        cited.push(target);
        const problem = brokenTarget('README.md', target);
        if (problem !== undefined) broken.push(`${relative(ROOT, path)}: ${target}: ${problem}`);
      }
    }
    expect(broken).toEqual([]);
    // The comments that pointed at README sections now point into docs/.
    expect(cited.filter((target) => target.startsWith('docs/')).length).toBeGreaterThan(5);
  });
});

describe('the docs/ files', () => {
  const docs = documentationFiles().filter((file) => file.startsWith('docs/'));

  it('are there', () => {
    expect(docs).toEqual(expect.arrayContaining(['docs/protocol.md', 'docs/performance.md', 'docs/reliability.md', 'docs/emulator.md', 'docs/development.md']));
  });

  it("are each listed in the README's Documentation section", () => {
    const readme = read('README.md');
    const section = /^## Documentation\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1] ?? '';
    expect(links(section)).toEqual(expect.arrayContaining(docs));
  });

  it.each(docs)('%s opens with a title and a paragraph that links back to the README', (file) => {
    const [title = '', intro = ''] = read(file).split(/\n\n+/);
    expect(title).toMatch(/^# \S/);
    expect(links(intro).some((target) => target.startsWith('../README.md'))).toBe(true);
  });
});

test('every npm script the README and docs/ name exists, and the quick start names npm start and npm test', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const named = new Set<string>();
  for (const file of documentationFiles()) {
    for (const m of read(file).matchAll(/\bnpm (?:run(?: -s| --silent)? ([\w:-]+)|(start|test)\b)/g)) named.add(m[1] ?? m[2] ?? '');
  }
  expect([...named].filter((name) => scripts[name] === undefined)).toEqual([]);
  const quickStart = /^## Quick start\n([\s\S]*?)^## /m.exec(read('README.md'))?.[1] ?? '';
  expect(quickStart).toMatch(/^npm ci && npm start\b/m);
  expect(quickStart).toMatch(/^npm ci && npm test\b/m);
});

describe('command lines', () => {
  /** `srv-asmx COMMAND --option …` in the sh blocks, continuation lines joined, one per command of a pipeline. */
  const commandLines = documentationFiles().flatMap((file) =>
    codeBlocks(read(file))
      .filter((block) => block.language === 'sh')
      .flatMap((block) => block.code.replace(/\\\n\s*/g, ' ').split('\n'))
      .map((line) => line.replace(/(^|\s)#.*$/, ''))
      .flatMap((line) => line.split(/\||&&|;|\$\(/))
      .flatMap((part) => {
        const m = /\bsrv-asmx\s+([a-z]+)\b(.*)$/.exec(part);
        return m === null ? [] : [{ file, command: m[1] ?? '', options: [...(m[2] ?? '').matchAll(/(?<=\s)--[a-z0-9-]+/g)].map((o) => o[0]), line: part.trim() }];
      }),
  );

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  });

  it('are there to check', () => {
    expect(commandLines.length).toBeGreaterThan(5);
  });

  it('use commands that srv-asmx has, with options that each command takes', async () => {
    const help = async (args: string[]) => (await run(process.execPath, [CLI, ...args, '--help'])).stdout;
    const commands = new Set([...(await help([])).matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]));
    const wrong: string[] = [];
    const helps = new Map<string, string>();
    for (const { file, command, options, line } of commandLines) {
      if (!commands.has(command)) {
        wrong.push(`${file}: ${line}: no command ${command}`);
        continue;
      }
      if (!helps.has(command)) helps.set(command, await help([command]));
      const text = helps.get(command) ?? '';
      for (const option of options) {
        if (!new RegExp(`(^|[\\s,])${option}(?![\\w-])`, 'm').test(text)) wrong.push(`${file}: ${line}: ${command} has no ${option}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.readme-examples-')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}
