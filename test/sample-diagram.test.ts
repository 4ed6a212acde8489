import { App } from 'aws-cdk-lib';
import { buildSampleApp } from '../integ/sample/app';
import { STAGES } from '../integ/sample/config';
import { architectureDot } from '../integ/sample/diagram';

test('the architecture diagram has a box per stack, the library constructs and how they connect', () => {
  const app = new App();
  buildSampleApp(app, STAGES.dev, { region: 'us-east-1' });
  const dot = architectureDot(app);
  for (const stack of ['Infra', 'Backend', 'Frontend', 'LoadTest']) {
    expect(dot).toContain(`subgraph "cluster_EcsDevops-Dev-${stack}"`);
  }
  expect(dot).toContain('"EcsDevops-Dev-Backend/Pipeline" [label="RollingPipeline\\nPipeline"]');
  expect(dot).toContain('"EcsDevops-Dev-Infra/BaseInfra" -> "EcsDevops-Dev-Backend/Backend";');
  expect(dot).toContain('"EcsDevops-Dev-Frontend/Frontend" -> "EcsDevops-Dev-Frontend/Pipeline";');
  expect(dot).toContain('"EcsDevops-Dev-Frontend/Frontend" -> "EcsDevops-Dev-Frontend/Gate";');
  expect(dot).toContain('"EcsDevops-Dev-Backend/Backend" -> "EcsDevops-Dev-LoadTest/LoadTester";');
  expect(dot).toContain('"EcsDevops-Dev-Frontend/Frontend" -> "EcsDevops-Dev-Backend/Backend" [style=dashed, label="Cloud Map"];');
  expect(dot).toContain('"EcsDevops-Dev-Backend/Worker" [label="WorkerService\\nWorker"]');
  expect(dot).toContain('"EcsDevops-Dev-Backend/Nightly" [label="ScheduledTask\\nNightly"]');
  expect(dot).toContain('"EcsDevops-Dev-Backend/Worker" -> "EcsDevops-Dev-Backend/WorkerPipeline";');
  expect(dot).toContain('"EcsDevops-Dev-Backend/Nightly" -> "EcsDevops-Dev-Backend/NightlyPipeline";');
  // Only constructs of this library are drawn, not their hundreds of children.
  expect(dot.match(/\[label="/g)).toHaveLength(13);
});
