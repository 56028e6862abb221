/** Each construct on a bare stack. The specs in constructs/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'constructs'));
