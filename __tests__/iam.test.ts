/** Who may do what: every role's contract evaluated, the pipeline roles, the IAM evaluator. The specs in iam/, in one module registry (support/specs.ts). */
import { join } from 'node:path';
import { describeSpecs } from './support/specs';

describeSpecs(join(__dirname, 'iam'));
