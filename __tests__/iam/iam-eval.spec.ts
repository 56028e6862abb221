import { decide } from '../support/iam-eval';

// The helper itself: a policy that allows, a deny that wins, a boundary that caps.
const principalArn = 'arn:aws:iam::111111111111:role/tester';
const allowGet = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };

describe('decide (iam-simulate)', () => {
  it('allows, denies implicitly and explicitly, and applies a boundary', async () => {
    const base = { principalArn, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    expect(await decide({ ...base, identity: [allowGet] })).toBe('Allowed');
    expect(await decide({ ...base, identity: [] })).toBe('ImplicitlyDenied');
    const deny = { Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    expect(await decide({ ...base, identity: [allowGet, deny] })).toBe('ExplicitlyDenied');
    const boundary = { Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] };
    expect(await decide({ ...base, identity: [allowGet], boundary })).toBe('ImplicitlyDenied');
  });

  it('evaluates conditions against the request context', async () => {
    const cond = {
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iam:CreateRole',
          Resource: 'arn:aws:iam::111111111111:role/x-*',
          Condition: { StringEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::111111111111:policy/b' } },
        },
      ],
    };
    const base = {
      principalArn,
      identity: [cond],
      action: 'iam:CreateRole',
      resource: 'arn:aws:iam::111111111111:role/x-a',
    };
    expect(
      await decide({ ...base, context: { 'iam:PermissionsBoundary': 'arn:aws:iam::111111111111:policy/b' } }),
    ).toBe('Allowed');
    expect(await decide(base)).toBe('ImplicitlyDenied');
  });
});
