/** What other features use from payments (e.g. negotiation escrow paid through Razorpay). */
export { createPaymentOrder, verifyPayment, registerPaymentPurpose } from "./payments.service";
export type { CreatedOrder, PaymentOrder, PaymentOrderInput, PaymentPurposeHandler, VerifiedPayment } from "./payments.service";
export type { PaymentEvent } from "./provider";
export { PRODUCTS, findProduct, type Product } from "./products";
