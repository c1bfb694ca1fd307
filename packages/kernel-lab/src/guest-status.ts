/** What the guest's init reported on the status port. */
export interface GuestStatus {
  /** Guest uptime in seconds when the command started, if it got that far. */
  commandStartUptime?: number;
  exitCode?: number;
  /** Why the guest could not run the command (a module, a mount, a port). */
  setupError?: string;
}

export function parseGuestStatus(text: string): GuestStatus {
  const status: GuestStatus = {};
  for (const line of text.split('\n')) {
    const [word, ...rest] = line.trim().split(' ');
    const value = rest.join(' ');
    if (word === 'start') status.commandStartUptime = Number(value);
    else if (word === 'exit' && /^\d+$/.test(value)) status.exitCode = Number(value);
    else if (word === 'error') status.setupError = value;
  }
  return status;
}
