import * as net from 'node:net';

export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

/** An in-process aedes broker on loopback, for a Pi (or a newcomer) with no broker of its own. */
export async function startEmbeddedBroker(port: number, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  // aedes is ESM-only; a dynamic import keeps this file CommonJS.
  const { Aedes } = (await import('aedes')) as unknown as {
    Aedes: { createBroker(): Promise<{ handle: (socket: net.Socket) => void; close(cb: () => void): void }> };
  };
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} is in use: another MQTT broker runs here? Set MQTT_URL to use it, or BROKER_PORT to move ` +
                `the embedded one`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    url: `mqtt://${host}:${address.port}`,
    async close() {
      // Closing the broker first lets aedes publish last wills of clients still connected.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
