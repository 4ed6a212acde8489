import { sampleTemplates, snapshotTemplates } from './iam/templates';

/**
 * With a blue/green strategy the new revision's traffic lands in the green target group on every
 * other deployment, so anything that reads one target group's metrics goes blind half the time.
 * Over the sample app and every integ snapshot: every alarm and dashboard that reads a blue/green
 * service's target-group metrics reads both target groups, and no scaling policy tracks requests
 * per target of a blue/green service.
 */
const templates = [...sampleTemplates(), ...snapshotTemplates()];

/** The blue/green pairs of a template: blue target group logical ID → green one. */
function pairs(resources: Record<string, any>): Array<[string, string]> {
  return Object.keys(resources)
    .filter(id => resources[id].Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && /GreenTargetGroup/.test(id))
    .map(green => [green.replace(/GreenTargetGroup[0-9A-F]{8}$/, 'TargetGroup'), green] as [string, string])
    .map(([bluePrefix, green]) => [Object.keys(resources).find(id => id.startsWith(bluePrefix) && !/Green/.test(id))!, green]);
}

const withBlueGreen = templates.filter(t => pairs(t.template.Resources).length > 0);

test('the sample app and the snapshots have blue/green services to check', () => {
  expect(withBlueGreen.map(t => t.source).length).toBeGreaterThanOrEqual(3);
});

test.each(withBlueGreen.map(t => [t.source, t] as const))('%s: what reads one target group of a pair reads both', (_source, t) => {
  const resources: Record<string, any> = t.template.Resources;
  const readers = Object.entries(resources).filter(([, r]) => ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard'].includes(r.Type));
  let checked = 0;
  for (const [blue, green] of pairs(resources)) {
    for (const [id, r] of readers) {
      const text = JSON.stringify(r.Properties);
      const readsBlue = text.includes(`"${blue}"`);
      const readsGreen = text.includes(`"${green}"`);
      if (readsBlue || readsGreen) {
        checked++;
        expect({ id, readsBlue, readsGreen }).toEqual({ id, readsBlue: true, readsGreen: true });
      }
    }
    for (const [id, r] of Object.entries(resources).filter(([, x]) => x.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy')) {
      expect({ id, requestCountPerTarget: JSON.stringify(r.Properties).includes('ALBRequestCountPerTarget') && JSON.stringify(r.Properties).includes(blue) })
        .toEqual({ id, requestCountPerTarget: false });
    }
  }
  expect(checked).toBeGreaterThan(0);
});
