import { describe, expect, it } from 'vitest';
import { resourceName } from '../../src/naming';

describe('resourceName', () => {
  it('builds kestrel-<env>-<service>-<thing>', () => {
    // act
    const name = resourceName({ env: 'production', service: 'analytics-ingest', thing: 'raw-bucket' });

    // assess
    expect(name).toBe('kestrel-production-analytics-ingest-raw-bucket');
  });

  it('names each part that is not kebab-case', () => {
    // act
    const build = () => resourceName({ env: 'staging', service: 'Customers', thing: 'orders_table' });

    // assess
    expect(build).toThrowError(/service: "Customers" must be lower-case kebab-case/);
    expect(build).toThrowError(/thing: "orders_table" must be lower-case kebab-case/);
  });

  it('refuses names longer than the limit', () => {
    // prepare
    const thing = 'x'.repeat(60);

    // act / assess
    expect(() => resourceName({ env: 'staging', service: 'catalog', thing })).toThrowError(/the limit is 64/);
    expect(resourceName({ env: 'staging', service: 'catalog', thing, maxLength: 255 })).toHaveLength(84);
  });
});
