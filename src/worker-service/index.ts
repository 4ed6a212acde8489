export * from './props';
export * from './worker-service';
