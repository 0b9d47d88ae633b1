/**
 * Every metadata key the library defines, namespaced so they never clash: reflect-metadata keys
 * for legacy decorators, and the same names as properties of a class's decorator metadata object
 * (`Class[Symbol.metadata]`) for standard decorators.
 */
export const METADATA_KEYS = {
  /** On a class: `Map<string | symbol, ReactorMethodEntry>` of its own decorated instance methods. */
  instanceMethods: 'crochet:reactor-methods:instance',
  /** On a class: the same for its own decorated static methods. */
  staticMethods: 'crochet:reactor-methods:static',
} as const;
