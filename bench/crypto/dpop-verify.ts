#!/usr/bin/env node
/**
 * `node dist/bench/crypto/dpop-verify.js`: what checking one DPoP proof's ES256 signature costs, in one process
 * and one run, three ways: jose's `compactVerify` with an already imported key (what refreshd does for a cached
 * proof key), WebCrypto's `subtle.verify` alone (what jose calls), and node:crypto's synchronous `verify` with a
 * KeyObject (no thread hop). Each way runs with 32 verifications in flight, as under the bench's 32 connections,
 * in interleaved rounds. Reports process CPU and event-loop time per verification. Writes
 * bench/results/dpop-verify.json.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { base64url, compactVerify, exportJWK, generateKeyPair, SignJWT } from 'jose';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const perRound = Number(option('per-round') ?? 4000);
const rounds = Number(option('rounds') ?? 3);
const IN_FLIGHT = 32;

const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = await exportJWK(publicKey);
const proof = await new SignJWT({ htm: 'POST', htu: 'http://127.0.0.1/oauth/token', jti: 'bench', iat: Math.floor(Date.now() / 1000) })
  .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
  .sign(privateKey);
const [header, payload, signature] = proof.split('.') as [string, string, string];
const signingInput = Buffer.from(`${header}.${payload}`);
const rawSignature = Buffer.from(base64url.decode(signature));
const keyObject = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
const algorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;

const ways: Record<string, () => Promise<unknown> | unknown> = {
  'jose compactVerify (imported key)': () => compactVerify(proof, publicKey, { algorithms: ['ES256'] }),
  'WebCrypto subtle.verify': () => crypto.subtle.verify(algorithm, publicKey, rawSignature, signingInput),
  'node:crypto verify (sync, KeyObject)': () => nodeVerify('sha256', signingInput, { key: keyObject, dsaEncoding: 'ieee-p1363' }, rawSignature),
};

async function measure(run: () => Promise<unknown> | unknown): Promise<{ cpuMicros: number; loopMicros: number }> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  let next = 0;
  const lane = async () => {
    while (next < perRound) {
      next++;
      const ok = await run();
      if (ok === false) throw new Error('signature did not verify');
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const used = process.cpuUsage(cpu);
  const loop = performance.eventLoopUtilization(elu);
  return { cpuMicros: (used.user + used.system) / perRound, loopMicros: (loop.active * 1000) / perRound };
}

const results: Record<string, { cpuMicros: number[]; loopMicros: number[] }> = {};
for (const name of Object.keys(ways)) await measure(ways[name]!); // warm-up
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(ways)) {
    const r = await measure(run);
    (results[name] ??= { cpuMicros: [], loopMicros: [] }).cpuMicros.push(r.cpuMicros);
    results[name]!.loopMicros.push(r.loopMicros);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`ES256 proof signature check, ${perRound} per round × ${rounds} rounds, ${IN_FLIGHT} in flight, Node ${process.version}`);
console.log('| way | process CPU µs per check (median; rounds) | event loop µs per check |');
console.log('|---|--:|--:|');
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${median(r.cpuMicros).toFixed(0)} (${r.cpuMicros.map((x) => x.toFixed(0)).join(', ')}) | ${median(r.loopMicros).toFixed(0)} |`);
}
const dir = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'dpop-verify.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, perRound, rounds, inFlight: IN_FLIGHT, results }, null, 2)}\n`);
