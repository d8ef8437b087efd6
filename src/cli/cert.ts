import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRealmCa, issueNodeCertificate } from '../security/index.js';
import { makeOutput } from './output.js';

function writeSecret(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** `macula cert ca --realm R --out DIR`: a realm CA (ca.crt, ca.key). */
export async function certCaCommand(flags: { realm: string; out: string; json?: boolean }): Promise<void> {
  const out = makeOutput(flags.json ?? false);
  const ca = await createRealmCa(flags.realm);
  mkdirSync(flags.out, { recursive: true, mode: 0o700 });
  writeFileSync(join(flags.out, 'ca.crt'), ca.cert, { mode: 0o644 });
  writeSecret(join(flags.out, 'ca.key'), ca.key);
  out.result({ realm: flags.realm, cert: join(flags.out, 'ca.crt'), key: join(flags.out, 'ca.key') }, () =>
    [
      `Realm CA for ${flags.realm} written:`,
      `  ${join(flags.out, 'ca.crt')}`,
      `  ${join(flags.out, 'ca.key')} (mode 600)`,
    ].join('\n'),
  );
}

/** `macula cert issue --realm R --ca DIR --out DIR`: a node certificate signed by the realm CA. */
export async function certIssueCommand(flags: {
  realm: string;
  ca: string;
  out: string;
  json?: boolean;
}): Promise<void> {
  const out = makeOutput(flags.json ?? false);
  const ca = {
    cert: readFileSync(join(flags.ca, 'ca.crt'), 'utf8'),
    key: readFileSync(join(flags.ca, 'ca.key'), 'utf8'),
  };
  const node = await issueNodeCertificate(ca, flags.realm);
  mkdirSync(flags.out, { recursive: true, mode: 0o700 });
  writeFileSync(join(flags.out, 'node.crt'), node.cert, { mode: 0o644 });
  writeSecret(join(flags.out, 'node.key'), node.key);
  const nodeId = node.nodeId.toString();
  out.result(
    { realm: flags.realm, nodeId, cert: join(flags.out, 'node.crt'), key: join(flags.out, 'node.key') },
    () =>
      [
        `Node certificate for ${flags.realm} written (node id ${nodeId}):`,
        `  ${join(flags.out, 'node.crt')}`,
        `  ${join(flags.out, 'node.key')} (mode 600)`,
      ].join('\n'),
  );
}
