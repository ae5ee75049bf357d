import { deviceInWords } from '../model/device.js';
import type { Device } from '../api/types.js';

/**
 * The device in words as a heading, the raw user agent below it (unless the enclosing session already shows the
 * same one); the first device too when it differs.
 */
export function DeviceTitle({ device, level, prefix, shownAbove }: { device: Device; level: 'h3' | 'h4'; prefix?: string; shownAbove?: string }) {
  const last = deviceInWords(device.last_user_agent);
  const first = deviceInWords(device.initial_user_agent);
  const Heading = level;
  return (
    <div class="device">
      <Heading class="device-words">
        {prefix ? <span class="kind">{prefix}</span> : null}
        {last}
      </Heading>
      {device.last_user_agent && device.last_user_agent !== shownAbove ? <p class="ua">{device.last_user_agent}</p> : null}
      {device.initial_user_agent && first !== last ? <p class="ua">First seen on {first}</p> : null}
    </div>
  );
}
