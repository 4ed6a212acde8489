export * from './load-test-gate';
