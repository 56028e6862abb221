/**
 * The `AfterAllowTestTraffic` hook of a blue/green deployment (docs/architecture.md, "Blue/green
 * deployments"; probe.ts holds the logic): CodeDeploy invokes it once the replacement task set is
 * behind the test listener; it probes the test listener at the load balancer's private addresses
 * and reports `Succeeded` or `Failed` (CodeDeploy rolls back) with
 * `PutLifecycleEventHookExecutionStatus`. The AWS SDK v3 of the Node.js runtime for the load
 * balancer's interfaces and the hook status, node:https for the probe. `ALB_ID` is the load
 * balancer's ARN suffix (`app/<name>/<id>`): ELB describes its interfaces `ELB app/<name>/<id>`.
 * Deployed per blue/green service by constructs/compute/test-traffic-hook.ts; not run against AWS here.
 */
import { request } from 'node:https';
import {
  handleTestTrafficHook,
  settingsFromEnv,
  type HookDeps,
  type HookEvent,
  type HookStatus,
  type ProbeSettings,
} from './probe';

// The runtime's modules, typed by what is used here only (the repository does not depend on the SDK).
type Sdk = Record<string, new (input: object) => { send(command: object): Promise<unknown> }>;

function runtimeSdk(name: string): Sdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name) as Sdk;
}

/** The private addresses of the load balancer's network interfaces in the VPC. */
async function loadBalancerAddresses(albId: string): Promise<string[]> {
  const ec2 = runtimeSdk('@aws-sdk/client-ec2');
  const out = (await new ec2.EC2Client({}).send(
    new ec2.DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'description', Values: [`ELB ${albId}`] }],
    }),
  )) as { NetworkInterfaces?: Array<{ PrivateIpAddress?: string }> };
  return (out.NetworkInterfaces ?? []).flatMap((n) => (n.PrivateIpAddress ? [n.PrivateIpAddress] : []));
}

/** The hook's verdict for CodeDeploy. */
async function reportStatus(deploymentId: string, executionId: string, status: HookStatus): Promise<void> {
  const codedeploy = runtimeSdk('@aws-sdk/client-codedeploy');
  await new codedeploy.CodeDeployClient({}).send(
    new codedeploy.PutLifecycleEventHookExecutionStatusCommand({
      deploymentId,
      lifecycleEventHookExecutionId: executionId,
      status,
    }),
  );
}

/** One HTTPS GET at `address`, the site's name as TLS server name and Host (the certificate is checked). */
function get(address: string, s: ProbeSettings): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port: s.port,
        path: s.path,
        servername: s.host,
        headers: { Host: s.host },
        timeout: 5000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function handler(event: HookEvent): Promise<HookStatus> {
  const deps: HookDeps = {
    addresses: () => loadBalancerAddresses(process.env.ALB_ID ?? ''),
    get,
    report: reportStatus,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (line) => console.log(line),
  };
  let settings: ProbeSettings;
  try {
    settings = settingsFromEnv(process.env);
  } catch (e) {
    // A misconfigured function still answers: a deployment never waits for the hook's timeout.
    deps.log(`settings: ${e instanceof Error ? e.message : String(e)}`);
    await deps.report(event.DeploymentId, event.LifecycleEventHookExecutionId, 'Failed');
    return 'Failed';
  }
  return handleTestTrafficHook(event, settings, deps);
}
