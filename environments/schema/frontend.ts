/**
 * `frontend`: how the site's frontend is delivered. `container` (seed 001, the default): a service
 * behind the ALB like any other. `static` (seed 000): a private S3 bucket behind CloudFront; the ALB
 * keeps only the services' paths (`/api/*`), reached through CloudFront unless `apiOrigin` is false.
 *
 * Every setting below except `mode` is static-only: setting one in container mode is an error (it
 * would silently do nothing). Their defaults are filled in here, once, for static mode.
 */
import { z } from './zod';
import { report } from './errors';

/**
 * The `github.appRepositories` key of the repository that publishes a static site (frontend-deploy):
 * the same key the frontend service's image repository has in container mode.
 */
export const SITE_REPOSITORY_KEY = 'frontend';

export const FRONTEND_MODES = ['container', 'static'] as const;
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/** A strict default CSP for a single-page app served from its own origin. */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; " +
  "base-uri 'self'; frame-ancestors 'none'; form-action 'self'; upgrade-insecure-requests";

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE');

const geoRestrictionSchema = z
  .strictObject({
    /** `allow`: only these countries; `deny`: all but these. */
    type: z.enum(['allow', 'deny']),
    countries: z.array(countryCode).min(1, 'needs at least one country'),
  })
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.countries.forEach((c, i) => {
      if (seen.has(c)) report(ctx, ['countries', i], `${c} is listed twice`);
      seen.add(c);
    });
  });

const STATIC_ONLY = [
  'spaRouting',
  'priceClass',
  'geoRestriction',
  'contentSecurityPolicy',
  'apiOrigin',
  'htmlMaxAgeSeconds',
  'assetMaxAgeSeconds',
] as const;

export const frontendSchema = z
  .strictObject({
    /** Default: `container` (a service routed by the ALB). */
    mode: z.enum(FRONTEND_MODES).default('container'),
    /** 403/404 from the bucket answer `/index.html` with 200 (client-side routes). Default: true. */
    spaRouting: z.boolean().optional(),
    /** Default: PriceClass_100 (North America and Europe edge locations). */
    priceClass: z.enum(PRICE_CLASSES).optional(),
    /** Default: no restriction. */
    geoRestriction: geoRestrictionSchema.optional(),
    /** The Content-Security-Policy header. Default: DEFAULT_CONTENT_SECURITY_POLICY. */
    contentSecurityPolicy: z
      .string()
      .min(1)
      .max(1783, 'CloudFront allows at most 1783 characters')
      .optional(),
    /**
     * The services' paths (`/api/*`) through CloudFront as a second origin: a VPC origin, the ALB
     * internal. false: the ALB stays public, at api.<domain>. Default: true.
     */
    apiOrigin: z.boolean().optional(),
    /** Browser cache of unhashed files but `index.html` (always no-cache), set by frontend-deploy. Default: 0 (revalidate). */
    htmlMaxAgeSeconds: z.number().int().min(0).max(86_400).optional(),
    /** Browser cache of hashed assets (`assets/*`), set by frontend-deploy. Default: one year, immutable. */
    assetMaxAgeSeconds: z.number().int().min(60).max(31_536_000).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.mode === 'static') return;
    for (const key of STATIC_ONLY) {
      if (f[key] !== undefined) report(ctx, [key], `applies only to mode 'static' (mode is '${f.mode}')`);
    }
  })
  .transform((f) =>
    f.mode === 'static'
      ? {
          mode: 'static' as const,
          spaRouting: f.spaRouting ?? true,
          priceClass: f.priceClass ?? 'PriceClass_100',
          geoRestriction: f.geoRestriction,
          contentSecurityPolicy: f.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
          apiOrigin: f.apiOrigin ?? true,
          htmlMaxAgeSeconds: f.htmlMaxAgeSeconds ?? 0,
          assetMaxAgeSeconds: f.assetMaxAgeSeconds ?? 31_536_000,
        }
      : { mode: 'container' as const },
  );

export type FrontendConfig = z.output<typeof frontendSchema>;
export type StaticFrontendConfig = Extract<FrontendConfig, { mode: 'static' }>;
