/**
 * Link checks that cannot be turned inward. A published post may link to any
 * address, and the server checks its links from inside the bureau's network:
 * without a guard, a link to 127.0.0.1, 10.x or 169.254.169.254 makes the
 * server send a request there (server-side request forgery). Here every
 * connection goes through a DNS lookup that refuses loopback, private,
 * link-local, carrier-grade NAT, unique-local, multicast, reserved and
 * unspecified addresses — IPv4, IPv6 and IPv4 embedded in IPv6 — unless an
 * administrator allow-lists them; address literals are checked before any
 * connection. The check runs at connect time on the addresses actually
 * used, for every hop of a redirect, so a host that resolves to an internal
 * address (or rebinds to one) is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/** Why an address is refused, in Chinese for the cleanup task; null when it may be reached. */
export type BlockReason = '本机回环地址' | '内网地址' | '链路本地地址' | '运营商级内网地址' | '组播地址' | '保留或未指定地址';

const RANGES: Array<[string, number, 'ipv4' | 'ipv6', BlockReason]> = [
  ['0.0.0.0', 8, 'ipv4', '保留或未指定地址'],
  ['10.0.0.0', 8, 'ipv4', '内网地址'],
  ['100.64.0.0', 10, 'ipv4', '运营商级内网地址'],
  ['127.0.0.0', 8, 'ipv4', '本机回环地址'],
  // Includes 169.254.169.254, the cloud metadata service.
  ['169.254.0.0', 16, 'ipv4', '链路本地地址'],
  ['172.16.0.0', 12, 'ipv4', '内网地址'],
  ['192.0.0.0', 24, 'ipv4', '保留或未指定地址'],
  ['192.168.0.0', 16, 'ipv4', '内网地址'],
  ['198.18.0.0', 15, 'ipv4', '保留或未指定地址'],
  ['224.0.0.0', 4, 'ipv4', '组播地址'],
  ['240.0.0.0', 4, 'ipv4', '保留或未指定地址'],
  ['::', 128, 'ipv6', '保留或未指定地址'],
  ['::1', 128, 'ipv6', '本机回环地址'],
  ['fc00::', 7, 'ipv6', '内网地址'],
  ['fe80::', 10, 'ipv6', '链路本地地址'],
  ['fec0::', 10, 'ipv6', '内网地址'],
  ['ff00::', 8, 'ipv6', '组播地址'],
  // Teredo tunnels reach arbitrary IPv4 hosts; the embedded address cannot be trusted.
  ['2001::', 32, 'ipv6', '保留或未指定地址'],
  ['100::', 64, 'ipv6', '保留或未指定地址'],
];

const lists = new Map<BlockReason, BlockList>();
for (const [net, prefix, family, reason] of RANGES) {
  let list = lists.get(reason);
  if (!list) lists.set(reason, (list = new BlockList()));
  list.addSubnet(net, prefix, family);
}

/** Expands an IPv6 address to its eight 16-bit groups. */
function groups6(address: string): number[] | null {
  let a = address.toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  // A dotted IPv4 tail (::ffff:127.0.0.1) as two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const q = dotted[2]!.split('.').map(Number);
    a = `${dotted[1]}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) return null;
  const fill = 8 - h.length - t.length;
  if (fill < 0) return null;
  return [...h, ...Array<string>(tail === undefined ? 0 : fill).fill('0'), ...t].map((x) => Number.parseInt(x, 16));
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
function embeddedIPv4(address: string): string | null {
  const g = groups6(address);
  if (!g || g.some((x) => Number.isNaN(x))) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0) && !(g[5] === 0 && g[6] === 0)) return v4(g[6]!, g[7]!);
  // 64:ff9b::a.b.c.d (NAT64)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!);
  // 2002:aabb:ccdd::/48 (6to4)
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
}

/** Why `address` (an IP literal) must not be reached, or null. */
export function blockReason(address: string): BlockReason | null {
  const family = isIP(address);
  if (family === 0) return '保留或未指定地址';
  if (family === 6) {
    const inner = embeddedIPv4(address);
    if (inner) return blockReason(inner);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const bare = family === 6 ? address.replace(/%.*$/, '') : address;
  for (const [reason, list] of lists) if (list.check(bare, type)) return reason;
  return null;
}

/**
 * Addresses an administrator lets link checks reach although they are
 * internal (an intranet mirror of the bureau's site): IPs and CIDR ranges,
 * IPv4 or IPv6 (LASTGATE_LINK_CHECK_ALLOW_INTERNAL). Throws on a malformed
 * entry, naming it.
 */
export function internalAllowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const e = raw.trim();
    if (!e) continue;
    const [net, bits] = e.split('/') as [string, string | undefined];
    const family = isIP(net);
    if (family === 0) throw new Error(`not an IP address or CIDR range: "${e}"`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(net, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`bad prefix length in "${e}"`);
      list.addSubnet(net, prefix, type);
    }
  }
  return list;
}

/** A refused address, as the error of a lookup or request. */
export class BlockedAddressError extends Error {
  readonly code = 'EADDRBLOCKED';
  constructor(
    readonly address: string,
    readonly reason: BlockReason,
  ) {
    super(`refused to connect to ${address}: ${reason}`);
  }
}

function allowed(address: string, allow: BlockList | null): BlockReason | null {
  const reason = blockReason(address);
  if (!reason) return null;
  const bare = address.replace(/%.*$/, '');
  return allow?.check(bare, isIP(bare) === 4 ? 'ipv4' : 'ipv6') ? null : reason;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request / net.connect that resolves every address of
 * the host and fails with BlockedAddressError when any of them is refused
 * (a host with one public and one internal address is refused: the
 * connection could go to either).
 */
export function guardedLookup(allow: BlockList | null, resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    resolve(hostname, { all: true, ...(options.family ? { family: options.family } : {}) }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const reason = allowed(a.address, allow);
        if (reason) return callback(new BlockedAddressError(a.address, reason) as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Status and Location of one request, body discarded. */
export interface HopResult {
  status: number;
  location: string | null;
}

/**
 * One HEAD or GET through the guard: an address literal is checked first
 * (no connection at all when refused), a host name at connect time.
 */
export function guardedRequest(url: URL, method: 'HEAD' | 'GET', timeoutMs: number, allow: BlockList | null, resolve?: typeof dnsLookup): Promise<HopResult> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = allowed(host, allow);
    if (reason) return Promise.reject(new BlockedAddressError(host, reason));
  }
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, reject) => {
    const req = mod.request(
      url,
      { method, agent: false, lookup: guardedLookup(allow, resolve) as never, signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'lastgate-link-check/1' } },
      (res) => {
        resolvePromise({ status: res.statusCode ?? 0, location: typeof res.headers.location === 'string' ? res.headers.location : null });
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end();
  });
}
