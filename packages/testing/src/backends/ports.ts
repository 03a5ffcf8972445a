// Free loopback ports for the servers the tests start.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { LOOPBACK } from './process';

function holdTcpPort(): Promise<{
  port: number;
  release: () => Promise<void>;
}> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('tracepack e2e: could not read a TCP port'));
        return;
      }
      resolve({
        port: address.port,
        release: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function holdUdpPort(): Promise<{
  port: number;
  release: () => Promise<void>;
}> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, LOOPBACK, () => {
      resolve({
        port: socket.address().port,
        release: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}

/**
 * Finds `tcp` free TCP ports and `udp` free UDP ports on 127.0.0.1, all distinct: every port
 * is held until all are found, then released for the server to bind.
 */
export async function freePorts(tcp: number, udp = 0): Promise<{ tcp: number[]; udp: number[] }> {
  const held: Array<{ port: number; release: () => Promise<void> }> = [];
  try {
    for (let i = 0; i < tcp; i++) held.push(await holdTcpPort());
    for (let i = 0; i < udp; i++) held.push(await holdUdpPort());
    return {
      tcp: held.slice(0, tcp).map((h) => h.port),
      udp: held.slice(tcp).map((h) => h.port),
    };
  } finally {
    await Promise.all(held.map((h) => h.release()));
  }
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago and that nothing listens on: for servers
 * that cannot listen on port 0, and for tests that need a connection refused.
 */
export async function freePort(): Promise<number> {
  return (await freePorts(1)).tcp[0]!;
}
