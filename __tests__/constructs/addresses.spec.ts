import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Layer, StableAddressStack, addressComponents } from '../../constructs/core/addresses';
import { synth } from '../support/fixtures';

/** A stack of `kind` with a provider (the resources need one to synthesize). */
function stackOf<T extends TerraformStack>(kind: new (scope: Construct, id: string) => T): T {
  const stack = new kind(Testing.app(), 'addresses');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return stack;
}

/** `Group/Logs` under `scope`: a log group inside a plain construct. */
function group(scope: Construct, id = 'Group'): Construct {
  const g = new Construct(scope, id);
  new CloudwatchLogGroup(g, 'Logs', { name: `/test/${id}` });
  return g;
}

const logGroupIds = (stack: TerraformStack) =>
  synth(stack)
    .resources('aws_cloudwatch_log_group')
    .map(([id]) => id);

describe('Layer', () => {
  it('is transparent: a resource under a layer gets the address it has without the layer', () => {
    const plain = stackOf(TerraformStack);
    group(plain);
    const layered = stackOf(StableAddressStack);
    group(new Layer(layered, 'Data'));
    const [id] = logGroupIds(plain);
    expect(id).toMatch(/^Group_Logs_[A-Z0-9]+$/);
    expect(logGroupIds(layered)).toEqual([id]);
  });

  it('is transparent when nested, and in references to the resource', () => {
    const plain = stackOf(TerraformStack);
    const a = new CloudwatchLogGroup(group(plain), 'Other', { name: '/other' });
    new S3Bucket(plain, 'Bucket', { bucket: a.name });
    const layered = stackOf(StableAddressStack);
    const b = new CloudwatchLogGroup(group(new Layer(new Layer(layered, 'Outer'), 'Inner')), 'Other', {
      name: '/other',
    });
    new S3Bucket(layered, 'Bucket', { bucket: b.name });
    expect(logGroupIds(layered).sort()).toEqual(logGroupIds(plain).sort());
    expect(synth(layered).only('aws_s3_bucket').bucket).toBe(synth(plain).only('aws_s3_bucket').bucket);
  });

  it('is recognized by isLayer, and plain constructs are not', () => {
    const stack = stackOf(StableAddressStack);
    expect(Layer.isLayer(new Layer(stack, 'L'))).toBe(true);
    expect(Layer.isLayer(new Construct(stack, 'C'))).toBe(false);
    expect(Layer.isLayer(undefined)).toBe(false);
  });

  it('leaves layers out of the address components', () => {
    const stack = stackOf(StableAddressStack);
    const inner = new Construct(new Layer(stack, 'Edge'), 'LoadBalancer');
    expect(addressComponents(inner.node, stack)).toEqual(['LoadBalancer']);
    expect(addressComponents(inner.node, stack, new Map([['Edge/LoadBalancer', ['Alb']]]))).toEqual(['Alb']);
  });
});

describe('keepAddress', () => {
  it('gives a moved construct the addresses of its legacy path', () => {
    const legacy = stackOf(TerraformStack);
    group(legacy, 'LoadBalancer');
    const moved = stackOf(StableAddressStack);
    moved.keepAddress('LogArchive', ['LoadBalancer']);
    group(moved, 'LogArchive');
    const [id] = logGroupIds(legacy);
    expect(id).toMatch(/^LoadBalancer_Logs_[A-Z0-9]+$/);
    expect(logGroupIds(moved)).toEqual([id]);
  });

  it('remaps a construct inside a layer by its stack-relative path', () => {
    const legacy = stackOf(TerraformStack);
    group(new Construct(legacy, 'Old'), 'Group');
    const moved = stackOf(StableAddressStack);
    moved.keepAddress('Edge/New', ['Old']);
    group(new Construct(new Layer(moved, 'Edge'), 'New'), 'Group');
    expect(logGroupIds(moved)).toEqual(logGroupIds(legacy));
  });

  it('leaves every other path at its usual address', () => {
    const plain = stackOf(TerraformStack);
    group(plain, 'Other');
    const moved = stackOf(StableAddressStack);
    moved.keepAddress('LogArchive', ['LoadBalancer']);
    group(moved, 'Other');
    expect(logGroupIds(moved)).toEqual(logGroupIds(plain));
  });

  it('throws when called after the construct exists', () => {
    const stack = stackOf(StableAddressStack);
    group(stack, 'LogArchive');
    expect(() => stack.keepAddress('LogArchive', ['LoadBalancer'])).toThrow(
      'keepAddress(LogArchive): call it before the construct is created',
    );
  });
});

describe('StableAddressStack', () => {
  it('refuses two elements that would share an address, naming both', () => {
    const stack = stackOf(StableAddressStack);
    group(new Layer(stack, 'Data'));
    group(new Layer(stack, 'Compute'));
    expect(() => synth(stack)).toThrow(
      /addresses\/Compute\/Group\/Logs and addresses\/Data\/Group\/Logs would share the Terraform address Group_Logs_[A-Z0-9]+: rename one/,
    );
  });

  it('refuses a moved construct that lands on an existing address', () => {
    const stack = stackOf(StableAddressStack);
    group(stack, 'LoadBalancer');
    stack.keepAddress('LogArchive', ['LoadBalancer']);
    group(stack, 'LogArchive');
    expect(() => synth(stack)).toThrow(/would share the Terraform address LoadBalancer_Logs_/);
  });

  it('allows the same id for resources of different types', () => {
    const stack = stackOf(StableAddressStack);
    new CloudwatchLogGroup(new Layer(stack, 'A'), 'Same', { name: '/same' });
    new S3Bucket(new Layer(stack, 'B'), 'Same', { bucket: 'same' });
    const out = synth(stack);
    expect(out.resources('aws_cloudwatch_log_group').map(([id]) => id)).toEqual(
      out.resources('aws_s3_bucket').map(([id]) => id),
    );
  });
});
