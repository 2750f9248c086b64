import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { fakeLookup } from './fixtures.ts';
import { checkUrl, hostAllowed, NetworkRefusal, nonPublicReason, pinnedFetch } from './network.ts';

describe('the sandbox network policy', () => {
  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('lets %s through (public)', (ip) => {
    expect(nonPublicReason(ip)).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b:1::1', 'NAT64'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['3fff::1', 'documentation'],
    ['100::1', 'reserved'],
    ['fe80::1%eth0', 'not a valid IP'],
    ['0x7f.0.0.1', 'not a valid IP'],
    ['2130706433', 'not a valid IP'],
    ['0177.0.0.1', 'not a valid IP'],
    ['1::2::3', 'not a valid IP'],
    ['localhost', 'not a valid IP'],
  ])('refuses %s (%s)', (ip, why) => {
    expect(nonPublicReason(ip)).toContain(why);
  });

  it('matches allowed hosts exactly, or any subdomain of a wildcard', () => {
    const allowed = ['api.example.com', '*.cdn.example.org'];
    expect(hostAllowed('api.example.com', allowed)).toBe(true);
    expect(hostAllowed('API.Example.COM.', allowed)).toBe(true);
    expect(hostAllowed('x.api.example.com', allowed)).toBe(false);
    expect(hostAllowed('example.com', allowed)).toBe(false);
    expect(hostAllowed('a.cdn.example.org', allowed)).toBe(true);
    expect(hostAllowed('a.b.cdn.example.org', allowed)).toBe(true);
    expect(hostAllowed('cdn.example.org', allowed)).toBe(false);
    expect(hostAllowed('evilcdn.example.org', allowed)).toBe(false);
    expect(hostAllowed('a.cdn.example.org.evil.net', allowed)).toBe(false);
    expect(hostAllowed('api.example.com', [])).toBe(false);
  });

  it('checks the scheme, the host, and every address of the name', async () => {
    const lookup = fakeLookup({ 'api.example.com': ['93.184.216.34'], 'a.cdn.example.org': ['151.101.1.1'] });
    const allowed = ['api.example.com', '*.cdn.example.org'];
    const ok = await checkUrl('https://api.example.com/x?y=1', allowed, lookup);
    expect(ok.url.href).toBe('https://api.example.com/x?y=1');
    expect(ok.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(checkUrl('https://A.CDN.example.org/', allowed, lookup)).resolves.toMatchObject({});
    await expect(checkUrl('http://api.example.com/', allowed, lookup)).rejects.toThrow(NetworkRefusal);
    await expect(checkUrl('file:///etc/passwd', allowed, lookup)).rejects.toThrow(NetworkRefusal);
    await expect(checkUrl('https://api.example.com.evil.net/', allowed, lookup)).rejects.toThrow(
      'The agent tried to reach api.example.com.evil.net',
    );
    await expect(checkUrl('https://api.example.com@evil.net/', allowed, lookup)).rejects.toThrow(
      'The agent tried to reach evil.net',
    );
    await expect(checkUrl('https://user:pw@api.example.com/', allowed, lookup)).rejects.toThrow(TypeError);
    await expect(checkUrl('https://b.cdn.example.org/', allowed, lookup)).rejects.toThrow(
      'could not resolve b.cdn.example.org (ENOTFOUND)',
    );
    await expect(checkUrl('https://api.example.com/', allowed, async () => [])).rejects.toThrow(
      'has no address',
    );
    await expect(checkUrl('not a url', allowed, lookup)).rejects.toThrow(TypeError);
  });

  it('gives up a lookup that never answers, after a timeout or on the signal', async () => {
    const never = () => new Promise<never>(() => {});
    await expect(
      checkUrl('https://api.example.com/', ['api.example.com'], never, { lookupTimeoutMs: 20 }),
    ).rejects.toThrow('ctx.fetch: could not resolve api.example.com (no answer in 20 ms).');
    const controller = new AbortController();
    const checking = checkUrl('https://api.example.com/', ['api.example.com'], never, {
      signal: controller.signal,
      lookupTimeoutMs: 60_000,
    });
    controller.abort();
    await expect(checking).rejects.toThrow('ctx.fetch: the request to api.example.com was stopped.');
  }, 2000);

  it('connects only to the checked address, whatever the name would resolve to', async () => {
    const connections: string[] = [];
    const server = net.createServer((socket) => {
      connections.push(socket.remoteAddress ?? '');
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      // `api.example.com` does not resolve here; the pinned address is used, and TLS then fails.
      await expect(
        pinnedFetch({
          url: new URL(`https://api.example.com:${port}/`),
          method: 'GET',
          headers: [],
          body: null,
          signal: AbortSignal.timeout(5000),
          addresses: [{ address: '127.0.0.1', family: 4 }],
        }),
      ).rejects.toThrow();
      expect(connections).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
