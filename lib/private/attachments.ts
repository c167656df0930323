import { IConstruct } from 'constructs';
import { ValidationError } from './validation-error';

/**
 * The parts that attach to another part, one at most each: a firewall to an API (a stage is
 * associated with one web ACL), an abuse blocker to a firewall (two would overwrite each other's
 * block lists). The attachment is a non-enumerable property under a `Symbol.for` key on the host
 * construct, so it works across copies of the library and keeps the public interfaces free of it.
 */
export enum Attachment {
  FIREWALL = 'firewall',
  ABUSE_BLOCKER = 'abuse-blocker',
}

const KEYS: Record<Attachment, symbol> = {
  [Attachment.FIREWALL]: Symbol.for('secure-api-gateway.attached.firewall'),
  [Attachment.ABUSE_BLOCKER]: Symbol.for('secure-api-gateway.attached.abuse-blocker'),
};

/** What is attached to `host`, if anything. */
export function attached<T extends IConstruct>(host: IConstruct, kind: Attachment): T | undefined {
  return (host as unknown as Record<symbol, T | undefined>)[KEYS[kind]];
}

/**
 * Throws the `ValidationError` `message` (raised at `part`) when `host` already has a part of this
 * kind. Called first in the part's constructor, so a second part fails before it builds anything.
 */
export function refuseSecond(host: IConstruct, kind: Attachment, part: IConstruct, message: string): void {
  if (attached(host, kind) !== undefined) {
    throw new ValidationError(message, part);
  }
}

/** Records `part` on `host`. Called last in the part's constructor, once the part is valid. */
export function attach(host: IConstruct, kind: Attachment, part: IConstruct): void {
  Object.defineProperty(host, KEYS[kind], { value: part, enumerable: false, configurable: false, writable: false });
}
