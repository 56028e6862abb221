/**
 * Terraform addresses are a contract (docs/architecture.md, "Addresses"): cdktf derives a resource's
 * address from its construct path, so grouping constructs into layers, or moving one, would rename
 * its resources and a real apply would destroy and recreate them. Two tools keep addresses stable:
 *
 * - a `Layer` is transparent: its id is not part of its children's addresses, so a construct keeps
 *   its address whichever layer composes it;
 * - `stack.keepAddress(path, legacyPath)` gives a construct that moved the path it had before
 *   (called before the construct is created: cdktf fixes an address when it is first referenced).
 *
 * `StableAddressStack` applies both and refuses two elements that would share an address (possible
 * once layers are transparent: two layers creating children with the same id). Every stack of the
 * app is one: they are also self-contained (see `prepareStack`).
 */
import { TerraformElement, TerraformStack } from 'cdktf';
// cdktf's own id scheme, so every path that is not remapped keeps exactly the address it had.
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { Construct, type IConstruct, type Node } from 'constructs';

const LAYER = Symbol.for('platform.layer');

/** A construct that groups a layer's constructs without adding its id to their addresses. */
export class Layer extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, LAYER, { value: true });
  }

  static isLayer(x: unknown): boolean {
    return typeof x === 'object' && x !== null && LAYER in x;
  }
}

/**
 * The path components cdktf hashes into an address: layers left out, moved constructs remapped.
 * `moved` maps a stack-relative construct path (`LogArchive`) to the path it had (`LoadBalancer`).
 */
export function addressComponents(
  node: Node,
  stack: IConstruct,
  moved: ReadonlyMap<string, readonly string[]> = new Map(),
): string[] {
  const scopes = node.scopes;
  let components: string[] = [];
  // Runs for every element of a stack: the path below the stack grows by one id per scope.
  let path = '';
  for (const scope of scopes.slice(scopes.indexOf(stack) + 1)) {
    path = path ? `${path}/${scope.node.id}` : scope.node.id;
    const legacy = moved.size > 0 ? moved.get(path) : undefined;
    if (legacy) components = [...legacy];
    else if (!Layer.isLayer(scope)) components.push(scope.node.id);
  }
  return components;
}

/** A stack whose addresses ignore layers and honour `keepAddress`. */
export class StableAddressStack extends TerraformStack {
  private readonly allocated = new Map<string, string>();
  private readonly moved = new Map<string, readonly string[]>();
  private readonly synthesisChecks: Array<(tf: Record<string, unknown>) => void> = [];

  /**
   * Runs `check` over the stack's Terraform JSON whenever the stack is synthesized (`app.synth()`,
   * `Testing.synth`), before it is written; a check throws to stop the synthesis (the guardrails,
   * core/guardrails.ts). It must not change the JSON.
   */
  addSynthesisCheck(check: (tf: Record<string, unknown>) => void): void {
    this.synthesisChecks.push(check);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own signature
  toTerraform(): any {
    const tf = super.toTerraform();
    for (const check of this.synthesisChecks) check(tf);
    return tf;
  }

  /** The construct at `path` (stack-relative, `/`-separated) keeps the addresses it had at `legacyPath`. */
  keepAddress(path: string, legacyPath: readonly string[]): void {
    const existing = path
      .split('/')
      .reduce<IConstruct | undefined>((at, id) => at?.node.tryFindChild(id), this);
    if (existing) throw new Error(`keepAddress(${path}): call it before the construct is created`);
    this.moved.set(path, legacyPath);
  }

  /**
   * cdktf resolves every element once more before synthesis ("preparing") only to find references
   * to other stacks and wire them through outputs and remote state. The platform's stacks never
   * reference each other (each has its own state; values cross by config and naming:
   * docs/architecture.md, "Stacks"), and that pass was ~15% of synthesis. A reference across stacks
   * would synthesize as a dangling `${...}` that the offline `terraform plan` of the stack rejects.
   */
  prepareStack(): void {
    this.ensureBackendExists();
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const el = TerraformElement.isTerraformElement(element) ? element : undefined;
    const node = el ? el.node : (element as Node);
    const components = addressComponents(node, el ? el.cdktfStack : this, this.moved);
    const id = components.length > 0 ? makeUniqueId(components) : '';
    // Same class and id means the same Terraform address (type.id): refuse the second one.
    const key = `${el ? el.constructor.name : 'node'}.${id}`;
    const owner = this.allocated.get(key);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`${node.path} and ${owner} would share the Terraform address ${id}: rename one`);
    }
    this.allocated.set(key, node.path);
    return id;
  }
}
