// The loader lives with the manifest type, so the local cloud's console reads manifests the same way.
export { loadManifests, ManifestLoadError, type LoadedManifest } from '@kestrel/service-manifest/load';
