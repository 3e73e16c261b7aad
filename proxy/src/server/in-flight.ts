/** Requests (and WebSocket connections) in flight, for draining: close waits until none is left or a timeout. */
export class InFlight {
  private n = 0;
  private idle: (() => void) | undefined;

  /** in flight now */
  get count(): number {
    return this.n;
  }

  /** A request or upgrade arrived. */
  started(): void {
    this.n++;
  }

  /** It was recorded (exactly once per request, when it ends). */
  finished(): void {
    this.n--;
    if (this.n === 0) this.idle?.();
  }

  /** Resolves when none is in flight, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.n === 0) return;
    await Promise.race([new Promise<void>((r) => (this.idle = r)), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
