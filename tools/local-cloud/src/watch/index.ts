export { startWatchMode } from './watch-mode';
export type { WatchMode, WatchModeOptions, WatchOutcome } from './watch-mode';
