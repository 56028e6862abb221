/** The Lambda handlers and their packaging. The specs in serverless/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'serverless'));
