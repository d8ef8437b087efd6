// Two nodes in one process: pub/sub, a mailbox, a direct message, an RPC and a DHT record.
// Run: node --import tsx examples/messaging.ts
import { createNode, generateIdentity } from '../src/index.js';

const realm = 'org.example.mesh';
const a = createNode({
  identity: await generateIdentity(realm),
  name: 'a',
  listen: { host: '127.0.0.1', port: 0 },
});
await a.start();
const b = createNode({
  identity: await generateIdentity(realm),
  name: 'b',
  listen: { host: '127.0.0.1', port: 0 },
  bootstrap: [`127.0.0.1:${a.address.port}`],
});
await b.start();
await new Promise<void>((resolve) => {
  const off = b.on('member:join', (m) => {
    if (m.id !== a.nodeId) return;
    off();
    resolve();
  });
});

// Publish/subscribe: subscriptions are announced in the DHT, events go only to subscribers.
const sub = a.subscribe<{ celsius: number }>('sensor.*.temp');
await sub.ready;
const published = await b.publish('sensor.k1.temp', { celsius: 21.5 }, { ack: true });
const { value: event } = await sub[Symbol.asyncIterator]().next();
console.log(
  `a got ${event?.topic} ${JSON.stringify(event?.payload)} (acked by ${published.subscribers.length})`,
);

// Direct messages to a named mailbox.
const inbox = a.mailbox<string>('inbox');
await b.send(a.nodeId, 'inbox', 'hello from b');
const { value: msg } = await inbox[Symbol.asyncIterator]().next();
console.log(`a got "${msg?.payload}" from ${msg?.from.slice(0, 8)} in ${msg?.hops} hops`);

// RPC: providers are found through the DHT.
await a.register<{ name: string }, string>('greet.hello', ({ name }) => `hello, ${name}`);
console.log(await b.call<string>('greet.hello', { name: 'b' }, { timeoutMs: 5000 }));

// The DHT: signed records, one per owner under a key.
await b.dht.put('service:web', new TextEncoder().encode('http://10.0.0.2:8080'));
for (const r of await a.dht.get('service:web')) {
  console.log(`${r.owner.slice(0, 8)} → ${new TextDecoder().decode(r.value)}`);
}

await Promise.all([a.stop(), b.stop()]);
