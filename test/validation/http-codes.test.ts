import { httpCodesProblem } from '../../src/private/http-codes';

describe('target-group matcher codes', () => {
  test.each(['200', '200,204', '200-399', '200-299,301', '499'])('accepts %s', codes => {
    expect(httpCodesProblem(codes)).toBeUndefined();
  });

  test.each([
    ['2xx', /'2xx', which is not a three-digit code .*such as 2xx/],
    ['200, 204', /' 204'/],
    ['', /''/],
    ['200-', /'200-'/],
    ['199', /outside 200-499/],
    ['200,502', /'502', outside 200-499/],
    ['200-500', /outside 200-499/],
    ['399-200', /start is above its end/],
  ])('fails when the codes are %j', (codes, message) => {
    expect(httpCodesProblem(codes)).toMatch(message);
  });
});
