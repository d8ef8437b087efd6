import { isIPv4, isIPv6 } from 'node:net';
import { InvalidUriError, quoteInput } from './errors.js';
import { NodeId } from './node-id.js';
import { isRealm, parseRealm, type Realm } from './realm.js';

/** The URI scheme of node and address URIs. */
export const MACULA_SCHEME = 'macula://';

/** What {@link parseMaculaUri} finds: a node in a realm, or a host and port to dial. */
export type MaculaUri =
  | { kind: 'node'; realm: Realm; nodeId: NodeId }
  | { kind: 'address'; host: string; port: number };

const NODE_HEX_RE = /^[0-9a-f]{64}$/;
const HOST_LABEL_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PORT_RE = /^[1-9][0-9]{0,4}$/;
// Longest valid form: scheme + 253-char realm + "/" + 64 hex.
const MAX_URI_LENGTH = 512;

function invalid(s: unknown, why: string): InvalidUriError {
  return new InvalidUriError(`Invalid macula URI ${quoteInput(s)}: ${why}`);
}

/** Why `host` cannot go in an address URI, or null. IPv6 is bare here (no brackets, no zone). */
function hostProblem(host: string): string | null {
  if (host.length === 0) return 'the host is empty';
  if (host.includes('%')) return 'IPv6 zone ids are not supported';
  if (host.includes(':')) return isIPv6(host) ? null : 'the host is not a valid IPv6 address';
  if (isIPv4(host)) return null;
  if (host.length > 253) return 'the host name is longer than 253 characters';
  const labels = host.split('.');
  if (!labels.every((l) => HOST_LABEL_RE.test(l)))
    return `${quoteInput(host)} is not an IP address or host name`;
  // A numeric last label means an IPv4 address was meant (and it was not a valid one).
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return `${quoteInput(host)} is not a valid IPv4 address`;
  return null;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidUriError(`Invalid port ${String(port)}: must be an integer from 1 to 65535`);
  }
}

/** `macula://<realm>/<nodeIdHex>`: the name a node's certificate carries. */
export function formatNodeUri(realm: string, nodeId: NodeId): string {
  if (!(nodeId instanceof NodeId)) throw new InvalidUriError('formatNodeUri needs a NodeId');
  return `${MACULA_SCHEME}${parseRealm(realm)}/${nodeId.hex}`;
}

/** `macula://host:port`, with IPv6 hosts in brackets. */
export function formatAddressUri(address: { host: string; port: number }): string {
  const problem = typeof address.host === 'string' ? hostProblem(address.host) : 'the host is not a string';
  if (problem !== null) throw new InvalidUriError(`Invalid host ${quoteInput(address.host)}: ${problem}`);
  checkPort(address.port);
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${MACULA_SCHEME}${host}:${address.port}`;
}

function parseAddress(s: string, rest: string): MaculaUri {
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw invalid(s, 'unclosed "[" around an IPv6 address');
    host = rest.slice(1, end);
    if (!host.includes(':')) throw invalid(s, 'brackets are only for IPv6 addresses');
    if (rest[end + 1] !== ':') throw invalid(s, 'expected ":port" after the IPv6 address');
    portText = rest.slice(end + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) throw invalid(s, 'expected macula://<realm>/<nodeId> or macula://<host>:<port>');
    host = rest.slice(0, colon);
    if (host.includes(':')) throw invalid(s, 'IPv6 addresses must be in brackets');
    portText = rest.slice(colon + 1);
  }
  const problem = hostProblem(host);
  if (problem !== null) throw invalid(s, problem);
  if (!PORT_RE.test(portText) || Number(portText) > 65_535) {
    throw invalid(s, `port ${quoteInput(portText, 10)} must be a number from 1 to 65535`);
  }
  return { kind: 'address', host, port: Number(portText) };
}

/**
 * Parses a node URI (`macula://org.example.mesh/<64 lowercase hex>`) or an address URI
 * (`macula://10.0.0.1:4433`, `macula://[::1]:4433`, `macula://host.example:4433`).
 * Strict: no user info, query, fragment or trailing slash. Throws {@link InvalidUriError}.
 */
export function parseMaculaUri(s: string): MaculaUri {
  if (typeof s !== 'string') throw invalid(s, 'not a string');
  if (s.length > MAX_URI_LENGTH) throw invalid(s, `longer than ${MAX_URI_LENGTH} characters`);
  if (!s.startsWith(MACULA_SCHEME)) throw invalid(s, `must start with "${MACULA_SCHEME}"`);
  const rest = s.slice(MACULA_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return parseAddress(s, rest);
  const realm = rest.slice(0, slash);
  const hex = rest.slice(slash + 1);
  if (!isRealm(realm)) throw invalid(s, `${quoteInput(realm)} is not a valid realm`);
  if (!NODE_HEX_RE.test(hex)) throw invalid(s, 'the path must be a node id of 64 lowercase hex characters');
  return { kind: 'node', realm, nodeId: NodeId.fromHex(hex) };
}
