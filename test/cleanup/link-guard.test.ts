/**
 * Link checks cannot be turned inward: links to loopback, private,
 * link-local, CGNAT, metadata and reserved addresses (IPv4, IPv6, IPv4 inside
 * IPv6), to host names that resolve to them, and redirects to them, are
 * reported as `blocked_address` without one request reaching them. Real HTTP
 * servers on loopback count what arrives.
 */
import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockReason, internalAllowList } from '../../src/cleanup/link-guard.js';
import { LinkChecker } from '../../src/cleanup/links.js';

describe('blockReason', () => {
  it('refuses every internal and reserved range and lets public addresses through', () => {
    const refused: Record<string, string> = {
      '127.0.0.1': '本机回环地址',
      '127.8.9.10': '本机回环地址',
      '10.1.2.3': '内网地址',
      '172.16.0.1': '内网地址',
      '172.31.255.255': '内网地址',
      '192.168.1.1': '内网地址',
      '169.254.169.254': '链路本地地址',
      '100.64.0.1': '运营商级内网地址',
      '0.0.0.0': '保留或未指定地址',
      '224.0.0.1': '组播地址',
      '255.255.255.255': '保留或未指定地址',
      '::1': '本机回环地址',
      '::': '保留或未指定地址',
      'fe80::1': '链路本地地址',
      'fe80::1%eth0': '链路本地地址',
      'fd12:3456::1': '内网地址',
      'fc00::1': '内网地址',
      'ff02::1': '组播地址',
      '::ffff:127.0.0.1': '本机回环地址',
      '::ffff:7f00:1': '本机回环地址',
      '::ffff:10.0.0.1': '内网地址',
      '64:ff9b::a9fe:a9fe': '链路本地地址',
      '2002:c0a8:101::1': '内网地址',
      '2001:0:4136:e378::1': '保留或未指定地址',
    };
    for (const [address, reason] of Object.entries(refused)) expect([address, blockReason(address)]).toEqual([address, reason]);
    for (const address of ['8.8.8.8', '114.114.114.114', '172.32.0.1', '100.128.0.1', '2400:3200::1', '::ffff:8.8.8.8', '2002:808:808::1']) {
      expect([address, blockReason(address)]).toEqual([address, null]);
    }
  });

  it('reads an administrator allow-list of IPs and ranges, naming a bad entry', () => {
    const list = internalAllowList(['10.20.0.0/16', '127.0.0.2', 'fd00::/8']);
    expect(list.check('10.20.3.4', 'ipv4')).toBe(true);
    expect(list.check('10.21.0.1', 'ipv4')).toBe(false);
    expect(list.check('127.0.0.2', 'ipv4')).toBe(true);
    expect(list.check('fd00::5', 'ipv6')).toBe(true);
    expect(() => internalAllowList(['intranet.gov.cn'])).toThrow(/"intranet\.gov\.cn"/);
    expect(() => internalAllowList(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
  });
});

describe('LinkChecker against real servers', () => {
  const hits: string[] = [];
  let inner: Server;
  let outer: Server;
  let innerPort = 0;
  let outerPort = 0;
  beforeAll(async () => {
    // The internal service nobody may reach: 127.0.0.1.
    inner = createServer((req, res) => {
      hits.push(`inner ${req.method} ${req.headers.host} ${req.url}`);
      res.writeHead(200).end('secret');
    });
    await new Promise<void>((r) => inner.listen(0, '127.0.0.1', () => r()));
    innerPort = (inner.address() as { port: number }).port;
    // An allow-listed intranet host on 127.0.0.2 that redirects to the internal one.
    outer = createServer((req, res) => {
      hits.push(`outer ${req.method} ${req.url}`);
      if (req.url === '/to-literal') res.writeHead(302, { location: `http://127.0.0.1:${innerPort}/admin` }).end();
      else if (req.url === '/to-name') res.writeHead(302, { location: `http://b.intranet.test:${innerPort}/admin` }).end();
      else res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => outer.listen(0, '127.0.0.2', () => r()));
    outerPort = (outer.address() as { port: number }).port;
  });
  afterAll(() => {
    inner.closeAllConnections();
    inner.close();
    outer.closeAllConnections();
    outer.close();
  });

  /** Test DNS: a.intranet.test → 127.0.0.2 (allow-listed), b.intranet.test → 127.0.0.1, v6.test → fe80::1, mixed.test → a public and an internal address. */
  const names: Record<string, LookupAddress[]> = {
    'a.intranet.test': [{ address: '127.0.0.2', family: 4 }],
    'b.intranet.test': [{ address: '127.0.0.1', family: 4 }],
    'v6.test': [{ address: 'fe80::1', family: 6 }],
    'mixed.test': [
      { address: '8.8.8.8', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ],
  };
  const resolve = ((host: string, _opts: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) => {
    const a = names[host];
    if (a) cb(null, a);
    else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
  }) as never;

  it('reports links to internal addresses and names without a request reaching them', async () => {
    hits.length = 0;
    const checker = new LinkChecker({ timeoutMs: 2000, perHostMs: 0 });
    for (const url of [`http://127.0.0.1:${innerPort}/`, `http://localhost:${innerPort}/`, `http://[::1]:${innerPort}/`, `http://2130706433:${innerPort}/`, `http://0x7f.1:${innerPort}/`, `http://[::ffff:127.0.0.1]:${innerPort}/`]) {
      const r = await checker.check(url);
      expect([url, r.kind]).toEqual([url, 'blocked_address']);
    }
    const named = new LinkChecker({ timeoutMs: 2000, perHostMs: 0, resolve });
    expect(await named.check(`http://b.intranet.test:${innerPort}/`)).toMatchObject({ kind: 'blocked_address', address: '127.0.0.1', reason: '本机回环地址' });
    expect(await named.check('http://v6.test/')).toMatchObject({ kind: 'blocked_address', address: 'fe80::1', reason: '链路本地地址' });
    expect(await named.check('http://mixed.test/')).toMatchObject({ kind: 'blocked_address', address: '10.0.0.7', reason: '内网地址' });
    expect(await named.check('http://nowhere.test/')).toMatchObject({ kind: 'dns' });
    expect(hits).toEqual([]);
  });

  it('refuses a redirect to an internal address from an allow-listed host, literal or by name', async () => {
    hits.length = 0;
    const checker = new LinkChecker({ timeoutMs: 2000, perHostMs: 0, allowInternal: ['127.0.0.2'], resolve });
    expect(await checker.check(`http://a.intranet.test:${outerPort}/fine`)).toEqual({ kind: 'ok', status: 200 });
    expect(await checker.check(`http://a.intranet.test:${outerPort}/to-name`)).toMatchObject({ kind: 'blocked_address', address: '127.0.0.1' });
    const literal = new LinkChecker({ timeoutMs: 2000, perHostMs: 0, allowInternal: ['127.0.0.2'] });
    // 127.0.0.2 and 127.0.0.1 are different "sites" to the checker; the redirect is reported as off-site and not followed.
    expect(await literal.check(`http://127.0.0.2:${outerPort}/to-literal`)).toMatchObject({ kind: 'redirect_offsite' });
    expect(hits.filter((h) => h.startsWith('inner'))).toEqual([]);
    expect(hits.filter((h) => h.startsWith('outer')).length).toBe(3);
  });

  it('checks a link again once its result is older than the TTL', async () => {
    hits.length = 0;
    let now = 0;
    const checker = new LinkChecker({ timeoutMs: 2000, perHostMs: 0, allowInternal: ['127.0.0.2'], resultTtlMs: 3600_000 }, () => now);
    const url = `http://127.0.0.2:${outerPort}/page`;
    await checker.check(url);
    now = 3599_000;
    await checker.check(url);
    expect(hits.length).toBe(1);
    now = 3600_000;
    await checker.check(url);
    expect(hits.length).toBe(2);
  });
});
