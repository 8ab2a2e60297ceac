// What the benchmark's client variants and its discard server agree on.
export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
export const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
export const UPLOAD_HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

/** The path of a benchmark document: its size and the chunk it repeats. */
export function documentPath(size: number, chunkSize: number): string {
  return `/Public/bench-${size}-${chunkSize}.bin`;
}

/** The download handler of a document of `size` bytes: the size rides in its last 12 hex digits. */
export function downloadHandlerFor(size: number): string {
  return `00000000-0000-4000-8000-${size.toString(16).padStart(12, '0')}`;
}

export function sizeOfHandler(handler: string): number {
  return Number.parseInt(handler.slice(-12), 16);
}

export type Variant = 'library' | 'node-soap' | 'floor';
export type Direction = 'upload' | 'download';

export interface WorkerSpec {
  variant: Variant;
  direction: Direction;
  url: string;
  chunkSize: number;
  bytesPerRun: number;
  /** The library's binding (default SOAP 1.1); the other variants speak SOAP 1.1. */
  binding?: 'soap11' | 'http-post';
}

/** One measured run: client CPU (user + system) and wall time. */
export interface RunSample {
  cpuMs: number;
  wallMs: number;
}

export type WorkerMessage =
  | { type: 'ready'; baselineRssKb: number }
  | { type: 'sample'; sample: RunSample }
  | { type: 'stopped'; peakRssKb: number }
  | { type: 'failed'; error: string };

export type ParentMessage = { type: 'run' } | { type: 'stop' };
