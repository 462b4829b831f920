#!/usr/bin/env node
// Independent crnp-gateway client: shares no code and no .proto file with the project. It
// learns the API from the server's gRPC reflection (grpc.reflection.v1alpha), then checks
// the public contract end to end:
//   Health/Check (if listed) -> ListRegistrations -> Register {EC_Cluster} -> Subscribe:
//   snapshot events, snapshot_end (count matches), then a live event (caused through the
//   simulator's SimControl, also learned by reflection, when --sim is given) or a heartbeat
//   -> Unregister.
// Prints one JSON summary on stdout. Exit codes: 0 success, 1 a check failed, 2 deadline
// passed, 64 bad usage.
//
//   node reflection_client.mjs --gateway 127.0.0.1:50051 [--sim 127.0.0.1:PORT]
//                              [--timeout-ms 20000] [--ca ca.pem [--token TOKEN]]
//
// --ca: talk TLS to the gateway, trusting this PEM CA (the --sim address stays plaintext);
// --token: send `authorization: Bearer TOKEN` on every gateway call, reflection included
// (a write token: the client registers). The token is never printed.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { GrpcReflection } from 'grpc-js-reflection-client';

const GATEWAY_SERVICE = 'crnp.gateway.v1.CrnpGateway';
const SIM_SERVICE = 'crnp.sim.v1.SimControl';
const HEALTH_SERVICE = 'grpc.health.v1.Health';
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const CALL_TIMEOUT_MS = 5000;

class CheckFailed extends Error {}

function usage(message) {
  process.stderr.write(`reflection_client: ${message}\n` +
      'usage: reflection_client.mjs --gateway HOST:PORT [--sim HOST:PORT] [--timeout-ms N]\n' +
      '                             [--ca CA.pem [--token TOKEN]]\n');
  process.exit(64);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        gateway: { type: 'string' },
        sim: { type: 'string' },
        'timeout-ms': { type: 'string', default: '20000' },
        ca: { type: 'string' },
        token: { type: 'string' },
      },
    }));
  } catch (e) {
    usage(e.message);
  }
  if (!values.gateway) usage('--gateway is required');
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) usage('--timeout-ms must be a positive integer');
  // grpc-js sends call credentials only over TLS, so a token needs --ca.
  if (values.token !== undefined && !values.ca) usage('--token needs --ca');
  if (values.token === '') usage('--token must not be empty');
  let ca;
  if (values.ca) {
    try {
      ca = readFileSync(values.ca);
    } catch (e) {
      usage(`cannot read --ca ${values.ca}: ${e.message}`);
    }
  }
  return { gateway: values.gateway, sim: values.sim, timeoutMs, ca, token: values.token };
}

// The gateway's channel credentials: plaintext, TLS, or TLS with the bearer token on every
// call. The simulator's own control port is always plaintext.
function gatewayCredentials(options) {
  if (!options.ca) return grpc.credentials.createInsecure();
  const tls = grpc.credentials.createSsl(options.ca);
  if (!options.token) return tls;
  const bearer = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.add('authorization', `Bearer ${options.token}`);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(tls, bearer);
}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

// Walks "a.b.C" through a grpc-js package object.
function lookup(packageObject, fullName) {
  return fullName.split('.').reduce((node, part) => (node ? node[part] : undefined), packageObject);
}

// A client for `serviceName`, built only from what the server's reflection returns.
async function reflectedClient(address, serviceName, listedServices, credentials) {
  check(listedServices.includes(serviceName),
      `${address} does not list ${serviceName} (lists: ${listedServices.join(', ')})`);
  const reflection = new GrpcReflection(address, credentials);
  const descriptor = await reflection.getDescriptorBySymbol(serviceName).catch((e) => {
    throw new CheckFailed(`${address} lists ${serviceName} but reflection cannot describe it: ${reflectionError(e)}`);
  });
  const Client = lookup(descriptor.getPackageObject(LOADER_OPTIONS), serviceName);
  check(typeof Client === 'function', `reflection of ${serviceName} gave no service definition`);
  return new Client(address, credentials);
}

// The reflection package wraps errors (sometimes a grpc-js error object) in its own exception.
function reflectionError(e) {
  const inner = e && e.message;
  if (inner && typeof inner === 'object') return `${inner.code} ${inner.details}`;
  return String(inner || e);
}

async function listServices(address, credentials) {
  const reflection = new GrpcReflection(address, credentials);
  return reflection.listServices('*', { deadline: Date.now() + CALL_TIMEOUT_MS }).catch((e) => {
    throw new CheckFailed(`reflection ListServices on ${address} failed: ${reflectionError(e)}`);
  });
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, response) => {
      if (error) reject(new CheckFailed(`${method} failed: ${error.code} ${error.details}`));
      else resolve(response);
    });
  });
}

// Reads a server stream as an async queue of messages, ending with an error or 'end'.
class StreamReader {
  constructor(call) {
    this.items = [];
    this.waiters = [];
    call.on('data', (message) => this.push({ message }));
    call.on('error', (error) => this.push({ error }));
    call.on('end', () => this.push({ end: true }));
  }
  push(item) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next() {
    const item = this.items.shift();
    return item ? Promise.resolve(item) : new Promise((resolve) => this.waiters.push(resolve));
  }
  async message(what) {
    const item = await this.next();
    if (item.error) throw new CheckFailed(`Subscribe stream failed while ${what}: ${item.error.code} ${item.error.details}`);
    if (item.end) throw new CheckFailed(`Subscribe stream ended while ${what}`);
    return item.message;
  }
}

function nvpair(event, name) {
  return (event.nvpairs.find((pair) => pair.name === name) || { values: [] }).values;
}

function describeEvent(event) {
  return { sequence: event.sequence, class: event.event_class, subclass: event.subclass,
    snapshot: event.snapshot, [event.typed || 'untyped']: event.typed ? event[event.typed] : event.nvpairs };
}

// "sequence subclass subject", e.g. "2 ESC_cluster_rg_state app-rg-1".
function briefEvent(event) {
  const typed = event.typed ? event[event.typed] : {};
  const subject = typed.group || typed.resource || (typed.nodes ? `${typed.nodes.length} nodes` : '');
  return `${event.sequence} ${event.subclass} ${subject}`.trim();
}

async function readSnapshot(stream, summary) {
  const snapshot = [];
  for (;;) {
    const message = await stream.message('reading the snapshot');
    check(message.resume_token, `message without resume_token: ${JSON.stringify(message)}`);
    if (message.kind === 'heartbeat') continue;
    if (message.kind === 'snapshot_end') {
      check(message.snapshot_end.event_count === snapshot.length,
          `snapshot_end.event_count ${message.snapshot_end.event_count} but ${snapshot.length} snapshot events`);
      break;
    }
    check(message.kind === 'event', `unexpected ${message.kind} before snapshot_end`);
    check(message.event.snapshot === true, `non-snapshot event before snapshot_end (sequence ${message.event.sequence})`);
    check(message.event.event_class === 'EC_Cluster', `snapshot event of class ${message.event.event_class}`);
    snapshot.push(message.event);
  }
  summary.snapshot_events = snapshot.map(briefEvent);
  summary.snapshot_end_count = snapshot.length;
  return snapshot;
}

// Takes a simulated node down; the gateway must stream the membership change live.
async function causeLiveEvent(simAddress, summary) {
  const plaintext = grpc.credentials.createInsecure();
  const services = await listServices(simAddress, plaintext);
  const sim = await reflectedClient(simAddress, SIM_SERVICE, services, plaintext);
  const cluster = await unary(sim, 'GetCluster', {});
  // The last member: the first nodes are the likelier primaries, less to fail over.
  const node = [...cluster.nodes].reverse().find((n) => n.incarnation !== '-1');
  check(node, `the simulated cluster has no member node: ${JSON.stringify(cluster.nodes)}`);
  await unary(sim, 'SetNodeState', { node: node.name, up: false });
  summary.live_trigger = { service: SIM_SERVICE, method: 'SetNodeState', node: node.name, up: false };
  return { sim, node: node.name };
}

async function awaitLiveMembershipChange(stream, node, lastSnapshotSequence) {
  for (;;) {
    const message = await stream.message(`waiting for the live event of node ${node} going down`);
    if (message.kind !== 'event') continue;
    const event = message.event;
    check(event.snapshot === false, `snapshot event after snapshot_end (sequence ${event.sequence})`);
    check(BigInt(event.sequence) > lastSnapshotSequence,
        `live sequence ${event.sequence} not after the snapshot's ${lastSnapshotSequence}`);
    if (event.subclass !== 'ESC_cluster_membership') continue;
    const index = nvpair(event, 'node_list').indexOf(node);
    if (index < 0 || nvpair(event, 'state_list')[index] !== '-1') continue;
    // The gateway's typed view must agree with the raw CRNP pairs.
    check(event.typed === 'membership', `membership event without the typed membership view`);
    const typed = event.membership.nodes.find((n) => n.node === node);
    check(typed && typed.member === false && typed.incarnation === '-1',
        `typed membership of ${node} is ${JSON.stringify(typed)}, raw state_list says -1`);
    return event;
  }
}

async function run(options, summary) {
  const credentials = gatewayCredentials(options);
  const services = await listServices(options.gateway, credentials);
  summary.services = services;

  if (services.includes(HEALTH_SERVICE)) {
    const health = await reflectedClient(options.gateway, HEALTH_SERVICE, services, credentials);
    const response = await unary(health, 'Check', { service: '' });
    check(response.status === 'SERVING', `health status ${response.status}`);
    summary.health = response.status;
    health.close();
  }

  const gateway = await reflectedClient(options.gateway, GATEWAY_SERVICE, services, credentials);
  summary.registrations_before = (await unary(gateway, 'ListRegistrations', {})).registrations.length;
  const registration = await unary(gateway, 'Register', { event_types: [{ event_class: 'EC_Cluster' }] });
  check(registration.registration_id, 'Register returned no registration_id');
  check(registration.event_types.length === 1 && registration.event_types[0].event_class === 'EC_Cluster',
      `Register returned event types ${JSON.stringify(registration.event_types)}`);
  summary.registration_id = registration.registration_id;

  const call = gateway.Subscribe({ registration_id: registration.registration_id,
    heartbeat_interval: { seconds: '1', nanos: 0 } });
  const stream = new StreamReader(call);
  try {
    const snapshot = await readSnapshot(stream, summary);
    const lastSequence = snapshot.reduce((max, e) => (BigInt(e.sequence) > max ? BigInt(e.sequence) : max), 0n);
    if (options.sim) {
      const { sim, node } = await causeLiveEvent(options.sim, summary);
      try {
        summary.live_event = describeEvent(await awaitLiveMembershipChange(stream, node, lastSequence));
      } finally {
        await unary(sim, 'SetNodeState', { node, up: true });  // leave the cluster as found
        sim.close();
      }
    } else {
      let message;
      do message = await stream.message('waiting for a heartbeat'); while (message.kind !== 'heartbeat');
      summary.heartbeat = message.heartbeat;
    }
  } finally {
    call.cancel();
  }

  const removed = await unary(gateway, 'Unregister', { registration_id: registration.registration_id });
  check(removed.removed === true, `Unregister did not remove ${registration.registration_id}`);
  summary.unregistered = true;
  gateway.close();
}

const options = parseOptions();
const started = Date.now();
const summary = { ok: false, gateway: options.gateway, sim: options.sim || null,
  tls: Boolean(options.ca), token: Boolean(options.token) };
const finish = (code, error) => {
  summary.elapsed_ms = Date.now() - started;
  if (error) summary.error = error;
  else summary.ok = true;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (error) process.stderr.write(`reflection_client: FAILED: ${error}\n`);
  process.exit(code);
};
const timer = setTimeout(() => finish(2, `deadline of ${options.timeoutMs} ms passed`), options.timeoutMs);
run(options, summary).then(
    () => { clearTimeout(timer); finish(0); },
    (e) => { clearTimeout(timer); finish(1, e instanceof CheckFailed ? e.message : String(e && e.stack || e)); });
