import * as fs from 'fs';
import { CONFIGURATIONS } from './logical-ids/configurations';
import { listFile, logicalIds } from './logical-ids/logical-ids';

// A changed logical ID makes CloudFormation replace the resource: a new load balancer, a new
// repository (the old one retained and orphaned), a new service. These lists change only on purpose.
describe('CloudFormation logical IDs stay as committed', () => {
  test.each(Object.keys(CONFIGURATIONS))('%s', name => {
    expect(logicalIds(CONFIGURATIONS[name]())).toEqual(fs.readFileSync(listFile(name), 'utf-8'));
  });
});
