import { imageProblem, tagProblem } from '../../src/private/image-reference';

describe('image references', () => {
  test.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:latest',
    'public.ecr.aws/nginx/nginx:1.27-alpine',
    '111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders:3f2a9c1',
    'localhost:5000/orders',
    'registry.example.com:5000/team/orders_api__v2:v1.2.0',
    `nginx@sha256:${'a'.repeat(64)}`,
    `public.ecr.aws/nginx/nginx:1.27@sha256:${'b'.repeat(64)}`,
    'MyRegistry.example.com/orders',
  ])('accepts %s', reference => {
    expect(imageProblem(reference)).toBeUndefined();
  });

  test.each([
    ['', /is empty or has whitespace/],
    ['nginx :1.27', /whitespace/],
    ['public.ecr.aws/nginx/NGINX:1.27', /has 'NGINX' in its repository/],
    ['nginx:', /has tag ''/],
    ['nginx:-1', /has tag '-1'/],
    [`nginx:${'x'.repeat(129)}`, /has tag/],
    ['nginx@sha256:abc', /digest 'sha256:abc'/],
    ['my_registry.example.com:port/orders', /registry 'my_registry.example.com:port'/],
    ['orders//api', /has '' in its repository/],
    ['orders-', /has 'orders-'/],
  ])('fails when the reference is %j', (reference, message) => {
    expect(imageProblem(reference)).toMatch(message);
  });
});

describe('image tags', () => {
  test.each(['latest', 'v1.2.0', '3f2a9c1', '_build-7', 'x'.repeat(128)])('accepts %s', tag => {
    expect(tagProblem(tag)).toBeUndefined();
  });

  test.each(['', 'release/1.2', 'v1 .2', '.hidden', '-x', 'x'.repeat(129), 'v1:2'])('fails when the tag is %j', tag => {
    expect(tagProblem(tag)).toMatch(/is not an image tag/);
  });
});
