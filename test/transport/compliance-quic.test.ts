import { createQuicTransport, QuicEndpoint } from '../../src/transport/quic/index.js';
import { runTransportCompliance } from './compliance.js';
import { blackHoles } from './harness.js';

const holes = blackHoles('127.0.0.1');

runTransportCompliance({
  name: 'quic',
  transport: createQuicTransport(),
  baseOptions: { host: '127.0.0.1' },
  crash(ep) {
    if (!(ep instanceof QuicEndpoint)) throw new Error('not a QuicEndpoint');
    ep.abort();
  },
  deadAddress: () => holes.next(),
  dispose: () => holes.dispose(),
});
