/** The `frontend` section: container by default, static settings filled in once, bad input rejected with its path. */
import { parseEnvironmentConfig } from '../../environments/schema';
import { DEFAULT_CONTENT_SECURITY_POLICY } from '../../environments/schema/frontend';
import { expectRejected } from '../support/config-errors';
import { envInput } from '../support/fixtures';
import { staticFrontendInput } from '../support/variants';

describe('frontend config', () => {
  it('defaults to the container frontend (dev, staging and prod keep their shape)', () => {
    for (const name of ['dev', 'staging', 'prod'] as const)
      expect(parseEnvironmentConfig(envInput(name)).frontend).toEqual({ mode: 'container' });
  });

  it('fills in the static defaults in one place', () => {
    const input = staticFrontendInput();
    input.frontend = { mode: 'static' };
    expect(parseEnvironmentConfig(input).frontend).toEqual({
      mode: 'static',
      spaRouting: true,
      priceClass: 'PriceClass_100',
      geoRestriction: undefined,
      contentSecurityPolicy: DEFAULT_CONTENT_SECURITY_POLICY,
      apiOrigin: true,
      htmlMaxAgeSeconds: 0,
      assetMaxAgeSeconds: 31_536_000,
    });
  });

  const container = (edit: (f: any) => void) => {
    const input = envInput('dev');
    input.frontend = { mode: 'container' };
    edit(input.frontend);
    return input;
  };
  const staticWith = (edit: (c: any) => void) => {
    const input = staticFrontendInput();
    edit(input);
    return input;
  };

  const cases: Array<[string, any, string, RegExp]> = [
    [
      'SPA routing with a container frontend',
      container((f) => (f.spaRouting = true)),
      'frontend.spaRouting',
      /only to mode 'static'/,
    ],
    [
      'a price class in container mode',
      container((f) => (f.priceClass = 'PriceClass_All')),
      'frontend.priceClass',
      /only to mode 'static'/,
    ],
    [
      'an api origin in container mode',
      container((f) => (f.apiOrigin = true)),
      'frontend.apiOrigin',
      /only to mode 'static'/,
    ],
    ['an unknown mode', container((f) => (f.mode = 'spa')), 'frontend.mode', /container|static/],
    ['an unknown key', container((f) => (f.cdn = true)), 'frontend.cdn', /unknown key/],
    [
      'a bad price class',
      staticWith((c) => (c.frontend.priceClass = 'PriceClass_50')),
      'frontend.priceClass',
      /PriceClass_100/,
    ],
    [
      'a bad country code',
      staticWith((c) => (c.frontend.geoRestriction = { type: 'deny', countries: ['Germany'] })),
      'frontend.geoRestriction.countries[0]',
      /ISO 3166/,
    ],
    [
      'a country listed twice',
      staticWith((c) => (c.frontend.geoRestriction = { type: 'allow', countries: ['DE', 'DE'] })),
      'frontend.geoRestriction.countries[1]',
      /twice/,
    ],
    [
      'an empty geo restriction',
      staticWith((c) => (c.frontend.geoRestriction = { type: 'allow', countries: [] })),
      'frontend.geoRestriction.countries',
      /at least one/,
    ],
    [
      'an asset lifetime under a minute',
      staticWith((c) => (c.frontend.assetMaxAgeSeconds = 5)),
      'frontend.assetMaxAgeSeconds',
      />=60|60/,
    ],
    [
      "a '/*' service with a static frontend",
      staticWith((c) => (c.services.web = { ...c.services.backend, pathPatterns: ['/*'], uses: {} })),
      'services.web.pathPatterns',
      /CloudFront serves '\/\*'/,
    ],
    [
      'ALB sources besides CloudFront when it fronts the ALB',
      staticWith((c) => (c.ingress = { allowedCidrs: ['203.0.113.0/24'] })),
      'ingress.allowedCidrs',
      /admits only CloudFront/,
    ],
    [
      'a region other than us-east-1',
      staticWith((c) => {
        c.region = 'eu-west-1';
        c.network.availabilityZones = ['eu-west-1a', 'eu-west-1b'];
        delete c.backup;
      }),
      'frontend.mode',
      /us-east-1/,
    ],
    [
      'more than 25 API paths through CloudFront',
      staticWith((c) => {
        // 6 services x 5 patterns (an ALB rule takes 5): 30 behaviours.
        for (let i = 0; i < 6; i++)
          c.services[`api${i}`] = {
            ...c.services.backend,
            uses: {},
            pathPatterns: Array.from({ length: 5 }, (_, j) => `/api/v${i}/p${j}/*`),
          };
      }),
      'frontend.apiOrigin',
      /at most 25/,
    ],
  ];

  it.each(cases)('rejects %s', (_what, input, path, message) => expectRejected(input, path, message));

  it('still needs exactly one /* service with a container frontend', () => {
    const input = envInput('prod');
    delete input.services.frontend;
    expectRejected(input, 'services', /exactly one service needs pathPatterns \['\/\*'\]/);
  });

  it('accepts a static frontend without any /* service', () => {
    expect(() => parseEnvironmentConfig(staticFrontendInput())).not.toThrow();
  });
});
