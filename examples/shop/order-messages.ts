import { z } from 'zod';
import { defineCommand, defineEvent } from 'factline';

/** The commands and facts of the order workflow; every one is keyed by its order. */

const order = { orderId: z.string() };
const item = z.object({ sku: z.string(), quantity: z.number().int().positive() });

export const AuthorizePayment = defineCommand({
  type: 'shop.payment.authorize', version: 1, schema: z.object({ ...order, amount: z.number().int().nonnegative() }), target: (d) => d.orderId,
});
export const CapturePayment = defineCommand({ type: 'shop.payment.capture', version: 1, schema: z.object(order), target: (d) => d.orderId });
/** Compensation: releases an authorization or refunds a capture. */
export const RefundPayment = defineCommand({ type: 'shop.payment.refund', version: 1, schema: z.object({ ...order, reason: z.string() }), target: (d) => d.orderId });
export const ReserveStock = defineCommand({ type: 'shop.warehouse.reserve', version: 1, schema: z.object({ ...order, items: z.array(item) }), target: (d) => d.orderId });
/** Compensation: puts reserved items back. */
export const ReleaseStock = defineCommand({ type: 'shop.warehouse.release', version: 1, schema: z.object(order), target: (d) => d.orderId });

export const PaymentAuthorized = defineEvent({ type: 'shop.payment.authorized', version: 1, schema: z.object({ ...order, amount: z.number().int() }), subject: (d) => d.orderId });
export const PaymentCaptured = defineEvent({ type: 'shop.payment.captured', version: 1, schema: z.object(order), subject: (d) => d.orderId });
export const InventoryReserved = defineEvent({ type: 'shop.warehouse.reserved', version: 1, schema: z.object({ ...order, items: z.array(item) }), subject: (d) => d.orderId });
export const OrderConfirmed = defineEvent({ type: 'shop.order.confirmed', version: 1, schema: z.object(order), subject: (d) => d.orderId });
export const OrderCancelled = defineEvent({ type: 'shop.order.cancelled', version: 1, schema: z.object({ ...order, reason: z.string() }), subject: (d) => d.orderId });
