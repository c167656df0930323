/**
 * A stand-in for an instance of `className` made by another copy of the library: an object of no
 * class of this copy, carrying the brand every copy puts on its instances.
 */
export function foreignInstance(className: string, members: object = {}): object {
  const instance = { ...members };
  Object.defineProperty(instance, Symbol.for(`secure-api-gateway.${className}`), { value: true });
  return instance;
}
