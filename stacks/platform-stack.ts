import { S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Naming } from '../constructs/naming';
import { standardTags } from '../constructs/tagging';
import type { EnvironmentConfig } from '../environments/schema';
import { configureAws } from './aws';

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
}

/** `platform-<env>`: everything of one environment, in state at `<project>/<env>/terraform.tfstate`. */
export class PlatformStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const config = (this.config = props.config);
    this.naming = new Naming({
      project: config.project,
      environment: config.name,
      accountId: config.accountId,
      region: config.region,
    });
    configureAws(this, {
      region: config.region,
      accountId: config.accountId,
      tags: standardTags({ project: config.project, environment: config.name, extra: config.tags }),
    });
    const backend = new S3Backend(this, {
      bucket: config.state.bucket,
      key: `${config.project}/${config.name}/terraform.tfstate`,
      region: config.state.region,
      encrypt: true,
      kmsKeyId: config.state.kmsKeyAlias,
      dynamodbTable: config.state.lockTable,
    });
    // cdktf 0.21's S3Backend has no use_lockfile (Terraform >= 1.10): written as an override.
    if (config.state.useLockfile) backend.addOverride('use_lockfile', true);
  }
}
