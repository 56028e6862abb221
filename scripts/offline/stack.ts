/** The parts of a synthesized stack (`cdk.tf.json`) the offline check reads. */
export interface StackJson {
  provider?: Record<string, Array<{ alias?: string }>>;
  resource?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
}

/** The stack's AWS provider aliases; `undefined` is the default (unaliased) provider. */
export function providerAliases(stack: StackJson): (string | undefined)[] {
  return (stack.provider?.aws ?? [{}]).map((p) => p.alias);
}
