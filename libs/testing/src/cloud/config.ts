/** Where a cloud helper sends its calls: one endpoint serving every AWS API (the local cloud). */
export interface CloudTarget {
  readonly endpoint: string;
  /** Defaults to `eu-west-1`. */
  readonly region?: string;
}

/** SDK v3 client configuration for a {@link CloudTarget}, with dummy credentials. */
export function cloudClientConfig(target: CloudTarget) {
  return {
    endpoint: target.endpoint,
    region: target.region ?? 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}
