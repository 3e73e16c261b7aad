/** The JSON of an event as subscribers see it, serialised once per event however many subscribers receive it. */
import type { BusEvent } from './event-bus.js';

const cache = new WeakMap<BusEvent, string>();

/** `{"id","topic","type","data","time","owner"?,"sourceId"?}` (audience stays inside the gateway). */
export function eventJson(e: BusEvent): string {
  let json = cache.get(e);
  if (json === undefined) {
    json = JSON.stringify({ id: e.id, topic: e.topic, type: e.type, data: e.data, time: e.time, owner: e.owner, sourceId: e.sourceId });
    cache.set(e, json);
  }
  return json;
}
