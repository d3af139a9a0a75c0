import {
  CustomerCreatedV1,
  CustomerDelinquencyChangedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
  type EventDataInput,
} from '@kestrel/contracts';

/** One fact a command produced: the contract it is published under and its `detail.data`. */
export type DomainEvent =
  | { readonly contract: typeof CustomerCreatedV1; readonly data: EventDataInput<typeof CustomerCreatedV1> }
  | { readonly contract: typeof CustomerDetailsEditedV1; readonly data: EventDataInput<typeof CustomerDetailsEditedV1> }
  | { readonly contract: typeof CustomerLocaleChangedV1; readonly data: EventDataInput<typeof CustomerLocaleChangedV1> }
  | { readonly contract: typeof CustomerPreferredStatusChangedV1; readonly data: EventDataInput<typeof CustomerPreferredStatusChangedV1> }
  | { readonly contract: typeof CustomerDelinquencyChangedV1; readonly data: EventDataInput<typeof CustomerDelinquencyChangedV1> };

export type DetailChanges = EventDataInput<typeof CustomerDetailsEditedV1>['changes'];

export const customerCreated = (data: EventDataInput<typeof CustomerCreatedV1>): DomainEvent => ({ contract: CustomerCreatedV1, data });
export const customerDetailsEdited = (data: EventDataInput<typeof CustomerDetailsEditedV1>): DomainEvent => ({
  contract: CustomerDetailsEditedV1,
  data,
});
export const customerLocaleChanged = (data: EventDataInput<typeof CustomerLocaleChangedV1>): DomainEvent => ({
  contract: CustomerLocaleChangedV1,
  data,
});
export const customerPreferredStatusChanged = (data: EventDataInput<typeof CustomerPreferredStatusChangedV1>): DomainEvent => ({
  contract: CustomerPreferredStatusChangedV1,
  data,
});
export const customerDelinquencyChanged = (data: EventDataInput<typeof CustomerDelinquencyChangedV1>): DomainEvent => ({
  contract: CustomerDelinquencyChangedV1,
  data,
});
