/**
 * AWS managed CloudFront policies by their fixed, documented ids (the same in every account). Not
 * `data "aws_cloudfront_cache_policy"` lookups: a data source calls the API at plan time, and the
 * offline plan has no AWS to call (docs/architecture.md, "Static frontend").
 */
export const MANAGED_CACHE_POLICY = {
  /** Honours the origin's Cache-Control (min 1 s, default 1 day, max 1 year); gzip and brotli keys. */
  CachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  /** No caching: every request goes to the origin. */
  CachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
} as const;

export const MANAGED_ORIGIN_REQUEST_POLICY = {
  /** Every viewer header, cookie and query string to the origin (the API behind the ALB). */
  AllViewer: '216adef6-5c7f-47e4-b989-5492eafa07d3',
} as const;
