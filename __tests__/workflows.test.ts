/** The generated GitHub Actions workflows. The specs in workflows/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'workflows'));
