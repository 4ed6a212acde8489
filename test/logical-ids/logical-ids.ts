import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CONFIGURATIONS } from './configurations';

/** The committed list of one configuration. */
export function listFile(name: string): string {
  return path.join(__dirname, `${name}.txt`);
}

/** The stack's resources as sorted `logicalId type` lines: what a deployed stack's resources are keyed by. */
export function logicalIds(stack: Stack): string {
  const resources: Record<string, { Type: string }> = Template.fromStack(stack).toJSON().Resources ?? {};
  return Object.entries(resources).map(([id, r]) => `${id} ${r.Type}`).sort().join('\n') + '\n';
}

/**
 * Rewrites the committed lists. Run it only for a change that means to replace resources, and say
 * so in the commit: `npx ts-node --transpile-only -P tsconfig.dev.json test/logical-ids/logical-ids.ts`.
 */
if (require.main === module) {
  for (const [name, build] of Object.entries(CONFIGURATIONS)) {
    fs.writeFileSync(listFile(name), logicalIds(build()));
  }
}
