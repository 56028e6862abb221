import type { Construct } from 'constructs';
import { Layer } from '../core/addresses';
import type { Naming } from '../core/naming';

export interface IdentityLayerProps {
  readonly naming: Naming;
}

/**
 * The identity layer's place in the stack: sign-in for the environment's users (Cognito user pool,
 * identity providers, identity pool) will live here, configured by an `identity` config section and
 * handing the compute layer what a service needs to verify tokens (pool id, issuer). It holds no
 * resources until that section exists; the stack already composes it, so adding identity is this
 * folder and its config, not a change to the stack (docs/architecture.md, "Layers").
 */
export class IdentityLayer extends Layer {
  constructor(scope: Construct, id: string, props: IdentityLayerProps) {
    super(scope, id);
    void props;
  }
}
