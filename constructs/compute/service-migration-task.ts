import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import type { ServiceConfig } from '../../environments/schema';
import { escalationDenials } from '../core/contract-requests';
import { policyDocument, serviceTrustPolicy } from '../core/iam';
import type { Naming } from '../core/naming';
import { declareContract, serviceTrustRequests } from '../core/role-contract';
import type { ServiceBindings } from '../core/service-bindings';

export interface ServiceMigrationTaskProps {
  readonly naming: Naming;
  /** The service (config key) whose migrations this runs. */
  readonly name: string;
  readonly service: ServiceConfig & { readonly migrations: NonNullable<ServiceConfig['migrations']> };
  readonly accountId: string;
  readonly region: string;
  /** The first revision's image: the deploy workflow registers each release's (`migrations.image` or the service's). */
  readonly image: string;
  /** The service's execution role: it pulls the service's image and writes its log group. */
  readonly executionRoleArn: string;
  /** The service's log group: the migration's output goes there, stream prefix `migrate`. */
  readonly logGroupName: string;
  /** The data layer's migration bindings: the migration user's grant, environment and requests. */
  readonly bindings: ServiceBindings;
}

/**
 * A service's schema migrations (`services.<name>.migrations`, docs/architecture.md, "Database
 * identities"): the task family `<prefix>-<service>-migrate` that app-image's `migrate` job registers
 * a revision of (the release's image and the configured command) and runs before the rollout, with
 * the service's security group. Its task role connects as the service's migration user only (DDL on
 * the service's own schema, by IAM token): it holds no master credential and reads no secret.
 */
export class ServiceMigrationTask extends Construct {
  readonly family: string;
  readonly taskRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;

  constructor(scope: Construct, id: string, props: ServiceMigrationTaskProps) {
    super(scope, id);
    const { naming, name, service, bindings } = props;
    this.family = naming.name(`${name}-migrate`);
    this.taskRole = new IamRole(this, 'TaskRole', {
      name: naming.short(`${name}-migrate`, 64),
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'TaskPolicy', {
      role: this.taskRole.id,
      name: 'migrate',
      policy: policyDocument(bindings.statements),
    });
    declareContract(this.taskRole, {
      purpose: `${name}'s schema migrations: its own schema's migration user, by IAM token, nothing else`,
      allow: bindings.requests.allow,
      deny: [
        ...bindings.requests.deny,
        ...escalationDenials(naming),
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${props.accountId}:role/${naming.name('db-migrate-execution')}`,
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
          because: 'the platform bootstrap (master credential) is not the migrations’',
        },
      ],
      trust: serviceTrustRequests(
        'ecs-tasks.amazonaws.com',
        props.accountId,
        `the ${this.family} task definition (task_role_arn) in this account`,
        [{ principal: 'pods.eks.amazonaws.com', because: 'no pod assumes an ECS role' }],
      ),
    });
    this.taskDefinition = new EcsTaskDefinition(this, 'TaskDefinition', {
      family: this.family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: String(service.cpu),
      memory: String(service.memory),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: service.architecture },
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: this.taskRole.arn,
      // The service's scratch paths (its /tmp): migration tools write there too, the root is read-only.
      volume: service.writablePaths.map((_, i) => ({ name: `scratch-${i}` })),
      containerDefinitions: JSON.stringify([
        {
          name: 'migrate',
          image: service.migrations.image ?? props.image,
          essential: true,
          readonlyRootFilesystem: service.readonlyRootFilesystem,
          mountPoints: service.writablePaths.map((containerPath, i) => ({
            sourceVolume: `scratch-${i}`,
            containerPath,
            readOnly: false,
          })),
          command: service.migrations.command,
          environment: Object.entries(bindings.environment)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, value]) => ({ name: k, value })),
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': props.logGroupName,
              'awslogs-region': props.region,
              'awslogs-stream-prefix': 'migrate',
            },
          },
        },
      ]),
    });
  }
}
