/** The embedded MQTT broker (aedes) that runs when MQTT_URL is unset. */
import net from 'net';

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  // aedes is a dev-time/app dependency, not needed by the node package itself.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const aedes = require('aedes')();
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new Error(`MQTT_EMBEDDED_PORT ${port} is in use: stop the other broker, set MQTT_URL to use it, or pick another MQTT_EMBEDDED_PORT`)
        : err);
    });
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
