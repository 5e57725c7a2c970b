/** A self-signed EC certificate for 127.0.0.1 / ::1 / localhost, made once per process. */
import { generate } from 'selfsigned';

export interface TestCert {
  cert: Buffer;
  key: Buffer;
}

const cache = new Map<string, Promise<TestCert>>();

export function testCert(cn = 'localhost'): Promise<TestCert> {
  let p = cache.get(cn);
  if (p === undefined) {
    p = generate([{ name: 'commonName', value: cn }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: false },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    }).then((pems) => ({ cert: Buffer.from(pems.cert), key: Buffer.from(pems.private) }));
    cache.set(cn, p);
  }
  return p;
}
