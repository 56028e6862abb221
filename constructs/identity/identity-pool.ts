import { CognitoIdentityPool } from '@cdktf/provider-aws/lib/cognito-identity-pool';
import { CognitoIdentityPoolRolesAttachment } from '@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import type { IdentityConfig } from '../../environments/schema';
import { policyDocument } from '../core/iam';
import type { Naming } from '../core/naming';

export interface IdentityPoolProps {
  readonly naming: Naming;
  /** The user pool's provider name (`cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly userPoolProviderName: string;
  readonly clientId: string;
  /** What signed-in users may do with their AWS credentials. Default (config): nothing. */
  readonly grants: IdentityConfig['authenticatedGrants'];
}

/**
 * AWS credentials for signed-in users (seed 000's identity pool): no unauthenticated (guest)
 * identities, no classic flow, and one authenticated role that trusts only this pool's authenticated
 * identities and grants exactly the statements config lists (none: a role that can do nothing).
 */
export class IdentityPool extends Construct {
  readonly pool: CognitoIdentityPool;
  readonly authenticatedRole: IamRole;

  constructor(scope: Construct, id: string, props: IdentityPoolProps) {
    super(scope, id);
    const { naming } = props;
    this.pool = new CognitoIdentityPool(this, 'Pool', {
      identityPoolName: naming.name('identities').replace(/-/g, '_'),
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        { providerName: props.userPoolProviderName, clientId: props.clientId, serverSideTokenCheck: true },
      ],
    });
    const aud = 'cognito-identity.amazonaws.com:aud';
    const amr = 'cognito-identity.amazonaws.com:amr';
    this.authenticatedRole = new IamRole(this, 'AuthenticatedRole', {
      name: naming.short('identity-authenticated', 64),
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [aud]: this.pool.id },
            'ForAnyValue:StringLike': { [amr]: 'authenticated' },
          },
        },
      ]),
    });
    if (props.grants.length > 0) {
      new IamRolePolicy(this, 'AuthenticatedPolicy', {
        role: this.authenticatedRole.id,
        name: 'configured-grants',
        policy: policyDocument(
          props.grants.map((g, i) => ({
            Sid: `Grant${i}`,
            Effect: 'Allow',
            Action: g.actions,
            Resource: g.resources,
          })),
        ),
      });
    }
    new CognitoIdentityPoolRolesAttachment(this, 'Roles', {
      identityPoolId: this.pool.id,
      roles: { authenticated: this.authenticatedRole.arn },
    });
  }
}
