/** CloudFront's fixed values, which the edge (DNS) and the frontend (the distribution) share. */

/** The hosted zone of every CloudFront distribution's alias records. */
export const CLOUDFRONT_ZONE_ID = 'Z2FDTNDATAQYW2';

/** CloudFront's certificates, web ACLs and log delivery sources live in this region only. */
export const CLOUDFRONT_REGION = 'us-east-1';
