/**
 * Listeners that play "somewhere a plugin wants to send data to" in the plugin isolation tests:
 * an HTTP server on another loopback port that counts every TCP connection and every request
 * (any method or path, WebSocket upgrades and EventSource streams included), and a UDP socket
 * that counts every datagram, which is what a WebRTC peer connection sends to a STUN server.
 * A test that proves an escape fails expects both counts to stay at zero; the control tests
 * prove the listeners do count what reaches them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The HTTP listener: `connections` counts even a preconnect that never sends a request. */
export interface HttpEgressListener {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `METHOD /path` of every request, `UPGRADE /path` of every WebSocket attempt. */
  readonly hits: string[];
  /** TCP connections accepted, whatever came over them. */
  connections(): number;
}

/** The UDP listener: a STUN server that never answers. */
export interface UdpEgressListener {
  readonly port: number;
  /** `stun:127.0.0.1:<port>`, for an `RTCIceServer`. */
  readonly stunUrl: string;
  /** Datagrams received. */
  packets(): number;
}

export interface EgressListeners {
  readonly http: HttpEgressListener;
  readonly udp: UdpEgressListener;
  /** Everything both have seen, as one line each, for a readable failure message. */
  seen(): string[];
  close(): Promise<void>;
}

async function startHttp(): Promise<{ listener: HttpEgressListener; server: Server }> {
  const hits: string[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    hits.push(`${request.method ?? '?'} ${request.url ?? '?'}`);
    // Answers that would succeed if they got through: permissive CORS, an event stream for
    // EventSource, a script for anything that imports.
    const accept = request.headers.accept ?? '';
    response.writeHead(200, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': '*',
      'Access-Control-Allow-Headers': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Content-Type': accept.includes('text/event-stream')
        ? 'text/event-stream'
        : 'text/javascript',
    });
    response.end(accept.includes('text/event-stream') ? 'data: reached\n\n' : '/* reached */');
  });
  server.on('connection', () => connections++);
  server.on('upgrade', (request, socket) => {
    hits.push(`UPGRADE ${request.url ?? '?'}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    listener: {
      port,
      origin: `http://127.0.0.1:${String(port)}`,
      hits,
      connections: () => connections,
    },
  };
}

async function startUdp(): Promise<{ listener: UdpEgressListener; socket: Socket }> {
  let packets = 0;
  const socket = createSocket('udp4');
  socket.on('message', () => packets++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    socket,
    listener: { port, stunUrl: `stun:127.0.0.1:${String(port)}`, packets: () => packets },
  };
}

/**
 * Starts both listeners; call it once per test file and close them after.
 *
 * @example
 * let egress: EgressListeners;
 * test.beforeAll(async () => (egress = await startEgressListeners()));
 * test.afterAll(() => egress.close());
 * // … then, after an escape attempt:
 * expect(egress.seen()).toEqual([]);
 */
export async function startEgressListeners(): Promise<EgressListeners> {
  const http = await startHttp();
  const udp = await startUdp();
  return {
    http: http.listener,
    udp: udp.listener,
    seen() {
      const lines = [...http.listener.hits];
      const connections = http.listener.connections();
      if (connections > 0) lines.push(`${String(connections)} TCP connection(s)`);
      const packets = udp.listener.packets();
      if (packets > 0) lines.push(`${String(packets)} UDP packet(s)`);
      return lines;
    },
    async close() {
      // The browser keeps connections alive; close them or `close` waits for them.
      http.server.closeAllConnections();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
      await new Promise<void>((resolve) => udp.socket.close(resolve));
    },
  };
}
