// Readiness from the kernel into the event loop: a watched descriptor's
// callback runs on the loop when the kernel makes it ready, with no thread
// parked in the kernel.
import test from 'ava';
import { Kernel, constants } from '../src/index.js';

const { EPOLLIN, EPOLLOUT } = constants.epoll;

test('a pipe written to wakes its watcher on the loop, edge by edge', async (t) => {
  const k = await Kernel.boot();
  const p = k.process();
  const fds = new Int32Array(2);
  p.sys.pipe2(fds, constants.fcntl.O_NONBLOCK);
  const [rfd, wfd] = [fds[0]!, fds[1]!];
  const poller = p.poller;
  const seen: number[] = [];
  let wake: () => void = () => {};
  poller.add(rfd, EPOLLIN, (ev) => {
    seen.push(ev);
    wake();
  });
  // nothing is ready yet: no call comes
  await new Promise((r) => setImmediate(r));
  t.deepEqual(seen, []);
  const woke = new Promise<void>((r) => (wake = r));
  p.sys.write(wfd, Buffer.from('hello'));
  t.deepEqual(seen, [], 'the call is posted to the loop, not made inside write');
  await woke;
  t.is(seen.length, 1);
  t.truthy(seen[0]! & EPOLLIN);
  const buf = Buffer.alloc(16);
  t.is(p.sys.read(rfd, buf, 16), 5);
  // a second write is a new edge
  const woke2 = new Promise<void>((r) => (wake = r));
  p.sys.write(wfd, Buffer.from('x'));
  await woke2;
  t.is(seen.length, 2);
  // the writer side is watched for space
  let out = 0;
  const writable = new Promise<void>((r) => poller.add(wfd, EPOLLOUT, () => {
    out++;
    r();
  }));
  await writable;
  await new Promise((r) => setImmediate(r));
  t.is(out, 1, 'an empty pipe is writable: one edge on add, and no more');
  poller.remove(rfd);
  poller.remove(wfd);
  t.is(poller.size, 0);
  poller.close();
  await k.halt();
});

test('a halted kernel closes its pollers; the loop is not held', async (t) => {
  const k = await Kernel.boot();
  const p = k.process();
  const fds = new Int32Array(2);
  p.sys.pipe2(fds, 0);
  p.poller.add(fds[0]!, EPOLLIN, () => t.fail('no event after halt'));
  await k.halt();
  p.poller.remove(fds[0]!);
  p.poller.close();
  t.pass();
});
