import { addressKey } from '../../src/http/client-key.js';

describe('addressKey', () => {
  it('counts an IPv4 address by itself, also in its IPv4-mapped IPv6 spellings', () => {
    expect(addressKey('203.0.113.7', 64)).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7', 64)).toBe('203.0.113.7');
    expect(addressKey('::FFFF:cb00:7107', 64)).toBe('203.0.113.7');
    expect(addressKey('0:0:0:0:0:ffff:203.0.113.7', 64)).toBe('203.0.113.7');
  });

  it('counts IPv6 by the configured prefix, whatever the spelling', () => {
    const key = addressKey('2001:db8:1:2::1', 64);
    expect(key).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', 64)).toBe(key);
    expect(addressKey('2001:db8:1:2:a:b:c:d%eth0', 64)).toBe(key);
    expect(addressKey('2001:db8:1:3::1', 64)).not.toBe(key);
    expect(addressKey('2001:db8:1:ff00::1', 56)).toBe('2001:db8:1:ff00:0:0:0:0/56');
    expect(addressKey('2001:db8:1:ffff::1', 56)).toBe('2001:db8:1:ff00:0:0:0:0/56');
    expect(addressKey('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1/128');
    expect(addressKey('::1', 64)).toBe('0:0:0:0:0:0:0:0/64');
  });

  it('leaves anything that is not an address as it is', () => {
    expect(addressKey('unknown', 64)).toBe('unknown');
  });
});
