import type { Construct } from 'constructs';
import {
  signUpFirewallOf,
  threatProtectionOn,
  type EnvironmentConfig,
  type ServiceConfig,
} from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import type { ServiceBindings } from '../core/service-bindings';
import { EmailValidation } from './email-validation';
import { IdentityPool } from './identity-pool';
import { SesSender } from './ses-sender';
import { UserPoolFirewall } from './user-pool-firewall';
import { ADMINS_GROUP, UserPool } from './user-pool';

export interface IdentityLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly config: EnvironmentConfig;
  readonly logs: LogSettings;
  /** The data key (the e-mail trigger's dead-letter queue). */
  readonly dataKmsKeyArn: string;
  /**
   * The environment's hosted zone (the stack passes the edge layer's): the SES domain identity's
   * records go there when the platform creates it (`identity.email` without `sourceArn`).
   */
  readonly hostedZoneId?: string;
}

/**
 * Sign-in for the environment's users, from the optional `identity` config section: the Cognito user
 * pool with its domain, groups, federated providers and SPA client (user-pool.ts), the e-mail
 * validation trigger (email-validation.ts), the identity pool (identity-pool.ts), the SES sender
 * (ses-sender.ts, with `email.sender: 'ses'`) and the user pool's web ACL (user-pool-firewall.ts, on
 * in production). Without the section it holds nothing. `bindingsFor` is the one seam to workloads:
 * a service that `uses.identity` gets the pool id, issuer and client id to verify tokens
 * (docs/architecture.md, "Identity").
 */
export class IdentityLayer extends Layer {
  readonly userPool?: UserPool;
  readonly emailValidation?: EmailValidation;
  readonly identityPool?: IdentityPool;
  readonly sesSender?: SesSender;
  readonly firewall?: UserPoolFirewall;

  constructor(scope: Construct, id: string, props: IdentityLayerProps) {
    super(scope, id);
    const { naming, config } = props;
    const identity = config.identity;
    if (!identity) return;
    const email = identity.email;
    if (email.sender === 'ses')
      this.sesSender = new SesSender(this, 'SesSender', {
        naming,
        accountId: props.accountId,
        email,
        hostedZoneId: props.hostedZoneId,
      });
    this.emailValidation = new EmailValidation(this, 'EmailValidation', {
      naming,
      accountId: props.accountId,
      identity,
      logs: props.logs,
      dataKmsKeyArn: props.dataKmsKeyArn,
      sesIdentityArn: this.sesSender?.identityArnLiteral,
    });
    this.userPool = new UserPool(this, 'UserPool', {
      naming,
      identity,
      threatProtection: threatProtectionOn(identity, config.tier),
      postConfirmationArn: this.emailValidation.fn.function.arn,
      ses: this.sesSender && {
        identityArn: this.sesSender.identityArn,
        configurationSetName: this.sesSender.configurationSet.configurationSetName,
      },
    });
    const limits = signUpFirewallOf(identity, config.tier);
    if (limits)
      this.firewall = new UserPoolFirewall(this, 'UserPoolFirewall', {
        naming,
        logs: props.logs,
        limits,
        userPoolArn: this.userPool.pool.arn,
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
