import {
  handleTestTrafficHook,
  probeTestTraffic,
  settingsFromEnv,
  type HookDeps,
  type ProbeSettings,
} from '../../constructs/compute/hooks/test-traffic-hook';

const settings: ProbeSettings = {
  host: 'example.com',
  port: 8443,
  path: '/api/v1/health',
  attempts: 3,
  intervalMs: 1,
};
const event = { DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'exec-1' };

/** Deps whose probe answers come from `answers[round][address]` (a number, or an Error to throw). */
function fake(answers: Array<Record<string, number | Error>>) {
  let round = -1;
  const reports: string[] = [];
  const gets: string[] = [];
  const deps: HookDeps = {
    addresses: async () => Object.keys(answers[++round] ?? {}),
    get: async (address, s) => {
      gets.push(`${address}:${s.port}${s.path}`);
      const a = answers[round][address];
      if (a instanceof Error) throw a;
      return a;
    },
    report: async (id, exec, status) => {
      reports.push(`${id} ${exec} ${status}`);
    },
    sleep: async () => {},
    log: () => {},
  };
  return { deps, reports, gets };
}

describe('AfterAllowTestTraffic hook', () => {
  it('succeeds once every load balancer address answers healthy through the test listener', async () => {
    const f = fake([{ '10.0.1.5': 200, '10.0.2.7': 302 }]);
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Succeeded');
    expect(f.reports).toEqual(['d-123 exec-1 Succeeded']);
    expect(f.gets).toEqual(['10.0.1.5:8443/api/v1/health', '10.0.2.7:8443/api/v1/health']);
  });

  it('retries while the new task set warms up, then succeeds', async () => {
    const f = fake([
      { a: 503, b: 200 },
      { a: new Error('ECONNRESET'), b: 200 },
      { a: 200, b: 200 },
    ]);
    expect(await probeTestTraffic(settings, f.deps)).toBe(true);
  });

  it('fails (CodeDeploy rolls back) when an address stays unhealthy for every attempt', async () => {
    const f = fake([
      { a: 200, b: 500 },
      { a: 200, b: 500 },
      { a: 200, b: 404 },
    ]);
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Failed');
    expect(f.reports).toEqual(['d-123 exec-1 Failed']);
  });

  it('fails when it finds no address to probe (nothing was checked)', async () => {
    const f = fake([{}, {}, {}]);
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Failed');
  });

  it('still reports Failed when the probe itself breaks (never leaves the deployment waiting)', async () => {
    const f = fake([]);
    f.deps.addresses = async () => {
      throw new Error('AccessDenied');
    };
    expect(await handleTestTrafficHook(event, settings, f.deps)).toBe('Failed');
    expect(f.reports).toEqual(['d-123 exec-1 Failed']);
  });

  it('reads its settings from the environment, with defaults, and names a bad variable', () => {
    expect(settingsFromEnv({ PROBE_HOST: 'example.com', PROBE_PORT: '8443', PROBE_PATH: '/health' })).toEqual(
      { host: 'example.com', port: 8443, path: '/health', attempts: 10, intervalMs: 6000 },
    );
    expect(() => settingsFromEnv({ PROBE_HOST: 'example.com', PROBE_PATH: '/h' })).toThrow(/PROBE_PORT/);
    expect(() => settingsFromEnv({ PROBE_HOST: 'x', PROBE_PORT: '443', PROBE_PATH: 'health' })).toThrow(
      /PROBE_PATH must start with/,
    );
    expect(() => settingsFromEnv({ PROBE_PORT: '8443', PROBE_PATH: '/h' })).toThrow(/PROBE_HOST is not set/);
  });
});
