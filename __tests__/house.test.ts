/** How the repository is kept: no runtime modification, layers, supply chain, the offline proof's machinery, cdktf's patch. The specs in house/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'house'));
