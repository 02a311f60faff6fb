// rate-limiter-flexible's index requires every store it ships (Redis, Mongo, DynamoDB, etcd, …), about 20 ms of
// start-up for the two classes we use; http/rate-limit.ts imports those from their own files, which the package's
// types do not describe. Same classes, same module instances: `instanceof` still holds against the index's exports.
declare module 'rate-limiter-flexible/lib/RateLimiterDrizzle.js' {
  import { RateLimiterDrizzle } from 'rate-limiter-flexible'
  export default RateLimiterDrizzle
}

declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import { RateLimiterRes } from 'rate-limiter-flexible'
  export default RateLimiterRes
}
