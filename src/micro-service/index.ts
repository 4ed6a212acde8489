export * from './props';
export * from './auto-scaling-props';
export * from './micro-service';
