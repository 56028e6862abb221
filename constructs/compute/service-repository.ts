import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';

export interface ServiceRepositoryProps {
  /** Repository name, e.g. `<project>-<env>-<service>`. */
  readonly name: string;
  readonly kmsKeyArn: string;
  /** Whether a pushed tag may be overwritten. Default in the schema: `ecr.imageTagMutability`. */
  readonly imageTagMutability: 'IMMUTABLE' | 'MUTABLE';
  /** Release tags (`v*`) kept. Default: 10 (seed 001). */
  readonly keepReleaseImages?: number;
  /** Build tags (`sha-*`) kept. Default: 30. */
  readonly keepBuildImages?: number;
  /** Days before untagged images expire. Default: 7. */
  readonly untaggedExpiryDays?: number;
}

/** The ECR lifecycle policy document: keep the last N releases and builds, expire untagged images. */
export function lifecyclePolicy(keepReleases: number, keepBuilds: number, untaggedDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: untaggedDays,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keepReleases} release images (v*)`,
        selection: {
          tagStatus: 'tagged',
          tagPrefixList: ['v'],
          countType: 'imageCountMoreThan',
          countNumber: keepReleases,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 3,
        description: `Keep the last ${keepBuilds} build images (sha-*)`,
        selection: {
          tagStatus: 'tagged',
          tagPrefixList: ['sha-'],
          countType: 'imageCountMoreThan',
          countNumber: keepBuilds,
        },
        action: { type: 'expire' },
      },
    ],
  });
}

/** One service's image repository: scan on push, KMS encryption, lifecycle rules. */
export class ServiceRepository extends Construct {
  readonly repository: EcrRepository;
  readonly arn: string;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ServiceRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepository(this, 'Repository', {
      name: props.name,
      imageTagMutability: props.imageTagMutability,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: props.kmsKeyArn }],
      forceDelete: false,
    });
    new EcrLifecyclePolicy(this, 'Lifecycle', {
      repository: this.repository.name,
      policy: lifecyclePolicy(
        props.keepReleaseImages ?? 10,
        props.keepBuildImages ?? 30,
        props.untaggedExpiryDays ?? 7,
      ),
    });
    this.arn = this.repository.arn;
    this.url = this.repository.repositoryUrl;
  }
}
