import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { OwnedSecurityGroup } from '../core/security-group';
import type { NetworkProps } from './network';
import { dynamodbEndpointPolicy, s3EndpointPolicy } from './endpoint-policies';
import type { RoutingContext } from './routing';

// The Network's VPC endpoints, created in the Network's own scope with their historical ids.

/**
 * Gateway endpoints (free): S3 and DynamoDB traffic stays on the AWS network, and reaches only this
 * account's buckets and tables (and the AWS-owned buckets image pulls and SSM need).
 */
export function createGatewayEndpoints(
  ctx: RoutingContext,
  account: { readonly accountId: string; readonly region: string },
  routeTableIds: string[],
): Record<'s3' | 'dynamodb', VpcEndpoint> {
  const { scope, naming, vpc } = ctx;
  const { accountId, region } = account;
  return {
    s3: new VpcEndpoint(scope, 'S3Endpoint', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds,
      policy: s3EndpointPolicy(accountId, region),
      tags: { Name: naming.name('s3') },
    }),
    dynamodb: new VpcEndpoint(scope, 'DynamodbEndpoint', {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.dynamodb`,
      vpcEndpointType: 'Gateway',
      routeTableIds,
      policy: dynamodbEndpointPolicy(accountId, region),
      tags: { Name: naming.name('dynamodb') },
    }),
  };
}

/** Interface endpoints in the private subnets, admitting HTTPS from the VPC. */
export function createInterfaceEndpoints(
  ctx: RoutingContext,
  props: NetworkProps,
  privateSubnets: Subnet[],
): { securityGroup?: OwnedSecurityGroup; endpoints: Record<string, VpcEndpoint> } {
  const { scope, naming, vpc } = ctx;
  const services = props.interfaceEndpoints;
  const endpoints: Record<string, VpcEndpoint> = {};
  if (services.length === 0) return { endpoints };
  const sg = new OwnedSecurityGroup(scope, 'EndpointSecurityGroup', {
    vpcId: vpc.id,
    name: naming.name('endpoints'),
    description: 'Interface VPC endpoints: HTTPS from the VPC',
  });
  sg.allowFromCidrs([props.vpcCidr], 443, 'HTTPS from the VPC to interface endpoints');
  for (const service of services) {
    endpoints[service] = new VpcEndpoint(scope, `Endpoint-${service.replace(/[^a-z0-9]/g, '-')}`, {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${props.region}.${service}`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: privateSubnets.map((s) => s.id),
      securityGroupIds: [sg.id],
      tags: { Name: naming.name(service) },
    });
  }
  return { securityGroup: sg, endpoints };
}
