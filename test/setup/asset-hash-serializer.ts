/**
 * Snapshot serializer that masks asset hashes (64 hex characters, alone or inside names such as
 * `asset.<hash>` or `<hash>.zip`), so a snapshot changes when the template does, not when a
 * handler's bundle does.
 */
const HASH = /[0-9a-f]{64}/;
const HASH_GLOBAL = /[0-9a-f]{64}/g;

const serializer: import('pretty-format').Plugin = {
  test: (value: unknown) => typeof value === 'string' && HASH.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(HASH_GLOBAL, '[ASSET_HASH]')),
};

module.exports = serializer;
