export * from './load-test-target';
export * from './load-test-trigger';
export * from './load-tester';
