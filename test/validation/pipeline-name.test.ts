import { pipelineNameProblem } from '../../src/private/pipeline-name';

describe('pipeline names', () => {
  test.each(['orders', 'orders-service.v2', 'team@orders_1', 'x'.repeat(100)])('accepts %s', name => {
    expect(pipelineNameProblem(name)).toBeUndefined();
  });

  test.each(['', 'orders pipeline', 'orders/pipeline', 'x'.repeat(101)])('fails when the name is %j', name => {
    expect(pipelineNameProblem(name)).toMatch(/is not 1-100 letters/);
  });
});
