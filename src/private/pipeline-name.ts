/**
 * CodePipeline pipeline names: 1-100 letters, digits, '.', '@', '_' and '-' (CreatePipeline,
 * PipelineDeclaration name, https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html).
 */

export const PIPELINE_NAME_FIX = "use 1-100 letters, digits, '.', '@', '_' and '-', such as 'orders-service'; or leave it unset to let CloudFormation generate one";

/** What is wrong with a pipeline name, or undefined. */
export function pipelineNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9.@_-]{1,100}$/.test(name) ? undefined : "is not 1-100 letters, digits, '.', '@', '_' and '-'";
}
