/** The gateway endpoint policies, evaluated with iam-simulate: no way out to another account's data. */
import { dynamodbEndpointPolicy, s3EndpointPolicy } from '../../constructs/network/endpoint-policies';
import { decide } from '../support/iam-eval-workload';

const ACCOUNT = '111111111111';
const OTHER = '999999999999';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/webplat-prod-backend-task`;
const through = (endpointPolicy: string, action: string, resource: string, owner: string) =>
  decide({
    principal: ROLE,
    action,
    resource,
    resourceAccount: owner,
    identity: [{ Effect: 'Allow', Action: action, Resource: '*' }],
    // Same-account requests are allowed by IAM alone; another account's bucket would also need its
    // own bucket policy: give it one that admits us, so only the endpoint decides.
    resourcePolicy:
      owner === ACCOUNT
        ? undefined
        : {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: action, Resource: resource }],
          },
    endpointPolicy,
    context: { 'aws:ResourceAccount': owner },
  });

describe('S3 gateway endpoint policy', () => {
  const p = s3EndpointPolicy(ACCOUNT, 'us-east-1');
  it("passes this account's buckets and the ECR layer bucket", async () => {
    expect(await through(p, 's3:PutObject', 'arn:aws:s3:::webplat-prod-media-111111111111/a', ACCOUNT)).toBe(
      'Allowed',
    );
    expect(
      await through(p, 's3:GetObject', 'arn:aws:s3:::prod-us-east-1-starport-layer-bucket/l', OTHER),
    ).toBe('Allowed');
  });
  it("stops writes to another account's bucket, even one that admits the caller", async () => {
    // Without the endpoint policy the request would pass: the endpoint is what stops it.
    expect(await through('', 's3:PutObject', 'arn:aws:s3:::attacker-bucket/loot', OTHER)).toBe('Allowed');
    expect(await through(p, 's3:PutObject', 'arn:aws:s3:::attacker-bucket/loot', OTHER)).toBe(
      'ImplicitlyDenied',
    );
    expect(
      await through(p, 's3:PutObject', 'arn:aws:s3:::prod-us-east-1-starport-layer-bucket/x', OTHER),
    ).toBe('ImplicitlyDenied');
  });
});

describe('DynamoDB gateway endpoint policy', () => {
  const p = dynamodbEndpointPolicy(ACCOUNT, 'us-east-1');
  it("passes this account's tables only", async () => {
    const table = (acct: string) => `arn:aws:dynamodb:us-east-1:${acct}:table/sessions`;
    expect(await through(p, 'dynamodb:PutItem', table(ACCOUNT), ACCOUNT)).toBe('Allowed');
    expect(await through(p, 'dynamodb:PutItem', table(OTHER), OTHER)).toBe('ImplicitlyDenied');
  });
});
