export * from './pipeline-source';
export * from './deploy-target';
export * from './service-pipeline-props';
export * from './service-pipeline-base';
export * from './rolling-pipeline';
export * from './blue-green-pipeline';
export * from './release-pipeline';
