/** Adapter registry. Each adapter is imported lazily so one broken implementation cannot stop the others. */
import type { ImplName, TransportAdapter } from '../adapter.js';

export async function loadAdapter(name: ImplName): Promise<TransportAdapter> {
  switch (name) {
    case 'macula':
      return (await import('./macula.js')).macula;
    case 'matrixai':
      return (await import('./matrixai.js')).matrixai;
    case 'libp2p_quic':
      return (await import('./libp2p-quic.js')).libp2pQuic;
  }
}
