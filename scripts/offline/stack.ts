/** The parts of a synthesized stack (`cdk.tf.json`) the offline check reads. */
export interface StackJson {
  provider?: Record<string, Array<{ alias?: string }>>;
  resource?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
  variable?: Record<string, { default?: unknown; sensitive?: boolean; ephemeral?: boolean }>;
}

/** The stack's AWS provider aliases; `undefined` is the default (unaliased) provider. */
export function providerAliases(stack: StackJson): (string | undefined)[] {
  return (stack.provider?.aws ?? [{}]).map((p) => p.alias);
}

/**
 * Dummy values for the stack's variables without a default (the identity providers' client secrets)
 * and its ephemeral ones (the database master password, written only through write-only arguments):
 * Terraform needs a value to plan (and `terraform test` an ephemeral one in both phases of an apply
 * run); the real ones come from the pipeline's secret store. Letters, digits, `-` and `_`: they
 * pass the variables' own validation.
 */
export function offlineVariableValues(stack: StackJson): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stack.variable ?? {})
      .filter(([, v]) => v.default === undefined || v.ephemeral === true)
      .map(([name]) => [name, `offline-dummy-${name}`]),
  );
}
