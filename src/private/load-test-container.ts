import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { encodedScript, SCRIPT_COMMAND, SCRIPT_ENTRY_POINT, SCRIPT_VARIABLE, ScriptSettings, scriptEnvironment } from './load-test-metrics';
import { ServiceImage } from '../service-image';

/** The default image of a load test: it has `ab` (ApacheBench), a POSIX shell and Debian's coreutils. ECR Public avoids Docker Hub's pull limits. */
export const LOAD_TEST_IMAGE = 'public.ecr.aws/docker/library/httpd:2.4';

/** What differs between the containers that run the load-test script (a LoadTester's, a LoadTestGate's). */
export interface LoadTestContainerOptions {
  readonly containerName: string;
  /** Default: LOAD_TEST_IMAGE. */
  readonly image?: ServiceImage;
  readonly memoryLimitMiB: number;
  readonly logGroup: logs.ILogGroup;
  readonly streamPrefix: string;
  readonly settings: ScriptSettings;
}

/**
 * The container that runs `assets/load-tester/run.sh` in an X86_64 task definition: the script
 * travels in the task definition (the base64 of the file: no image build, and the task definition
 * holds exactly what runs), ab runs as `nobody` on a read-only root filesystem (it needs no
 * privileges and the script writes no files), with a hard memory limit equal to the task's, and
 * every log line is kept (the output is a few lines per run and carries the metrics).
 */
export function addLoadTestContainer(scope: Construct, taskDefinition: ecs.TaskDefinition, o: LoadTestContainerOptions): ecs.ContainerDefinition {
  const image = o.image ?? ServiceImage.fromRegistry(LOAD_TEST_IMAGE);
  return taskDefinition.addContainer('LoadTester', {
    containerName: o.containerName,
    image: image.bind(scope, { cpuArchitecture: ecs.CpuArchitecture.X86_64 }),
    essential: true,
    memoryLimitMiB: o.memoryLimitMiB,
    entryPoint: SCRIPT_ENTRY_POINT,
    command: SCRIPT_COMMAND,
    environment: {
      [SCRIPT_VARIABLE]: encodedScript(),
      ...scriptEnvironment(o.settings),
    },
    user: '65534:65534',
    readonlyRootFilesystem: true,
    logging: ecs.LogDrivers.awsLogs({ logGroup: o.logGroup, streamPrefix: o.streamPrefix, mode: ecs.AwsLogDriverMode.BLOCKING }),
  });
}
