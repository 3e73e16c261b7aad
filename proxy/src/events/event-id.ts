/** Event ids `<ms>-<seq>` (the Redis Streams id format), shared by every bus so a client's last id means the same everywhere. */

const ID_RE = /^(\d{1,15})-(\d{1,15})$/;

/** Whether `text` is an event id. */
export function isEventId(text: string): boolean {
  return ID_RE.test(text);
}

/** The two numbers of an id; assumes `isEventId`. */
export function parseEventId(id: string): [ms: number, seq: number] {
  const m = ID_RE.exec(id) as RegExpExecArray;
  return [Number(m[1]), Number(m[2])];
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareEventIds(a: string, b: string): number {
  const [am, as] = parseEventId(a);
  const [bm, bs] = parseEventId(b);
  return am === bm ? as - bs : am - bm;
}

/** A generator of increasing ids: the clock's ms, and a sequence within the same (or an earlier, clock-stepped-back) ms. */
export function eventIdGenerator(now: () => number): () => string {
  let lastMs = 0;
  let seq = 0;
  return () => {
    const ms = now();
    if (ms > lastMs) {
      lastMs = ms;
      seq = 0;
    } else seq++;
    return `${lastMs}-${seq}`;
  };
}
