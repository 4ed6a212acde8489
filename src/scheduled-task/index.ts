export * from './props';
export * from './scheduled-task';
