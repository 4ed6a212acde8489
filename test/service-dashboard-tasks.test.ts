import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IBaseInfra, ScheduledTask, ServiceDashboard, ServiceImage, WorkerService } from '../src';
import { importedInfra, newStack } from './util';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

/** One imported infra per stack, shared by the worker and the task. */
const infras = new WeakMap<Stack, IBaseInfra>();
function infra(stack: Stack): IBaseInfra {
  if (!infras.has(stack)) {
    infras.set(stack, importedInfra(stack));
  }
  return infras.get(stack)!;
}

function worker(stack: Stack, queue?: sqs.IQueue): WorkerService {
  return new WorkerService(stack, 'Thumbnails', { infra: infra(stack), serviceName: 'thumbnails', image: IMAGE, processingTime: Duration.seconds(2), queue });
}

function nightly(stack: Stack): ScheduledTask {
  return new ScheduledTask(stack, 'Nightly', {
    infra: infra(stack),
    taskName: 'nightly',
    image: IMAGE,
    schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN }),
  });
}

/** The dashboard body with its tokens resolved as far as the template holds them. */
function body(template: Template): string {
  return JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
}

describe('workers and scheduled tasks on a dashboard', () => {
  const stack = newStack();
  const w = worker(stack);
  const t = nightly(stack);
  new ServiceDashboard(stack, 'Dashboard', { workers: [w], scheduledTasks: [t] });
  const template = Template.fromStack(stack);
  const dashboard = body(template);

  test('worker rows: queue depth and in flight, oldest message age with its alarm line, dead-letter queue, running tasks', () => {
    for (const title of ['thumbnails: queue depth', 'thumbnails: age of oldest message (s)', 'thumbnails: dead-letter queue', 'thumbnails: running tasks']) {
      expect(dashboard).toContain(title);
    }
    expect(dashboard).toContain('ApproximateNumberOfMessagesNotVisible');
    expect(dashboard).toContain('ApproximateAgeOfOldestMessage');
    expect(dashboard).toContain('Scales to 150 messages visible per running task');
  });

  test('scheduled task rows: last run (alarm state), runs started and failed, the last runs with their duration', () => {
    expect(dashboard).toContain('nightly: last run');
    expect(dashboard).toContain('ExecutionsStarted');
    expect(dashboard).toContain('NumberOfMessagesSent');
    expect(dashboard).toContain('(max(@timestamp) - min(@timestamp)) / 1000 as seconds by @logStream');
  });

  test('their alarms notify the dashboard\'s topic, when they fire and when they recover', () => {
    for (const name of ['Test-thumbnails-dead-letters', 'Test-thumbnails-oldest-message-age', 'Test-nightly-failed']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^DashboardTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('^DashboardTopic') }],
      });
    }
  });

  test('their alarms are in the alarm status widget', () => {
    const overview = dashboard.slice(dashboard.indexOf('Alarms'), dashboard.indexOf('sortBy'));
    for (const id of ['ThumbnailsDeadLetterAlarm', 'ThumbnailsOldestMessageAgeAlarm', 'NightlyFailureAlarm']) {
      expect(overview).toContain(id);
    }
  });
});

test('a worker whose queue has no dead-letter queue gets a note instead of the graph', () => {
  const stack = newStack();
  const w = worker(stack, new sqs.Queue(stack, 'Jobs'));
  new ServiceDashboard(stack, 'Dashboard', { workers: [w] });
  expect(body(Template.fromStack(stack))).toContain('The queue passed in has no dead-letter queue.');
});

describe('fails when', () => {
  test('a worker is added twice', () => {
    const stack = newStack();
    const w = worker(stack);
    const dashboard = new ServiceDashboard(stack, 'Dashboard', { workers: [w] });
    expect(() => dashboard.addWorker(w)).toThrow(/'thumbnails' is already on this dashboard: add each worker and scheduled task once/);
  });

  test('a scheduled task is added twice', () => {
    const stack = newStack();
    const t = nightly(stack);
    const dashboard = new ServiceDashboard(stack, 'Dashboard', { scheduledTasks: [t] });
    expect(() => dashboard.addScheduledTask(t)).toThrow(/'nightly' is already on this dashboard/);
  });
});
