// Standard output and standard error, the one place the command line writes to them and hears how
// they fail. A stream that failed (EPIPE: its reader went away) is written no more. What that means
// is the listener's to say: a closed stdout cancels the work under way (run.ts), a closed stderr
// only loses messages, never the work or its exit code.

export interface Output {
  /** The stream itself, for what must write to it directly (a progress bar, the password prompt, a document to `-`): its failures are heard here all the same. */
  readonly stream: NodeJS.WriteStream;
  /** Writes `text`, unless the stream has failed. */
  write(text: string): void;
  /** Calls `listener` once the stream fails, until the returned function is called. */
  onFailure(listener: (error: NodeJS.ErrnoException) => void): () => void;
}

function output(stream: NodeJS.WriteStream): Output {
  let failed = false;
  const listeners = new Set<(error: NodeJS.ErrnoException) => void>();
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    for (const listener of listeners) listener(error);
  });
  return {
    stream,
    write: (text) => {
      if (!failed) stream.write(text);
    },
    onFailure: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export const stdout = output(process.stdout);
export const stderr = output(process.stderr);
