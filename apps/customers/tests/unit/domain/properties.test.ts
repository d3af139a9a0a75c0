import { buildPutEventsEntry } from '@kestrel/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/commands';
import { storedCustomerSchema, withoutVersion } from '../../../src/domain/customer';
import { command, customer, isoInstant } from '../../support/arbitraries';

const metadata = { correlationId: 'test', causationId: 'test', producer: 'customers' };

describe('decide (properties)', () => {
  it('yields contract-valid events and a storable customer for any customer and any commands', () => {
    fc.assert(
      fc.property(customer, fc.array(command, { maxLength: 6 }), isoInstant, (before, commands, now) => {
        // Act
        const decision = decide(before, commands, { now });

        // Assess: buildPutEventsEntry validates data against the contract and throws otherwise
        for (const event of decision.events) buildPutEventsEntry(event.contract, event.data, metadata, { eventBusName: 'bus' });
        expect(storedCustomerSchema.safeParse(withoutVersion(decision.customer)).success).toBe(true);
      }),
    );
  });

  it('bumps the version by exactly one, and stamps it on every event, iff something changed', () => {
    fc.assert(
      fc.property(customer, fc.array(command, { maxLength: 6 }), isoInstant, (before, commands, now) => {
        const decision = decide(before, commands, { now });

        expect(decision.changed).toBe(decision.events.length > 0);
        expect(decision.customer.version).toBe(before.version + (decision.changed ? 1 : 0));
        for (const event of decision.events) expect(event.data.customerVersion).toBe(before.version + 1);
        expect(decision.outcomes.map((outcome) => outcome.command)).toEqual(commands.map((c) => c.type));
        if (!decision.changed) expect(decision.customer).toBe(before);
      }),
    );
  });

  it('never makes a delinquent customer preferred unless the same request clears the delinquency first', () => {
    fc.assert(
      fc.property(
        customer.map((c) => ({ ...c, delinquent: true, delinquencyReason: 'unpaid', preferred: false, preferredSince: undefined })),
        fc.array(command.filter((c) => c.type !== 'ClearDelinquency'), { maxLength: 6 }),
        isoInstant,
        (before, commands, now) => {
          const decision = decide(before, commands, { now });

          expect(decision.customer.preferred).toBe(false);
          for (const outcome of decision.outcomes.filter((o) => o.command === 'MakeCustomerPreferred')) {
            expect(outcome).toMatchObject({ status: 'rejected', rejection: { code: 'customer-delinquent' } });
          }
        },
      ),
    );
  });

  it('keeps the standing consistent: preferredSince exactly while preferred, a reason exactly while delinquent', () => {
    fc.assert(
      fc.property(customer, fc.array(command, { maxLength: 8 }), isoInstant, (before, commands, now) => {
        const after = decide(before, commands, { now }).customer;

        expect(after.preferredSince !== undefined).toBe(after.preferred);
        expect(after.delinquencyReason !== undefined).toBe(after.delinquent);
      }),
    );
  });

  it('is idempotent per command: repeating a command right after it changes nothing', () => {
    fc.assert(
      fc.property(customer, command, isoInstant, (before, single, now) => {
        const first = decide(before, [single], { now });

        const second = decide(first.customer, [single], { now });

        expect(second.changed).toBe(false);
      }),
    );
  });
});
