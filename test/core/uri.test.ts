import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAddressUri,
  formatNodeUri,
  InvalidRealmError,
  InvalidUriError,
  NodeId,
  parseMaculaUri,
} from '../../src/core/index.js';

const hex = '0123456789abcdef'.repeat(4);
const id = NodeId.fromHex(hex);

describe('macula URIs', () => {
  it('formats and parses node URIs', () => {
    const uri = formatNodeUri('org.example.mesh', id);
    assert.equal(uri, `macula://org.example.mesh/${hex}`);
    const parsed = parseMaculaUri(uri);
    assert.equal(parsed.kind, 'node');
    if (parsed.kind !== 'node') return;
    assert.equal(parsed.realm, 'org.example.mesh');
    assert.ok(parsed.nodeId.equals(id));
    assert.throws(() => formatNodeUri('Bad', id), InvalidRealmError);
  });

  const addresses: [{ host: string; port: number }, string][] = [
    [{ host: '10.0.0.1', port: 4433 }, 'macula://10.0.0.1:4433'],
    [{ host: '::1', port: 1 }, 'macula://[::1]:1'],
    [{ host: 'fe80::1:2', port: 65535 }, 'macula://[fe80::1:2]:65535'],
    [{ host: 'node-1.example.org', port: 9000 }, 'macula://node-1.example.org:9000'],
    [{ host: 'localhost', port: 80 }, 'macula://localhost:80'],
  ];
  for (const [addr, uri] of addresses) {
    it(`round-trips ${uri}`, () => {
      assert.equal(formatAddressUri(addr), uri);
      assert.deepEqual(parseMaculaUri(uri), { kind: 'address', ...addr });
    });
  }

  const badAddresses: [{ host: string; port: number }, RegExp][] = [
    [{ host: '', port: 1 }, /empty/],
    [{ host: '10.0.0.1', port: 0 }, /1 to 65535/],
    [{ host: '10.0.0.1', port: 65536 }, /1 to 65535/],
    [{ host: '10.0.0.1', port: 1.5 }, /1 to 65535/],
    [{ host: '[::1]', port: 1 }, /IPv6/],
    [{ host: 'fe80::1%eth0', port: 1 }, /zone ids/],
    [{ host: '999.1.1.1', port: 1 }, /IPv4/],
    [{ host: 'a_b.example', port: 1 }, /not an IP address or host name/],
  ];
  for (const [addr, why] of badAddresses) {
    it(`refuses to format ${addr.host}:${addr.port} (${why.source})`, () => {
      assert.throws(
        () => formatAddressUri(addr),
        (e: unknown) => e instanceof InvalidUriError && e.code === 'INVALID_URI' && why.test(e.message),
      );
    });
  }

  const bad: [string, RegExp][] = [
    ['', /must start with/],
    [`MACULA://org.example.mesh/${hex}`, /must start with/],
    [`http://org.example.mesh/${hex}`, /must start with/],
    ['macula://', /expected/],
    ['macula://10.0.0.1', /expected/],
    ['macula://10.0.0.1:', /port/],
    ['macula://10.0.0.1:0', /port/],
    ['macula://10.0.0.1:080', /port/],
    ['macula://10.0.0.1:70000', /port/],
    ['macula://10.0.0.1:443x', /port/],
    ['macula://::1:443', /brackets/],
    ['macula://[::1:443', /unclosed/],
    ['macula://[::1]443', /":port"/],
    ['macula://[10.0.0.1]:443', /only for IPv6/],
    ['macula://[fe80::1%25eth0]:443', /zone ids/],
    ['macula://user@host.example:443', /host name/],
    ['macula://10.0.0.1:443/', /not a valid realm/],
    [`macula://org.example.mesh/${hex}/`, /64 lowercase hex/],
    [`macula://org.example.mesh/${hex.toUpperCase()}`, /64 lowercase hex/],
    [`macula://org.example.mesh/${hex.slice(1)}`, /64 lowercase hex/],
    [`macula://org.example.mesh/${hex}?x=1`, /64 lowercase hex/],
    [`macula://org.example.mesh/${hex}#f`, /64 lowercase hex/],
    [`macula://mesh/${hex}`, /not a valid realm/],
    [`macula://Org.example.mesh/${hex}`, /not a valid realm/],
    [`macula://org.example.mesh:443/${hex}`, /not a valid realm/],
    [`macula://org.example.mesh/${'a'.repeat(600)}`, /longer than 512/],
  ];
  for (const [uri, why] of bad) {
    it(`refuses ${JSON.stringify(uri.slice(0, 50))} (${why.source})`, () => {
      assert.throws(
        () => parseMaculaUri(uri),
        (e: unknown) => e instanceof InvalidUriError && e.code === 'INVALID_URI' && why.test(e.message),
      );
    });
  }
});
