import type { Address } from '../transport/index.js';
import { bump } from './errors.js';
import { isNodeIdHex } from './id.js';
import type { Contact } from './types.js';

const MAX_HOST = 253;

/** True for a plausible `{ host, port }`: non-empty host, integer port 1–65535. */
export function isAddress(v: unknown): v is Address {
  if (typeof v !== 'object' || v === null) return false;
  const { host, port } = v as Partial<Address>;
  return (
    typeof host === 'string' &&
    host.length > 0 &&
    host.length <= MAX_HOST &&
    Number.isInteger(port) &&
    (port as number) > 0 &&
    (port as number) <= 65_535
  );
}

/** True for a contact with a canonical id and a plausible address. */
export function isContact(v: unknown): v is Contact {
  return (
    typeof v === 'object' && v !== null && isNodeIdHex((v as Contact).id) && isAddress((v as Contact).address)
  );
}

/**
 * The usable part of a peer's FIND_NODE answer: at most `max` well-formed contacts,
 * copied (so the peer's objects are not kept), without duplicates or `selfId`.
 * Everything dropped is counted in `rejected` by reason.
 */
export function acceptContacts(
  raw: unknown,
  selfId: string,
  max: number,
  rejected: Record<string, number>,
): Contact[] {
  if (!Array.isArray(raw)) {
    bump(rejected, 'bad-response');
    return [];
  }
  if (raw.length > max) bump(rejected, 'too-many-contacts');
  const out: Contact[] = [];
  const seen = new Set<string>();
  for (const c of raw.length > max ? raw.slice(0, max) : raw) {
    if (!isContact(c)) {
      bump(rejected, 'bad-contact');
      continue;
    }
    if (c.id === selfId || seen.has(c.id)) continue;
    seen.add(c.id);
    out.push({ id: c.id, address: { host: c.address.host, port: c.address.port } });
  }
  return out;
}
