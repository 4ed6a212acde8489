export * from './pipeline-source';
export * from './service-pipeline-props';
export * from './rolling-pipeline';
export * from './blue-green-pipeline';
