/**
 * Packet loss and partitions for a QUIC node without root (no netem, no network
 * namespaces): the load-test worker process wraps `dgram.Socket#send`, so every UDP
 * packet its node sends (QUIC and membership alike) can be dropped before it reaches the
 * kernel. The callback still runs, as if the network lost the packet. Only ever installed
 * in a worker process, which holds one node and nothing else.
 */
import dgram from 'node:dgram';

/** What the worker's node may no longer send: a share of all packets, and anything to some ports. */
export interface NetFault {
  /** Probability (0..1) that a packet is dropped. */
  dropRate: number;
  /** Ports (on any host) this node cannot reach: the other side of a partition. */
  blockPorts: number[];
}

export interface UdpFaults {
  set(fault: NetFault): void;
  /** Packets dropped so far. */
  readonly dropped: number;
}

type SendFn = (this: dgram.Socket, ...args: unknown[]) => void;

let installed: UdpFaults | undefined;

/** Wraps `dgram.Socket#send` once per process; `random` draws the losses. */
export function installUdpFaults(random: () => number): UdpFaults {
  if (installed) return installed;
  let dropRate = 0;
  let blocked = new Set<number>();
  let dropped = 0;
  const proto = dgram.Socket.prototype as unknown as { send: SendFn };
  const original = proto.send;
  proto.send = function send(this: dgram.Socket, ...args: unknown[]) {
    if (dropRate > 0 || blocked.size > 0) {
      // send(msg, port, host, cb) or send(msg, offset, length, port, host, cb).
      const port = typeof args[2] === 'number' ? args[3] : args[1];
      if ((typeof port === 'number' && blocked.has(port)) || (dropRate > 0 && random() < dropRate)) {
        dropped++;
        const cb = args.at(-1);
        if (typeof cb === 'function') process.nextTick(cb as (e: null, n: number) => void, null, 0);
        return;
      }
    }
    original.apply(this, args);
  };
  installed = {
    set(f) {
      dropRate = f.dropRate;
      blocked = new Set(f.blockPorts);
    },
    get dropped() {
      return dropped;
    },
  };
  return installed;
}
