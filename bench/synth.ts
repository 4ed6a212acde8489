/**
 * Synth benchmark: wall time and peak memory of synthesizing the sample app (dev and prod with the
 * frontend's release, as `cdk synth` builds it) and generated apps
 * with 1, 10 and 50 services, with resources and template bytes per stack. Fails when a stack
 * passes 80 % of CloudFormation's limits (500 resources, 1 MB template).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const RESOURCE_LIMIT = 500;
const TEMPLATE_LIMIT = 1_000_000;
const BUDGET = 0.8;

interface Result {
  synthSeconds: number;
  peakRssMiB: number;
  stacks: Array<{ name: string; resources: number; bytes: number }>;
  deployments: Array<{ service: string; strategy: string; seconds: number; model: string }>;
  releases: Array<{ pipeline: string; seconds: number }>;
}

const scenarios: Array<{ name: string; args: string[] }> = [
  { name: 'sample app', args: ['sample'] },
  { name: '1 service', args: ['services', '1'] },
  { name: '10 services', args: ['services', '10'] },
  { name: '50 services', args: ['services', '50'] },
];

const rows: string[] = [];
const deploymentRows = new Map<string, string>();
const releaseRows: string[] = [];
const failures: string[] = [];
for (const scenario of scenarios) {
  const started = Date.now();
  const out = execFileSync('node', ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'scenario.ts'), ...scenario.args], {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = (Date.now() - started) / 1000;
  const result: Result = JSON.parse(out.trim().split('\n').pop()!);
  const biggest = [...result.stacks].sort((a, b) => b.resources - a.resources)[0];
  const largest = [...result.stacks].sort((a, b) => b.bytes - a.bytes)[0];
  rows.push([
    scenario.name,
    String(result.stacks.length),
    wall.toFixed(1),
    result.synthSeconds.toFixed(1),
    result.peakRssMiB.toFixed(0),
    String(result.stacks.reduce((n, s) => n + s.resources, 0)),
    `${biggest.resources} (${biggest.name})`,
    `${(largest.bytes / 1024).toFixed(0)} (${largest.name})`,
  ].join(' | '));
  for (const s of result.stacks) {
    if (s.resources > RESOURCE_LIMIT * BUDGET) {
      failures.push(`${scenario.name}: ${s.name} has ${s.resources} resources, over ${RESOURCE_LIMIT * BUDGET}`);
    }
    if (s.bytes > TEMPLATE_LIMIT * BUDGET) {
      failures.push(`${scenario.name}: ${s.name} template is ${s.bytes} bytes, over ${TEMPLATE_LIMIT * BUDGET}`);
    }
  }
  for (const d of result.deployments) {
    // Generated services are alike: one row per strategy and duration is enough.
    const sample = scenario.args[0] === 'sample';
    deploymentRows.set(sample ? d.service : `${d.strategy} ${d.seconds}`,
      `${sample ? d.service : 'every generated service'} | ${d.strategy} | ${d.seconds} | ${d.model}`);
  }
  if (scenario.args[0] === 'sample') {
    releaseRows.push(...result.releases.map(r => `${r.pipeline} | ${r.seconds} | ${(r.seconds / 60).toFixed(1)}`));
    for (const s of result.stacks) {
      rows.push(`  ${s.name} | | | | | ${s.resources} | | ${(s.bytes / 1024).toFixed(0)}`);
    }
  }
}

console.log('| scenario | stacks | wall s (process) | synth s | peak RSS MiB | resources | most resources in one stack | largest template KiB |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row} |`);
}
console.log('\nModelled duration of one deployment (MicroService.estimatedDeploymentTime):\n');
console.log('| service | strategy | seconds | phases |');
console.log('|---|---|---|---|');
for (const row of deploymentRows.values()) {
  console.log(`| ${row} |`);
}
console.log('\nModelled duration of one release through every stage (ReleasePipeline.estimatedReleaseTime: deployments and bakes):\n');
console.log('| release | seconds | minutes |');
console.log('|---|---|---|');
for (const row of releaseRows) {
  console.log(`| ${row} |`);
}
if (failures.length > 0) {
  console.error(`\nover 80 % of a CloudFormation limit:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`\nevery stack within 80 % of CloudFormation's ${RESOURCE_LIMIT}-resource and 1 MB template limits`);
