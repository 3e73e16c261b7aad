/**
 * The slow-consumer bound of one connection: at most `limit` frames written but not yet flushed to the socket while
 * the socket pushes back. Past it the connection is closed (policy "disconnect": the client resumes from its last
 * id; docs/events.md). A burst to a consumer that keeps up (a resumed history) is not pushed back and is not cut.
 */

/** Counts frames in flight on one connection and reports the first overflow. */
export class BoundedWriter {
  private pending = 0;
  private overflowed = false;

  /**
   * `write(chunk, done)` must call `done` once the chunk reached the socket (ws `send` / http `write` callbacks);
   * `backpressured()` says whether the socket holds unsent bytes (ws `bufferedAmount`, http `writableNeedDrain`).
   */
  constructor(
    private readonly limit: number,
    private readonly write: (chunk: string, done: () => void) => void,
    private readonly backpressured: () => boolean,
    private readonly onOverflow: () => void,
  ) {}

  /** Writes a frame, or calls `onOverflow` (once) when `limit` frames are still in flight. Returns false after overflow. */
  send(chunk: string): boolean {
    if (this.overflowed) return false;
    if (this.pending >= this.limit && this.backpressured()) {
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
