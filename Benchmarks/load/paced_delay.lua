-- Appended to post_reports.lua for a paced run (RATE=... run.sh): each connection waits a
-- random time before each request, uniform with a mean of CONNECTIONS / RATE less a tenth,
-- so that all of them together offer a little over RATE requests per second at random
-- moments, instead of each sending again as soon as its answer is back (then 64 connections
-- always keep 64 requests queued, and the latency measured is that queue's).
-- wrk calls delay() before every request when a script defines it, so only paced runs do.
function delay()
  return math.random() * 2 * (connections / rate * 1000 / 1.1)
end
