export * from './base-infra';
export * from './deployment-strategy';
export * from './micro-service';
export * from './service-capacity';
export * from './service-image';
export * from './load-tester';
export * from './service-dashboard';
export * from './pipelines';
