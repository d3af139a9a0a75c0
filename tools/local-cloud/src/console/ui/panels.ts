/**
 * The console's panels, in navigation order. A panel is a component rendered
 * at `#/<id>`; `params` are the hash's query (`#/traces?correlationId=…`), so
 * one panel can link into another.
 */
import type { ComponentType } from 'preact';
import { DataPanel } from './panels/data';
import { ExplorerPanel } from './panels/explorer';
import { FunctionsPanel } from './panels/functions';
import { OverviewPanel } from './panels/overview';
import { ServicesPanel } from './panels/services';
import { EventsPanel } from './panels/events';
import { TracePanel } from './panels/trace';
import { ExplainPanel } from './panels/explain';
import { DlqPanel } from './panels/dlq';

export interface PanelProps {
  params: URLSearchParams;
}

export interface Panel {
  id: string;
  title: string;
  component: ComponentType<PanelProps>;
}

export const PANELS: Panel[] = [
  { id: 'overview', title: 'Overview', component: OverviewPanel },
  { id: 'events', title: 'Events', component: EventsPanel },
  { id: 'trace', title: 'Trace', component: TracePanel },
  { id: 'explain', title: 'Why no match', component: ExplainPanel },
  { id: 'dlq', title: 'Dead letters', component: DlqPanel },
  { id: 'functions', title: 'Functions', component: FunctionsPanel },
  { id: 'services', title: 'Services', component: ServicesPanel },
  { id: 'explorer', title: 'API explorer', component: ExplorerPanel },
  { id: 'data', title: 'Data', component: DataPanel },
];
