import type { AnyEventContract } from '../define-event';
import {
  CustomerCreatedV1,
  CustomerDelinquencyChangedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
} from './customers';
import { UserRegisteredV1, UserSignedInV1 } from './identity';
import { ProductPublishedV1, ProductRetiredV1, ProductRevisedV1, StoreCollectionChangedV1 } from './catalog';

/**
 * Every event contract version the platform publishes. Each producing context keeps its contracts
 * in `src/events/<context>.ts` (one `declareEvent` per version, e.g. `UserRegisteredV1`), exports
 * them from `src/index.ts` and appends them here; then runs `nx run contracts:export-schemas`.
 * `tests/unit/registered-contracts.test.ts` validates every example (not done at module load).
 * Old versions stay listed until no consumer declares them (see libs/contracts/README.md).
 */
export const registeredContracts: readonly AnyEventContract[] = [
  UserRegisteredV1,
  UserSignedInV1,
  CustomerCreatedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
  CustomerDelinquencyChangedV1,
  ProductPublishedV1,
  ProductRevisedV1,
  ProductRetiredV1,
  StoreCollectionChangedV1,
];
