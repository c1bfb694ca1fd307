import { describe, expect, it } from 'vitest';
import { createDecider } from '../src/decision/decider.js';
describe('smoke', () => {
  it('decides', () => {
    const d = createDecider({ defaultAction: 'deny', l4Rules: [{ index: 0, pointer: '/r/0', action: 'allow', audit: false, networks: ['10.0.0.0/8'], ports: [[443, 443]] }], httpRules: [{ index: 0, pointer: '/h/0', action: 'allow', audit: true, hosts: ['*.example.com'] }] });
    expect(d.decide({ layer: 'tcp', destination: { address: '10.1.2.3', port: 443, family: 4 } })).toMatchObject({ action: 'allow' });
    expect(d.decide({ layer: 'tcp', destination: { address: '10.1.2.3', port: 80, family: 4 } })).toMatchObject({ action: 'deny', audit: true });
    expect(d.decide({ layer: 'tls', serverName: 'A.example.com.', destination: { address: '1.2.3.4', port: 443, family: 4 } })).toEqual({ action: 'allow', audit: true, rule: { kind: 'http', index: 0, pointer: '/h/0' }, allowedByName: 'a.example.com' });
    expect(d.decide({ layer: 'http', host: 'x.example.com:8080', method: 'GET', path: '/', tls: false, destination: { address: '::ffff:10.0.0.1', port: 443, family: 6 } })).toEqual({ action: 'allow', audit: true, rule: { kind: 'http', index: 0, pointer: '/h/0' } });
  });
});
