/** Sensitive Terraform variables (federated sign-in secrets) in the generated plan jobs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateWorkflows } from '../../scripts/workflows';
import { envInput, registryOf, synthPlatform } from '../support/fixtures';

const onDisk = (name: string) =>
  readFileSync(join(__dirname, '..', '..', '.github', 'workflows', name), 'utf8');

describe('secret Terraform variables (federated sign-in secrets)', () => {
  const dev = envInput('dev');
  dev.identity.providers = {
    google: { clientId: 'id.apps.googleusercontent.com', clientSecretVariable: 'google_client_secret' },
  };
  const files = generateWorkflows(registryOf([dev]));
  const fromSecret = { TF_VAR_google_client_secret: '${{ secrets.TF_VAR_google_client_secret }}' };

  it('reach every plan job from the plan environment, and no apply job (the saved plan holds them)', () => {
    const deploy = parse(files['_deploy.yml']);
    expect(deploy.jobs.plan.env).toMatchObject(fromSecret);
    expect(deploy.jobs.apply.env).not.toHaveProperty('TF_VAR_google_client_secret');
    for (const name of ['pr-diff.yml', 'drift.yml']) {
      const [job] = Object.values<any>(parse(files[name]).jobs);
      expect({ name, env: job.env }).toMatchObject({ name, env: fromSecret });
    }
  });

  it('are absent while no environment configures a provider', () => {
    expect(onDisk('_deploy.yml')).not.toMatch(/TF_VAR_/);
  });

  it('fail the plan by name when the secret is unset (the variable validates its length)', () => {
    const variable = synthPlatform(dev).json.variable.google_client_secret;
    expect(variable.sensitive).toBe(true);
    expect(variable.validation[0].condition).toBe('${length(var.google_client_secret) > 0}');
  });
});
