import type { ViolationEvent } from '@armorkit/core/audit';
import type { BehaviorObservation } from '@armorkit/core/model';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** A complain-mode ring-buffer event (eventDetail's shape, reference §3.11) → what the workload did (reference §5.3). */
export function bpfObservations(event: ViolationEvent): BehaviorObservation[] {
  const detail = event.event;
  switch (detail.operation) {
    case 'Capability': {
      const name = text(detail.capability);
      return name && name !== 'unknown' ? [{ kind: 'capability', name }] : [];
    }
    case 'Bprm': {
      const path = text(detail.path);
      return path ? [{ kind: 'execution', path }] : [];
    }
    case 'File': {
      const path = text(detail.path);
      const permissions = names(detail.permissions).filter((name) => name !== 'exec');
      return path && permissions.length > 0 ? [{ kind: 'file', path, permissions, owner: false }] : [];
    }
    case 'Network': {
      if (detail.type === 'connect') {
        const address = detail.address as { ip?: unknown; port?: unknown } | undefined;
        const ip = text(address?.ip);
        return ip && typeof address?.port === 'number' ? [{ kind: 'egress', ip, port: address.port }] : [];
      }
      const socket = detail.socket as { domain?: unknown; type?: unknown; protocol?: unknown } | undefined;
      const domain = text(socket?.domain);
      const type = text(socket?.type);
      return domain && type ? [{ kind: 'socket', domain, type, protocol: text(socket?.protocol) ?? '0' }] : [];
    }
    case 'Ptrace': {
      const permission = text(detail.permission);
      return permission ? [{ kind: 'ptrace', permissions: [permission], external: detail.external === true }] : [];
    }
    case 'Mount': {
      const path = text(detail.path) ?? '';
      const type = text(detail.type);
      const flags = names(detail.flags);
      return [type === undefined ? { kind: 'mount', path, flags } : { kind: 'mount', path, type, flags }];
    }
    default:
      return [{ kind: 'unhandled', what: String(detail.operation) }];
  }
}
