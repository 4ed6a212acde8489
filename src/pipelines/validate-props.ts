import { IConstruct } from 'constructs';
import { ServicePipelineProps } from './service-pipeline-props';
import { EMAIL_FIX, emailProblem } from '../private/email-address';
import { PIPELINE_NAME_FIX, pipelineNameProblem } from '../private/pipeline-name';
import { checkGrammar } from '../private/validation';

/**
 * The pipeline props AWS parses later, checked before anything is created: the subscription
 * addresses SNS mails a confirmation to, and the pipeline's name, which aws-cdk-lib would
 * otherwise refuse without the construct path.
 */
export function validatePipelineProps(scope: IConstruct, props: ServicePipelineProps): void {
  for (const email of props.notificationEmails ?? []) {
    checkGrammar(scope, 'notificationEmails', email, emailProblem, EMAIL_FIX);
  }
  checkGrammar(scope, 'pipelineName', props.pipelineName, pipelineNameProblem, PIPELINE_NAME_FIX);
}
