export { BUNDLE_OPTIONS, CREATE_REQUIRE_BANNER, bundleFunction, bundleService, formatSizeTable, packageOf } from './bundle';
export type { BundleResult, BundleServiceOptions } from './bundle';
export { loadManifest } from './manifest';
