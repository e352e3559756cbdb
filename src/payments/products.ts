/**
 * The store catalog as data: what each pack grants and what it costs through each provider.
 * Prices are integer minor units: Razorpay in paise (INR), Stripe in cents (USD); Apple prices
 * live in App Store Connect, so a pack only names its App Store product id.
 */
export type GrantCurrency = "tokens" | "diamonds";

export interface Product {
  id: string;
  title: string;
  grants: { currency: GrantCurrency; amount: number };
  prices: {
    razorpay?: { amount: number; currency: "inr" };
    stripe?: { amount: number; currency: "usd" };
    apple?: { product_id: string };
  };
}

// token packs: live-stream gifts (Razorpay in India, Stripe elsewhere)
// diamond packs: fiction premium choices (App Store, Razorpay in India)
export const PRODUCTS: readonly Product[] = Object.freeze([
  { id: "tokens_100", title: "100 tokens", grants: { currency: "tokens", amount: 100 }, prices: { razorpay: { amount: 7_900, currency: "inr" }, stripe: { amount: 99, currency: "usd" } } },
  { id: "tokens_550", title: "550 tokens", grants: { currency: "tokens", amount: 550 }, prices: { razorpay: { amount: 39_900, currency: "inr" }, stripe: { amount: 499, currency: "usd" } } },
  { id: "tokens_1200", title: "1,200 tokens", grants: { currency: "tokens", amount: 1_200 }, prices: { razorpay: { amount: 79_900, currency: "inr" }, stripe: { amount: 999, currency: "usd" } } },
  { id: "diamonds_10", title: "10 diamonds", grants: { currency: "diamonds", amount: 10 }, prices: { razorpay: { amount: 9_900, currency: "inr" }, apple: { product_id: "limelight.diamonds.10" } } },
  { id: "diamonds_60", title: "60 diamonds", grants: { currency: "diamonds", amount: 60 }, prices: { razorpay: { amount: 49_900, currency: "inr" }, apple: { product_id: "limelight.diamonds.60" } } },
  { id: "diamonds_150", title: "150 diamonds", grants: { currency: "diamonds", amount: 150 }, prices: { razorpay: { amount: 99_900, currency: "inr" }, apple: { product_id: "limelight.diamonds.150" } } },
] satisfies Product[]);

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export function findProductByAppleId(appleProductId: string): Product | undefined {
  return PRODUCTS.find((p) => p.prices.apple?.product_id === appleProductId);
}
