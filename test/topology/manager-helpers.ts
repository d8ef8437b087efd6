import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import { ConnectionManager, type ConnectionManagerOptions } from '../../src/topology/index.js';
import { FakeLinks } from './helpers.js';

/** A manager on a virtual clock wired to a {@link FakeLinks}, plus a log of warnings. */
export function setup(opts: Partial<ConnectionManagerOptions> & { self: string; k: number }) {
  const clock = new VirtualClock();
  const links = new FakeLinks(() => clock.now());
  const warnings: Array<{ obj: object; msg: string | undefined }> = [];
  const logger = {
    debug() {},
    info() {},
    warn: (obj: object, msg?: string) => warnings.push({ obj, msg }),
  };
  const manager = new ConnectionManager({
    maxConnections: 32,
    clock,
    random: new SeededRandom(1),
    links,
    logger,
    ...opts,
  });
  links.manager = manager;
  return { clock, links, manager, warnings };
}
