/** The event system: bus, hub, transports, publish endpoint and metrics (docs/events.md § Integration). */
export * from './event-bus.js';
export * from './event-id.js';
export * from './memory-bus.js';
export * from './redis-bus.js';
export * from './subscription-hub.js';
export * from './topic-authorizer.js';
export * from './ws-handler.js';
export * from './ws-protocol.js';
export * from './sse-handler.js';
export * from './publish-handler.js';
export * from './events-metrics.js';
export * from './credential-expiry.js';
