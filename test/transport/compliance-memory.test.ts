import { MemoryNetwork } from '../../src/transport/memory/index.js';
import { runTransportCompliance } from './compliance.js';

const net = new MemoryNetwork();
let dead = 0;

runTransportCompliance({
  name: 'memory',
  transport: net.transport(),
  baseOptions: {},
  crash: (ep) => net.crash(ep),
  // Nothing is ever bound on this host, so packets sent there vanish.
  deadAddress: async () => ({ host: '10.255.255.1', port: 40_000 + dead++ }),
});
