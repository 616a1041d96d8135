// A Node.js client generated from OUR IDL (thrift --gen js:node,es6 hourglass.thrift) runs the
// core scenario against a live server, like hourglass_client_scenario.py does from Python: create
// a queue, enqueue jobs of three priorities, dequeue them in priority order, ack, count, look up,
// and page through a scan. Exits non-zero with a message on any mismatch.
//
// usage: node scenario.js HOST PORT QUEUE GEN_DIR
//   GEN_DIR holds PinLater.js and hourglass_types.js; NODE_PATH must lead to the npm `thrift`
//   package (CrossLanguageClientTest installs it from package-lock.json).
'use strict';

const path = require('path');
const thrift = require('thrift');

const [host, port, queue, genDir] = process.argv.slice(2);
const PinLater = require(path.join(genDir, 'PinLater'));
const types = require(path.join(genDir, 'hourglass_types'));

const PRIORITIES = [3, 1, 2];
const PER_PRIORITY = 3;
const SCAN_JOBS = 25;
const SCAN_PAGE = 7;
const ctx = new types.RequestContext({ source: 'node-client-scenario' });

function check(cond, what) {
  if (!cond) {
    console.log('FAIL: ' + what);
    process.exit(1);
  }
}

const priorityOf = (descriptor) => Number(descriptor.split(':')[2].slice(1));
const sameElements = (xs, ys) => JSON.stringify([...xs].sort()) === JSON.stringify([...ys].sort());

function count(client, state, priority) {
  const request = new types.PinLaterGetJobCountRequest({ queueName: queue, jobState: state, priority });
  return client.getJobCount(ctx, request);
}

async function dequeueAllInPriorityOrder(client) {
  const seen = [];
  for (;;) {
    const resp = await client.dequeueJobs(ctx, new types.PinLaterDequeueRequest({ queueName: queue, limit: 4 }));
    const descriptors = Object.keys(resp.jobs || {});
    if (descriptors.length === 0) return seen;
    const batch = descriptors.map(priorityOf).sort((a, b) => a - b);
    check(seen.length === 0 || seen[seen.length - 1] <= batch[0],
      `priority order across batches: ${seen} then ${batch}`);
    seen.push(...batch);
    for (const d of descriptors) {
      check(resp.jobs[d].toString().endsWith(`-p${priorityOf(d)}`), `body matches the priority of ${d}`);
      check(resp.jobMetadata[d].attemptsRemaining === 2, `the running attempt counts as remaining (PinLater): 2 of 2 on the first dequeue of ${d}`);
    }
    await client.ackDequeuedJobs(ctx, new types.PinLaterJobAckRequest({
      queueName: queue,
      jobsSucceeded: descriptors.map((d) => new types.PinLaterJobAckInfo({ jobDescriptor: d })),
    }));
  }
}

async function scanAll(client) {
  let token = types.CONTINUATION_START;
  let pages = 0;
  const seen = [];
  while (token !== types.CONTINUATION_END) {
    const resp = await client.scanJobs(ctx, new types.PinLaterScanJobsRequest({
      queueName: queue, jobState: types.PinLaterJobState.PENDING, continuation: token, limit: SCAN_PAGE,
    }));
    check(resp.scannedJobs.length <= SCAN_PAGE, `page of at most ${SCAN_PAGE} jobs`);
    seen.push(...resp.scannedJobs.map((j) => j.jobDescriptor));
    pages += 1;
    check(pages <= 10, 'scan ends');
    token = resp.continuation;
  }
  return { seen, pages };
}

async function enqueue(client, jobs) {
  const resp = await client.enqueueJobs(ctx, new types.PinLaterEnqueueRequest({ queueName: queue, jobs }));
  return resp.jobDescriptors;
}

async function scenario(client) {
  const { PENDING, SUCCEEDED } = types.PinLaterJobState;
  await client.createQueue(ctx, queue);
  check((await client.getQueueNames(ctx)).includes(queue), 'queue listed');

  const jobs = PRIORITIES.flatMap((p) => Array.from({ length: PER_PRIORITY },
    (_, i) => new types.PinLaterJob({ body: Buffer.from(`node-${i}-p${p}`), priority: p })));
  const descriptors = await enqueue(client, jobs);
  const total = jobs.length;
  check(descriptors.length === total, `${total} descriptors, got ${descriptors.length}`);
  check((await count(client, PENDING)) === total, 'count of PENDING jobs');
  check((await count(client, PENDING, 2)) === PER_PRIORITY, 'count of priority 2');

  const seen = await dequeueAllInPriorityOrder(client);
  check(seen.length === total && seen.every((p, i) => i === 0 || seen[i - 1] <= p),
    `all ${total} dequeued in priority order: ${seen}`);
  check((await count(client, SUCCEEDED)) === total, 'count of SUCCEEDED jobs');

  const infos = await client.lookupJobs(ctx,
    new types.PinLaterLookupJobRequest({ jobDescriptors: descriptors, includeBody: true }));
  check(sameElements(Object.keys(infos), descriptors), 'lookup finds every job');
  for (const [d, info] of Object.entries(infos)) {
    check(info.jobState === SUCCEEDED, `${d} SUCCEEDED`);
    check(info.claimDescriptor === ctx.source, `${d} claimed by ${ctx.source}`);
    check(info.body.toString().endsWith(`-p${priorityOf(d)}`), `${d} body`);
    check(info.createdAtTimestampMillis.toNumber() > 0, `${d} has a creation time (i64)`);
  }

  const enqueued = [];
  for (let i = 0; i < SCAN_JOBS; i += 10) { // several requests, so the jobs spread over shards
    const n = Math.min(10, SCAN_JOBS - i);
    enqueued.push(...await enqueue(client, Array.from({ length: n },
      (_, k) => new types.PinLaterJob({ body: Buffer.from(`node-scan-${i + k}`) }))));
  }
  const scan = await scanAll(client);
  check(sameElements(scan.seen, enqueued), `scan visits every job exactly once: ${scan.seen}`);

  try {
    await client.enqueueJobs(ctx,
      new types.PinLaterEnqueueRequest({ queueName: `${queue}_missing`, jobs: jobs.slice(0, 1) }));
    check(false, 'enqueue to a missing queue must raise');
  } catch (e) {
    check(e instanceof types.PinLaterException && e.errorCode === types.ErrorCode.QUEUE_NOT_FOUND,
      `QUEUE_NOT_FOUND, got ${e && (e.errorCode || e.message)}`);
  }
  return `OK node client: ${total} jobs dequeued in priority order and acked, `
    + `${scan.seen.length} jobs scanned in ${scan.pages} pages`;
}

async function main() {
  const connection = thrift.createConnection(host, Number(port), {
    transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol, connect_timeout: 10000, timeout: 30000,
  });
  connection.on('error', (e) => check(false, `connection to ${host}:${port}: ${e.message}`));
  try {
    console.log(await scenario(thrift.createClient(PinLater, connection)));
  } finally {
    connection.end();
  }
}

main().catch((e) => check(false, `unexpected error: ${e && e.stack ? e.stack : e}`));
