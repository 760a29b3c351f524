import { RedisScript } from "./connection.js";

/**
 * The cleanup and "what is left" part shared by the budget scripts. Each budget account has three keys:
 * `spent` (integer nano-USD), `resv` (sorted set: reservation id -> expiry in ms, Redis clock) and `amt` (hash:
 * reservation id -> nano-USD). Expired reservations are dropped first, so a process that died mid-call holds
 * nothing once its reservations' time is up.
 */
const REMAINING = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS / 3
local function remaining(i, limit)
  local spentKey, resvKey, amtKey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local expired = redis.call('ZRANGEBYSCORE', resvKey, '-inf', now)
  if #expired > 0 then
    redis.call('HDEL', amtKey, unpack(expired))
    redis.call('ZREMRANGEBYSCORE', resvKey, '-inf', now)
  end
  local reserved = 0
  for _, v in ipairs(redis.call('HVALS', amtKey)) do reserved = reserved + tonumber(v) end
  return limit - tonumber(redis.call('GET', spentKey) or '0') - reserved
end
`;

/**
 * Check-and-reserve over every account in one atomic step.
 * KEYS: spent, resv, amt per account. ARGV: id ("" = only report what is left), nano-USD, ttl ms, then one limit
 * (nano-USD) per account. Returns { 1 | 0, smallest remaining after the reservation (or before a refusal) }.
 */
export const RESERVE_SCRIPT = new RedisScript(`${REMAINING}
local id, amount, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local least = nil
for i = 1, n do
  local left = remaining(i, tonumber(ARGV[3 + i]))
  if least == nil or left < least then least = left end
end
if id == '' or amount > least then return { 0, tostring(least) } end
for i = 1, n do
  local resvKey, amtKey = KEYS[3 * i - 1], KEYS[3 * i]
  redis.call('ZADD', resvKey, now + ttl, id)
  redis.call('HSET', amtKey, id, amount)
  for _, key in ipairs({ resvKey, amtKey }) do
    if redis.call('PTTL', key) < ttl + 1000 then redis.call('PEXPIRE', key, ttl + 1000) end
  end
end
return { 1, tostring(least - amount) }
`);

/**
 * Settle (or charge, with id ""): drops the reservation and adds the real cost to every account, once per operation
 * id (a journaled settle replayed after Redis already took it is not counted twice).
 * KEYS: spent, resv, amt per account, then the hash of operation ids done. ARGV: id, nano-USD, operation id, then
 * one key lifetime in seconds per account (0 = keep).
 */
export const SETTLE_SCRIPT = new RedisScript(`
local n = (#KEYS - 1) / 3
local id, amount, op = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local opsKey = KEYS[#KEYS]
if redis.call('HSETNX', opsKey, op, 1) == 0 then return 0 end
if redis.call('TTL', opsKey) < 0 then redis.call('EXPIRE', opsKey, 172800) end
for i = 1, n do
  local spentKey, resvKey, amtKey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  if id ~= '' then
    redis.call('ZREM', resvKey, id)
    redis.call('HDEL', amtKey, id)
  end
  redis.call('INCRBY', spentKey, amount)
  local lifetime = tonumber(ARGV[3 + i])
  if lifetime > 0 then redis.call('EXPIRE', spentKey, lifetime) end
end
return 1
`);
