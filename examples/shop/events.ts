import { z } from 'zod';
import { defineEvent } from 'factline';

/** The facts of the shop. Every event is keyed by its order, so one order's events are handled in order. */

const item = z.object({ sku: z.string(), quantity: z.number().int().positive(), unitPrice: z.number().int().nonnegative() });

export const OrderPlaced = defineEvent({
  type: 'shop.order.placed',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    customerId: z.string(),
    email: z.string().email(),
    /** ISO 3166 country of the shipping address. */
    country: z.string().length(2),
    items: z.array(item).min(1),
    /** In cents. */
    total: z.number().int().nonnegative(),
  }),
  subject: (d) => d.orderId,
});

/** Version 1 of the invoice: stays defined so that invoices stored before v2 still reach the handlers of v2. */
export const InvoiceIssuedV1 = defineEvent({
  type: 'shop.invoice.issued',
  version: 1,
  schema: z.object({ invoiceId: z.string(), orderId: z.string(), email: z.string().email(), amount: z.number().int().nonnegative() }),
  subject: (d) => d.orderId,
});

/** Version 2 adds the currency (with a default: FULL compatible); v1 invoices were all in EUR. */
export const InvoiceIssued = defineEvent({
  type: 'shop.invoice.issued',
  version: 2,
  schema: z.object({
    invoiceId: z.string(), orderId: z.string(), email: z.string().email(), amount: z.number().int().nonnegative(),
    /** ISO 4217. */
    currency: z.string().length(3).default('EUR'),
  }),
  subject: (d) => d.orderId,
  from: InvoiceIssuedV1,
  upcast: (v1) => ({ ...v1, currency: 'EUR' }),
});

export const StockReserved = defineEvent({
  type: 'shop.stock.reserved',
  version: 1,
  schema: z.object({ orderId: z.string(), items: z.array(item) }),
  subject: (d) => d.orderId,
});

export const StockUnavailable = defineEvent({
  type: 'shop.stock.unavailable',
  version: 1,
  schema: z.object({ orderId: z.string(), sku: z.string(), requested: z.number().int(), available: z.number().int() }),
  subject: (d) => d.orderId,
});
