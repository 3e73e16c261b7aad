/**
 * The slow-consumer bound of one connection: at most `limit` frames written but not yet flushed to the socket.
 * Past it the connection is closed (policy "disconnect": the client resumes from its last id; docs/events.md).
 */

/** Counts frames in flight on one connection and reports the first overflow. */
export class BoundedWriter {
  private pending = 0;
  private overflowed = false;

  /** `write(chunk, done)` must call `done` once the chunk reached the socket (ws `send` / http `write` callbacks). */
  constructor(
    private readonly limit: number,
    private readonly write: (chunk: string, done: () => void) => void,
    private readonly onOverflow: () => void,
  ) {}

  /** Writes a frame, or calls `onOverflow` (once) when `limit` frames are still in flight. Returns false after overflow. */
  send(chunk: string): boolean {
    if (this.overflowed) return false;
    if (this.pending >= this.limit) {
      this.overflowed = true;
      this.onOverflow();
      return false;
    }
    this.pending++;
    this.write(chunk, this.done);
    return true;
  }

  /** Frames written and not yet flushed. */
  get inFlight(): number {
    return this.pending;
  }

  private readonly done = (): void => {
    this.pending--;
  };
}
