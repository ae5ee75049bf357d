import type { ComponentChildren } from 'preact';
import type { Device } from '../api/types.js';

/** One labelled value; `wide` ones take a whole row on a phone. */
export function Fact({ label, wide, children }: { label: string; wide?: boolean; children: ComponentChildren }) {
  return (
    <div class={wide ? 'fact wide' : 'fact'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const ip = (value: string | null) => (value ? <code>{value}</code> : <span class="muted">Unknown</span>);

/** First and last IP, and the ASN (refreshd does not track ASNs yet: the API sends ""). */
export function NetworkFacts({ device }: { device: Device }) {
  const asn = [device.initial_asn, device.last_asn].filter(Boolean);
  return (
    <>
      <Fact label="First IP">{ip(device.initial_ip)}</Fact>
      <Fact label="Last IP">{ip(device.last_ip)}</Fact>
      <Fact label="ASN">{asn.length ? <code>{[...new Set(asn)].join(' → ')}</code> : <span class="muted">Not recorded</span>}</Fact>
    </>
  );
}
