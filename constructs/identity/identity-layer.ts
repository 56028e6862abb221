import type { Construct } from 'constructs';
import { threatProtectionOn, type EnvironmentConfig, type ServiceConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import type { ServiceBindings } from '../core/service-bindings';
import { EmailValidation } from './email-validation';
import { IdentityPool } from './identity-pool';
import { ADMINS_GROUP, UserPool } from './user-pool';

export interface IdentityLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly config: EnvironmentConfig;
  readonly logs: LogSettings;
  /** The data key (the e-mail trigger's dead-letter queue). */
  readonly dataKmsKeyArn: string;
}

/**
 * Sign-in for the environment's users, from the optional `identity` config section: the Cognito user
 * pool with its domain, groups, federated providers and SPA client (user-pool.ts), the e-mail
 * validation trigger (email-validation.ts) and the identity pool (identity-pool.ts). Without the
 * section it holds nothing. `bindingsFor` is the one seam to workloads: a service that `uses.identity`
 * gets the pool id, issuer and client id to verify tokens (docs/architecture.md, "Identity").
 */
export class IdentityLayer extends Layer {
  readonly userPool?: UserPool;
  readonly emailValidation?: EmailValidation;
  readonly identityPool?: IdentityPool;

  constructor(scope: Construct, id: string, props: IdentityLayerProps) {
    super(scope, id);
    const { naming, config } = props;
    const identity = config.identity;
    if (!identity) return;
    this.emailValidation = new EmailValidation(this, 'EmailValidation', {
      naming,
      accountId: props.accountId,
      identity,
      logs: props.logs,
      dataKmsKeyArn: props.dataKmsKeyArn,
    });
    this.userPool = new UserPool(this, 'UserPool', {
      naming,
      identity,
      threatProtection: threatProtectionOn(identity, config.tier),
      postConfirmationArn: this.emailValidation.fn.function.arn,
    });
    this.emailValidation.allowInvokeFrom(this.userPool.pool.arn);
    this.identityPool = new IdentityPool(this, 'IdentityPool', {
      naming,
      userPoolProviderName: this.userPool.pool.endpoint,
      clientId: this.userPool.client.id,
      userPoolArn: this.userPool.pool.arn,
      grants: identity.authenticatedGrants,
    });
  }

  /** What a service that `uses.identity` receives: COGNITO_* variables (plain ids, no secrets). */
  bindingsFor(uses: ServiceConfig['uses']): Partial<ServiceBindings> {
    const pool = this.userPool;
    if (!uses.identity || !pool) return {};
    return {
      environment: {
        COGNITO_USER_POOL_ID: pool.pool.id,
        COGNITO_ISSUER: pool.issuer,
        COGNITO_CLIENT_ID: pool.client.id,
        COGNITO_ADMIN_GROUP: ADMINS_GROUP,
      },
    };
  }
}
