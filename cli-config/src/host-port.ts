/** A `host:port` flag value (IPv6 in brackets), parsed to `{ host, port }`. */
import { z } from 'zod';

/** `host:port` → `{ host, port }`; the example appears in the error message. */
export function hostPort(example: string) {
  return z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, `must be host:port, e.g. ${example}`)
    .transform((s) => {
      const i = s.lastIndexOf(':');
      return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
    })
    .refine((a) => a.port >= 0 && a.port <= 65535, 'port must be 0-65535');
}

/** An integer flag within [min, max] (flags and env arrive as text). */
export function intFlag(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max);
}
