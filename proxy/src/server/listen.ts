/** Listening on a host and port, and the URL of the address taken. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens; rejects when the port cannot be taken. */
export const listenOn = (server: Server, host: string, port: number): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });

/** `proto://host:port` of an address (IPv6 in brackets). */
export const urlOf = (proto: string, a: AddressInfo): string => `${proto}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
