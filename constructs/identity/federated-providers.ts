import { CognitoIdentityProvider } from '@cdktf/provider-aws/lib/cognito-identity-provider';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import type { IdentityConfig } from '../../environments/schema';

type Providers = IdentityConfig['providers'];

/**
 * Per provider: Cognito's provider type, how its scopes are joined, the claims mapped to the pool. The
 * scopes asked for come from config (their defaults in the schema: `identity.providers`).
 */
const PROVIDERS = {
  google: {
    type: 'Google',
    separator: ' ',
    attributes: {
      email: 'email',
      email_verified: 'email_verified',
      name: 'name',
      given_name: 'given_name',
      family_name: 'family_name',
      username: 'sub',
    },
  },
  facebook: {
    type: 'Facebook',
    separator: ',',
    attributes: { email: 'email', name: 'name', username: 'id' },
  },
} as const;

export interface FederatedProvidersProps {
  readonly userPoolId: string;
  readonly providers: Providers;
}

/**
 * Google and Facebook sign-in, each only when configured. The client secret is a SENSITIVE Terraform
 * variable named by config (`clientSecretVariable`), set by the pipeline as `TF_VAR_<name>`: it never
 * appears in code, config or the synthesized JSON (only `var.<name>` does). It does reach Terraform
 * state, which is why state access is per environment (docs/architecture.md, "Identity").
 */
export class FederatedProviders extends Construct {
  /** Provider names for the app client's `supported_identity_providers`. */
  readonly names: string[] = [];
  readonly providers: CognitoIdentityProvider[] = [];

  constructor(scope: Construct, id: string, props: FederatedProvidersProps) {
    super(scope, id);
    for (const key of ['google', 'facebook'] as const) {
      const config = props.providers[key];
      if (!config) continue;
      const spec = PROVIDERS[key];
      const secret = new TerraformVariable(this, `${key}-client-secret`, {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `${spec.type} OAuth client secret of the user pool (set TF_VAR_${config.clientSecretVariable})`,
        // The pipeline passes an unset GitHub secret as an empty string: fail the plan by name.
        validation: [
          {
            condition: `\${length(var.${config.clientSecretVariable}) > 0}`,
            errorMessage: `TF_VAR_${config.clientSecretVariable} is empty: set the plan environment's secret of that name.`,
          },
        ],
      });
      secret.overrideLogicalId(config.clientSecretVariable);
      const provider = new CognitoIdentityProvider(this, spec.type, {
        userPoolId: props.userPoolId,
        providerName: spec.type,
        providerType: spec.type,
        providerDetails: {
          client_id: config.clientId,
          client_secret: secret.stringValue,
          authorize_scopes: config.scopes.join(spec.separator),
        },
        attributeMapping: { ...spec.attributes },
      });
      this.providers.push(provider);
      this.names.push(spec.type);
    }
  }
}
