// k.net and k.dgram: node:net- and node:dgram-compatible streams on kernel
// sockets, driven by kernel readiness on the event loop.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { Kernel } from '../src/index.js';
import type { Socket } from '../src/net/index.js';

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

async function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  await once(s, 'end');
  return Buffer.concat(parts);
}

for (const kind of ['unix', 'tcp'] as const) {
  const listenArgs = (i: number) => (kind === 'unix' ? { path: `/tmp/echo${i}.sock` } : { port: 0, host: '127.0.0.1' });
  const where = (srv: { address(): unknown }, i: number) =>
    kind === 'unix' ? { path: `/tmp/echo${i}.sock` } : { port: (srv.address() as { port: number }).port, host: '127.0.0.1' };

  test(`${kind}: an echo server returns 8 MiB intact, with backpressure both ways`, async (t) => {
    const k = await Kernel.boot();
    const srv = k.net.createServer((s) => s.pipe(s));
    srv.listen(listenArgs(1));
    await once(srv, 'listening');
    const c = k.net.connect(where(srv, 1));
    await once(c, 'connect');
    t.false(c.pending);
    const data = randomBytes(8 << 20);
    const got = collect(c);
    const closed = once(c, 'close');
    let drained = 0;
    for (let off = 0; off < data.length; off += 1 << 20) {
      if (!c.write(data.subarray(off, off + (1 << 20)))) {
        drained++;
        await once(c, 'drain');
      }
    }
    c.end();
    const back = await got;
    t.is(back.length, data.length);
    t.is(sha(back), sha(data));
    t.true(drained > 0, 'the writer met backpressure (the kernel buffers less than 8 MiB)');
    t.is(c.bytesWritten, data.length);
    t.is(c.bytesRead, data.length);
    await closed;
    await new Promise<void>((r) => srv.close(() => r()));
    await k.halt();
  });

  test(`${kind}: Node's http server and client run on kernel sockets`, async (t) => {
    const k = await Kernel.boot();
    const body = randomBytes(1 << 20);
    const hs = http.createServer((req, res) => {
      res.setHeader('x-path', req.url ?? '');
      res.end(body);
    });
    const srv = k.net.createServer((s) => hs.emit('connection', s));
    srv.listen(listenArgs(2));
    await once(srv, 'listening');
    const w = where(srv, 2);
    for (let i = 0; i < 3; i++) {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(
          {
            path: `/file${i}`,
            createConnection: () => k.net.createConnection(w) as never,
          },
          resolve,
        );
        req.on('error', reject);
        req.end();
      });
      t.is(res.statusCode, 200);
      t.is(res.headers['x-path'], `/file${i}`);
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      t.is(sha(Buffer.concat(chunks)), sha(body));
    }
    hs.close();
    await new Promise<void>((r) => srv.close(() => r()));
    await k.halt();
  });
}

test('connect to a port nobody listens on: ECONNREFUSED as Node words it', async (t) => {
  const k = await Kernel.boot();
  const c = k.net.connect(9, '127.0.0.1');
  const [err] = (await once(c, 'error')) as [NodeJS.ErrnoException & { address?: string; port?: number }];
  t.is(err.code, 'ECONNREFUSED');
  t.is(err.syscall, 'connect');
  t.is(err.message, 'connect ECONNREFUSED 127.0.0.1:9');
  t.is(err.address, '127.0.0.1');
  t.is(err.port, 9);
  await k.halt();
});

test('half-close: the server sees end, still writes, then both close', async (t) => {
  const k = await Kernel.boot();
  const srv = k.net.createServer({ allowHalfOpen: true }, (s) => {
    s.resume();
    s.on('end', () => s.end('after your end'));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const c = k.net.connect({ port: (srv.address() as { port: number }).port, host: '127.0.0.1' });
  await once(c, 'connect');
  const got = collect(c);
  c.end();
  t.is((await got).toString(), 'after your end');
  await new Promise<void>((r) => srv.close(() => r()));
  await k.halt();
});

test('a thousand idle connections cost no thread and all get served', async (t) => {
  const k = await Kernel.boot({ maxFiles: 4096 });
  let served = 0;
  const srv = k.net.createServer((s) => {
    s.once('data', (d) => {
      served++;
      s.end(d);
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const clients: Socket[] = [];
  for (let i = 0; i < 1000; i++) clients.push(k.net.connect(port, '127.0.0.1'));
  await Promise.all(clients.map((c) => once(c, 'connect')));
  const replies = clients.map((c) => collect(c));
  clients.forEach((c, i) => c.write(`hello ${i}`));
  const got = await Promise.all(replies);
  got.forEach((g, i) => t.is(g.toString(), `hello ${i}`));
  t.is(served, 1000);
  await new Promise<void>((r) => srv.close(() => r()));
  await k.halt();
});

test('dgram: a UDP echo over the loopback', async (t) => {
  const k = await Kernel.boot();
  const server = k.dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => server.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
  server.bind(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  const client = k.dgram.createSocket('udp4');
  const got = once(client, 'message');
  client.send('ping', port, '127.0.0.1');
  const [msg, rinfo] = (await got) as [Buffer, { port: number; address: string; size: number }];
  t.is(msg.toString(), 'echo:ping');
  t.is(rinfo.port, port);
  t.is(rinfo.address, '127.0.0.1');
  t.is(rinfo.size, 9);
  client.close();
  server.close();
  await k.halt();
});

test('sockets() lists listeners, connections and TIME-WAIT like ss; stats() counts like netstat -s', async (t) => {
  const k = await Kernel.boot();
  const srv = k.net.createServer((s) => s.resume());
  srv.listen(8000, '127.0.0.1');
  await once(srv, 'listening');
  const c = k.net.connect(8000, '127.0.0.1');
  await once(c, 'connect');
  const cport = c.localPort!;
  await new Promise((r) => setImmediate(r));
  const socks = k.net.sockets();
  const listen = socks.find((s) => s.state === 'LISTEN');
  t.deepEqual(listen?.local, { address: '127.0.0.1', port: 8000 });
  t.is(listen?.protocol, 'tcp');
  const client = socks.find((s) => typeof s.local === 'object' && s.local.port === cport);
  t.is(client?.state, 'ESTAB');
  t.deepEqual(client?.peer, { address: '127.0.0.1', port: 8000 });
  t.is(client?.pid, 1);
  const accepted = socks.find((s) => typeof s.peer === 'object' && s.peer.port === cport);
  t.is(accepted?.state, 'ESTAB');
  const stats = k.net.stats();
  t.true(stats.tcp.connattempt! >= 1);
  t.true(stats.tcp.accepts! >= 1);
  t.true(stats.ip.delivered! > 0);
  // the client closes first: its side waits in TIME-WAIT with no socket left
  const closed = once(c, 'close');
  c.end();
  c.resume();
  await closed;
  await new Promise((r) => setTimeout(r, 50));
  const tw = k.net.sockets().find((s) => typeof s.local === 'object' && s.local.port === cport);
  t.is(tw?.state, 'TIME-WAIT');
  t.is(tw?.pid, -1);
  await new Promise<void>((r) => srv.close(() => r()));
  await k.halt();
});
