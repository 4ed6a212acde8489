export * from './service-alarms';
export * from './service-dashboard';
