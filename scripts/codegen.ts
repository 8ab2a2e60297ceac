// Turns wsdl/srv.wsdl into generated/srv.ts. `--check` writes nothing and fails when the
// committed file differs from what the WSDL produces.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readWsdl } from './codegen/read-wsdl.js';
import { render } from './codegen/render.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const wsdlPath = `${root}wsdl/srv.wsdl`;
const outputPath = `${root}generated/srv.ts`;

async function main(check: boolean): Promise<number> {
  const source = render(readWsdl(await readFile(wsdlPath, 'utf8')));
  if (check) {
    const committed = await readFile(outputPath, 'utf8').catch(() => '');
    if (committed === source) return 0;
    console.error('generated/srv.ts is stale: run `npm run codegen` and commit the result.');
    return 1;
  }
  await mkdir(`${root}generated`, { recursive: true });
  await writeFile(outputPath, source);
  console.log(`wrote generated/srv.ts`);
  return 0;
}

process.exitCode = await main(process.argv.includes('--check'));
