export { BUNDLE_OPTIONS, CREATE_REQUIRE_BANNER, IncrementalBundler, bundleFunction, bundleFunctions, bundleService, formatSizeTable, packageOf } from './bundle';
export type { BundleResult, BundleServiceOptions, FunctionEntry } from './bundle';
export { loadManifest } from './manifest';
export { coldLoadMs, median } from './cold-load';
export type { ColdLoadOptions } from './cold-load';
