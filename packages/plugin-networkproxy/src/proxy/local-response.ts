// The proxy's own answers on an HTTP connection: a short plain-text body, and whether the connection stays open.

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

const BODIES: Record<number, string> = {
  403: 'armorkit: access denied\n',
  502: 'armorkit: the destination could not be reached\n',
  504: 'armorkit: the destination did not answer in time\n',
};

export function localResponse(status: number, keepAlive: boolean): Buffer {
  const body = BODIES[status] ?? `armorkit: ${(REASONS[status] ?? 'error').toLowerCase()}\n`;
  return Buffer.from(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n${body}`,
    'latin1',
  );
}
