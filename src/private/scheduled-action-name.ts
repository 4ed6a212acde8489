/**
 * Names of Application Auto Scaling scheduled actions: 1-256 characters, no ':', '/' or '|', no
 * control characters and no leading or trailing space (PutScheduledAction, ScheduledActionName,
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html).
 */

export const SCHEDULED_ACTION_NAME_FIX = "use letters, digits, '-' and '_', such as 'business-hours'";

/** What is wrong with a scheduled action name, or undefined. */
export function scheduledActionNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 256) {
    return 'must have 1-256 characters';
  }
  // eslint-disable-next-line no-control-regex
  if (/[:/|\x00-\x1f\x7f-\x9f]/.test(name)) {
    return "has ':', '/', '|' or a control character, which Application Auto Scaling does not allow";
  }
  if (name.startsWith(' ') || name.endsWith(' ')) {
    return 'starts or ends with a space';
  }
  return undefined;
}
