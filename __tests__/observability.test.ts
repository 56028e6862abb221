/** Alarms, dashboards, tracing and account alerts, per platform. The specs in observability/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'observability'));
