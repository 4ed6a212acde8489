import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StageConfig } from './config';
import { BaseInfra } from '../../src';

/** The platform team's layer: VPC, cluster and namespace every service stack uses. */
export class InfraStack extends Stack {
  public readonly infra: BaseInfra;

  constructor(scope: Construct, id: string, config: StageConfig, props: StackProps) {
    super(scope, id, props);
    this.infra = new BaseInfra(this, 'BaseInfra', { natGateways: config.natGateways, removalPolicy: config.removalPolicy });
  }
}
