import { CognitoIdentityPool } from '@cdktf/provider-aws/lib/cognito-identity-pool';
import { CognitoIdentityPoolRolesAttachment } from '@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import type { IdentityConfig } from '../../environments/schema';
import { escalationDenials } from '../core/contract-requests';
import { policyDocument } from '../core/iam';
import type { Naming } from '../core/naming';
import { declareContract, type ContractRequest } from '../core/role-contract';

export interface IdentityPoolProps {
  readonly naming: Naming;
  /** The user pool's provider name (`cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly userPoolProviderName: string;
  readonly clientId: string;
  /** The user pool's ARN: signed-in users must never administer it. */
  readonly userPoolArn: string;
  /**
   * What signed-in users may do with their AWS credentials (none: a role that can do nothing). Default
   * in the schema: `identity.authenticatedGrants`.
   */
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
    this.declareContract(props, aud, amr);
  }

  private declareContract(props: IdentityPoolProps, aud: string, amr: string): void {
    const principal = 'cognito-identity.amazonaws.com';
    const action = 'sts:AssumeRoleWithWebIdentity';
    const signedIn = { [aud]: this.pool.id, [amr]: ['authenticated'] };
    const admin = (a: string) => ({
      action: a,
      resource: props.userPoolArn,
      because: 'a signed-in user never administers the user pool (admins group, attributes)',
    });
    declareContract(this.authenticatedRole, {
      purpose: "Signed-in users' AWS credentials: exactly identity.authenticatedGrants (none by default)",
      allow: configuredRequests(props.grants),
      deny: [
        admin('cognito-idp:AdminAddUserToGroup'),
        admin('cognito-idp:AdminUpdateUserAttributes'),
        ...escalationDenials(props.naming),
      ],
      trust: {
        allow: [
          {
            principal,
            action,
            context: signedIn,
            because: "the identity pool's authenticated identities (GetCredentialsForIdentity)",
          },
        ],
        deny: [
          {
            principal,
            action,
            context: { [aud]: this.pool.id, [amr]: ['unauthenticated'] },
            because: 'no guest identities',
          },
          {
            principal,
            action,
            context: { [aud]: 'us-east-1:00000000-0000-0000-0000-000000000000', [amr]: ['authenticated'] },
            because: "another identity pool's users",
          },
        ],
      },
    });
  }
}

/**
 * What config lets signed-in users do, as requests (`*` in a resource stands for any name there;
 * an action pattern is sent as one of the actions it names only when written out in config).
 */
function configuredRequests(grants: IdentityConfig['authenticatedGrants']): ContractRequest[] {
  return grants.flatMap((g, i) =>
    g.actions
      .filter((action) => !action.includes('*'))
      .flatMap((action) =>
        g.resources.map((resource) => ({
          action,
          resource: resource.replace(/\*/g, 'example'),
          because: `identity.authenticatedGrants[${i}] in config: what the web app calls with the user's credentials`,
        })),
      ),
  );
}
