/**
 * One benchmark scenario, run in its own process so its peak memory is its own:
 * `scenario.ts sample` or `scenario.ts services <count>`. Prints one JSON line.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildServicesApp } from './services-app';
import { buildSampleRelease } from '../integ/sample/app';
import { stageConfigs } from '../integ/sample/config';
import { MicroService, ReleasePipeline } from '../src';
import { describeModel } from '../src/private/deployment-timing';

const [kind, count] = process.argv.slice(2);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
const started = process.hrtime.bigint();
const app = new App({ outdir });
if (kind === 'sample') {
  // What `cdk synth` builds by default: dev and prod, and the frontend's release through them.
  buildSampleRelease(app, stageConfigs(undefined), { region: 'us-east-1' });
} else {
  buildServicesApp(app, Number(count));
}
const assembly = app.synth();
const synthSeconds = Number(process.hrtime.bigint() - started) / 1e9;

const stacks = assembly.stacks.map(s => {
  const file = path.join(assembly.directory, s.templateFile);
  return { name: s.stackName, resources: Object.keys(s.template.Resources ?? {}).length, bytes: fs.statSync(file).size };
});
fs.rmSync(outdir, { recursive: true, force: true });
// What each setting costs at deploy time: the modelled duration of one deployment per service.
const deployments = app.node.findAll().filter((c): c is MicroService => c instanceof MicroService).map(s => ({
  service: s.node.path,
  strategy: s.deploymentStrategy._describe(),
  seconds: s.estimatedDeploymentTime.toSeconds(),
  model: describeModel(s._deploymentModel),
}));
// And of one release through its stages (deployments and bakes; build, approvals and windows on top).
const releases = app.node.findAll().filter((c): c is ReleasePipeline => c instanceof ReleasePipeline).map(r => ({
  pipeline: r.node.path,
  seconds: r.estimatedReleaseTime.toSeconds(),
}));
console.log(JSON.stringify({ synthSeconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, stacks, deployments, releases }));
