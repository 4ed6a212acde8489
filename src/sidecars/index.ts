export * from './sidecar';
export * from './firelens-options';
export * from './open-telemetry-options';
