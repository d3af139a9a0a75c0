import { describe, expect, it } from 'vitest';
import { apiVariable, curlLines, exportLines, identityPool } from '../../src/dev/local-user';
import type { LocalState } from '../../src/dev/local-user';

const state: LocalState = {
  userPools: [
    { id: 'local_other', name: 'someone-else', clients: [] },
    { id: 'local_1', name: 'kestrel-staging-identity-users', clients: [{ id: 'web', name: 'kestrel-staging-identity-web' }, { id: 'mobile', name: 'kestrel-staging-identity-mobile' }] },
  ],
  httpApis: [{ name: 'kestrel-staging-catalog-http', url: 'http://127.0.0.1:4600/_apis/abc/', routes: ['POST /stores', 'GET /stores/{storeId}', 'GET /products/{productId}'] }],
};

describe('the quick start’s output', () => {
  it('finds the identity pool and its mobile client', () => {
    // assess
    expect(identityPool(state, 'http://x')).toEqual({ poolId: 'local_1', clientId: 'mobile' });
    expect(() => identityPool({ userPools: [] }, 'http://x')).toThrow(/No identity user pool .* Is the identity stack applied/);
  });

  it('names each API’s variable after its service', () => {
    // assess
    expect(apiVariable('kestrel-staging-catalog-http')).toBe('CATALOG_API');
    expect(apiVariable('kestrel-production-analytics-ingest-http')).toBe('ANALYTICS_INGEST_API');
  });

  it('exports the tokens, the customer id and the API URLs, and writes one curl line per route, reads first', () => {
    // act
    const exports = exportLines(state, { idToken: 'id.t.k', accessToken: 'ac.t.k', sub: 'sub-1', claims: { customerId: 'c-1' } });
    const curl = curlLines(state);

    // assess
    expect(exports).toEqual([
      "export ID_TOKEN='id.t.k'",
      "export ACCESS_TOKEN='ac.t.k'",
      "export CUSTOMER_ID='c-1'",
      "export CATALOG_API='http://127.0.0.1:4600/_apis/abc'",
    ]);
    expect(curl).toEqual([
      '# kestrel-staging-catalog-http',
      'curl -s "$CATALOG_API/products/$PRODUCT_ID" -H "authorization: Bearer $ID_TOKEN"',
      'curl -s "$CATALOG_API/stores/$STORE_ID" -H "authorization: Bearer $ID_TOKEN"',
      `curl -s -X POST "$CATALOG_API/stores" -H "authorization: Bearer $ID_TOKEN" -H 'content-type: application/json' -d '{}'`,
    ]);
  });
});
