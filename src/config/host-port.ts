/** A parsed `host:port` address. IPv6 hosts are returned without brackets. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Thrown by {@link parseHostPort}; the config layer turns it into a {@link ConfigIssue}. */
export class HostPortSyntaxError extends Error {
  override name = 'HostPortSyntaxError';
}

const PORT_RE = /^\d{1,5}$/;

/**
 * Parses `host:port`, `1.2.3.4:port` or `[v6-address]:port` (e.g. `[::1]:4433`).
 * @throws HostPortSyntaxError with a message that says what is wrong and quotes the input.
 */
export function parseHostPort(text: string): HostPort {
  const got = ` (got ${JSON.stringify(text)})`;
  const s = text.trim();
  let host: string;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new HostPortSyntaxError(`missing "]" after IPv6 address${got}`);
    host = s.slice(1, close);
    if (s[close + 1] !== ':') throw new HostPortSyntaxError(`expected host:port, e.g. [::1]:4433${got}`);
    portText = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) throw new HostPortSyntaxError(`expected host:port, e.g. 127.0.0.1:4433${got}`);
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    // A bare IPv6 address has several colons; without brackets the port is ambiguous.
    if (host.includes(':')) throw new HostPortSyntaxError(`IPv6 addresses need brackets: [::1]:4433${got}`);
  }
  if (host === '') throw new HostPortSyntaxError(`host is empty${got}`);
  if (/\s/.test(host)) throw new HostPortSyntaxError(`host contains whitespace${got}`);
  if (!PORT_RE.test(portText)) throw new HostPortSyntaxError(`port must be a number${got}`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new HostPortSyntaxError(`port must be between 1 and 65535${got}`);
  return { host, port };
}

/** Formats an address back to `host:port`, bracketing IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
