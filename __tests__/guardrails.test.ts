/** The synthesis guardrails, production guards and their SARIF report. The specs in guardrails/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'guardrails'));
