/** The configuration: schema validation, the registry, env:new, identity pins, cost. The specs in config/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'config'));
