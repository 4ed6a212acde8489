/**
 * The success codes (`Matcher.HttpCode`) of an HTTP target group's health check: values from 200
 * to 499, as single codes, comma-separated lists ("200,202") or ranges ("200-299")
 * ("Health checks for Application Load Balancer target groups", HealthCheckSettings, Success codes,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 */

export const HTTP_CODES_FIX = "use codes from 200 to 499, such as '200', '200,204' or '200-399'";

/** What is wrong with a matcher, or undefined. */
export function httpCodesProblem(codes: string): string | undefined {
  for (const item of codes.split(',')) {
    const bounds = item.split('-');
    if (bounds.length > 2 || bounds.some(b => !/^\d{3}$/.test(b))) {
      return `has '${item}', which is not a three-digit code or a range of them (ALB does not read patterns such as 2xx)`;
    }
    const [low, high] = [Number(bounds[0]), Number(bounds[bounds.length - 1])];
    if (low < 200 || high > 499) {
      return `has '${item}', outside 200-499`;
    }
    if (low > high) {
      return `has the range '${item}', whose start is above its end`;
    }
  }
  return undefined;
}
