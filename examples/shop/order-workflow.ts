import { defineWorkflow } from 'factline';
import { OrderPlaced } from './events.js';
import {
  AuthorizePayment, CapturePayment, InventoryReserved, OrderCancelled, OrderConfirmed, PaymentAuthorized, PaymentCaptured, RefundPayment,
  ReleaseStock, ReserveStock,
} from './order-messages.js';

export interface OrderData {
  readonly total: number;
  readonly items: readonly { sku: string; quantity: number }[];
}

export interface OrderTimeouts {
  /** How long payment may take before the order is cancelled. */
  readonly paymentMs: number;
  readonly stockMs: number;
  readonly captureMs: number;
}

export const DEMO_TIMEOUTS: OrderTimeouts = { paymentMs: 1500, stockMs: 1500, captureMs: 1500 };

/**
 * The order process as a state machine over the log:
 * OrderPending -> PaymentAuthorized -> InventoryReserved -> OrderConfirmed, or OrderCancelled when
 * the payment is declined, the stock runs out or a step times out, with compensation (refund the
 * payment, release the stock) as explicit transitions.
 */
export function orderWorkflow(t: OrderTimeouts = DEMO_TIMEOUTS) {
  return defineWorkflow<OrderData>('order', (w) => ({
    start: w.start(OrderPlaced, {
      to: 'OrderPending',
      data: (e) => ({ total: e.data.total, items: e.data.items.map((i) => ({ sku: i.sku, quantity: i.quantity })) }),
      run: async (e, step) => void (await step.send(AuthorizePayment, { orderId: e.data.orderId, amount: e.data.total })),
    }),
    states: {
      OrderPending: {
        on: [
          w.on(PaymentAuthorized, { to: 'PaymentAuthorized', run: async (_e, s) => void (await s.send(ReserveStock, { orderId: s.key, items: [...s.data.items] })) }),
          w.rejected(AuthorizePayment, { to: 'OrderCancelled', run: async (e, s) => void (await s.publish(OrderCancelled, { orderId: s.key, reason: `payment declined: ${e.data.reason}` })) }),
        ],
        timers: [
          w.after('payment', t.paymentMs, {
            to: 'OrderCancelled',
            // The authorization may still arrive: the refund releases it (payments handles commands of an order in order).
            run: async (_e, s) => {
              await s.send(RefundPayment, { orderId: s.key, reason: 'payment timed out' });
              await s.publish(OrderCancelled, { orderId: s.key, reason: 'payment timed out' });
            },
          }),
        ],
      },
      PaymentAuthorized: {
        on: [
          w.on(InventoryReserved, { to: 'InventoryReserved', run: async (_e, s) => void (await s.send(CapturePayment, { orderId: s.key })) }),
          w.rejected(ReserveStock, {
            to: 'OrderCancelled',
            run: async (e, s) => {
              await s.send(RefundPayment, { orderId: s.key, reason: 'out of stock' });
              await s.publish(OrderCancelled, { orderId: s.key, reason: e.data.reason });
            },
          }),
        ],
        timers: [
          w.after('stock', t.stockMs, {
            to: 'OrderCancelled',
            run: async (_e, s) => {
              await s.send(ReleaseStock, { orderId: s.key });
              await s.send(RefundPayment, { orderId: s.key, reason: 'stock timed out' });
              await s.publish(OrderCancelled, { orderId: s.key, reason: 'stock reservation timed out' });
            },
          }),
        ],
      },
      InventoryReserved: {
        on: [w.on(PaymentCaptured, { to: 'OrderConfirmed', run: async (_e, s) => void (await s.publish(OrderConfirmed, { orderId: s.key })) })],
        timers: [
          w.after('capture', t.captureMs, {
            to: 'OrderCancelled',
            run: async (_e, s) => {
              await s.send(ReleaseStock, { orderId: s.key });
              await s.send(RefundPayment, { orderId: s.key, reason: 'capture timed out' });
              await s.publish(OrderCancelled, { orderId: s.key, reason: 'payment capture timed out' });
            },
          }),
        ],
      },
      OrderConfirmed: { terminal: true },
      OrderCancelled: { terminal: true },
    },
  }));
}
