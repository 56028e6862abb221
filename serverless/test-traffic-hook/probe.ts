/**
 * The logic of the `AfterAllowTestTraffic` hook of a blue/green deployment (docs/architecture.md,
 * "Blue/green deployments"): a Lambda function in the VPC (handler.ts; deployed per blue/green
 * service by constructs/compute/test-traffic-hook.ts) probes the new task set through the test
 * listener and tells CodeDeploy to go on (`Succeeded`) or to roll back (`Failed`).
 *
 * The site's name resolves to the internet-facing ALB's public addresses, and from inside the VPC a
 * connection to those leaves through NAT (source: the NAT address, which the test listener does not
 * admit). So the probe connects to the ALB's private addresses, with the site's name for TLS (SNI)
 * and the Host header. I/O is injected (`HookDeps`): the decision logic is tested without AWS.
 */

/** What CodeDeploy passes a lifecycle hook. */
export interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

export interface ProbeSettings {
  /** The site's name: TLS server name and Host header. */
  readonly host: string;
  /** The test listener's port. */
  readonly port: number;
  /** The service's health check path. */
  readonly path: string;
  /** Rounds over all addresses before giving up. */
  readonly attempts: number;
  /** Pause between rounds. */
  readonly intervalMs: number;
}

export type HookStatus = 'Succeeded' | 'Failed';

export interface HookDeps {
  /** The load balancer's private addresses (its network interfaces in the VPC). */
  addresses(): Promise<string[]>;
  /** One HTTPS GET of `path` at `address`; resolves to the status code, rejects on a network error. */
  get(address: string, settings: ProbeSettings): Promise<number>;
  /** PutLifecycleEventHookExecutionStatus. */
  report(deploymentId: string, executionId: string, status: HookStatus): Promise<void>;
  sleep(ms: number): Promise<void>;
  log(line: string): void;
}

/** 2xx and 3xx pass, as the target group's health check matcher (`200-399`). */
const healthy = (status: number) => status >= 200 && status < 400;

/**
 * Probes until one round finds every address healthy (each load balancer node routes to the new
 * task set), or `attempts` rounds have failed. No addresses is a failure: nothing was checked.
 */
export async function probeTestTraffic(settings: ProbeSettings, deps: HookDeps): Promise<boolean> {
  for (let round = 1; round <= settings.attempts; round++) {
    const addresses = await deps.addresses();
    const results = await Promise.all(
      addresses.map(async (address) => {
        try {
          return { address, status: await deps.get(address, settings) };
        } catch (e) {
          return { address, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    for (const r of results)
      deps.log(`round ${round} ${r.address}: ${'status' in r ? r.status : `error ${r.error}`}`);
    if (results.length > 0 && results.every((r) => 'status' in r && healthy(r.status!))) return true;
    if (round < settings.attempts) await deps.sleep(settings.intervalMs);
  }
  return false;
}

/**
 * The hook: probe, then report. Always reports — a hook that throws without reporting leaves the
 * deployment waiting for the hook's timeout — and reports `Failed` when the probe itself breaks.
 */
export async function handleTestTrafficHook(
  event: HookEvent,
  settings: ProbeSettings,
  deps: HookDeps,
): Promise<HookStatus> {
  let status: HookStatus = 'Failed';
  try {
    status = (await probeTestTraffic(settings, deps)) ? 'Succeeded' : 'Failed';
  } catch (e) {
    deps.log(`probe broke: ${e instanceof Error ? e.message : String(e)}`);
  }
  await deps.report(event.DeploymentId, event.LifecycleEventHookExecutionId, status);
  deps.log(`reported ${status} for ${event.DeploymentId}`);
  return status;
}

/** The function's settings from its environment; a bad value is an error naming the variable. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): ProbeSettings {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}; got ${raw}`);
    return value;
  };
  const path = need('PROBE_PATH');
  if (!path.startsWith('/')) throw new Error(`PROBE_PATH must start with '/'; got ${path}`);
  return {
    host: need('PROBE_HOST'),
    port: int('PROBE_PORT', 0, 1, 65535),
    path,
    attempts: int('PROBE_ATTEMPTS', 10, 1, 60),
    intervalMs: int('PROBE_INTERVAL_SECONDS', 6, 0, 60) * 1000,
  };
}
