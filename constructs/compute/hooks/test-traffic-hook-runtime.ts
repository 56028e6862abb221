/**
 * The Lambda entry point of the `AfterAllowTestTraffic` hook (test-traffic-hook.ts holds the logic):
 * the AWS SDK v3 of the Node.js runtime for the load balancer's interfaces and the hook status,
 * node:https for the probe. `ALB_ID` is the load balancer's ARN suffix (`app/<name>/<id>`): ELB names
 * its interfaces `ELB app/<name>/<id>`. Not run against AWS here.
 */
import { request } from 'node:https';
import {
  handleTestTrafficHook,
  settingsFromEnv,
  type HookEvent,
  type HookStatus,
  type ProbeSettings,
} from './test-traffic-hook';

// The runtime provides the SDK; the repository does not depend on it (a variable keeps tsc from
// resolving it), so the little used of it is typed here.
type Command = new (input: object) => object;
interface Ec2Sdk {
  EC2Client: new (config: object) => {
    send(command: object): Promise<{ NetworkInterfaces?: Array<{ PrivateIpAddress?: string }> }>;
  };
  DescribeNetworkInterfacesCommand: Command;
}
interface CodeDeploySdk {
  CodeDeployClient: new (config: object) => { send(command: object): Promise<unknown> };
  PutLifecycleEventHookExecutionStatusCommand: Command;
}
const sdk = <T>(name: string): Promise<T> => import(name) as Promise<T>;

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
  const settings = settingsFromEnv(process.env);
  const { EC2Client, DescribeNetworkInterfacesCommand } = await sdk<Ec2Sdk>('@aws-sdk/client-ec2');
  const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = await sdk<CodeDeploySdk>(
    '@aws-sdk/client-codedeploy',
  );
  const ec2 = new EC2Client({});
  const codedeploy = new CodeDeployClient({});
  return handleTestTrafficHook(event, settings, {
    addresses: async () => {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'description', Values: [`ELB ${process.env.ALB_ID}`] }],
        }),
      );
      return (out.NetworkInterfaces ?? []).flatMap((n) => (n.PrivateIpAddress ? [n.PrivateIpAddress] : []));
    },
    get,
    report: async (deploymentId, lifecycleEventHookExecutionId, status) => {
      await codedeploy.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          deploymentId,
          lifecycleEventHookExecutionId,
          status,
        }),
      );
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (line) => console.log(line),
  });
}
