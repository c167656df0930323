/**
 * Tests run offline: any attempt to open a network connection to a host other than this machine
 * fails the test at once, so a test can never reach AWS by accident.
 */
import * as net from 'node:net';

const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const originalConnect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string | undefined;
  const host = typeof first === 'object' && first !== null ? first.host ?? (first.path ? 'localhost' : undefined) : typeof args[1] === 'string' ? args[1] : undefined;
  if (host !== undefined && !LOCAL.test(host)) {
    throw new Error(`Network access to '${host}' is disabled in tests`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
