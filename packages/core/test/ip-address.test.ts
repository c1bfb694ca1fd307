import { describe, expect, it } from 'vitest';
import { familyNetwork, formatCidr, parseCidr } from '../src/address/ip-network.js';
import { formatIp, ipv4Bytes, parseIp } from '../src/address/ip-address.js';

/*
 * What Go returns for each form (golang/go d7a0c456, Go 1.23+). Rows marked [ip_test.go] are Go's own table (src/net/ip_test.go parseIPTests,
 * parseCIDRTests); the others are derived from src/net/netip/netip.go (parseIPv4Fields: no leading zero, 0..255,
 * exactly 4 fields; parseIPv6: 1..4 hex digits a group, one "::" for at least one zero group, an IPv4 tail only in
 * the last 32 bits) and src/net/ip.go (ParseIP refuses a zone; To4; IP.String; ParseCIDR: dtoi prefix bounded by
 * BitLen, mask over As16; networkNumberAndMask for IPNet.String).
 */
interface IpRow {
  text: string;
  /** The 16 bytes ParseIP returns, in hex; null when ParseIP returns nil. */
  bytes: string | null;
  /** IP.String() of the result (dotted decimal exactly when To4 != nil). */
  string?: string;
}

const v4 = (a: number, b: number, c: number, d: number) => `00000000000000000000ffff${[a, b, c, d].map((x) => x.toString(16).padStart(2, '0')).join('')}`;

const ipRows: IpRow[] = [
  // [ip_test.go] accepted
  { text: '127.0.1.2', bytes: v4(127, 0, 1, 2), string: '127.0.1.2' },
  { text: '127.0.0.1', bytes: v4(127, 0, 0, 1), string: '127.0.0.1' },
  { text: '::ffff:127.1.2.3', bytes: v4(127, 1, 2, 3), string: '127.1.2.3' },
  { text: '::ffff:7f01:0203', bytes: v4(127, 1, 2, 3), string: '127.1.2.3' },
  { text: '0:0:0:0:0000:ffff:127.1.2.3', bytes: v4(127, 1, 2, 3), string: '127.1.2.3' },
  { text: '0:0:0:0::ffff:127.1.2.3', bytes: v4(127, 1, 2, 3), string: '127.1.2.3' },
  { text: '2001:4860:0:2001::68', bytes: '20014860000020010000000000000068', string: '2001:4860:0:2001::68' },
  { text: '2001:4860:0000:2001:0000:0000:0000:0068', bytes: '20014860000020010000000000000068', string: '2001:4860:0:2001::68' },
  // [ip_test.go] refused
  { text: '-0.0.0.0', bytes: null },
  { text: '0.-1.0.0', bytes: null },
  { text: '0.0.-2.0', bytes: null },
  { text: '0.0.0.-3', bytes: null },
  { text: '127.0.0.256', bytes: null },
  { text: 'abc', bytes: null },
  { text: '123:', bytes: null },
  { text: 'fe80::1%lo0', bytes: null },
  { text: 'fe80::1%911', bytes: null },
  { text: '', bytes: null },
  { text: '0:0:0:0:000000:ffff:127.1.2.3', bytes: null },
  { text: '0:0:0:0:00000:ffff:127.1.2.3', bytes: null },
  { text: 'a1:a2:a3:a4::b1:b2:b3:b4', bytes: null },
  { text: '127.001.002.003', bytes: null },
  { text: '::ffff:127.001.002.003', bytes: null },
  { text: '123.000.000.000', bytes: null },
  { text: '1.2..4', bytes: null },
  { text: '0123.0.0.1', bytes: null },
  // derived: IPv4
  { text: '0.0.0.0', bytes: v4(0, 0, 0, 0), string: '0.0.0.0' },
  { text: '255.255.255.255', bytes: v4(255, 255, 255, 255), string: '255.255.255.255' },
  { text: '1.2.3.0', bytes: v4(1, 2, 3, 0), string: '1.2.3.0' },
  { text: '010.0.0.1', bytes: null },
  { text: '1.2.3.00', bytes: null },
  { text: '256.0.0.0', bytes: null },
  { text: '1.2.3', bytes: null },
  { text: '1.2.3.4.5', bytes: null },
  { text: '1.2.3.4.', bytes: null },
  { text: '.1.2.3.4', bytes: null },
  { text: '0x7f.0.0.1', bytes: null },
  { text: '1.2.3.4%eth0', bytes: null },
  { text: ' 1.2.3.4', bytes: null },
  { text: '1.2.3.4 ', bytes: null },
  { text: '１.2.3.4', bytes: null },
  { text: '1.2.3.4::', bytes: null },
  { text: '%eth0', bytes: null },
  // derived: IPv6
  { text: '::', bytes: '00000000000000000000000000000000', string: '::' },
  { text: '::1', bytes: '00000000000000000000000000000001', string: '::1' },
  { text: '2001:DB8::1', bytes: '20010db8000000000000000000000001', string: '2001:db8::1' },
  { text: '1:2:3:4:5:6:7:8', bytes: '00010002000300040005000600070008', string: '1:2:3:4:5:6:7:8' },
  { text: '1:2:3:4:5:6:7::', bytes: '00010002000300040005000600070000', string: '1:2:3:4:5:6:7:0' },
  { text: '::2:3:4:5:6:7:8', bytes: '00000002000300040005000600070008', string: '0:2:3:4:5:6:7:8' },
  { text: '1:0:0:2::3', bytes: '00010000000000020000000000000003', string: '1:0:0:2::3' },
  { text: '1:0:0:2:0:0:3:4', bytes: '00010000000000020000000000030004', string: '1::2:0:0:3:4' },
  { text: '1:2:3:4:5:6:7', bytes: null },
  { text: '1:2:3:4:5:6:7:8:9', bytes: null },
  { text: '1:2:3:4:5:6:7:8::', bytes: null },
  { text: '1::2::3', bytes: null },
  { text: ':::', bytes: null },
  { text: ':1::2', bytes: null },
  { text: '1::2:', bytes: null },
  { text: '12345::1', bytes: null },
  { text: 'g::1', bytes: null },
  { text: 'fe80::1%eth0', bytes: null },
  { text: 'fe80::1%', bytes: null },
  // derived: embedded IPv4; v4-mapped is IPv4 (To4 works), IPv4-compatible ::a.b.c.d is IPv6
  { text: '::1.2.3.4', bytes: '00000000000000000000000001020304', string: '::102:304' },
  { text: '::ffff:1.2.3.4', bytes: v4(1, 2, 3, 4), string: '1.2.3.4' },
  { text: '::FFFF:1.2.3.4', bytes: v4(1, 2, 3, 4), string: '1.2.3.4' },
  { text: '0:0:0:0:0:ffff:1.2.3.4', bytes: v4(1, 2, 3, 4), string: '1.2.3.4' },
  { text: '::ffff:0:0', bytes: v4(0, 0, 0, 0), string: '0.0.0.0' },
  { text: '::ffff:255.255.255.255', bytes: v4(255, 255, 255, 255), string: '255.255.255.255' },
  { text: '::fffe:1.2.3.4', bytes: '00000000000000000000fffe01020304', string: '::fffe:102:304' },
  { text: '1:2:3:4:5:6:1.2.3.4', bytes: '00010002000300040005000601020304', string: '1:2:3:4:5:6:102:304' },
  { text: '::ffff:0x1.2.3.4', bytes: null },
  { text: '::ffff:010.0.0.1', bytes: null },
  { text: '::ffff:1.2.3.04', bytes: null },
  { text: '::ffff:1.2.3', bytes: null },
  { text: '::ffff:1.2.3.4:5', bytes: null },
  { text: '::1.2.3.4%eth0', bytes: null },
  { text: '1:2:3:4:5:6:7:1.2.3.4', bytes: null },
  { text: '::1:2:3:4:5:6:1.2.3.4', bytes: null },
  { text: '1:1.2.3.4::', bytes: null },
  { text: '::ab1.2.3.4', bytes: null },
];

interface CidrRow {
  text: string;
  /** IPNet.String() of ParseCIDR's network; null when ParseCIDR fails. */
  network: string | null;
  /** 4 when the network's IP.To4() != nil (vArmor's Ipv4Match), else 6. */
  family?: 4 | 6;
}

const cidrRows: CidrRow[] = [
  // [ip_test.go]
  { text: '135.104.0.0/32', network: '135.104.0.0/32', family: 4 },
  { text: '0.0.0.0/24', network: '0.0.0.0/24', family: 4 },
  { text: '135.104.0.0/24', network: '135.104.0.0/24', family: 4 },
  { text: '135.104.0.1/32', network: '135.104.0.1/32', family: 4 },
  { text: '135.104.0.1/24', network: '135.104.0.0/24', family: 4 },
  { text: '::1/128', network: '::1/128', family: 6 },
  { text: 'abcd:2345::/127', network: 'abcd:2345::/127', family: 6 },
  { text: 'abcd:2345::/65', network: 'abcd:2345::/65', family: 6 },
  { text: 'abcd:2345::/64', network: 'abcd:2345::/64', family: 6 },
  { text: 'abcd:2345::/33', network: 'abcd:2345::/33', family: 6 },
  { text: 'abcd:2344::/31', network: 'abcd:2344::/31', family: 6 },
  { text: 'abcd:2345::/24', network: 'abcd:2300::/24', family: 6 },
  { text: '2001:DB8::/48', network: '2001:db8::/48', family: 6 },
  { text: '2001:DB8::1/48', network: '2001:db8::/48', family: 6 },
  { text: '192.168.1.1/255.255.255.0', network: null },
  { text: '192.168.1.1/35', network: null },
  { text: '2001:db8::1/-1', network: null },
  { text: '2001:db8::1/-0', network: null },
  { text: '-0.0.0.0/32', network: null },
  { text: '0.-1.0.0/32', network: null },
  { text: '0.0.-2.0/32', network: null },
  { text: '0.0.0.-3/32', network: null },
  { text: '0.0.0.0/-0', network: null },
  { text: '127.000.000.001/32', network: null },
  { text: '', network: null },
  // derived: dtoi reads leading zeros; the bound is BitLen
  { text: '10.0.0.0/08', network: '10.0.0.0/8', family: 4 },
  { text: '10.1.2.3/0', network: '0.0.0.0/0', family: 4 },
  { text: '2001:db8::/0', network: '::/0', family: 6 },
  { text: '1.2.3.4/33', network: null },
  { text: '::1/129', network: null },
  { text: '1.2.3.4', network: null },
  { text: '1.2.3.4/', network: null },
  { text: '1.2.3.4/ 8', network: null },
  { text: '1.2.3.4/+8', network: null },
  { text: '1.2.3.4/8/8', network: null },
  { text: 'fe80::1%eth0/64', network: null },
  { text: '::ffff:0x1.2.3.4/120', network: null },
  // derived: a v4-mapped address takes 0..128; the network is IPv4 only while it stays v4-mapped (prefix >= 96)
  { text: '::ffff:1.2.3.4/120', network: '1.2.3.0/24', family: 4 },
  { text: '::ffff:1.2.3.4/128', network: '1.2.3.4/32', family: 4 },
  { text: '::ffff:1.2.3.4/96', network: '0.0.0.0/0', family: 4 },
  { text: '::ffff:1.2.3.4/95', network: '::fffe:0:0/95', family: 6 },
  { text: '::ffff:1.2.3.4/80', network: '::/80', family: 6 },
  { text: '::ffff:1.2.3.4/129', network: null },
  { text: '::ffff:1.2.3.4/33', network: '::/33', family: 6 },
  // derived: IPv4-compatible stays IPv6
  { text: '::1.2.3.4/120', network: '::102:300/120', family: 6 },
];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe("parseIp is Go's net.ParseIP", () => {
  it('has at least 60 forms in its table', () => {
    expect(ipRows.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ipRows)('$text', (row) => {
    const parsed = parseIp(row.text);
    if (row.bytes === null) {
      expect(parsed).toHaveProperty('problem');
      expect('problem' in parsed && parsed.problem.length).toBeGreaterThan(10);
      return;
    }
    if ('problem' in parsed) throw new Error(`refused: ${parsed.problem}`);
    expect(hex(parsed.bytes)).toBe(row.bytes);
    expect(formatIp(parsed.bytes)).toBe(row.string);
    const mapped = row.bytes.startsWith('00000000000000000000ffff');
    expect(ipv4Bytes(parsed.bytes) !== undefined).toBe(mapped);
    expect(parsed.bitLength).toBe(row.text.includes(':') ? 128 : 32);
  });
});

describe("parseCidr is Go's net.ParseCIDR", () => {
  it.each(cidrRows)('$text', (row) => {
    const parsed = parseCidr(row.text);
    if (row.network === null) {
      expect(parsed).toHaveProperty('problem');
      return;
    }
    if ('problem' in parsed) throw new Error(`refused: ${parsed.problem}`);
    expect(formatCidr(parsed)).toBe(row.network);
    expect(familyNetwork(parsed).family).toBe(row.family);
    // ParseCIDR's first result is the address as written, unmasked.
    expect(hex(parsed.address.bytes)).toBe(hex((parseIp(row.text.split('/')[0] ?? '') as { bytes: Uint8Array }).bytes));
  });
});

describe('reasons', () => {
  it.each([
    ['010.0.0.1', /leading zero/],
    ['::ffff:0x1.2.3.4', /embedded IPv4.*not a decimal number/],
    ['fe80::1%eth0', /zone/],
    ['12345::1', /more than 4 hex digits/],
    ['1::2::3', /more than one "::"/],
    ['1.2.3', /4 fields/],
  ])('%s', (text, reason) => {
    const parsed = parseIp(text);
    expect('problem' in parsed && parsed.problem).toMatch(reason);
  });
});
