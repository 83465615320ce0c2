export * from './address-guard.ts';
export * from './connector.ts';
export * from './content-type.ts';
export * from './download-limits.ts';
export * from './guarded-http-source.ts';
export * from './host-resolution.ts';
export { describeUrl } from './source-url.ts';
