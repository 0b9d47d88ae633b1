/** Every reflect-metadata key the library defines, namespaced so they never clash. */
export const METADATA_KEYS = {
  /** On a class: `Map<string | symbol, ReactorMethodEntry>` of its own decorated instance methods. */
  instanceMethods: 'crochet:reactor-methods:instance',
  /** On a class: the same for its own decorated static methods. */
  staticMethods: 'crochet:reactor-methods:static',
} as const;
