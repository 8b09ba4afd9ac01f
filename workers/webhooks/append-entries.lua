-- Appends several stream entries in one call (stream-appender.ts).
-- KEYS[1]  the stream
-- ARGV[1]  MAXLEN ~ bound
-- ARGV[2…] one entry each: a JSON array of its flat field list ["name", "value", …]
-- Returns the number of entries appended. An error stops the loop: the entries before it stay appended.
local key, maxlen = KEYS[1], ARGV[1]
for i = 2, #ARGV do
  redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', unpack(cjson.decode(ARGV[i])))
end
return #ARGV - 1
