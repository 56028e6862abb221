/** The stacks the app synthesizes: platform-wide properties, addresses, services, diagrams. The specs in platform/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'platform'));
